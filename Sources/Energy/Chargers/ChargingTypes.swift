import SimKernel

/// One charging station (a site with identical plugs).
public struct ChargingStationSpec: Sendable, Equatable {
    /// Identifier used in outputs and error messages (e.g. ACN `station_id` or a scenario name).
    public var name: String
    /// Road-network node index of the site (opaque to the charger model; the coupling layer
    /// routes vehicles to it).
    public var node: Int
    /// Grid bus index the station draws from.
    public var bus: Int
    /// Number of plugs (≥ 1).
    public var plugs: Int
    /// Power per plug (kW, > 0).
    public var plugPowerKW: Double
    public var kind: ChargerKind
    /// Static site power cap (kW); nil = plugs × plugPowerKW. The controller cap applies on top.
    public var powerCapKW: Double?
    /// Longest time a vehicle waits in the queue before leaving (s); nil = waits indefinitely
    /// (or until its departure deadline).
    public var maxWaitSeconds: Double?
    /// Charging curve of vehicles on this station's plugs.
    public var curve: ChargingCurve

    public init(name: String, node: Int = 0, bus: Int, plugs: Int, plugPowerKW: Double, kind: ChargerKind = .ac,
                powerCapKW: Double? = nil, maxWaitSeconds: Double? = nil, curve: ChargingCurve = .standard) {
        self.name = name
        self.node = node
        self.bus = bus
        self.plugs = plugs
        self.plugPowerKW = plugPowerKW
        self.kind = kind
        self.powerCapKW = powerCapKW
        self.maxWaitSeconds = maxWaitSeconds
        self.curve = curve
    }

    /// Nameplate site power (kW): plugs × plug power, limited by the static cap.
    public var ratedPowerKW: Double { min(Double(plugs) * plugPowerKW, powerCapKW ?? .infinity) }
}

/// Everything `ChargingStations` needs at assembly.
public struct ChargingStationsConfiguration: Sendable, Equatable {
    public var stations: [ChargingStationSpec]
    /// Number of grid buses (bus indices must be < busCount); `busLoads` has this length.
    public var busCount: Int
    /// Label used in error messages (e.g. the scenario file path).
    public var source: String
    /// Taper re-share tolerance δ in [0, 1): while a station's cap binds, shares are
    /// re-evaluated as soon as a tapering vehicle's power has fallen δ below its allocation, so
    /// at most a fraction δ of the cap goes unused. 0 disables these extra events.
    public var reshareTolerance: Double

    public init(stations: [ChargingStationSpec], busCount: Int, source: String = "<chargers>",
                reshareTolerance: Double = 0.05) {
        self.stations = stations
        self.busCount = busCount
        self.source = source
        self.reshareTolerance = reshareTolerance
    }
}

/// How much a vehicle wants.
public enum ChargeDemand: Sendable, Equatable {
    /// A fixed amount of energy (kWh ≥ 0), SoC unknown: constant power, no taper (session replay).
    case energy(kWh: Double)
    /// Charge from `current` to `target` SoC (fractions in [0, 1]) of a `batteryKWh` battery;
    /// the station's charging curve applies.
    case stateOfCharge(batteryKWh: Double, current: Double, target: Double)
}

/// What happened to an arriving vehicle.
public enum ChargingArrivalOutcome: Sendable, Equatable {
    case plugged
    case queued
}

/// Why a vehicle left the station.
public enum ChargingDepartureReason: UInt8, Sendable, Equatable {
    /// Its energy target was delivered.
    case completed = 0
    /// Its departure deadline passed while plugged (the target may be unmet).
    case deadline = 1
    /// It left the queue unserved (maximum wait or deadline reached while queued).
    case abandoned = 2
}

