import Foundation
import SimKernel

/// A class of `count` identical buildings of one archetype, spread over grid buses.
///
/// Diversity (so the aggregate does not switch in lockstep): each building draws a
/// setpoint offset ~ Normal(0, `setpointOffsetSD`) clamped to ±2 SD (applied to both
/// setpoints) and an initial air temperature uniform in `initialAirTemperature` (default:
/// its own comfort band [heating setpoint − d/2, cooling setpoint + d/2]); the mass starts
/// at the air temperature. Draws come from one `RandomStream` per class, stream id
/// `StreamID.named("buildings.<name>")`, in building order, so adding a class or appending
/// buildings does not change the other buildings' draws.
public struct BuildingClassSpec: Sendable, Equatable {
    public var name: String
    public var archetype: BuildingArchetype
    public var count: Int
    /// Grid bus indices; building k of the class sits on `buses[k % buses.count]`.
    public var buses: [Int]
    /// Standard deviation of the per-building setpoint offset (K).
    public var setpointOffsetSD: Double
    /// Range of initial air temperatures (°C); nil = each building's comfort band.
    public var initialAirTemperature: ClosedRange<Double>?

    public init(name: String, archetype: BuildingArchetype, count: Int, buses: [Int],
                setpointOffsetSD: Double = 0.5, initialAirTemperature: ClosedRange<Double>? = nil) {
        self.name = name
        self.archetype = archetype
        self.count = count
        self.buses = buses
        self.setpointOffsetSD = setpointOffsetSD
        self.initialAirTemperature = initialAirTemperature
    }
}

/// Everything `BuildingStock` needs at assembly.
public struct BuildingStockConfiguration: Sendable, Equatable {
    public var classes: [BuildingClassSpec]
    /// Maps simulation time to local weekday/hour for the schedules.
    public var clock: ScheduleClock
    public var seed: UInt64
    public var replication: UInt64
    /// Outdoor temperature (°C) used until the first `update` call.
    public var initialOutdoorTemperature: Double
    /// Number of grid buses (bus indices must be < busCount); the per-bus load has this length.
    public var busCount: Int
    /// Label used in error messages (e.g. the scenario file path).
    public var source: String

    public init(classes: [BuildingClassSpec], clock: ScheduleClock = ScheduleClock(), seed: UInt64,
                replication: UInt64 = 0, initialOutdoorTemperature: Double = 15, busCount: Int,
                source: String = "<buildings>") {
        self.classes = classes
        self.clock = clock
        self.seed = seed
        self.replication = replication
        self.initialOutdoorTemperature = initialOutdoorTemperature
        self.busCount = busCount
        self.source = source
    }
}

/// Energy integrals of one building class (kWh), exact for the piecewise-constant powers.
public struct BuildingEnergy: Sendable, Equatable {
    /// Electricity for heating (heat pump/resistance + fan while heating).
    public var heatingElectric: Double = 0
    /// Electricity for cooling (compressor + fan while cooling).
    public var coolingElectric: Double = 0
    /// Base electric load (lighting, plugs, appliances).
    public var base: Double = 0
    /// Heat delivered by heating (thermal).
    public var heatingThermal: Double = 0
    /// Heat removed by cooling (thermal, positive).
    public var coolingThermal: Double = 0
    /// Fuel (gas) used by non-electric heating.
    public var heatingFuel: Double = 0

    public init() {}

    /// Total electricity (kWh).
    public var electric: Double { heatingElectric + coolingElectric + base }
}

