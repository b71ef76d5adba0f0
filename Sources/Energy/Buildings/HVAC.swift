/// A performance curve of outdoor dry-bulb temperature To (°C):
/// `value(To) = clamp(c0 + c1·To + c2·To², minimum, maximum)`.
///
/// Used for cooling COP (falls as To rises), heat-pump heating COP (falls as To drops) and
/// furnace efficiency (constant). The quadratic form covers the DOE-2 `EIR-fT` shape in one
/// variable (indoor wet-bulb held at its rating value); the clamp keeps extrapolation sane.
public struct PerformanceCurve: Sendable, Equatable {
    public var c0: Double
    public var c1: Double
    public var c2: Double
    public var minimum: Double
    public var maximum: Double

    public init(c0: Double, c1: Double = 0, c2: Double = 0, minimum: Double, maximum: Double) {
        self.c0 = c0
        self.c1 = c1
        self.c2 = c2
        self.minimum = minimum
        self.maximum = maximum
    }

    /// A constant curve (e.g. furnace efficiency 0.8 or resistance heating 1.0).
    public static func constant(_ value: Double) -> PerformanceCurve {
        PerformanceCurve(c0: value, minimum: value, maximum: value)
    }

    /// A linear curve through `rated` at `ratedAt` °C whose value changes by
    /// `relativeSlope × rated` per kelvin, clamped to [minimum, maximum].
    /// Example: cooling COP 3.5 at 35 °C, −2 %/K → 4.2 at 25 °C, 2.8 at 45 °C.
    public static func linear(rated: Double, ratedAt: Double, relativeSlope: Double,
                              minimum: Double, maximum: Double) -> PerformanceCurve {
        let c1 = rated * relativeSlope
        return PerformanceCurve(c0: rated - c1 * ratedAt, c1: c1, minimum: minimum, maximum: maximum)
    }

    /// Curve value at outdoor temperature `x` (°C). O(1).
    @inlinable public func value(at x: Double) -> Double {
        let v = c0 + (c1 + c2 * x) * x
        return min(max(v, minimum), maximum)
    }

    func validate(source: String, field: String) throws {
        try Check.finite(c0, source, field + ".c0")
        try Check.finite(c1, source, field + ".c1")
        try Check.finite(c2, source, field + ".c2")
        try Check.positive(minimum, source, field + ".minimum")
        guard maximum.isFinite, maximum >= minimum else {
            throw BuildingModelError(source: source, field: field + ".maximum",
                                     expected: "a finite number >= minimum (\(minimum)), got \(maximum)")
        }
    }
}

/// HVAC operating mode. Raw values are stable (recorded to HDF5 as integers).
public enum HVACMode: UInt8, Sendable {
    case off = 0
    case heating = 1
    case cooling = 2
}

/// Thermostat and HVAC equipment of one building archetype.
///
/// Thermostat rules (GridLAB-D style hysteresis, deadband d):
/// - off → heating when Ta ≤ heatingSetpoint − d/2; off → cooling when Ta ≥ coolingSetpoint + d/2;
/// - heating → off when Ta ≥ heatingSetpoint + d/2; cooling → off when Ta ≤ coolingSetpoint − d/2.
/// While on, the equipment delivers its full capacity (on/off cycling; no part load), so
/// if the load exceeds the capacity Ta never reaches the off threshold and it runs on.
/// Electrical power: heating Q/COP_h(To) if `heatingIsElectric` (else Q/η is fuel and only
/// the fan is electric); cooling Q/COP_c(To); plus `fanPower` whenever on.
public struct HVACParameters: Sendable, Equatable {
    /// Heating setpoint (°C).
    public var heatingSetpoint: Double
    /// Cooling setpoint (°C); must exceed heatingSetpoint + deadband.
    public var coolingSetpoint: Double
    /// Thermostat deadband (K), centred on each setpoint.
    public var deadband: Double
    /// Heating capacity (W thermal).
    public var heatingCapacity: Double
    /// Cooling capacity (W thermal, positive number).
    public var coolingCapacity: Double
    /// Heating COP (electric heat pump/resistance) or fuel efficiency (furnace) vs To.
    public var heatingCOP: PerformanceCurve
    /// Cooling COP vs To.
    public var coolingCOP: PerformanceCurve
    /// True: heating energy is electric (heat pump or resistance); false: fuel (gas).
    public var heatingIsElectric: Bool
    /// Electric fan/auxiliary power while heating or cooling (W).
    public var fanPower: Double

