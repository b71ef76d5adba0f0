import CityTwin
import Foundation

/// A parameter sweep as written in a sweep file (`Scenarios/sweeps/*.yaml`, see docs/sweeps.md).
///
/// ```yaml
/// base: ../baseline.yaml
/// design: grid                    # or lhs
/// replications: 3
/// parameters:
///   - path: weather.heat_wave.delta_c
///     range: {from: 0, to: 6, step: 1.5}
///   - path: weather.irradiance_scale
///     values: [0.5, 1.0]
/// kpis: [mean_outdoor_temperature]   # default: all
/// ```
public struct SweepDefinition: Sendable {
    /// How design points are formed from the parameters.
    public enum Design: String, Sendable {
        /// Full factorial over every parameter's value list (first parameter varies slowest).
        case grid
        /// `samples` Latin-hypercube points over the parameters' `lhs: {min, max}` boxes.
        case lhs
    }

    /// How one parameter's values are given.
    public enum Values: Sendable {
        /// An explicit list (any YAML values the field accepts: numbers, strings, lists, mappings).
        case list([ConfigNode])
        /// An inclusive decimal range.
        case range(DecimalRange)
        /// A Latin-hypercube interval.
        case lhs(min: Double, max: Double)
    }

    /// One swept scenario field.
    public struct Parameter: Sendable {
        /// Scenario field path (`weather.heat_wave.delta_c`, `fleet.vehicles[0].battery_kwh`).
        public var path: String
        /// Label for charts (default: the path).
        public var label: String
        /// Units for axis labels (optional, free text).
        public var units: String
        public var values: Values
        /// Line of the parameter in the sweep file (0 when unknown).
        public var line: Int
    }

    /// The sweep file as given.
    public var file: String
    /// Its text (hashed into the sweep identity).
    public var text: String
    public var name: String
    public var description: String
    /// The base scenario, resolved against the sweep file's directory.
    public var basePath: String
    public var parameters: [Parameter]
    public var design: Design
    /// Latin-hypercube sample count (`design: lhs`).
    public var samples: Int
    /// Seed of the Latin-hypercube design (not of the runs: runs use the base scenario's seed).
    public var seed: UInt64
    /// Replications per design point (replication r sets the scenario's `replication` to r).
    public var replications: Int
    /// KPI names to collect, in this order; nil collects every KPI the runs report.
    public var kpis: [String]?
    /// Fixed overrides (`set: ["duration=1h"]`) applied to the base scenario before the
    /// parameters, like `citytwin run --set`.
    public var fixed: [FieldOverride] = []

    /// Largest number of runs one sweep may expand to.
    public static let maximumRuns = 1_000_000

    /// Reads and checks a sweep file (keys, types, value lists, ranges); the scenario-level
    /// checks happen in `SweepPlan.expand` and `SweepPlan.validate`.
    /// - Throws: `SweepError` naming the file, line and field path.
    public static func load(path: String) throws -> SweepDefinition {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else {
            throw SweepError(file: path, message: "sweep file not found")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw SweepError(file: path, message: "cannot read the file as UTF-8 text (YAML or JSON)")
        }
        return try parse(text: text, file: path)
    }

