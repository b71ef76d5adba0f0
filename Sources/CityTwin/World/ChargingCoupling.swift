import Energy
import Mobility
import SimKernel

/// The cross-domain loop around charging: private EVs and robotaxis drive to stations through
/// the traffic model, stations draw power at their grid bus, and the smart controller caps
/// stations from the latest power flow — which lengthens queues and keeps robotaxis away from
/// passengers.
///
/// Identifiers: robotaxi `v` is charger vehicle `v`; private charging visit `k` is charger
/// vehicle `privateVehicleBase + k` and traffic tag `privateTagBase + k` (the fleet's tags start
/// at `FleetParameters.tagBase`, above both).
struct ChargingCoupling {
    static let privateTagBase: UInt32 = 0x2000_0000
    static let privateVehicleBase: Int32 = 1 << 29

    let settings: ChargingSettings
    /// Road node and grid bus of each station.
    let stationNode: [Int32]
    let stationBus: [Int]
    /// Branch rows (case order) incident to each station's bus, for the "feeding line" loading.
    let stationBranches: [[Int]]
    var controller: SmartChargingController
    /// Per initial trip: EV battery and consumption (0 battery = not an EV).
    let tripBattery: [Double]
    let tripConsumption: [Double]
    let tripDestination: [Int32]

    // Private charging visits (struct-of-arrays).
    private(set) var visitTrip: [Int32] = []        // the trip that ended with a low battery
    private(set) var visitStation: [Int32] = []
    private(set) var visitDestination: [Int32] = [] // where the car returns after charging
    private(set) var visitSoC: [Double] = []
    private(set) var visitPhase: [UInt8] = []       // 0 driving to the station, 1 at the station, 2 returning, 3 done
    private(set) var arrivalCursor = 0
    private(set) var departureCursor = 0
    /// Cursor into the fleet's charging requests.
    private var fleetRequestCursor = 0
    /// Low-battery private EVs for which no station could be reached (reported as a warning).
    private(set) var unreachableStations = 0
    private var changed: [Int] = []
    private var voltage: [Double] = []
    private var loading: [Double] = []

    init(settings: ChargingSettings, stationNode: [Int32], stationBus: [Int], grid: PowerGrid, ratedKW: [Double],
         trips: TripList, source: String) throws {
        self.settings = settings
        self.stationNode = stationNode
        self.stationBus = stationBus
        var incident = [[Int]](repeating: [], count: grid.busCount)
        for k in 0..<grid.branchCount {
            incident[grid.branchFrom[k]].append(grid.branchSourceRow[k])
            incident[grid.branchTo[k]].append(grid.branchSourceRow[k])
        }
        stationBranches = stationBus.map { incident[$0] }
        do {
            controller = try SmartChargingController(policy: settings.policy == .smart ? .smart : .uncontrolled,
                                                     settings: settings.smart, ratedKW: ratedKW, source: source)
        } catch {
            throw ScenarioError(file: source, path: "charging", message: "\(error)")
        }
        tripBattery = trips.batteryKWh
        tripConsumption = trips.consumptionKWhPerKm
        tripDestination = trips.destination
    }

    /// Caps stations from the latest grid state (one control step).
    mutating func control(grid: GridSystem, chargers: inout ChargingStations, at time: SimTime, calendar: inout EventCalendar) {
        voltage = stationBus.map { grid.vm[$0] }
        loading = stationBranches.map { rows in rows.map { grid.loading[$0] }.max() ?? .nan }
        if !grid.lastConverged { voltage = voltage.map { _ in .nan }; loading = loading.map { _ in .nan } }
        controller.step(voltagePU: voltage, loadingPercent: loading, changed: &changed)
        for s in changed { chargers.setCap(station: s, kW: controller.capKW[s], at: time, calendar: &calendar) }
    }

    /// Picks a station for a car at `node`: the nearest by travel time, or (`score`) the one
    /// minimising travel time + queued vehicles × 30 min, a documented rough service time.
    mutating func chooseStation(from node: Int, traffic: inout TrafficSystem, chargers: ChargingStations) -> Int? {
        var best: (score: Double, station: Int)?
        for s in stationNode.indices {
            guard let t = node == Int(stationNode[s]) ? 0 : traffic.travelTime(from: node, to: Int(stationNode[s])) else { continue }
            var score = t
            if settings.stationChoice == .score { score += Double(chargers.queuedCount(s)) * 1800 }
            if best == nil || score < best!.score { best = (score, s) }
        }
        return best?.station
    }

