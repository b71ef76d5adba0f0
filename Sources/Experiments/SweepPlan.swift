import CityTwin
import Foundation

/// One value of a swept parameter at a design point.
public struct ParameterValue: Sendable, Equatable {
    /// The value as JSON text (also valid YAML), e.g. `1.5`, `"EV"`, `[1, 2]`; what the override sets.
    public var json: String
    /// Short human-readable form for tables and charts (`1.5`, `EV`).
    public var label: String
    /// The numeric value when the value is a plain number, for charts and summaries.
    public var number: Double?

    public init(json: String, label: String, number: Double?) {
        self.json = json
        self.label = label
        self.number = number
    }

    init(node: ConfigNode) {
        let json = node.jsonText().split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        var label = json
        var number: Double?
        if case let .scalar(text, quoted, _) = node {
            label = text
            if !quoted, let d = Double(text), d.isFinite { number = d }
        }
        self.init(json: json, label: label, number: number)
    }
}

/// One run of a sweep: a design point and a replication.
public struct SweepRun: Sendable, Equatable {
    /// Position in the run list (`point × replications + replication`).
    public var index: Int
    /// Stable identifier used for the output file name (`p003-r1`).
    public var id: String
    public var point: Int
    public var replication: Int
}

/// A sweep expanded into design points and runs, with its base scenario resolved.
///
/// Expansion is deterministic: the same sweep file and base scenario always give the same
/// points (grid: first parameter varies slowest; lhs: see `LatinHypercube`), the same run
/// order (point-major, then replication) and the same seeds. Every run uses the base
/// scenario's seed; replication r sets the scenario's `replication` to r, so replication r of
/// every point draws the same random streams (common random numbers).
public struct SweepPlan: Sendable {
    public var definition: SweepDefinition
    /// The merged base scenario tree (after its own `base:` chain).
    public var baseTree: ConfigNode
    /// The base scenario file's text (stored in every run output).
    public var baseText: String
    /// `points[p][k]` is parameter k's value at design point p.
    public var points: [[ParameterValue]]
    public var runs: [SweepRun]
    /// The seed every run uses (the base scenario's).
    public var seed: UInt64
    /// FNV-1a 64 of the sweep file text, a NUL byte and the resolved base scenario JSON:
    /// identifies the sweep in manifests so that a directory is never resumed with another sweep.
    public var hash: UInt64

    /// The hash as 16 hex digits.
    public var hashText: String { String(format: "%016llx", hash) }