    /// Parses sweep text; `file` names it in errors and anchors the relative `base:` path.
    public static func parse(text: String, file: String) throws -> SweepDefinition {
        let root: ConfigNode
        do { root = try ConfigNode.parse(text, file: file) } catch let e as ScenarioError {
            throw SweepError(file: file, path: e.path, line: e.line, message: e.message.replacingOccurrences(of: "scenario fields", with: "sweep fields"))
        }
        let r = try NodeReader(root, file: file, path: "")
        try r.checkKeys(known: ["name", "description", "base", "set", "design", "replications", "seed", "samples", "kpis", "parameters"])
        let name = try r.string("name", default: ((file as NSString).lastPathComponent as NSString).deletingPathExtension)
        let description = try r.string("description", default: "")
        guard let baseRef = try r.optionalString("base") else {
            throw SweepError(file: file, path: "base", line: root.line, message: "expected the path of the base scenario (e.g. base: ../baseline.yaml)")
        }
        let dir = (file as NSString).deletingLastPathComponent
        let basePath = ((baseRef.hasPrefix("/") ? baseRef : (dir as NSString).appendingPathComponent(baseRef)) as NSString).standardizingPath
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: basePath, isDirectory: &isDir), !isDir.boolValue else {
            throw SweepError(file: file, path: "base", line: r.line("base"), message: "base scenario not found: '\(baseRef)' (looked at \(basePath))")
        }
        let designText = try r.string("design", default: "grid")
        guard let design = Design(rawValue: designText) else {
            throw SweepError(file: file, path: "design", line: r.line("design"), message: "expected grid or lhs, found '\(designText)'")
        }
        let replications = try r.int("replications", default: 1, in: 1...100_000)
        let seed = try r.uint64("seed", default: 1)
        let samples = try r.int("samples", default: 0, in: 0...1_000_000)
        if design == .lhs && samples < 1 {
            throw SweepError(file: file, path: "samples", line: r.line("samples") ?? root.line,
                             message: "expected a positive number of Latin-hypercube samples with design: lhs")
        }
        if design == .grid && r.has("samples") {
            throw SweepError(file: file, path: "samples", line: r.line("samples"), message: "samples applies to design: lhs only")
        }
        var kpis: [String]?
        if let list = try r.list("kpis") {
            var names: [String] = []
            for (i, item) in list.enumerated() {
                guard case let .scalar(t, _, line) = item, !t.isEmpty else {
                    throw SweepError(file: file, path: "kpis[\(i)]", line: item.line, message: "expected a KPI name, found \(item.kindDescription)")
                }
                if names.contains(t) { throw SweepError(file: file, path: "kpis[\(i)]", line: line, message: "duplicate KPI '\(t)'") }
                names.append(t)
            }
            if names.isEmpty { throw SweepError(file: file, path: "kpis", line: r.line("kpis"), message: "expected at least one KPI name (or omit kpis to collect all)") }
            kpis = names
        }
        var fixed: [FieldOverride] = []
        for (i, item) in (try r.list("set") ?? []).enumerated() {
            guard case let .scalar(t, _, line) = item else {
                throw SweepError(file: file, path: "set[\(i)]", line: item.line, message: "expected path=value text, found \(item.kindDescription)")
            }
            do { fixed.append(try FieldOverride(parsing: t)) } catch let e as ScenarioError {
                throw SweepError(file: file, path: "set[\(i)]", line: line, message: e.message)
            }
        }
        guard let plist = try r.list("parameters") else {
            throw SweepError(file: file, path: "parameters", line: root.line, message: "expected a list of parameters (each with path: and values:, range: or lhs:)")
        }
        if plist.isEmpty {
            throw SweepError(file: file, path: "parameters", line: r.line("parameters"), message: "empty design: expected at least one parameter")
        }
        var parameters: [Parameter] = []
        for (i, item) in plist.enumerated() {
            let p = try parseParameter(item, file: file, path: "parameters[\(i)]", design: design)
            if let j = parameters.firstIndex(where: { $0.path == p.path }) {
                throw SweepError(file: file, path: "parameters[\(i)].path", line: p.line, message: "'\(p.path)' is already swept by parameters[\(j)]")
            }
            parameters.append(p)
        }
        let def = SweepDefinition(file: file, text: text, name: name, description: description, basePath: basePath,
                                  parameters: parameters, design: design, samples: samples, seed: seed,
                                  replications: replications, kpis: kpis, fixed: fixed)
        let points = def.pointCount
        guard points.multipliedReportingOverflow(by: replications).overflow == false,
              points * replications <= maximumRuns else {
            throw SweepError(file: file, path: "parameters", line: r.line("parameters"),
                             message: "expected at most \(maximumRuns) runs, the design gives \(points) points × \(replications) replications")
        }
        return def
    }

    /// Number of design points (grid: product of the value counts; lhs: samples). Saturates.
    public var pointCount: Int {
        if design == .lhs { return samples }
        var n = 1
        for p in parameters {
            let c: Int
            switch p.values {
            case let .list(v): c = v.count
            case let .range(r): c = (try? r.values().get().count) ?? 0
            case .lhs: c = 0
            }
            let (m, o) = n.multipliedReportingOverflow(by: c)
            n = o ? Int.max : m
        }
        return n
    }

    static func parseParameter(_ node: ConfigNode, file: String, path: String, design: Design) throws -> Parameter {
        let r = try NodeReader(node, file: file, path: path)
        try r.checkKeys(known: ["path", "label", "units", "values", "range", "lhs"])
        guard let fieldPath = try r.optionalString("path"), !fieldPath.isEmpty else {
            throw SweepError(file: file, path: path + ".path", line: node.line, message: "expected the scenario field path to sweep (e.g. weather.heat_wave.delta_c)")
        }
        do { _ = try FieldOverride(parsing: fieldPath + "=0") } catch let e as ScenarioError {
            throw SweepError(file: file, path: path + ".path", line: r.line("path"), message: e.message)
        }
        if fieldPath == "replication" {
            throw SweepError(file: file, path: path + ".path", line: r.line("path"), message: "replication is set by the sweep; use replications: instead")
        }
        let label = try r.string("label", default: fieldPath)
        let units = try r.string("units", default: "")
        let given = ["values", "range", "lhs"].filter { r.has($0) }
        guard given.count == 1 else {
            throw SweepError(file: file, path: path, line: node.line,
                             message: given.isEmpty ? "expected one of values:, range: or lhs:" : "expected only one of values:, range: or lhs:, found \(given.joined(separator: " and "))")
        }
        let values: Values
        switch given[0] {
        case "values":
            guard let list = try r.list("values") else { throw SweepError(file: file, path: path + ".values", message: "expected a list") }
            if list.isEmpty { throw SweepError(file: file, path: path + ".values", line: r.line("values"), message: "empty design: expected at least one value") }
            values = .list(list)
        case "range":
            let rr = try r.object("range")
            try rr.checkKeys(known: ["from", "to", "step"])
            let from = try rr.decimal("from"), to = try rr.decimal("to"), step = try rr.decimal("step")
            let range = DecimalRange(from: from, to: to, step: step)
            if case let .failure(problem) = range.values() {
                throw SweepError(file: file, path: path + ".range", line: r.line("range"), message: problem.message)
            }
            values = .range(range)
        default:
            let lr = try r.object("lhs")
            try lr.checkKeys(known: ["min", "max"])
            let lo = try lr.double("min"), hi = try lr.double("max")
            guard lo < hi else {
                throw SweepError(file: file, path: path + ".lhs.max", line: lr.line("max"), message: "expected max > min (\(lo)), found \(hi)")
            }
            values = .lhs(min: lo, max: hi)
        }
        switch (design, values) {
        case (.grid, .lhs):
            throw SweepError(file: file, path: path + ".lhs", line: r.line("lhs"), message: "lhs: needs design: lhs at the top of the sweep file")
        case (.lhs, .list), (.lhs, .range):
            throw SweepError(file: file, path: path + ".\(given[0])", line: r.line(given[0]), message: "design: lhs expects lhs: {min, max} for every parameter")
        default: break
        }
        return Parameter(path: fieldPath, label: label, units: units, values: values, line: node.line)
    }
}