/// One departure, appended to `ChargingStations.departures` (the coupling layer keeps a
/// cursor into that append-only log).
public struct ChargingDeparture: Sendable, Equatable {
    /// The caller's opaque vehicle id.
    public var vehicle: Int32
    public var station: Int32
    public var arrival: SimTime
    /// Plug-in time; nil if the vehicle never plugged in (abandoned).
    public var pluggedIn: SimTime?
    /// Departure (unplug or queue-leave) time.
    public var time: SimTime
    /// Energy delivered (kWh).
    public var energyKWh: Double
    /// Energy asked for at arrival (kWh).
    public var requestedKWh: Double
    public var reason: ChargingDepartureReason
    /// State of charge at departure for `.stateOfCharge` demands (nil for `.energy` demands):
    /// what the coupling layer hands back to the vehicle (e.g. `RobotaxiFleet.chargingFinished`).
    public var finalSoC: Double?

    public init(vehicle: Int32, station: Int32, arrival: SimTime, pluggedIn: SimTime?, time: SimTime,
                energyKWh: Double, requestedKWh: Double, reason: ChargingDepartureReason, finalSoC: Double? = nil) {
        self.vehicle = vehicle
        self.station = station
        self.arrival = arrival
        self.pluggedIn = pluggedIn
        self.time = time
        self.energyKWh = energyKWh
        self.requestedKWh = requestedKWh
        self.reason = reason
        self.finalSoC = finalSoC
    }

    /// True when the requested energy was delivered.
    public var targetReached: Bool { reason == .completed }
    /// Requested minus delivered energy (kWh, ≥ 0).
    public var unmetKWh: Double { max(0, requestedKWh - energyKWh) }
    /// Seconds spent queued before plugging in (or before leaving, if abandoned).
    public var queueWaitSeconds: Double { ((pluggedIn ?? time) - arrival).seconds }
}

/// A future arrival handed to `ChargingStations.schedule(arrivals:calendar:)` (session replay,
/// synthetic demand).
public struct ChargingArrivalPlan: Sendable, Equatable {
    public var vehicle: Int32
    public var station: Int
    public var demand: ChargeDemand
    /// Vehicle-side power limit (kW); nil = the plug's power.
    public var maxPowerKW: Double?
    /// Latest departure; nil = stays until charged.
    public var deadline: SimTime?
    public var time: SimTime

    public init(vehicle: Int32, station: Int, demand: ChargeDemand, maxPowerKW: Double? = nil,
                deadline: SimTime? = nil, time: SimTime) {
        self.vehicle = vehicle
        self.station = station
        self.demand = demand
        self.maxPowerKW = maxPowerKW
        self.deadline = deadline
        self.time = time
    }
}

/// Queue-wait summary of vehicles that plugged in (waits of 0 included).
public struct QueueWaitStats: Sendable, Equatable {
    public var count: Int
    public var meanSeconds: Double
    public var maxSeconds: Double
    public init(count: Int = 0, meanSeconds: Double = 0, maxSeconds: Double = 0) {
        self.count = count
        self.meanSeconds = meanSeconds
        self.maxSeconds = maxSeconds
    }
}

/// Charging KPIs over all stations from `start` to the evaluation time.
public struct ChargingKPIs: Sendable, Equatable {
    /// Vehicles that arrived.
    public var arrivals = 0
    /// Vehicles that departed with their target reached / at their deadline / from the queue.
    public var completed = 0
    public var deadlineDepartures = 0
    public var abandoned = 0
    /// Vehicles plugged in or queued at the evaluation time.
    public var plugged = 0
    public var queued = 0
    /// Energy delivered (kWh), including sessions still plugged.
    public var energyDeliveredKWh = 0.0
    /// Requested minus delivered energy of departed vehicles (kWh).
    public var unservedEnergyKWh = 0.0
    /// Mean and 95th percentile (nearest rank) of queue waits of vehicles that plugged in (s).
    public var meanQueueWaitSeconds = 0.0
    public var p95QueueWaitSeconds = 0.0
    /// Plug-hours occupied / plug-hours available.
    public var utilisation = 0.0
    public init() {}
}