    /// Expands `definition`: loads the base scenario, forms the design points and the run list.
    /// O(points × parameters + runs). Does not validate each run; see `validate()`.
    /// - Throws: `SweepError` when the base scenario cannot be loaded.
    public static func expand(_ definition: SweepDefinition) throws -> SweepPlan {
        var tree: ConfigNode, text: String
        do { (tree, text) = try ScenarioDocument.loadMerged(path: definition.basePath) } catch let e as ScenarioError {
            throw SweepError(file: definition.file, path: "base", message: "base scenario is invalid: \(e.description)")
        }
        for (i, o) in definition.fixed.enumerated() {
            do { tree = try o.apply(to: tree) } catch let e as ScenarioError {
                throw SweepError(file: definition.file, path: "set[\(i)]", message: e.message)
            }
        }
        let base: Scenario
        do { base = try Scenario.decode(tree, file: definition.basePath, sourceText: text) } catch let e as ScenarioError {
            throw SweepError(file: definition.file, path: "base", message: "base scenario is invalid: \(e.description)")
        }
        let points = designPoints(definition)
        let r = definition.replications
        let pw = String(max(points.count - 1, 0)).count, rw = String(max(r - 1, 0)).count
        var runs: [SweepRun] = []
        runs.reserveCapacity(points.count * r)
        for p in points.indices {
            for rep in 0..<r {
                runs.append(SweepRun(index: runs.count, id: "p\(pad(p, pw))-r\(pad(rep, rw))", point: p, replication: rep))
            }
        }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
            for b in bytes { h ^= UInt64(b); h = h &* 0x0000_0100_0000_01b3 }
        }
        mix(definition.text.utf8)
        mix([0])
        mix(tree.jsonText().utf8)
        return SweepPlan(definition: definition, baseTree: tree, baseText: text, points: points, runs: runs,
                         seed: base.seed, hash: h)
    }

    private static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    /// The design points in their fixed order.
    static func designPoints(_ d: SweepDefinition) -> [[ParameterValue]] {
        switch d.design {
        case .lhs:
            let bounds: [(min: Double, max: Double)] = d.parameters.map {
                if case let .lhs(lo, hi) = $0.values { return (lo, hi) }
                return (0, 0)
            }
            return LatinHypercube.samples(count: d.samples, bounds: bounds, seed: d.seed).map { row in
                row.map { ParameterValue(json: "\($0)", label: "\($0)", number: $0) }
            }
        case .grid:
            let lists: [[ParameterValue]] = d.parameters.map { p in
                switch p.values {
                case let .list(nodes): return nodes.map(ParameterValue.init(node:))
                case let .range(r):
                    let values = (try? r.values().get()) ?? []
                    return values.map { ParameterValue(json: $0.description, label: $0.description, number: $0.doubleValue) }
                case .lhs: return []
                }
            }
            var result: [[ParameterValue]] = [[]]
            for list in lists {  // first parameter slowest: extend every prefix by each value
                result = result.flatMap { prefix in list.map { prefix + [$0] } }
            }
            return result
        }
    }

    /// The overrides of a run, in parameter order, then `replication`.
    public func overrides(for run: SweepRun) throws -> [FieldOverride] {
        var result: [FieldOverride] = []
        for (k, p) in definition.parameters.enumerated() {
            result.append(try FieldOverride(parsing: "\(p.path)=\(points[run.point][k].json)"))
        }
        result.append(try FieldOverride(parsing: "replication=\(run.replication)"))
        return result
    }

    /// The validated scenario of a run (base + the run's overrides; same as `Scenario.load`).
    /// - Throws: `ScenarioError` when the run's parameter values do not validate.
    public func scenario(for run: SweepRun) throws -> Scenario {
        let overrides = try overrides(for: run)
        var tree = baseTree
        for o in overrides { tree = try o.apply(to: tree) }
        var s = try Scenario.decode(tree, file: definition.basePath, sourceText: baseText)
        s.overrides = (definition.fixed + overrides).map(\.description)
        return s
    }

    /// Scenario messages say a value came from `--set`; here it came from the sweep file.
    static func sweepWording(_ message: String) -> String {
        message.replacingOccurrences(of: "(value given with --set)", with: "(value set by the sweep)")
    }

    /// `path=value` text of a run's parameters, for messages.
    public func parameterText(point: Int) -> String {
        zip(definition.parameters, points[point]).map { "\($0.path)=\($1.label)" }.joined(separator: ", ")
    }

    /// Checks everything before any run starts: every parameter path names a field the
    /// scenario schema accepts, the design is not empty, and every run's override set
    /// validates. O(runs) scenario validations.
    /// - Throws: `SweepError` for a bad path or empty design; `SweepValidationError` listing
    ///   each failing run with its parameters (at most `maxLines` lines).
    public func validate(maxLines: Int = 20) throws {
        let d = definition
        if runs.isEmpty {
            throw SweepError(file: d.file, path: "parameters", message: "empty design: the parameters give no runs")
        }
        // A path is valid when setting it (to the first design point's value) is not reported
        // by the scenario schema as an unknown field or an impossible location.
        for (k, p) in d.parameters.enumerated() {
            let fieldPath = "parameters[\(k)].path"
            do {
                let o = try FieldOverride(parsing: "\(p.path)=\(points[0][k].json)")
                let tree = try o.apply(to: baseTree)
                _ = try Scenario.decode(tree, file: d.basePath, sourceText: baseText)
            } catch let e as ScenarioError {
                let unknown = e.message.hasPrefix("unknown field") && (p.path == e.path || p.path.hasPrefix(e.path + ".") || p.path.hasPrefix(e.path + "["))
                if e.file == "--set" || unknown {
                    throw SweepError(file: d.file, path: fieldPath, line: p.line,
                                     message: "'\(p.path)' is not a field of scenario \(d.basePath): \(e.path.isEmpty ? "" : e.path + ": ")\(Self.sweepWording(e.message))")
                }
            }
        }
        var lines: [String] = []
        var failing = 0
        for run in runs {
            do { _ = try scenario(for: run) } catch {
                failing += 1
                if lines.count < maxLines {
                    lines.append("\(d.file): run \(run.id) (point \(run.point), replication \(run.replication); \(parameterText(point: run.point))): \(Self.sweepWording(oneLine(error)))")
                }
            }
        }
        if failing > 0 {
            if failing > lines.count { lines.append("\(d.file): … and \(failing - lines.count) more failing runs (\(failing) of \(runs.count) in total)") }
            throw SweepValidationError(lines: lines, failingRuns: failing)
        }
    }
}
