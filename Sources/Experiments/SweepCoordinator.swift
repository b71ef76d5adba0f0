import CityTwin
import Foundation
import TwinIO

/// Owns a sweep directory while runs execute: the manifest, the queue of runs to do and the
/// KPIs of finished runs. Used by the local worker pool, the MPI coordinator (rank 0) and shards.
///
/// Opening a directory: refuses any manifest in it that belongs to another sweep (nothing is
/// overwritten), takes an exclusive lock (one coordinator per manifest), and resumes: a run
/// counts as done only if the manifest says done AND its output file opens and has `/kpi`;
/// every other run (pending, running when interrupted, failed, or with a missing or partial
/// file) is queued again. Leftover temporary files of interrupted runs are removed.
public final class SweepCoordinator {
    public let plan: SweepPlan
    public let directory: String
    public let shard: SweepShard?
    public private(set) var manifest: SweepManifest
    public let manifestPath: String
    /// KPIs of done runs, by run index (filled when a run is verified).
    public private(set) var kpis: [Int: [KPI]] = [:]
    /// Runs skipped because an earlier invocation completed them.
    public private(set) var resumedDone = 0

    private var lines: [String]
    private var position: [Int]         // run index → entry position (or -1)
    private var queue: [Int] = []       // entry positions to run, in run order
    private var next = 0
    private var dirty = true
    private var lockFD: Int32 = -1

    /// Opens (creating if needed) `directory` for `plan`.
    /// - Throws: `SweepError` when a manifest of another sweep is there, or another process holds the lock.
    /// - Parameter cleanTemporaries: remove temporary files of unfinished runs (false when merging,
    ///   where shards might still be writing).
    public init(plan: SweepPlan, directory: String, shard: SweepShard? = nil, cleanTemporaries: Bool = true) throws {
        self.plan = plan
        self.directory = directory
        self.shard = shard
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: directory, isDirectory: &isDir), !isDir.boolValue {
            throw SweepError(file: directory, message: "--out must be a directory, found a file")
        }
        try Self.refuseOtherSweeps(in: directory, hash: plan.hashText, file: plan.definition.file)
        do { try fm.createDirectory(atPath: directory + "/runs", withIntermediateDirectories: true) } catch {
            throw SweepError(file: directory, message: "cannot create the sweep directory: \(oneLine(error))")
        }
        manifestPath = directory + "/" + (shard?.manifestName ?? "manifest.json")
        manifest = SweepManifest(plan: plan, shard: shard)
        lines = []
        position = Array(repeating: -1, count: plan.runs.count)
        for (k, e) in manifest.entries.enumerated() { position[e.index] = k }

        let lockPath = directory + "/." + ((manifestPath as NSString).lastPathComponent) + ".lock"
        lockFD = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard lockFD >= 0, flock(lockFD, LOCK_EX | LOCK_NB) == 0 else {
            throw SweepError(file: directory, message: "another citytwin sweep process is using this directory (lock \(lockPath)); wait for it or stop it")
        }

