import Energy
import Mobility
import SimKernel
import Weather

/// Every system of the city and the single event handler that routes events to them.
///
/// Dispatch is a `switch` on the handler id (static, no existentials). Systems never call
/// each other; the coupling code here reads one system's published state and feeds another:
/// weather → buildings and PV; buildings and PV → grid bus loads; grid → violation statistics.
struct World: EventHandler {
    var weather: WeatherDriver
    var grid: GridSystem?
    var buildings: BuildingStock?
    var pv: PVFleet?
    var traffic: TrafficSystem?
    var chargers: ChargingStations?
    var fleet: RobotaxiFleet?
    var charging: ChargingCoupling?
    /// Recorded sessions to replay at a station.
    var sessionArrivals: [ChargingArrivalPlan] = []
    /// Rain → free-speed factor for traffic.
    var rain: RainSpeedModel?
    let recorder: Recorder
    var interventions: [ResolvedIntervention] = []
    var interventionsApplied = 0
    /// First error raised inside an event (e.g. an HDF5 write failure); stops the run.
    var failure: Error?
    // Scratch per-bus buffers (W), reused so coupling allocates nothing per event.
    private var busConsumption: [Double] = []
    private var busGeneration: [Double] = []
    private var chargerLoad: [Double] = []
    /// Time of the event being handled (for systems whose state is read at a time).
    private var currentTime: SimTime = .zero
    // Per-link snapshot buffers (filled at each snapshot, read by the recorder).
    private(set) var linkFlow: [Double] = []
    private(set) var linkSpeed: [Double] = []
    private(set) var linkOccupancy: [Double] = []
    private(set) var linkQueue: [Double] = []

    init(weather: WeatherDriver, grid: GridSystem?, buildings: BuildingStock?, pv: PVFleet?,
         traffic: TrafficSystem?, rain: RainSpeedModel?, recorder: Recorder) {
        self.weather = weather
        self.grid = grid
        self.buildings = buildings
        self.pv = pv
        self.traffic = traffic
        self.rain = rain
        self.recorder = recorder
    }

    var shouldStop: Bool { failure != nil }

    mutating func start(calendar: inout EventCalendar, duration: SimTime, snapshotInterval: SimTime,
                        weatherInterval: SimTime) {
        calendar.schedulePeriodic(start: .zero, every: weatherInterval, priority: EventPriority.weather,
                                  handler: HandlerID.weatherUpdate)
        buildings?.start(calendar: &calendar)
        pv?.start(at: .zero)
        traffic?.start(calendar: &calendar)
        chargers?.start(calendar: &calendar)
        if !sessionArrivals.isEmpty {
            do { try chargers?.schedule(arrivals: sessionArrivals, calendar: &calendar) } catch { failure = failure ?? error }
        }
        fleet?.start(calendar: &calendar)
        if let c = charging {
            calendar.schedulePeriodic(start: .zero, every: SimTime(milliseconds: c.settings.controlIntervalMs),
                                      priority: EventPriority.grid + 1, handler: HandlerID.chargingControl)
        }
        scheduleInterventions(calendar: &calendar, duration: duration)
        if let g = grid {
            calendar.schedulePeriodic(start: .zero, every: SimTime(milliseconds: g.settings.solveIntervalMs),
                                      priority: EventPriority.grid, handler: HandlerID.gridSolve)
            calendar.schedulePeriodic(start: SimTime(milliseconds: g.settings.loadCheckIntervalMs),
                                      every: SimTime(milliseconds: g.settings.loadCheckIntervalMs),
                                      priority: EventPriority.grid, handler: HandlerID.loadCheck)
        }
        calendar.schedulePeriodic(start: .zero, every: snapshotInterval, priority: EventPriority.snapshot,
                                  handler: HandlerID.snapshot)
        // The last row is always at the end time, even when the interval does not divide it.
        if duration.milliseconds % snapshotInterval.milliseconds != 0 {
            calendar.schedule(at: duration, priority: EventPriority.snapshot, handler: HandlerID.snapshot)
        }
    }

