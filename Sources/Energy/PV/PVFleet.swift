import SimKernel

/// One PV system (or a lumped group of identical rooftop systems on one bus).
public struct PVSystemSpec: Sendable, Equatable {
    /// DC rating at STC (1000 W/m², 25 °C cell), W.
    public var ratedPowerDC: Double
    /// Inverter AC rating (W); AC output is clipped here.
    public var inverterRatingAC: Double
    /// Power temperature coefficient γ (1/K), e.g. −0.004 for crystalline silicon.
    public var temperatureCoefficient: Double
    /// DC-side system derate (soiling, wiring, mismatch, nameplate, availability), e.g. 0.86.
    public var derate: Double
    /// Inverter efficiency (constant), e.g. 0.96.
    public var inverterEfficiency: Double
    /// Surface tilt from horizontal (degrees).
    public var tilt: Double
    /// Surface azimuth, clockwise from north (degrees; 180 = south-facing).
    public var azimuth: Double
    /// Ground albedo for the reflected component.
    public var albedo: Double
    public var cellTemperature: CellTemperatureModel
    /// Grid bus index.
    public var bus: Int

    public init(ratedPowerDC: Double, inverterRatingAC: Double? = nil, temperatureCoefficient: Double = -0.004,
                derate: Double = 0.86, inverterEfficiency: Double = 0.96, tilt: Double = 30,
                azimuth: Double = 180, albedo: Double = 0.2,
                cellTemperature: CellTemperatureModel = .faimanDefault, bus: Int) {
        self.ratedPowerDC = ratedPowerDC
        // Default DC/AC ratio 1.2, a common residential sizing.
        self.inverterRatingAC = inverterRatingAC ?? ratedPowerDC / 1.2
        self.temperatureCoefficient = temperatureCoefficient
        self.derate = derate
        self.inverterEfficiency = inverterEfficiency
        self.tilt = tilt
        self.azimuth = azimuth
        self.albedo = albedo
        self.cellTemperature = cellTemperature
        self.bus = bus
    }

    func validate(source: String, field: String, busCount: Int) throws {
        try Check.positive(ratedPowerDC, source, field + ".ratedPowerDC")
        try Check.positive(inverterRatingAC, source, field + ".inverterRatingAC")
        try Check.inRange(temperatureCoefficient, -0.02...0.0, source, field + ".temperatureCoefficient")
        try Check.inRange(derate, 0...1, source, field + ".derate")
        try Check.inRange(inverterEfficiency, 0...1, source, field + ".inverterEfficiency")
        try Check.inRange(tilt, 0...90, source, field + ".tilt")
        try Check.inRange(azimuth, 0...360, source, field + ".azimuth")
        try Check.inRange(albedo, 0...1, source, field + ".albedo")
        switch cellTemperature {
        case let .faiman(u0, u1):
            try Check.positive(u0, source, field + ".cellTemperature.u0")
            try Check.nonNegative(u1, source, field + ".cellTemperature.u1")
        case let .noct(t):
            try Check.inRange(t, 20...80, source, field + ".cellTemperature.noct")
        }
        guard bus >= 0, bus < busCount else {
            throw BuildingModelError(source: source, field: field + ".bus", expected: "a bus index in 0..<\(busCount), got \(bus)")
        }
    }
}

/// PV systems as struct-of-arrays. Not event-driven: the coupling layer calls one of the
/// `update` methods every weather step; AC power is then held constant until the next call,
/// so the energy integrals are exact for that piecewise-constant input.
///
/// Model: POA from the coupling layer (or isotropic transposition of GHI/DNI/DHI),
/// Tcell from Faiman or NOCT, P_dc = P_stc · POA/1000 · (1 + γ (Tcell − 25)),
/// P_ac = min(P_dc · derate · η_inv, P_ac,rated); 0 at night.
public struct PVFleet: Sendable {
    public let specs: [PVSystemSpec]
    public let busCount: Int
    /// Current AC power per system (W).
    public private(set) var acPower: [Double]
    /// Current cell temperature per system (°C).
    public private(set) var cellTemperature: [Double]
    /// Current plane-of-array irradiance per system (W/m²).
    public private(set) var planeOfArray: [Double]
    /// AC energy per system (J) up to `lastUpdate`.
    @usableFromInline var energyJ: [Double]
    /// Time (ms) of the last update.
    public private(set) var lastUpdate: Int64 = 0