        if fm.fileExists(atPath: manifestPath) {
            let old = try SweepManifest.read(path: manifestPath)
            for e in old.entries where e.index >= 0 && e.index < position.count && position[e.index] >= 0 {
                let k = position[e.index]
                guard manifest.entries[k].id == e.id else { continue }
                manifest.entries[k].wallSeconds = e.wallSeconds
                manifest.entries[k].error = e.error
                if e.status == .done, let list = Self.readKPIs(path: outputPath(manifest.entries[k])) {
                    manifest.entries[k].status = .done
                    kpis[e.index] = list
                    resumedDone += 1
                } else if e.status == .failed {
                    manifest.entries[k].status = .failed  // kept failed until retried below
                }
            }
        }
        for (k, e) in manifest.entries.enumerated() where e.status != .done {
            queue.append(k)
            if cleanTemporaries { Self.removeTemporaries(of: e.id, in: directory + "/runs") }
        }
        lines = manifest.entries.map(SweepManifest.entryJSON)
        try flush()
    }

    deinit { if lockFD >= 0 { close(lockFD) } }

    /// Full path of a run's output file.
    public func outputPath(_ e: ManifestEntry) -> String { directory + "/" + e.output }
    public func outputPath(_ run: SweepRun) -> String { directory + "/runs/\(run.id).h5" }

    /// Runs still to start in this invocation.
    public var remaining: Int { queue.count - next }
    /// Count of entries in each state.
    public func count(_ s: RunStatus) -> Int { manifest.entries.reduce(0) { $0 + ($1.status == s ? 1 : 0) } }

    /// The next run to start (marked running), or nil when all were handed out.
    public func nextRun() -> SweepRun? {
        guard next < queue.count else { return nil }
        let k = queue[next]
        next += 1
        update(k) { $0.status = .running }
        return plan.runs[manifest.entries[k].index]
    }

    /// Records a finished attempt. A run reported done is verified: its file must open and
    /// have `/kpi`, else it is recorded failed.
    public func complete(runIndex: Int, succeeded: Bool, wallSeconds: Double, error: String?) {
        guard runIndex >= 0, runIndex < position.count, position[runIndex] >= 0 else { return }
        let k = position[runIndex]
        var ok = succeeded
        var message = error
        if ok {
            if let list = Self.readKPIs(path: outputPath(manifest.entries[k])) {
                kpis[runIndex] = list
            } else {
                ok = false
                message = "run reported success but \(manifest.entries[k].output) is missing or has no /kpi"
            }
        }
        update(k) {
            $0.status = ok ? .done : .failed
            $0.wallSeconds = wallSeconds
            $0.error = ok ? nil : (message ?? "failed")
        }
    }

    /// Takes the state of a run from another manifest (a shard's) when it is better than ours:
    /// done (verified again) beats failed beats pending. Returns false for an unknown run.
    @discardableResult
    public func adopt(_ e: ManifestEntry) -> Bool {
        guard e.index >= 0, e.index < position.count, position[e.index] >= 0 else { return false }
        let k = position[e.index]
        guard manifest.entries[k].id == e.id, manifest.entries[k].status != .done else { return manifest.entries[k].id == e.id }
        if e.status == .done, let list = Self.readKPIs(path: outputPath(manifest.entries[k])) {
            kpis[e.index] = list
            update(k) { $0.status = .done; $0.wallSeconds = e.wallSeconds; $0.error = nil }
        } else if e.status == .failed || (e.status == .done) {
            update(k) {
                $0.status = .failed
                $0.wallSeconds = e.wallSeconds
                $0.error = e.status == .done ? "output \($0.output) is missing or unreadable" : e.error
            }
        } else if manifest.entries[k].status == .pending, e.status == .running {
            update(k) { $0.error = "still running or interrupted in its shard" }
        }
        return true
    }

    /// Puts runs that were running back to pending (after an interruption).
    public func requeue(runIndices: [Int]) {
        for i in runIndices where i >= 0 && i < position.count && position[i] >= 0 {
            update(position[i]) { $0.status = .pending; $0.error = "interrupted" }
        }
    }

    /// Writes the manifest if anything changed since the last write (atomically).
    public func flush() throws {
        guard dirty else { return }
        try SweepManifest.writeAtomically(manifest.jsonText(entryLines: lines), to: manifestPath)
        dirty = false
    }

    /// The summary of the runs this coordinator covers.
    public func summary() -> SweepSummary {
        SweepSummary.build(plan: plan, entries: manifest.entries, kpis: { self.kpis[$0] })
    }

    private func update(_ k: Int, _ change: (inout ManifestEntry) -> Void) {
        change(&manifest.entries[k])
        lines[k] = SweepManifest.entryJSON(manifest.entries[k])
        dirty = true
    }

    /// KPIs of a complete run output, or nil when missing, partial or without `/kpi`.
    public static func readKPIs(path: String) -> [KPI]? {
        guard FileManager.default.fileExists(atPath: path), let f = try? HDF5File.openReadOnly(path: path) else { return nil }
        defer { try? f.close() }
        guard f.exists("/kpi/kpi"), let list = try? KPI.read(from: f) else { return nil }
        return list
    }

    /// Refuses a directory holding a manifest of another sweep.
    static func refuseOtherSweeps(in directory: String, hash: String, file: String) throws {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names.sorted() where name.hasPrefix("manifest") && name.hasSuffix(".json") {
            let path = directory + "/" + name
            let other = try SweepManifest.read(path: path)
            if other.sweepHash != hash {
                throw SweepError(file: path, path: "sweep_hash",
                                 message: "this directory belongs to a different sweep (\(other.sweepFile), hash \(other.sweepHash)); \(file) (hash \(hash)) differs in its text or base scenario; use another --out directory (nothing was changed)")
            }
        }
    }

    /// Removes `.<id>.h5.tmp-*` files left by killed runs.
    static func removeTemporaries(of id: String, in runsDirectory: String) {
        let prefix = ".\(id).h5.tmp-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: runsDirectory) else { return }
        for n in names where n.hasPrefix(prefix) { unlink(runsDirectory + "/" + n) }
    }
}

/// Executes one run in the current process.
public enum SweepRunner {
    /// Result of one attempt.
    public struct Outcome: Sendable {
        public var succeeded: Bool
        public var wallSeconds: Double
        public var error: String?
    }

    /// Builds the run's scenario and runs it into `DIR/runs/<id>.h5` (any older file is
    /// removed first, so a failed attempt never leaves an old output behind).
    public static func execute(plan: SweepPlan, runIndex: Int, directory: String) -> Outcome {
        let start = Date()
        guard runIndex >= 0, runIndex < plan.runs.count else {
            return Outcome(succeeded: false, wallSeconds: 0, error: "run index \(runIndex) out of range")
        }
        let run = plan.runs[runIndex]
        let path = directory + "/runs/\(run.id).h5"
        unlink(path)
        do {
            let scenario = try plan.scenario(for: run)
            _ = try CityRun.execute(scenario, outputPath: path)
            return Outcome(succeeded: true, wallSeconds: Date().timeIntervalSince(start), error: nil)
        } catch {
            return Outcome(succeeded: false, wallSeconds: Date().timeIntervalSince(start), error: oneLine(error))
        }
    }
}