    mutating func handle(_ event: Event, calendar: inout EventCalendar) {
        currentTime = event.time
        switch event.handler {
        case HandlerID.weatherUpdate:
            updateWeather(at: event.time, calendar: &calendar)
        case HandlerID.trafficBase...HandlerID.trafficEnd:
            traffic?.handle(event, calendar: &calendar)
            if fleet != nil || charging != nil { syncMobilityAndCharging(at: event.time, calendar: &calendar) }
        case HandlerID.fleetBase...HandlerID.fleetEnd:
            if traffic != nil { fleet?.handle(event, calendar: &calendar, traffic: &traffic!) }
            syncMobilityAndCharging(at: event.time, calendar: &calendar)
        case HandlerID.chargersBase...HandlerID.chargersEnd:
            chargers?.handle(event, calendar: &calendar)
            syncMobilityAndCharging(at: event.time, calendar: &calendar)
        case HandlerID.chargingControl:
            if let g = grid, chargers != nil { charging?.control(grid: g, chargers: &chargers!, at: event.time, calendar: &calendar) }
        case HandlerID.buildingsBase...HandlerID.buildingsEnd:
            buildings?.handle(event, calendar: &calendar)
        case HandlerID.gridSolve:
            solveGrid(at: event.time, extra: false)
        case HandlerID.gridExtraSolve:
            solveGrid(at: event.time, extra: true)
        case HandlerID.intervention:
            applyIntervention(event.agent, at: event.time, calendar: &calendar)
        case HandlerID.loadCheck:
            publishLoads()
            if grid?.loadJumped() == true { solveGrid(at: event.time, extra: true, loadsPublished: true) }
        case HandlerID.snapshot:
            traffic?.snapshot(now: event.time, flow: &linkFlow, meanSpeed: &linkSpeed, occupancy: &linkOccupancy,
                              queueLength: &linkQueue)
            do { try recorder.snapshot(self, at: event.time) } catch { failure = failure ?? error }
        default:
            failure = failure ?? RunError.internalInconsistency("event with unknown handler id \(event.handler)")
        }
    }

    /// Weather step: new conditions reach buildings and PV; a load jump triggers a grid solve.
    private mutating func updateWeather(at time: SimTime, calendar: inout EventCalendar) {
        weather.update(at: time)
        let w = weather.current
        buildings?.update(outdoorTemperature: w.temperature, solarIrradiance: w.ghi, at: time, calendar: &calendar)
        if let rain { traffic?.speedFactor = rain.speedFactor(precipitationMmPerHour: w.precipitation) }
        if pv != nil {
            let sun = SolarPosition(site: weather.site, hourOfYear: weather.series.calendar.hourOfYear(at: time))
            pv?.update(ghi: w.ghi, dni: w.dni, dhi: w.dhi, solarZenith: sun.zenithDegrees,
                       solarAzimuth: sun.azimuth * 180 / .pi, ambientTemperature: w.temperature,
                       windSpeed: w.windSpeed, at: time)
        }
        if grid != nil {
            publishLoads()
            if grid?.loadJumped() == true {
                calendar.schedule(at: time, priority: EventPriority.grid, handler: HandlerID.gridExtraSolve)
            }
        }
    }

    /// After a traffic, fleet or charger event: passes arrivals, charging requests and charger
    /// departures between the systems. Each check is a count comparison when nothing is new.
    private mutating func syncMobilityAndCharging(at time: SimTime, calendar: inout EventCalendar) {
        guard traffic != nil else { return }
        do {
            var progressed = true
            while progressed {
                progressed = false
                if fleet != nil { fleet?.pollArrivals(traffic: &traffic!, calendar: &calendar) }
                if charging != nil, chargers != nil {
                    let before = (charging?.arrivalCursor ?? 0, charging?.departureCursor ?? 0)
                    try charging?.processArrivals(traffic: &traffic!, chargers: &chargers!, at: time, calendar: &calendar)
                    if let f = fleet { try charging?.processFleetRequests(fleet: f, chargers: &chargers!, at: time, calendar: &calendar) }
                    try charging?.processDepartures(chargers: chargers!, traffic: &traffic!, fleet: &fleet, at: time, calendar: &calendar)
                    let after = (charging?.arrivalCursor ?? 0, charging?.departureCursor ?? 0)
                    // Departures can add trips that arrive at once (and vice versa): loop until quiet.
                    progressed = before != after && (traffic!.arrivalLog.count > after.0 || chargers!.departures.count > after.1)
                }
            }
        } catch {
            failure = failure ?? error
        }
    }