/// Event-driven stock of buildings (ETP thermal model + thermostat-controlled HVAC).
///
/// Inputs (outdoor temperature, irradiance, schedules) are piecewise constant: the coupling
/// layer calls `update(outdoorTemperature:solarIrradiance:at:calendar:)` every weather step
/// (e.g. 15 min or hourly) and the stock itself re-evaluates the hourly schedules at every
/// clock hour. Between those instants each building follows the closed-form ETP trajectory,
/// and the next thermostat switch is found by root finding on that closed form and scheduled
/// as an event — no time stepping. Switch times are rounded up to the next millisecond.
///
/// Event kinds (handler ids): `handlerBase + 0` thermostat switch (agent = building index),
/// `handlerBase + 1` hourly schedule tick (agent 0).
///
/// Buildings are stored struct-of-arrays, class by class (class c owns indices
/// `classRange(c)`), in configuration order.
public struct BuildingStock: EventHandler, Sendable {
    /// Number of handler ids this system uses from `handlerBase`.
    public static let handlerCount: UInt32 = 2
    public let handlerBase: UInt32
    @inlinable public var switchHandler: UInt32 { handlerBase }
    @inlinable public var tickHandler: UInt32 { handlerBase + 1 }

    public let configuration: BuildingStockConfiguration

    // Per class (index c).
    @usableFromInline var classStart: [Int]
    @usableFromInline var classParameters: [BuildingArchetype]
    @usableFromInline var classModes: [ThermalModes]
    // Plain-old-data copies of the archetype parts used per event, so the hot path never
    // touches the archetype's reference-counted members (name, profile arrays).
    @usableFromInline var classThermal: [ThermalParameters]
    @usableFromInline var classHVAC: [HVACParameters]
    @usableFromInline var classAirGain: [Double]      // W, non-HVAC gains to the air node
    @usableFromInline var classMassGain: [Double]     // W, non-HVAC gains to the mass node
    @usableFromInline var classBaseLoad: [Double]     // W electric per building
    @usableFromInline var classOccupancy: [Double]
    @usableFromInline var classSetback: [Double]      // K currently applied
    @usableFromInline var classHeatingCOP: [Double]
    @usableFromInline var classCoolingCOP: [Double]
    @usableFromInline var classEnergyJ: [BuildingEnergy]  // joules while accumulating
    @usableFromInline var classBaseSince: [Int64]         // ms since which classBaseLoad holds
    @usableFromInline var classAirIntegral: [Double]      // Σ over buildings of ∫ Ta dt (K·s)
    @usableFromInline var startTime: Int64 = 0
    /// Demand-response setpoint relief per bus (K): heating setpoint lowered and cooling
    /// setpoint raised by this amount for every building on the bus.
    public private(set) var setpointRelief: [Double]

    // Per building (index i).
    /// Class index of each building.
    public private(set) var classIndex: [Int32]
    /// Grid bus index of each building.
    public private(set) var bus: [Int32]
    /// Setpoint offset (K) drawn at assembly.
    public private(set) var setpointOffset: [Double]
    /// Air temperature Ta (°C) at `lastUpdate[i]`.
    public private(set) var airTemperature: [Double]
    /// Mass temperature Tm (°C) at `lastUpdate[i]`.
    public private(set) var massTemperature: [Double]
    /// Time (ms) at which `airTemperature`/`massTemperature` hold.
    public private(set) var lastUpdate: [Int64]
    /// Current HVAC mode.
    public private(set) var mode: [HVACMode]
    @usableFromInline var nextMode: [HVACMode]
    /// HVAC heat to the air (W; + heating, − cooling).
    public private(set) var hvacThermal: [Double]
    /// HVAC electric power (W) incl. fan.
    public private(set) var hvacElectric: [Double]
    @usableFromInline var hvacFuel: [Double]
    /// Pending thermostat-switch event (`EventHandle.invalid` if none).
    public private(set) var switchEvent: [EventHandle]
    @usableFromInline var switchTime: [Int64]

    @usableFromInline var outdoorTemperature: Double
    @usableFromInline var solarIrradiance: Double = 0
    @usableFromInline var tickTime: Int64 = -1
    @usableFromInline var tickEvent: EventHandle?

    /// Switch events handled so far (KPI / diagnostics).
    public private(set) var switchCount: Int = 0