    /// Handles new traffic arrivals of private cars: low-battery EVs detour to a station,
    /// visits arriving at their station plug in or queue, returning visits end.
    mutating func processArrivals(traffic: inout TrafficSystem, chargers: inout ChargingStations,
                                  at time: SimTime, calendar: inout EventCalendar) throws {
        while arrivalCursor < traffic.arrivalLog.count {
            let trip = Int(traffic.arrivalLog[arrivalCursor])
            arrivalCursor += 1
            if let tag = traffic.tag(ofTrip: trip) {
                guard tag >= Self.privateTagBase, tag < Self.privateTagBase + 0x1000_0000 else { continue }
                let k = Int(tag - Self.privateTagBase)
                guard k < visitPhase.count else { continue }
                let soc = traffic.tripState(trip)?.soc ?? visitSoC[k]
                visitSoC[k] = soc
                if visitPhase[k] == 0 {
                    visitPhase[k] = 1
                    let battery = tripBattery[Int(visitTrip[k])]
                    try chargers.arrive(vehicle: Self.privateVehicleBase + Int32(k), station: Int(visitStation[k]),
                                        demand: .stateOfCharge(batteryKWh: battery, current: min(soc, settings.privateTargetSoC),
                                                               target: settings.privateTargetSoC),
                                        at: time, calendar: &calendar)
                } else if visitPhase[k] == 2 {
                    visitPhase[k] = 3
                }
                continue
            }
            // A private trip of the demand ended.
            guard trip < tripBattery.count, tripBattery[trip] > 0,
                  let state = traffic.tripState(trip), state.soc < settings.privateSoCThreshold else { continue }
            let destination = Int(tripDestination[trip])
            guard let s = chooseStation(from: destination, traffic: &traffic, chargers: chargers) else {
                unreachableStations += 1
                continue
            }
            let k = visitPhase.count
            visitTrip.append(Int32(trip))
            visitStation.append(Int32(s))
            visitDestination.append(Int32(destination))
            visitSoC.append(state.soc)
            visitPhase.append(0)
            try traffic.addTrip(origin: destination, destination: Int(stationNode[s]), departure: time,
                                ev: (tripBattery[trip], tripConsumption[trip], state.soc),
                                tag: Self.privateTagBase + UInt32(k), calendar: &calendar)
        }
    }

    /// Turns the fleet's new charging requests (a robotaxi at a station's node) into arrivals.
    mutating func processFleetRequests(fleet: RobotaxiFleet, chargers: inout ChargingStations,
                                       at time: SimTime, calendar: inout EventCalendar) throws {
        while fleetRequestCursor < fleet.chargingLog.count {
            let r = fleet.chargingLog[fleetRequestCursor]
            fleetRequestCursor += 1
            guard let s = chargers.station(atNode: Int(r.node)) else { continue }
            try chargers.arrive(vehicle: r.vehicle, station: s,
                                demand: .stateOfCharge(batteryKWh: r.batteryKWh, current: min(r.soc, r.targetSoC), target: r.targetSoC),
                                at: time, calendar: &calendar)
        }
    }

    /// Handles vehicles leaving stations: robotaxis go back to the fleet, private cars drive
    /// back to where they were going.
    mutating func processDepartures(chargers: ChargingStations, traffic: inout TrafficSystem, fleet: inout RobotaxiFleet?,
                                    at time: SimTime, calendar: inout EventCalendar) throws {
        while departureCursor < chargers.departures.count {
            let d = chargers.departures[departureCursor]
            departureCursor += 1
            if d.vehicle >= ChargingAssembly.sessionVehicleBase {
                continue // a replayed session: it simply leaves
            } else if d.vehicle >= Self.privateVehicleBase {
                let k = Int(d.vehicle - Self.privateVehicleBase)
                guard k < visitPhase.count else { continue }
                let battery = tripBattery[Int(visitTrip[k])]
                let soc = d.finalSoC ?? visitSoC[k]
                visitSoC[k] = soc
                visitPhase[k] = 2
                try traffic.addTrip(origin: Int(stationNode[Int(visitStation[k])]), destination: Int(visitDestination[k]),
                                    departure: time, ev: (battery, tripConsumption[Int(visitTrip[k])], soc),
                                    tag: Self.privateTagBase + UInt32(k), calendar: &calendar)
            } else if let soc = d.finalSoC {
                try fleet?.chargingFinished(vehicle: Int(d.vehicle), soc: soc, at: time, calendar: &calendar, traffic: &traffic)
            }
        }
    }

    /// Low-battery detours to a station so far.
    var privateVisitCount: Int { visitPhase.count }
}
