import CityTwin
import Foundation

/// The sweep workflow as the command line drives it: prepare (load, expand, validate),
/// execute (local worker pool, shard, or MPI), summarise, merge shards.
public enum SweepSession {
    /// Loads, expands and fully validates a sweep before anything runs.
    /// - Throws: `SweepError` (one line) or `SweepValidationError` (one line per failing run).
    public static func prepare(file: String) throws -> SweepPlan {
        let plan = try SweepPlan.expand(try SweepDefinition.load(path: file))
        try plan.validate()
        return plan
    }

    /// The running executable (`/proc/self/exe` on Linux, else `argv[0]` resolved).
    public static func currentExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 { return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        let argv0 = CommandLine.arguments.first ?? "citytwin"
        return URL(fileURLWithPath: argv0).standardizedFileURL.path
    }

    /// Runs `plan`'s unfinished runs (of `shard`, if given) on `jobs` worker processes.
    /// Writes the summary when every run of a non-shard sweep was attempted.
    /// - Returns: the coordinator (manifest, KPIs) and how the execution ended.
    public static func runLocal(plan: SweepPlan, directory: String, jobs: Int, shard: SweepShard?,
                                progress: SweepProgress?, executable: String = currentExecutable()) throws -> (SweepCoordinator, SweepOutcome) {
        let dir = URL(fileURLWithPath: directory).standardizedFileURL.path
        let coordinator = try SweepCoordinator(plan: plan, directory: dir, shard: shard)
        let file = URL(fileURLWithPath: plan.definition.file).standardizedFileURL.path
        let executor = LocalSweepExecutor(coordinator: coordinator, jobs: jobs, executable: executable,
                                          workerArguments: ["sweep-worker", file, "--out", dir, "--hash", plan.hashText])
        executor.progress = progress
        let outcome = try executor.run()
        if outcome.interruptedBy == nil && shard == nil { try coordinator.summary().write(directory: dir) }
        return (coordinator, outcome)
    }

    /// Joins shard manifests in `directory` (and a `manifest.json` already there) into
    /// `manifest.json` and the summary. All must come from the same sweep (same hash, same
    /// shard count); the sweep file recorded in them (or `sweepFile`) must still hash the same.
    /// - Returns: the merged coordinator and warnings (missing shards, unfinished runs).
    public static func merge(directory: String, sweepFile: String? = nil) throws -> (SweepCoordinator, [String]) {
        let dir = URL(fileURLWithPath: directory).standardizedFileURL.path
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else {
            throw SweepError(file: directory, message: "not a readable directory; expected a sweep --out directory")
        }
        let shardNames = names.filter { $0.hasPrefix("manifest-shard-") && $0.hasSuffix(".json") }.sorted()
        guard !shardNames.isEmpty else {
            throw SweepError(file: directory, message: "no manifest-shard-*.json files; run the sweep with --shard i/n first")
        }
        let manifests = try shardNames.map { try SweepManifest.read(path: dir + "/" + $0) }
        let first = manifests[0]
        for (name, m) in zip(shardNames, manifests) {
            guard m.sweepHash == first.sweepHash else {
                throw SweepError(file: dir + "/" + name, path: "sweep_hash",
                                 message: "comes from a different sweep (hash \(m.sweepHash), \(m.sweepFile)) than \(shardNames[0]) (hash \(first.sweepHash)); not merging")
            }
            guard let s = m.shard, s.count == first.shard?.count else {
                throw SweepError(file: dir + "/" + name, path: "shard", message: "expected a shard of \(first.shard?.count ?? 0), as in \(shardNames[0])")
            }
        }
        let file = sweepFile ?? first.sweepFile
        let plan = try SweepPlan.expand(try SweepDefinition.load(path: file))
        guard plan.hashText == first.sweepHash else {
            throw SweepError(file: file, message: "the sweep file or its base scenario changed since the shards ran (hash \(plan.hashText), shards have \(first.sweepHash)); not merging")
        }
        let coordinator = try SweepCoordinator(plan: plan, directory: dir, shard: nil, cleanTemporaries: false)
        for m in manifests { for e in m.entries { coordinator.adopt(e) } }
        try coordinator.flush()
        var warnings: [String] = []
        let count = first.shard?.count ?? 1
        let present = Set(manifests.compactMap { $0.shard?.index })
        let missing = (0..<count).filter { !present.contains($0) }
        if !missing.isEmpty {
            warnings.append("\(dir): missing shard manifests for shard(s) \(missing.map { "\($0)/\(count)" }.joined(separator: ", ")); their runs are pending")
        }
        let unfinished = coordinator.count(.pending) + coordinator.count(.running)
        if unfinished > 0 { warnings.append("\(dir): \(unfinished) runs are not finished; the summary shows them as pending") }
        try coordinator.summary().write(directory: dir)
        return (coordinator, warnings)
    }
}