    /// Builds the stock and draws the per-building diversity. O(N).
    /// Throws `BuildingModelError` for invalid classes (count < 0, bus out of range, …).
    public init(configuration: BuildingStockConfiguration, handlerBase: UInt32) throws {
        let src = configuration.source
        self.configuration = configuration
        self.handlerBase = handlerBase
        guard configuration.busCount > 0 else {
            throw BuildingModelError(source: src, field: "busCount", expected: "an integer > 0, got \(configuration.busCount)")
        }
        try Check.finite(configuration.initialOutdoorTemperature, src, "initialOutdoorTemperature")
        outdoorTemperature = configuration.initialOutdoorTemperature
        classStart = [0]
        classParameters = []
        classModes = []
        classThermal = []
        classHVAC = []
        classIndex = []
        bus = []
        setpointOffset = []
        airTemperature = []
        for (c, spec) in configuration.classes.enumerated() {
            let field = "classes[\(c)]"
            try spec.archetype.validate(source: src, field: field + ".archetype")
            guard spec.count >= 0, spec.count <= Int(Int32.max) else {
                throw BuildingModelError(source: src, field: field + ".count", expected: "an integer >= 0, got \(spec.count)")
            }
            guard spec.count == 0 || !spec.buses.isEmpty else {
                throw BuildingModelError(source: src, field: field + ".buses", expected: "at least one bus index")
            }
            for (k, b) in spec.buses.enumerated() where b < 0 || b >= configuration.busCount {
                throw BuildingModelError(source: src, field: "\(field).buses[\(k)]",
                                         expected: "a bus index in 0..<\(configuration.busCount), got \(b)")
            }
            try Check.nonNegative(spec.setpointOffsetSD, src, field + ".setpointOffsetSD")
            if let r = spec.initialAirTemperature {
                try Check.finite(r.lowerBound, src, field + ".initialAirTemperature")
                try Check.finite(r.upperBound, src, field + ".initialAirTemperature")
            }
            classParameters.append(spec.archetype)
            classModes.append(ThermalModes(spec.archetype.thermal))
            classThermal.append(spec.archetype.thermal)
            classHVAC.append(spec.archetype.hvac)
            var rng = RandomStream(seed: configuration.seed, replication: configuration.replication,
                                   stream: StreamID.named("buildings." + spec.name))
            let hv = spec.archetype.hvac
            for k in 0..<spec.count {
                let sd = spec.setpointOffsetSD
                let offset = sd > 0 ? min(2 * sd, max(-2 * sd, rng.normal(mean: 0, sd: sd))) : 0
                let range = spec.initialAirTemperature
                    ?? ((hv.heatingSetpoint + offset - hv.deadband / 2)...(hv.coolingSetpoint + offset + hv.deadband / 2))
                let ta = range.lowerBound + (range.upperBound - range.lowerBound) * rng.nextDouble()
                classIndex.append(Int32(c))
                bus.append(Int32(spec.buses[k % spec.buses.count]))
                setpointOffset.append(offset)
                airTemperature.append(ta)
            }
            classStart.append(classIndex.count)
        }
        let n = classIndex.count
        let nc = classParameters.count
        massTemperature = airTemperature
        lastUpdate = Array(repeating: 0, count: n)
        mode = Array(repeating: .off, count: n)
        nextMode = Array(repeating: .off, count: n)
        hvacThermal = Array(repeating: 0, count: n)
        hvacElectric = Array(repeating: 0, count: n)
        hvacFuel = Array(repeating: 0, count: n)
        switchEvent = Array(repeating: .invalid, count: n)
        switchTime = Array(repeating: -1, count: n)
        classAirGain = Array(repeating: 0, count: nc)
        classMassGain = Array(repeating: 0, count: nc)
        classBaseLoad = Array(repeating: 0, count: nc)
        classOccupancy = Array(repeating: 0, count: nc)
        classSetback = Array(repeating: 0, count: nc)
        classHeatingCOP = Array(repeating: 1, count: nc)
        classCoolingCOP = Array(repeating: 1, count: nc)
        classEnergyJ = Array(repeating: BuildingEnergy(), count: nc)
        classBaseSince = Array(repeating: 0, count: nc)
        classAirIntegral = Array(repeating: 0, count: nc)
        setpointRelief = Array(repeating: 0, count: configuration.busCount)
    }