    /// Throws `BuildingModelError` naming `systems[k].field` for invalid parameters. O(N).
    public init(systems: [PVSystemSpec], busCount: Int, source: String = "<pv>") throws {
        guard busCount > 0 else {
            throw BuildingModelError(source: source, field: "busCount", expected: "an integer > 0, got \(busCount)")
        }
        for (k, s) in systems.enumerated() {
            try s.validate(source: source, field: "systems[\(k)]", busCount: busCount)
        }
        specs = systems
        self.busCount = busCount
        acPower = Array(repeating: 0, count: systems.count)
        cellTemperature = Array(repeating: 0, count: systems.count)
        planeOfArray = Array(repeating: 0, count: systems.count)
        energyJ = Array(repeating: 0, count: systems.count)
    }

    @inlinable public var count: Int { specs.count }

    /// Sets the start time of the energy integrals (call once at scenario start).
    public mutating func start(at time: SimTime) { lastUpdate = time.milliseconds }

    /// Books energy up to `now` at the current powers.
    mutating func book(until now: Int64) {
        let dt = Double(now - lastUpdate) / 1000
        if dt > 0 { for k in 0..<count { energyJ[k] += acPower[k] * dt } }
        if now > lastUpdate { lastUpdate = now }
    }

    /// Same plane-of-array irradiance (W/m²) for every system; `ambientTemperature` °C,
    /// `windSpeed` m/s. O(N).
    public mutating func update(planeOfArrayIrradiance poa: Double, ambientTemperature: Double, windSpeed: Double,
                                at time: SimTime) {
        book(until: time.milliseconds)
        for k in 0..<count { set(k, poa: poa, ambient: ambientTemperature, wind: windSpeed) }
    }

    /// Per-system isotropic transposition of GHI/DNI/DHI (W/m²) for the given sun position
    /// (degrees; azimuth clockwise from north). O(N).
    public mutating func update(ghi: Double, dni: Double, dhi: Double, solarZenith: Double, solarAzimuth: Double,
                                ambientTemperature: Double, windSpeed: Double, at time: SimTime) {
        book(until: time.milliseconds)
        for k in 0..<count {
            let s = specs[k]
            let poa = PVModel.planeOfArray(ghi: ghi, dni: dni, dhi: dhi, solarZenith: solarZenith,
                                           solarAzimuth: solarAzimuth, surfaceTilt: s.tilt,
                                           surfaceAzimuth: s.azimuth, albedo: s.albedo).total
            set(k, poa: poa, ambient: ambientTemperature, wind: windSpeed)
        }
    }

    mutating func set(_ k: Int, poa rawPOA: Double, ambient: Double, wind: Double) {
        let s = specs[k]
        // Non-finite weather (data gap) is treated as dark rather than poisoning the sums.
        let poa = rawPOA.isFinite ? max(0, rawPOA) : 0
        let ta = ambient.isFinite ? ambient : 25
        let tc = PVModel.cellTemperature(poa: poa, ambient: ta, wind: wind.isFinite ? wind : 0, model: s.cellTemperature)
        let dc = PVModel.dcPower(ratedPower: s.ratedPowerDC, poa: poa, cellTemperature: tc,
                                 temperatureCoefficient: s.temperatureCoefficient)
        planeOfArray[k] = poa
        cellTemperature[k] = tc
        acPower[k] = PVModel.acPower(dc: dc, derate: s.derate, inverterEfficiency: s.inverterEfficiency,
                                     inverterRating: s.inverterRatingAC)
    }

    /// AC generation per bus (W, positive = injection) into `buffer`, resized to `busCount`. O(N).
    public func busGeneration(into buffer: inout [Double]) {
        if buffer.count != busCount { buffer = Array(repeating: 0, count: busCount) }
        else { for b in buffer.indices { buffer[b] = 0 } }
        for k in 0..<count {
            let b = specs[k].bus
            if b >= 0, b < buffer.count { buffer[b] += acPower[k] }
        }
    }

    /// Total AC power (W).
    public var totalPower: Double { acPower.reduce(0, +) }

    /// AC energy of system `k` (kWh) from start to `time` (≥ last update). O(1).
    public func energy(ofSystem k: Int, at time: SimTime) -> Double {
        guard k >= 0, k < count else { return 0 }
        let dt = max(0, Double(time.milliseconds - lastUpdate) / 1000)
        return (energyJ[k] + acPower[k] * dt) / 3.6e6
    }

    /// Total AC energy of the fleet (kWh) from start to `time`. O(N).
    public func totalEnergy(at time: SimTime) -> Double {
        var s = 0.0
        for k in 0..<count { s += energy(ofSystem: k, at: time) }
        return s
    }
}