    /// Hands the buildings' and PV's per-bus powers to the grid.
    private mutating func publishLoads() {
        guard grid != nil else { return }
        let n = grid?.busCount ?? 0
        if busConsumption.count != n { busConsumption = Array(repeating: 0, count: n) }
        if busGeneration.count != n { busGeneration = Array(repeating: 0, count: n) }
        if let b = buildings { b.busLoads(into: &busConsumption) } else { for i in 0..<n { busConsumption[i] = 0 } }
        if let c = chargers {
            c.busLoads(at: currentTime, into: &chargerLoad)
            for i in 0..<min(n, chargerLoad.count) { busConsumption[i] += chargerLoad[i] }
        }
        if let p = pv { p.busGeneration(into: &busGeneration) } else { for i in 0..<n { busGeneration[i] = 0 } }
        grid?.setExplicitLoads(consumptionW: busConsumption, generationW: busGeneration)
    }

    mutating func solveGrid(at time: SimTime, extra: Bool, loadsPublished: Bool = false) {
        if !loadsPublished { publishLoads() }
        do { try grid?.solve(at: time, extra: extra) } catch { failure = failure ?? error }
    }

    /// KPIs of every system at the end of the run.
    mutating func kpis(duration: SimTime, weatherStep: SimTime) -> [KPI] {
        var result = weather.kpis(duration: duration, step: weatherStep)
        if grid != nil {
            grid?.accrue(until: duration.milliseconds)
            result += grid?.kpis() ?? []
        }
        if let b = buildings {
            let energy = b.energyByClass(at: duration)
            let cooling = energy.reduce(0) { $0 + $1.coolingElectric }
            let heating = energy.reduce(0) { $0 + $1.heatingElectric }
            let base = energy.reduce(0) { $0 + $1.base }
            var tMax = -Double.infinity
            for c in 0..<b.classCount { if let t = b.meanAirTemperature(ofClass: c, at: duration) { tMax = max(tMax, t) } }
            result += [
                KPI("building_cooling_energy", cooling, units: "kWh", domain: "buildings", better: .lowerIsBetter,
                    description: "Electricity used for cooling by all buildings"),
                KPI("building_heating_energy", heating, units: "kWh", domain: "buildings", better: .lowerIsBetter,
                    description: "Electricity used for heating by all buildings"),
                KPI("building_base_energy", base, units: "kWh", domain: "buildings", better: .lowerIsBetter,
                    description: "Base electric load (lighting, plugs, appliances) of all buildings"),
                KPI("building_peak_load", recorder.peakBuildingLoadKW, units: "kW", domain: "buildings", better: .lowerIsBetter,
                    description: "Highest total building electric load among the snapshots"),
                KPI("thermostat_switches", Double(b.switchCount), units: "1", domain: "buildings",
                    description: "HVAC on/off switch events"),
                KPI("unmet_comfort_hours", recorder.uncomfortableBuildingHours / Double(max(1, b.count)), units: "h", domain: "buildings",
                    better: .lowerIsBetter,
                    description: "Mean hours per building with indoor air more than 0.5 K outside the comfort band (evaluated at each snapshot)"),
            ]
        }
        if let t = traffic {
            result += Self.trafficKPIs(t.kpis(now: duration))
        }
        if let f = fleet {
            result += Self.fleetKPIs(f.kpis(now: duration))
        }
        if let c = chargers {
            result += Self.chargingKPIs(c.kpis(at: duration), controller: charging?.controller.changeCount ?? 0,
                                        privateVisits: charging?.privateVisitCount ?? 0)
        }
        if let p = pv {
            result.append(KPI("pv_energy", p.totalEnergy(at: duration), units: "kWh", domain: "pv", better: .higherIsBetter,
                              description: "AC energy produced by all PV systems"))
        }
        return result
    }
}