    // MARK: Shape

    /// Number of buildings.
    @inlinable public var count: Int { classIndex.count }
    /// Number of building classes.
    @inlinable public var classCount: Int { classParameters.count }
    /// Building indices of class `c` (empty if `c` is out of range).
    public func classRange(_ c: Int) -> Range<Int> {
        guard c >= 0, c + 1 < classStart.count else { return 0..<0 }
        return classStart[c]..<classStart[c + 1]
    }

    // MARK: Event-system entry points

    /// Sets every building's state time to `calendar.now`, evaluates schedules and thermostats
    /// and schedules the first switch events and the hourly schedule tick. O(N log P).
    public mutating func start(calendar: inout EventCalendar) {
        let now = Self.ms(calendar.now)
        for i in 0..<count { lastUpdate[i] = now }
        for c in 0..<classCount { classBaseSince[c] = now }
        startTime = now
        refreshAll(now: now, calendar: &calendar)
    }

    /// Handles an event of this system's handler block; others are ignored.
    public mutating func handle(_ event: Event, calendar: inout EventCalendar) {
        let now = Self.ms(event.time)
        if event.handler == switchHandler {
            let i = Int(event.agent)
            // Stale-event guard: only the event currently on record for this building acts.
            guard i < count, switchTime[i] == now else { return }
            switchEvent[i] = .invalid
            switchTime[i] = -1
            advance(i, to: now)
            mode[i] = nextMode[i]
            switchCount += 1
            refreshBuilding(i, now: now, reconcile: false, calendar: &calendar)
        } else if event.handler == tickHandler {
            guard now == tickTime else { return }
            tickEvent = nil
            refreshAll(now: now, calendar: &calendar)
        }
    }

    /// Coupling-layer entry, called every weather step: advances every building analytically
    /// to `time`, sets the outdoor temperature (°C) and solar irradiance (W/m², global
    /// horizontal) held until the next call, re-applies the thermostat and reschedules the
    /// switch events. `time` must be ≥ every building's last update (normally `calendar.now`).
    /// O(N log P).
    public mutating func update(outdoorTemperature: Double, solarIrradiance: Double, at time: SimTime,
                                calendar: inout EventCalendar) {
        let now = Self.ms(time)
        // States move to `now` under the old inputs before the new ones take effect.
        advanceAll(to: now)
        // Non-finite weather (a data gap) keeps the previous value rather than poisoning states.
        if outdoorTemperature.isFinite { self.outdoorTemperature = outdoorTemperature }
        if solarIrradiance.isFinite { self.solarIrradiance = max(0, solarIrradiance) }
        refreshAll(now: now, calendar: &calendar)
    }

    // MARK: Read-only accessors (recorder, coupling, KPIs)

    /// Electric power of building `i` (W): HVAC incl. fan + base load. Valid from the last
    /// event up to the next one (powers are piecewise constant).
    @inlinable public func electricPower(_ i: Int) -> Double {
        hvacElectric[i] + classBaseLoad[Int(classIndex[i])]
    }

    /// Adds up electric power per bus (W) into `buffer`, resized to `busCount`. O(N).
    public func busLoads(into buffer: inout [Double]) {
        if buffer.count != configuration.busCount {
            buffer = Array(repeating: 0, count: configuration.busCount)
        } else {
            for k in buffer.indices { buffer[k] = 0 }
        }
        for i in 0..<count {
            let b = Int(bus[i])
            if b < buffer.count { buffer[b] += electricPower(i) }
        }
    }

    /// Total electric power of all buildings (W). O(N).
    public var totalElectricPower: Double {
        var s = 0.0
        for i in 0..<count { s += electricPower(i) }
        return s
    }

