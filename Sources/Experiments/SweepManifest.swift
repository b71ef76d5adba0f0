import CityTwin
import Foundation

/// State of one run in a manifest.
public enum RunStatus: String, Sendable, CaseIterable {
    case pending, running, done, failed
}

/// A subset of a sweep's runs: those with `index % count == index`.
public struct SweepShard: Sendable, Equatable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Parses `i/n` with 0 ≤ i < n.
    /// - Throws: `SweepError` naming `--shard`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 0, i < n else {
            throw SweepError(file: "--shard", message: "expected i/n with 0 ≤ i < n (e.g. 0/4, from $SLURM_ARRAY_TASK_ID/$N), found '\(text)'")
        }
        self.init(index: i, count: n)
    }

    public var description: String { "\(index)/\(count)" }
    /// True when run `runIndex` belongs to this shard (deterministic round robin).
    public func contains(_ runIndex: Int) -> Bool { runIndex % count == index }
    /// The manifest file name of this shard.
    public var manifestName: String { "manifest-shard-\(index)-of-\(count).json" }
}

/// One run's record in a manifest.
public struct ManifestEntry: Sendable, Equatable {
    public var index: Int
    public var id: String
    public var point: Int
    public var replication: Int
    /// `(field path, value as JSON)` in parameter order.
    public var parameters: [Parameter]
    public var seed: UInt64
    public var status: RunStatus
    /// Wall time of the last attempt in seconds (nil before the first attempt finished).
    public var wallSeconds: Double?
    /// One-line error of the last failed attempt.
    public var error: String?

    public struct Parameter: Sendable, Equatable {
        public var path: String
        public var json: String
    }

    /// Output file relative to the sweep directory.
    public var output: String { "runs/\(id).h5" }
}

/// The record of a sweep directory (`DIR/manifest.json`, or `DIR/manifest-shard-i-of-n.json`
/// for a shard): which sweep it belongs to and every run's parameters, seed, status, wall time
/// and error. Written atomically (temporary file + rename) after every status change, so a
/// reader never sees a half-written manifest.
public struct SweepManifest: Sendable {
    /// Manifest format version.
    public static let format = 1
    public var sweepFile: String
    public var sweepName: String
    /// `SweepPlan.hashText` of the sweep that owns the directory.
    public var sweepHash: String
    public var basePath: String
    /// Runs in the whole sweep (a shard manifest lists only its own).
    public var totalRuns: Int
    public var replications: Int
    public var parameterPaths: [String]
    public var shard: SweepShard?
    public var entries: [ManifestEntry]

    /// A fresh manifest for `plan` (all runs pending), restricted to `shard` when given.
    public init(plan: SweepPlan, shard: SweepShard?) {
        sweepFile = URL(fileURLWithPath: plan.definition.file).standardizedFileURL.path  // merge re-reads it
        sweepName = plan.definition.name
        sweepHash = plan.hashText
        basePath = plan.definition.basePath
        totalRuns = plan.runs.count
        replications = plan.definition.replications
        parameterPaths = plan.definition.parameters.map(\.path)
        self.shard = shard
        entries = plan.runs.filter { shard?.contains($0.index) ?? true }.map { run in
            ManifestEntry(index: run.index, id: run.id, point: run.point, replication: run.replication,
                          parameters: zip(plan.definition.parameters, plan.points[run.point]).map { .init(path: $0.path, json: $1.json) },
                          seed: plan.seed, status: .pending, wallSeconds: nil, error: nil)
        }
    }

    // MARK: JSON

    /// The JSON of one entry (one line; cached by the coordinator so a status change costs
    /// one entry's formatting, not the whole manifest's).
    public static func entryJSON(_ e: ManifestEntry) -> String {
        var s = "{\"index\": \(e.index), \"id\": \(quote(e.id)), \"point\": \(e.point), \"replication\": \(e.replication), \"parameters\": {"
        s += e.parameters.map { "\(quote($0.path)): \($0.json)" }.joined(separator: ", ")
        s += "}, \"seed\": \(e.seed), \"status\": \"\(e.status.rawValue)\", \"wall_seconds\": "
        s += e.wallSeconds.map { String(format: "%.6f", $0) } ?? "null"
        s += ", \"error\": " + (e.error.map(quote) ?? "null") + ", \"output\": \(quote(e.output))}"
        return s
    }