extension World {
    static func fleetKPIs(_ k: FleetKPIs) -> [KPI] {
        [
            KPI("fleet_requests", Double(k.requests), units: "1", domain: "fleet", description: "Robotaxi trip requests made"),
            KPI("fleet_requests_served", Double(k.served), units: "1", domain: "fleet", better: .higherIsBetter,
                description: "Requests dropped off at their destination"),
            KPI("passenger_wait_mean", k.meanWait, units: "s", domain: "fleet", better: .lowerIsBetter,
                description: "Mean time from request to pick-up of picked-up passengers"),
            KPI("passenger_wait_p95", k.p95Wait, units: "s", domain: "fleet", better: .lowerIsBetter,
                description: "95th percentile of the passenger wait"),
            KPI("rejection_rate", k.rejectionRate, units: "1", domain: "fleet", better: .lowerIsBetter,
                description: "Share of requests rejected after the maximum wait"),
            KPI("empty_km_share", k.emptyKmShare, units: "1", domain: "fleet", better: .lowerIsBetter,
                description: "Share of fleet kilometres driven without a passenger"),
            KPI("fleet_utilisation", k.utilisation, units: "1", domain: "fleet", better: .higherIsBetter,
                description: "Share of vehicle time spent carrying passengers"),
            KPI("fleet_charging_visits", Double(k.chargingVisits), units: "1", domain: "fleet",
                description: "Robotaxi visits to charging stations"),
        ]
    }

    static func chargingKPIs(_ k: ChargingKPIs, controller: Int, privateVisits: Int) -> [KPI] {
        [
            KPI("charging_energy", k.energyDeliveredKWh, units: "kWh", domain: "chargers",
                description: "Energy delivered by all stations"),
            KPI("charging_unserved_energy", k.unservedEnergyKWh, units: "kWh", domain: "chargers", better: .lowerIsBetter,
                description: "Requested minus delivered energy of vehicles that left"),
            KPI("charging_queue_wait_mean", k.meanQueueWaitSeconds, units: "s", domain: "chargers", better: .lowerIsBetter,
                description: "Mean time queued before plugging in"),
            KPI("charging_queue_wait_p95", k.p95QueueWaitSeconds, units: "s", domain: "chargers", better: .lowerIsBetter,
                description: "95th percentile of the queue wait"),
            KPI("charger_utilisation", k.utilisation, units: "1", domain: "chargers", better: .higherIsBetter,
                description: "Plug-hours occupied / plug-hours available"),
            KPI("charging_abandoned", Double(k.abandoned), units: "1", domain: "chargers", better: .lowerIsBetter,
                description: "Vehicles that left the queue unserved"),
            KPI("charging_cap_changes", Double(controller), units: "1", domain: "chargers",
                description: "Station cap changes made by the smart-charging controller"),
            KPI("private_charging_visits", Double(privateVisits), units: "1", domain: "chargers",
                description: "Private EVs that detoured to a station with a low battery"),
        ]
    }

    static func trafficKPIs(_ k: TrafficKPIs) -> [KPI] {
        [
            KPI("trips", Double(k.trips), units: "1", domain: "traffic", description: "Trips in the demand"),
            KPI("trips_completed_share", k.completedShare, units: "1", domain: "traffic", better: .higherIsBetter,
                description: "Share of routable trips that arrived by the end of the run"),
            KPI("vehicle_hours", k.vehicleHours, units: "h", domain: "traffic", better: .lowerIsBetter,
                description: "Time spent on the network by all departed vehicles"),
            KPI("vehicle_km", k.vehicleKm, units: "km", domain: "traffic",
                description: "Distance driven by all vehicles"),
            KPI("mean_delay", k.meanDelay, units: "s", domain: "traffic", better: .lowerIsBetter,
                description: "Mean travel time minus free-flow time of completed trips"),
            KPI("stuck_pushes", Double(k.stuckPushes), units: "1", domain: "traffic", better: .lowerIsBetter,
                description: "Vehicles pushed into a full link after the stuck time (gridlock release)"),
            KPI("unroutable_trips", Double(k.unroutable), units: "1", domain: "traffic", better: .lowerIsBetter,
                description: "Trips without a path between origin and destination"),
            KPI("ev_depleted", Double(k.evDepleted), units: "1", domain: "traffic", better: .lowerIsBetter,
                description: "EVs whose battery reached zero on the road"),
            KPI("max_link_occupancy", k.topCongestedLinks.first?.maxOccupancy ?? 0, units: "1", domain: "traffic",
                better: .lowerIsBetter,
                description: "Highest occupancy (vehicles / storage) any link reached; the top links are in /traffic/top_congested_links"),
        ]
    }
}

/// Errors of a run that are not input errors.
public enum RunError: Error, CustomStringConvertible {
    case internalInconsistency(String)
    case output(String)

    public var description: String {
        switch self {
        case .internalInconsistency(let s): return "internal error: \(s)"
        case .output(let s): return "output: \(s)"
        }
    }
}
