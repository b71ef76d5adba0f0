import Energy

/// The power grid of a scenario and how it is solved.
public struct GridSettings: Sendable {
    /// MATPOWER case file (absolute after resolution).
    public var casePath: String
    /// AC Newton–Raphson or DC power flow.
    public var method: Method
    /// Regular solve interval, ms.
    public var solveIntervalMs: Int64
    /// Interval at which the aggregated load is checked for jumps, ms.
    public var loadCheckIntervalMs: Int64
    /// Relative change of total net load since the last solve that triggers an extra solve.
    public var loadChangeThreshold: Double
    public var tolerance: Double
    public var maxIterations: Int
    public var enforceQLimits: Bool
    /// Lazy Jacobian updates across the run's solves (see `PowerFlowOptions.reuseJacobian`).
    public var reuseJacobian: Bool
    /// Cold solves may start from DC power-flow angles (see `PowerFlowOptions.dcAngleStart`).
    public var dcStart: Bool
    /// Multiplier of the case's own bus loads (the load not modelled explicitly).
    public var caseLoadScale: Double
    /// Power factor of building and charger loads (Q = P tan φ).
    public var powerFactor: Double
    public var voltageMin: Double
    public var voltageMax: Double
    /// Line loading (% of RATE_A) above which a line counts as overloaded.
    public var loadingLimitPercent: Double
    /// Rating (MVA) used for branches whose case RATE_A is 0 (unrated); nil leaves them unrated.
    public var defaultRatingMVA: Double?

    public enum Method: String, Sendable, CaseIterable { case ac, dc }
}

/// Where a group of entities sits on the grid: explicit MATPOWER bus numbers, or spread over
/// the case's load buses in proportion to their base load (`load_buses`, the default).
public enum BusPlacement: Sendable, Equatable {
    case loadBuses
    case buses([Int])
}

public struct BuildingClassSettings: Sendable {
    public var name: String
    /// Built-in archetype name (see docs/buildings.md).
    public var archetype: String
    public var count: Int
    public var placement: BusPlacement
    public var setpointOffsetSD: Double
    /// Added to both setpoints (K): demand response raises cooling setpoints with a positive value.
    public var setpointShift: Double
}

public struct PVClassSettings: Sendable {
    public var name: String
    public var count: Int
    public var ratedKW: Double
    public var tilt: Double
    public var azimuth: Double
    public var placement: BusPlacement
}

extension GridSettings {
    static func decode(_ r: FieldReader?) throws -> GridSettings? {
        guard let r else { return nil }
        guard let path = try r.existingFile("case") else {
            throw ScenarioError(file: r.file, path: r.fieldPath("case"), line: r.line,
                                message: "missing required field; expected the path of a MATPOWER case file (.m)")
        }
        let s = GridSettings(
            casePath: path,
            method: try r.choice("method", default: Method.ac),
            solveIntervalMs: try r.duration("solve_interval", default: 900_000, minimum: 1000),
            loadCheckIntervalMs: try r.duration("load_check_interval", default: 60_000, minimum: 1000),
            loadChangeThreshold: try r.double("load_change_threshold", default: 0.05, in: 0.001...10),
            tolerance: try r.double("tolerance", default: 1e-8, in: 1e-14...1e-2),
            maxIterations: try r.int("max_iterations", default: 10, in: 1...100),
            enforceQLimits: try r.bool("enforce_q_limits", default: false),
            reuseJacobian: try r.bool("reuse_jacobian", default: true),
            dcStart: try r.bool("dc_start", default: true),
            caseLoadScale: try r.double("case_load_scale", default: 1, in: 0...100),
            powerFactor: try r.double("power_factor", default: 0.95, in: 0.1...1),
            voltageMin: try r.double("voltage_min", default: 0.95, in: 0.5...1.2),
            voltageMax: try r.double("voltage_max", default: 1.05, in: 0.8...1.5),
            loadingLimitPercent: try r.double("loading_limit_percent", default: 100, in: 1...1000),
            defaultRatingMVA: try r.optionalDouble("default_rating_mva", in: 0.001...100_000))
        if s.voltageMin >= s.voltageMax {
            throw ScenarioError(file: r.file, path: r.fieldPath("voltage_max"), line: r.node("voltage_max")?.line ?? r.line,
                                message: "expected a value above voltage_min (\(s.voltageMin))")
        }
        try r.finish()
        return s
    }
}

extension BusPlacement {
    static func decode(_ r: FieldReader, key: String = "buses") throws -> BusPlacement {
        guard let n = r.node(key) else { return .loadBuses }
        if case let .scalar(text, _, _) = n, text == "load_buses" { return .loadBuses }
        guard case let .sequence(items, _) = n, !items.isEmpty else {
            throw ScenarioError(file: r.file, path: r.fieldPath(key), line: n.line,
                                message: "expected load_buses or a non-empty list of MATPOWER bus numbers, found \(n.kindDescription)")
        }
        return .buses(try items.enumerated().map { i, item in
            let v = try FieldReader.double(item, file: r.file, path: "\(r.fieldPath(key))[\(i)]", in: 1...1e9)
            guard v == v.rounded() else {
                throw ScenarioError(file: r.file, path: "\(r.fieldPath(key))[\(i)]", line: item.line, message: "expected a bus number, found \(v)")
            }
            return Int(v)
        })
    }
}

extension BuildingClassSettings {
    static let archetypes = BuildingArchetype.builtIn.map(\.name)

    static func decodeList(_ r: FieldReader) throws -> [BuildingClassSettings] {
        let classes = try r.objects("classes")
        var names: [String] = []
        let result = try classes.map { c -> BuildingClassSettings in
            let name = try c.string("name")
            if names.contains(name) {
                throw ScenarioError(file: c.file, path: c.fieldPath("name"), line: c.node("name")?.line, message: "duplicate class name '\(name)'")
            }
            names.append(name)
            let archetype = try c.string("archetype")
            guard archetypes.contains(archetype) else {
                throw ScenarioError(file: c.file, path: c.fieldPath("archetype"), line: c.node("archetype")?.line,
                                    message: "expected one of \(archetypes.joined(separator: ", ")), found '\(archetype)'")
            }
            let s = BuildingClassSettings(name: name, archetype: archetype,
                                          count: try c.int("count", in: 0...10_000_000),
                                          placement: try BusPlacement.decode(c),
                                          setpointOffsetSD: try c.double("setpoint_offset_sd", default: 0.5, in: 0...5),
                                          setpointShift: try c.double("setpoint_shift", default: 0, in: -10...10))
            try c.finish()
            return s
        }
        try r.finish()
        return result
    }
}

extension PVClassSettings {
    static func decodeList(_ r: FieldReader) throws -> [PVClassSettings] {
        let result = try r.objects("systems").map { c -> PVClassSettings in
            let s = PVClassSettings(name: try c.string("name"), count: try c.int("count", in: 0...10_000_000),
                                    ratedKW: try c.double("rated_kw", in: 0.01...1_000_000),
                                    tilt: try c.double("tilt", default: 30, in: 0...90),
                                    azimuth: try c.double("azimuth", default: 180, in: 0...360),
                                    placement: try BusPlacement.decode(c))
            try c.finish()
            return s
        }
        try r.finish()
        return result
    }
}
