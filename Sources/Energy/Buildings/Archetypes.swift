/// A building archetype: thermal envelope, HVAC, gains and schedules of one typical
/// building. Parameters of the built-in archetypes and their derivation are tabulated in
/// docs/buildings.md.
///
/// Gains (W), re-evaluated at each clock hour and each weather update:
/// - internal = occupants × sensibleGainPerOccupant × occupancy(h) + baseLoadHeatFraction × base(h)
/// - base electric load base(h) = basePeakLoad × baseProfile(h)
/// - solar = solarAperture × irradiance (the coupling layer's global horizontal irradiance;
///   the aperture folds window area, SHGC and orientation into one effective m²)
/// When occupancy(h) < `occupiedThreshold`, the heating setpoint is lowered and the cooling
/// setpoint raised by `unoccupiedSetback` (night/weekend setback).
public struct BuildingArchetype: Sendable, Equatable {
    public var name: String
    /// Conditioned floor area (m²), informative (per-m² KPIs).
    public var floorArea: Double
    public var thermal: ThermalParameters
    public var hvac: HVACParameters
    /// Effective solar aperture (m²): solar gain = aperture × irradiance.
    public var solarAperture: Double
    /// Number of occupants at occupancy fraction 1.
    public var occupants: Double
    /// Sensible heat per occupant (W).
    public var sensibleGainPerOccupant: Double
    /// Base electric load (lighting, plugs, appliances) at profile value 1 (W).
    public var basePeakLoad: Double
    /// Share of the base load that ends up as internal heat.
    public var baseLoadHeatFraction: Double
    public var occupancy: WeeklyProfile
    public var baseLoad: WeeklyProfile
    /// Setback (K) applied to both setpoints while unoccupied; 0 disables.
    public var unoccupiedSetback: Double
    /// Occupancy below which the building counts as unoccupied.
    public var occupiedThreshold: Double

    public init(name: String, floorArea: Double, thermal: ThermalParameters, hvac: HVACParameters,
                solarAperture: Double, occupants: Double, sensibleGainPerOccupant: Double,
                basePeakLoad: Double, baseLoadHeatFraction: Double,
                occupancy: WeeklyProfile, baseLoad: WeeklyProfile,
                unoccupiedSetback: Double = 0, occupiedThreshold: Double = 0.1) {
        self.name = name
        self.floorArea = floorArea
        self.thermal = thermal
        self.hvac = hvac
        self.solarAperture = solarAperture
        self.occupants = occupants
        self.sensibleGainPerOccupant = sensibleGainPerOccupant
        self.basePeakLoad = basePeakLoad
        self.baseLoadHeatFraction = baseLoadHeatFraction
        self.occupancy = occupancy
        self.baseLoad = baseLoad
        self.unoccupiedSetback = unoccupiedSetback
        self.occupiedThreshold = occupiedThreshold
    }

    /// Throws a one-line `BuildingModelError` for the first out-of-range parameter.
    public func validate(source: String, field: String) throws {
        try Check.positive(floorArea, source, field + ".floorArea")
        try thermal.validate(source: source, field: field + ".thermal")
        try hvac.validate(source: source, field: field + ".hvac")
        try Check.nonNegative(solarAperture, source, field + ".solarAperture")
        try Check.nonNegative(occupants, source, field + ".occupants")
        try Check.nonNegative(sensibleGainPerOccupant, source, field + ".sensibleGainPerOccupant")
        try Check.nonNegative(basePeakLoad, source, field + ".basePeakLoad")
        try Check.inRange(baseLoadHeatFraction, 0...1, source, field + ".baseLoadHeatFraction")
        try Check.nonNegative(unoccupiedSetback, source, field + ".unoccupiedSetback")
        try Check.inRange(occupiedThreshold, 0...1, source, field + ".occupiedThreshold")
        for (name, p) in [("occupancy", occupancy), ("baseLoad", baseLoad)] {
            for (day, d) in [("weekday", p.weekday), ("weekend", p.weekend)] {
                try _ = DailyProfile(d.values, source: source, field: "\(field).\(name).\(day)")
            }
        }
    }