    /// Air temperature of building `i` at `time` ≥ its last update (closed form). O(1).
    public func airTemperature(_ i: Int, at time: SimTime) -> Double {
        trajectory(i).air(at: Double(Self.ms(time) - lastUpdate[i]) / 1000)
    }

    /// Air temperatures (°C) of all buildings at `time` into `buffer` (resized to N). O(N).
    public func snapshotAirTemperature(at time: SimTime, into buffer: inout [Double]) {
        if buffer.count != count { buffer = Array(repeating: 0, count: count) }
        for i in 0..<count { buffer[i] = airTemperature(i, at: time) }
    }

    /// Electric power (W) of all buildings into `buffer` (resized to N). O(N).
    public func snapshotElectricPower(into buffer: inout [Double]) {
        if buffer.count != count { buffer = Array(repeating: 0, count: count) }
        for i in 0..<count { buffer[i] = electricPower(i) }
    }

    /// HVAC modes (0 off, 1 heating, 2 cooling) into `buffer` (resized to N). O(N).
    public func snapshotMode(into buffer: inout [Double]) {
        if buffer.count != count { buffer = Array(repeating: 0, count: count) }
        for i in 0..<count { buffer[i] = Double(mode[i].rawValue) }
    }

    /// Energy integrals (kWh) of class `c` from the start to `time` (≥ last event), exact for
    /// the piecewise-constant powers. O(buildings in the class).
    public func energy(ofClass c: Int, at time: SimTime) -> BuildingEnergy {
        guard c >= 0, c < classCount else { return BuildingEnergy() }
        let now = Self.ms(time)
        var e = classEnergyJ[c]
        let n = Double(classRange(c).count)
        e.base += n * classBaseLoad[c] * Double(max(0, now - classBaseSince[c])) / 1000
        for i in classRange(c) { addHVACEnergy(i, seconds: Double(now - lastUpdate[i]) / 1000, to: &e) }
        let j = 1 / 3.6e6
        e.heatingElectric *= j; e.coolingElectric *= j; e.base *= j
        e.heatingThermal *= j; e.coolingThermal *= j; e.heatingFuel *= j
        return e
    }

    /// Time-averaged air temperature (°C) of class `c` over [start, `time`], exact (closed-form
    /// integral of Ta); nil for an empty class or zero elapsed time. O(buildings in the class).
    public func meanAirTemperature(ofClass c: Int, at time: SimTime) -> Double? {
        let range = classRange(c)
        let elapsed = Double(Self.ms(time) - startTime) / 1000
        guard !range.isEmpty, elapsed > 0 else { return nil }
        var sum = classAirIntegral[c]
        for i in range {
            let dt = Double(Self.ms(time) - lastUpdate[i]) / 1000
            if dt > 0 { sum += trajectory(i).state(after: dt).airIntegral }
        }
        return sum / (Double(range.count) * elapsed)
    }

    /// Demand response: relieves the setpoints of every building on `bus` (all buses if nil)
    /// by `kelvin` ≥ 0 (heating setpoint lowered, cooling setpoint raised; 0 restores them),
    /// effective at `time`. The grid/coupling layer calls it e.g. when a feeder is overloaded.
    /// Negative or non-finite values count as 0. O(N log P).
    public mutating func setSetpointRelief(_ kelvin: Double, bus: Int? = nil, at time: SimTime,
                                           calendar: inout EventCalendar) {
        let k = kelvin.isFinite ? max(0, kelvin) : 0
        let now = Self.ms(time)
        advanceAll(to: now)
        if let b = bus {
            guard b >= 0, b < setpointRelief.count else { return }
            setpointRelief[b] = k
        } else {
            for b in setpointRelief.indices { setpointRelief[b] = k }
        }
        refreshAll(now: now, calendar: &calendar)
    }