    public init(heatingSetpoint: Double, coolingSetpoint: Double, deadband: Double,
                heatingCapacity: Double, coolingCapacity: Double,
                heatingCOP: PerformanceCurve, coolingCOP: PerformanceCurve,
                heatingIsElectric: Bool = true, fanPower: Double = 0) {
        self.heatingSetpoint = heatingSetpoint
        self.coolingSetpoint = coolingSetpoint
        self.deadband = deadband
        self.heatingCapacity = heatingCapacity
        self.coolingCapacity = coolingCapacity
        self.heatingCOP = heatingCOP
        self.coolingCOP = coolingCOP
        self.heatingIsElectric = heatingIsElectric
        self.fanPower = fanPower
    }

    /// Default residential heat-pump curves: heating COP 3.2 at 8.33 °C (47 °F AHRI rating),
    /// +2.5 %/K, clamped [1.0, 5.0]; cooling COP 3.5 at 35 °C (95 °F rating), −2 %/K,
    /// clamped [1.5, 6.0].
    public static let heatPumpHeatingCOP = PerformanceCurve.linear(rated: 3.2, ratedAt: 8.33, relativeSlope: 0.025,
                                                                   minimum: 1.0, maximum: 5.0)
    public static let residentialCoolingCOP = PerformanceCurve.linear(rated: 3.5, ratedAt: 35, relativeSlope: -0.02,
                                                                      minimum: 1.5, maximum: 6.0)
    /// Commercial packaged rooftop unit: cooling COP 3.0 at 35 °C, −2 %/K, clamped [1.5, 5.5].
    public static let rooftopCoolingCOP = PerformanceCurve.linear(rated: 3.0, ratedAt: 35, relativeSlope: -0.02,
                                                                  minimum: 1.5, maximum: 5.5)

    func validate(source: String, field: String) throws {
        try Check.finite(heatingSetpoint, source, field + ".heatingSetpoint")
        try Check.finite(coolingSetpoint, source, field + ".coolingSetpoint")
        try Check.positive(deadband, source, field + ".deadband")
        guard heatingSetpoint + deadband < coolingSetpoint else {
            throw BuildingModelError(source: source, field: field + ".coolingSetpoint",
                                     expected: "> heatingSetpoint + deadband (\(heatingSetpoint + deadband)), got \(coolingSetpoint)")
        }
        try Check.nonNegative(heatingCapacity, source, field + ".heatingCapacity")
        try Check.nonNegative(coolingCapacity, source, field + ".coolingCapacity")
        try heatingCOP.validate(source: source, field: field + ".heatingCOP")
        try coolingCOP.validate(source: source, field: field + ".coolingCOP")
        try Check.nonNegative(fanPower, source, field + ".fanPower")
    }
}

/// Pure thermostat rules; used by `BuildingStock` and usable on their own.
public enum Thermostat {
    /// Thresholds for setpoints (heat, cool) and deadband d:
    /// (heatOn, heatOff, coolOff, coolOn) = (h − d/2, h + d/2, c − d/2, c + d/2).
    @inlinable
    public static func thresholds(heating h: Double, cooling c: Double, deadband d: Double)
        -> (heatOn: Double, heatOff: Double, coolOff: Double, coolOn: Double) {
        (h - 0.5 * d, h + 0.5 * d, c - 0.5 * d, c + 0.5 * d)
    }

    /// The mode the thermostat selects at air temperature `ta` from `mode` (inclusive
    /// comparisons, so a state exactly on a threshold switches). Used after inputs change.
    @inlinable
    public static func reconcile(_ mode: HVACMode, air ta: Double, heating h: Double, cooling c: Double,
                                 deadband d: Double) -> HVACMode {
        let t = thresholds(heating: h, cooling: c, deadband: d)
        switch mode {
        case .off:
            if ta <= t.heatOn { return .heating }
            if ta >= t.coolOn { return .cooling }
            return .off
        case .heating:
            if ta >= t.heatOff { return ta >= t.coolOn ? .cooling : .off }
            return .heating
        case .cooling:
            if ta <= t.coolOff { return ta <= t.heatOn ? .heating : .off }
            return .cooling
        }
    }
}