    // MARK: Built-in archetypes (see docs/buildings.md for the derivation of each number)

    /// Air heat capacity with the GridLAB-D furniture multiplier 3: 3 × V × 1.2 kg/m³ × 1006 J/(kg·K).
    static func airCapacity(volume: Double) -> Double { 3 * volume * 1.2 * 1006 }

    static let residentialOccupancy = WeeklyProfile(
        weekday: DailyProfile(unchecked: [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.7, 0.4, 0.3, 0.3, 0.3,
                                          0.3, 0.3, 0.3, 0.4, 0.5, 0.7, 0.9, 0.9, 0.9, 1.0, 1.0, 1.0]),
        weekend: DailyProfile(unchecked: [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.8, 0.7, 0.6,
                                          0.6, 0.6, 0.6, 0.7, 0.8, 0.9, 0.9, 0.9, 1.0, 1.0, 1.0, 1.0]))
    static let residentialBase = WeeklyProfile(
        weekday: DailyProfile(unchecked: [0.30, 0.25, 0.25, 0.25, 0.25, 0.30, 0.50, 0.70, 0.55, 0.40, 0.35, 0.35,
                                          0.40, 0.35, 0.35, 0.40, 0.55, 0.75, 0.95, 1.00, 0.95, 0.80, 0.60, 0.40]),
        weekend: DailyProfile(unchecked: [0.35, 0.30, 0.25, 0.25, 0.25, 0.25, 0.35, 0.50, 0.65, 0.70, 0.65, 0.60,
                                          0.60, 0.55, 0.55, 0.55, 0.65, 0.80, 0.95, 1.00, 0.95, 0.80, 0.60, 0.45]))
    static let officeOccupancy = WeeklyProfile(
        weekday: DailyProfile(unchecked: [0, 0, 0, 0, 0, 0, 0.05, 0.2, 0.7, 0.95, 0.95, 0.95,
                                          0.6, 0.95, 0.95, 0.95, 0.9, 0.6, 0.2, 0.1, 0.05, 0, 0, 0]),
        weekend: DailyProfile(unchecked: [0, 0, 0, 0, 0, 0, 0, 0, 0.05, 0.05, 0.05, 0.05,
                                          0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0, 0, 0, 0, 0, 0]))
    static let officeBase = WeeklyProfile(
        weekday: DailyProfile(unchecked: [0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.4, 0.6, 0.9, 1.0, 1.0, 1.0,
                                          0.9, 1.0, 1.0, 1.0, 0.95, 0.8, 0.6, 0.5, 0.4, 0.35, 0.3, 0.3]),
        weekend: DailyProfile(unchecked: Array(repeating: 0.3, count: 24)))
    static let retailOccupancy = WeeklyProfile(
        weekday: DailyProfile(unchecked: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0.3, 0.5, 0.7,
                                          0.8, 0.8, 0.7, 0.7, 0.8, 0.9, 0.9, 0.7, 0.4, 0, 0, 0]),
        weekend: DailyProfile(unchecked: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.5, 0.8,
                                          1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 0, 0, 0, 0, 0, 0]))
    static let retailBase = WeeklyProfile(
        weekday: DailyProfile(unchecked: [0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.5, 1.0, 1.0, 1.0,
                                          1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.2, 0.2]),
        weekend: DailyProfile(unchecked: [0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.5, 1.0, 1.0,
                                          1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.2, 0.2, 0.2, 0.2, 0.2]))

    /// Detached single-family house, 150 m², electric heat pump.
    public static let singleFamily = BuildingArchetype(
        name: "single_family", floorArea: 150,
        thermal: ThermalParameters(ua: 250, airCapacity: airCapacity(volume: 150 * 2.5),
                                   massCapacity: 150 * 41_000, massConductance: 2500, airGainFraction: 0.5),
        hvac: HVACParameters(heatingSetpoint: 20, coolingSetpoint: 24, deadband: 1,
                             heatingCapacity: 10_000, coolingCapacity: 8_000,
                             heatingCOP: HVACParameters.heatPumpHeatingCOP,
                             coolingCOP: HVACParameters.residentialCoolingCOP,
                             heatingIsElectric: true, fanPower: 300),
        solarAperture: 3, occupants: 3, sensibleGainPerOccupant: 80,
        basePeakLoad: 1200, baseLoadHeatFraction: 0.8,
        occupancy: residentialOccupancy, baseLoad: residentialBase)

    /// Apartment (one dwelling in a multi-family block), 75 m², electric heat pump.
    public static let apartment = BuildingArchetype(
        name: "apartment", floorArea: 75,
        thermal: ThermalParameters(ua: 90, airCapacity: airCapacity(volume: 75 * 2.5),
                                   massCapacity: 75 * 41_000, massConductance: 1250, airGainFraction: 0.5),
        hvac: HVACParameters(heatingSetpoint: 20, coolingSetpoint: 24, deadband: 1,
                             heatingCapacity: 4_000, coolingCapacity: 3_500,
                             heatingCOP: HVACParameters.heatPumpHeatingCOP,
                             coolingCOP: HVACParameters.residentialCoolingCOP,
                             heatingIsElectric: true, fanPower: 150),
        solarAperture: 1.5, occupants: 2, sensibleGainPerOccupant: 80,
        basePeakLoad: 700, baseLoadHeatFraction: 0.8,
        occupancy: residentialOccupancy, baseLoad: residentialBase)

    /// Small office, 1000 m², gas furnace (η 0.8) and packaged rooftop cooling, setback 4 K.
    public static let office = BuildingArchetype(
        name: "office", floorArea: 1000,
        thermal: ThermalParameters(ua: 1800, airCapacity: airCapacity(volume: 1000 * 3),
                                   massCapacity: 1000 * 60_000, massConductance: 20_000, airGainFraction: 0.5),
        hvac: HVACParameters(heatingSetpoint: 21, coolingSetpoint: 24, deadband: 1,
                             heatingCapacity: 70_000, coolingCapacity: 90_000,
                             heatingCOP: .constant(0.8), coolingCOP: HVACParameters.rooftopCoolingCOP,
                             heatingIsElectric: false, fanPower: 3_000),
        solarAperture: 30, occupants: 50, sensibleGainPerOccupant: 75,
        basePeakLoad: 12_000, baseLoadHeatFraction: 0.8,
        occupancy: officeOccupancy, baseLoad: officeBase,
        unoccupiedSetback: 4, occupiedThreshold: 0.1)

    /// Retail store, 500 m², gas furnace (η 0.8) and rooftop cooling, setback 4 K.
    public static let retail = BuildingArchetype(
        name: "retail", floorArea: 500,
        thermal: ThermalParameters(ua: 1200, airCapacity: airCapacity(volume: 500 * 4),
                                   massCapacity: 500 * 50_000, massConductance: 10_000, airGainFraction: 0.5),
        hvac: HVACParameters(heatingSetpoint: 20, coolingSetpoint: 24, deadband: 1,
                             heatingCapacity: 50_000, coolingCapacity: 60_000,
                             heatingCOP: .constant(0.8), coolingCOP: HVACParameters.rooftopCoolingCOP,
                             heatingIsElectric: false, fanPower: 2_000),
        solarAperture: 20, occupants: 60, sensibleGainPerOccupant: 75,
        basePeakLoad: 10_000, baseLoadHeatFraction: 0.8,
        occupancy: retailOccupancy, baseLoad: retailBase,
        unoccupiedSetback: 4, occupiedThreshold: 0.1)

    /// The built-in archetypes in a fixed order.
    public static let builtIn: [BuildingArchetype] = [singleFamily, apartment, office, retail]

    /// Built-in archetype by name (`single_family`, `apartment`, `office`, `retail`).
    public static func named(_ name: String) -> BuildingArchetype? {
        builtIn.first { $0.name == name }
    }
}