    /// Electric power per class (W) into `buffer`, resized to `classCount`. O(N).
    public func classElectricPower(into buffer: inout [Double]) {
        if buffer.count != classCount { buffer = Array(repeating: 0, count: classCount) }
        for c in 0..<classCount {
            var s = 0.0
            for i in classRange(c) { s += electricPower(i) }
            buffer[c] = s
        }
    }

    /// Energy integrals (kWh) of every class, in class order.
    public func energyByClass(at time: SimTime) -> [BuildingEnergy] {
        (0..<classCount).map { energy(ofClass: $0, at: time) }
    }

    // MARK: Internals

    @inlinable static func ms(_ t: SimTime) -> Int64 { t.milliseconds }

    /// Closed-form trajectory of building i from its last update under the current inputs.
    @inlinable func trajectory(_ i: Int) -> ThermalTrajectory {
        let c = Int(classIndex[i])
        return ThermalTrajectory(parameters: classThermal[c], modes: classModes[c],
                                 air: airTemperature[i], mass: massTemperature[i],
                                 outdoor: outdoorTemperature,
                                 airGain: classAirGain[c] + hvacThermal[i], massGain: classMassGain[c])
    }

    /// Adds building i's HVAC energy (J) over `dt` seconds at its current powers to `e`.
    @usableFromInline func addHVACEnergy(_ i: Int, seconds dt: Double, to e: inout BuildingEnergy) {
        guard dt > 0 else { return }
        switch mode[i] {
        case .heating:
            e.heatingElectric += hvacElectric[i] * dt
            e.heatingThermal += hvacThermal[i] * dt
            e.heatingFuel += hvacFuel[i] * dt
        case .cooling:
            e.coolingElectric += hvacElectric[i] * dt
            e.coolingThermal -= hvacThermal[i] * dt
        case .off:
            break
        }
    }

    /// Moves building i's state to `now` along the closed form and books its HVAC energy.
    @usableFromInline mutating func advance(_ i: Int, to now: Int64) {
        let dt = Double(now - lastUpdate[i]) / 1000
        guard dt > 0 else { return }
        let tr = trajectory(i)
        let c = Int(classIndex[i])
        var e = classEnergyJ[c]
        addHVACEnergy(i, seconds: dt, to: &e)
        classEnergyJ[c] = e
        let st = tr.state(after: dt)
        airTemperature[i] = st.air
        massTemperature[i] = st.mass
        classAirIntegral[c] += st.airIntegral
        lastUpdate[i] = now
    }

    /// Re-evaluates class inputs (schedule at `now`, weather), then every building; reschedules
    /// the hourly tick.
    mutating func advanceAll(to now: Int64) {
        for i in 0..<count { advance(i, to: now) }
    }

    mutating func refreshAll(now: Int64, calendar: inout EventCalendar) {
        // Every building must reach `now` under the inputs that held so far, before the
        // class inputs below change (otherwise the last interval would use the new inputs).
        advanceAll(to: now)
        let slot = configuration.clock.slot(milliseconds: now)
        for c in 0..<classCount {
            let a = classParameters[c]
            // Book base energy up to now before the base load may change.
            let n = Double(classRange(c).count)
            classEnergyJ[c].base += n * classBaseLoad[c] * Double(now - classBaseSince[c]) / 1000
            classBaseSince[c] = now
            let occ = a.occupancy.value(weekend: slot.weekend, hour: slot.hour)
            let base = a.basePeakLoad * a.baseLoad.value(weekend: slot.weekend, hour: slot.hour)
            let gains = a.occupants * a.sensibleGainPerOccupant * occ + a.baseLoadHeatFraction * base
                + a.solarAperture * solarIrradiance
            let f = a.thermal.isSingleNode ? 1 : a.thermal.airGainFraction
            classOccupancy[c] = occ
            classBaseLoad[c] = base
            classAirGain[c] = f * gains
            classMassGain[c] = (1 - f) * gains
            classSetback[c] = occ < a.occupiedThreshold ? a.unoccupiedSetback : 0
            classHeatingCOP[c] = a.hvac.heatingCOP.value(at: outdoorTemperature)
            classCoolingCOP[c] = a.hvac.coolingCOP.value(at: outdoorTemperature)
        }
        for i in 0..<count {
            refreshBuilding(i, now: now, reconcile: true, calendar: &calendar)
        }
        // An empty stock needs no clock (and must not keep a run loop busy).
        guard count > 0 else { return }
        let next = configuration.clock.nextHourBoundary(afterMilliseconds: now)
        if next != tickTime {
            if let h = tickEvent { calendar.cancel(h) }
            tickEvent = calendar.schedule(at: SimTime(milliseconds: next), handler: tickHandler, agent: 0)
            tickTime = next
        }
    }