    /// The whole manifest as JSON, using pre-formatted entry lines.
    public func jsonText(entryLines: [String]) -> String {
        var counts: [RunStatus: Int] = [:]
        for e in entries { counts[e.status, default: 0] += 1 }
        var s = "{\n  \"format\": \(Self.format),\n  \"sweep_file\": \(Self.quote(sweepFile)),\n  \"sweep_name\": \(Self.quote(sweepName)),\n"
        s += "  \"sweep_hash\": \(Self.quote(sweepHash)),\n  \"base_scenario\": \(Self.quote(basePath)),\n"
        s += "  \"total_runs\": \(totalRuns),\n  \"replications\": \(replications),\n"
        s += "  \"parameters\": [" + parameterPaths.map(Self.quote).joined(separator: ", ") + "],\n"
        s += "  \"shard\": " + (shard.map { "{\"index\": \($0.index), \"count\": \($0.count)}" } ?? "null") + ",\n"
        s += "  \"counts\": {" + RunStatus.allCases.map { "\"\($0.rawValue)\": \(counts[$0] ?? 0)" }.joined(separator: ", ") + "},\n"
        s += "  \"runs\": [\n    " + entryLines.joined(separator: ",\n    ") + "\n  ]\n}\n"
        return s
    }

    public func jsonText() -> String { jsonText(entryLines: entries.map(Self.entryJSON)) }

    /// A JSON string literal (the same escaping as the scenario writer).
    static func quote(_ s: String) -> String { ConfigNode.jsonString(s) }

    /// Writes `text` to `path` atomically: a temporary file in the same directory, then rename.
    public static func writeAtomically(_ text: String, to path: String) throws {
        let tmp = path + ".tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SweepError(file: path, message: "cannot write: \(String(cString: strerror(errno)))") }
        var ok = true
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { buf in
            var off = 0
            while off < buf.count {
                let n = write(fd, buf.baseAddress! + off, buf.count - off)
                if n <= 0 { if errno == EINTR { continue }; ok = false; return }
                off += n
            }
        }
        close(fd)
        guard ok, rename(tmp, path) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(tmp)
            throw SweepError(file: path, message: "cannot write: \(why)")
        }
    }

    /// Reads a manifest. Only what resuming and merging need is checked strictly.
    /// - Throws: `SweepError` naming the file and field.
    public static func read(path: String) throws -> SweepManifest {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SweepError(file: path, message: "cannot read the manifest")
        }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw SweepError(file: path, message: "not a JSON object; expected a CityTwin sweep manifest (delete it only if the directory holds nothing you need)")
        }
        func field<T>(_ key: String, _ type: T.Type, in object: [String: Any], at prefix: String = "") throws -> T {
            guard let v = object[key] as? T else {
                throw SweepError(file: path, path: prefix + key, message: "missing or of the wrong type in the manifest")
            }
            return v
        }
        guard (try field("format", Int.self, in: root)) == format else {
            throw SweepError(file: path, path: "format", message: "expected manifest format \(format)")
        }
        var m = SweepManifest(sweepFile: try field("sweep_file", String.self, in: root),
                              sweepName: (root["sweep_name"] as? String) ?? "",
                              sweepHash: try field("sweep_hash", String.self, in: root),
                              basePath: (root["base_scenario"] as? String) ?? "",
                              totalRuns: try field("total_runs", Int.self, in: root),
                              replications: (root["replications"] as? Int) ?? 1,
                              parameterPaths: (root["parameters"] as? [String]) ?? [],
                              shard: nil, entries: [])
        if let sh = root["shard"] as? [String: Any], let i = sh["index"] as? Int, let n = sh["count"] as? Int {
            m.shard = SweepShard(index: i, count: n)
        }
        let runs = try field("runs", [[String: Any]].self, in: root)
        for (k, r) in runs.enumerated() {
            let p = "runs[\(k)]."
            guard let status = RunStatus(rawValue: try field("status", String.self, in: r, at: p)) else {
                throw SweepError(file: path, path: p + "status", message: "expected pending, running, done or failed")
            }
            let params = (r["parameters"] as? [String: Any]) ?? [:]
            m.entries.append(ManifestEntry(
                index: try field("index", Int.self, in: r, at: p), id: try field("id", String.self, in: r, at: p),
                point: (r["point"] as? Int) ?? 0, replication: (r["replication"] as? Int) ?? 0,
                parameters: m.parameterPaths.map { .init(path: $0, json: params[$0].map { "\($0)" } ?? "null") },
                seed: (r["seed"] as? NSNumber)?.uint64Value ?? 0, status: status,
                wallSeconds: r["wall_seconds"] as? Double, error: r["error"] as? String))
        }
        return m
    }

    private init(sweepFile: String, sweepName: String, sweepHash: String, basePath: String, totalRuns: Int,
                 replications: Int, parameterPaths: [String], shard: SweepShard?, entries: [ManifestEntry]) {
        self.sweepFile = sweepFile
        self.sweepName = sweepName
        self.sweepHash = sweepHash
        self.basePath = basePath
        self.totalRuns = totalRuns
        self.replications = replications
        self.parameterPaths = parameterPaths
        self.shard = shard
        self.entries = entries
    }
}