/// Reads typed fields of one mapping of a sweep file; errors name file, line and field path.
struct NodeReader {
    let pairs: [(key: String, value: ConfigNode)]
    let file: String
    let path: String
    let nodeLine: Int

    init(_ node: ConfigNode, file: String, path: String) throws {
        guard case let .mapping(p, line) = node else {
            throw SweepError(file: file, path: path, line: node.line, message: "expected a mapping, found \(node.kindDescription)")
        }
        pairs = p
        self.file = file
        self.path = path
        nodeLine = line
    }

    func fieldPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    func has(_ key: String) -> Bool { pairs.contains { $0.key == key } }
    func line(_ key: String) -> Int? { node(key)?.line }

    func node(_ key: String) -> ConfigNode? {
        guard let v = pairs.first(where: { $0.key == key })?.value else { return nil }
        if case let .scalar(t, q, _) = v, !q, t.isEmpty || t == "~" || t == "null" { return nil }
        return v
    }

    func fail(_ key: String, _ node: ConfigNode, _ expected: String) -> SweepError {
        SweepError(file: file, path: fieldPath(key), line: node.line, message: "expected \(expected), found \(node.kindDescription)")
    }

    func optionalString(_ key: String) throws -> String? {
        guard let n = node(key) else { return nil }
        guard case let .scalar(t, _, _) = n else { throw fail(key, n, "text") }
        return t
    }

    func string(_ key: String, default d: String) throws -> String { try optionalString(key) ?? d }

    func int(_ key: String, default d: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let n = node(key) else { return d }
        guard case let .scalar(t, false, _) = n, let v = Int(t) else { throw fail(key, n, "an integer") }
        guard range.contains(v) else {
            throw SweepError(file: file, path: fieldPath(key), line: n.line, message: "expected an integer in \(range.lowerBound)...\(range.upperBound), found \(v)")
        }
        return v
    }

    func uint64(_ key: String, default d: UInt64) throws -> UInt64 {
        guard let n = node(key) else { return d }
        guard case let .scalar(t, false, _) = n, let v = UInt64(t) else { throw fail(key, n, "a non-negative integer") }
        return v
    }

    func double(_ key: String) throws -> Double {
        guard let n = node(key) else {
            throw SweepError(file: file, path: fieldPath(key), line: nodeLine, message: "missing; expected a number")
        }
        guard case let .scalar(t, false, _) = n, let v = Double(t), v.isFinite else { throw fail(key, n, "a finite number") }
        return v
    }

    func decimal(_ key: String) throws -> ExactDecimal {
        guard let n = node(key) else {
            throw SweepError(file: file, path: fieldPath(key), line: nodeLine, message: "missing; expected a number")
        }
        guard case let .scalar(t, false, _) = n, let v = ExactDecimal(t) else {
            throw fail(key, n, "a decimal number such as 0.25 or 1e3 (at most 18 significant digits)")
        }
        return v
    }

    func list(_ key: String) throws -> [ConfigNode]? {
        guard let n = node(key) else { return nil }
        guard case let .sequence(items, _) = n else { throw fail(key, n, "a list") }
        return items
    }

    func object(_ key: String) throws -> NodeReader {
        guard let n = node(key) else {
            throw SweepError(file: file, path: fieldPath(key), line: nodeLine, message: "missing; expected a mapping")
        }
        return try NodeReader(n, file: file, path: fieldPath(key))
    }

    /// Throws for the first key not in `known` (called before reading, so a misspelt key is
    /// reported as unknown rather than as a missing one).
    func checkKeys(known: [String]) throws {
        for (key, value) in pairs where !known.contains(key) {
            throw SweepError(file: file, path: fieldPath(key), line: value.line,
                             message: "unknown field; expected one of " + known.joined(separator: ", "))
        }
    }
}