    /// Applies the thermostat to building i at `now` (its state must be at `now`), sets its
    /// HVAC powers and (re)schedules its next switch event.
    @usableFromInline
    mutating func refreshBuilding(_ i: Int, now: Int64, reconcile: Bool, calendar: inout EventCalendar) {
        let c = Int(classIndex[i])
        let hv = classHVAC[c]
        let b = Int(bus[i])
        let relief = b < setpointRelief.count ? setpointRelief[b] : 0
        let h = hv.heatingSetpoint + setpointOffset[i] - classSetback[c] - relief
        let cs = hv.coolingSetpoint + setpointOffset[i] + classSetback[c] + relief
        let d = hv.deadband
        if reconcile {
            mode[i] = Thermostat.reconcile(mode[i], air: airTemperature[i], heating: h, cooling: cs, deadband: d)
        }
        switch mode[i] {
        case .heating:
            let q = hv.heatingCapacity
            let eff = classHeatingCOP[c]
            hvacThermal[i] = q
            hvacElectric[i] = (hv.heatingIsElectric ? q / eff : 0) + hv.fanPower
            hvacFuel[i] = hv.heatingIsElectric ? 0 : q / eff
        case .cooling:
            let q = hv.coolingCapacity
            hvacThermal[i] = -q
            hvacElectric[i] = q / classCoolingCOP[c] + hv.fanPower
            hvacFuel[i] = 0
        case .off:
            hvacThermal[i] = 0
            hvacElectric[i] = 0
            hvacFuel[i] = 0
        }
        // Inputs change again at the next clock hour at the latest, so look no further.
        let tick = configuration.clock.nextHourBoundary(afterMilliseconds: now)
        let horizon = Double(tick - now) / 1000 + 1e-3
        let th = Thermostat.thresholds(heating: h, cooling: cs, deadband: d)
        let tr = trajectory(i)
        var crossing: Double? = nil
        var target = HVACMode.off
        switch mode[i] {
        case .heating:
            crossing = tr.firstCrossing(of: th.heatOff, horizon: horizon)
        case .cooling:
            crossing = tr.firstCrossing(of: th.coolOff, horizon: horizon)
        case .off:
            // Ta moves monotonically or with one extremum; check both thresholds.
            switch (tr.firstCrossing(of: th.heatOn, horizon: horizon),
                    tr.firstCrossing(of: th.coolOn, horizon: horizon)) {
            case let (dn?, up?):
                crossing = min(dn, up)
                target = dn <= up ? .heating : .cooling
            case let (dn?, nil):
                crossing = dn
                target = .heating
            case let (nil, up?):
                crossing = up
                target = .cooling
            case (nil, nil):
                break
            }
        }
        var when: Int64 = -1
        if let t = crossing {
            // Round up so the state at the event time is on or past the threshold.
            when = now + max(1, Int64((t * 1000).rounded(.up)))
        }
        if when == switchTime[i] { nextMode[i] = target; return }
        if switchTime[i] >= 0 { calendar.cancel(switchEvent[i]) }
        switchEvent[i] = .invalid
        switchTime[i] = when
        nextMode[i] = target
        if when >= 0 {
            switchEvent[i] = calendar.schedule(at: SimTime(milliseconds: when), handler: switchHandler,
                                               agent: UInt32(i))
        }
    }
}
