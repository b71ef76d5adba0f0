// Robotaxi fleet: requests arrive over the day, a dispatcher assigns idle or soon-free vehicles,
// vehicles drive every leg as a run-time trip of the TrafficSystem (so they share its queues),
// idle vehicles rebalance toward recent demand, and low batteries send vehicles to charge
// through an append-only log that the coupling layer turns into charger visits.
// See docs/fleet.md for the rules and the wiring.
import Foundation
import SimKernel

/// What a robotaxi is doing. Raw values index `FleetStateCounts.asArray`.
public enum FleetVehicleState: UInt8, Sendable, CaseIterable {
    case idle = 0, toPickup, occupied, rebalancing, toCharger, charging
}

/// How requests are matched to vehicles.
public enum DispatchPolicy: Sendable, Equatable {
    /// On each request, the vehicle with the smallest estimated pick-up time among idle vehicles
    /// and soon-free ones (busy without a queued request: time to become free + travel time from
    /// where it becomes free). With no candidate the request waits FIFO; a vehicle that becomes
    /// free takes the oldest waiting request it can reach.
    case nearest
    /// Every `interval` seconds, waiting requests and available vehicles are matched minimising
    /// the total estimated pick-up time: Hungarian algorithm when min² × max ≤ `hungarianLimit`,
    /// else greedy by increasing pick-up time.
    case batched(interval: Double)
}

/// Fleet parameters (scenario values).
public struct FleetParameters: Sendable {
    public var vehicles: Int = 100
    public var dispatch: DispatchPolicy = .nearest
    /// Seconds a request may wait unassigned before it is rejected.
    public var maxWait: Double = 600
    /// Rebalancing period in seconds (0 = off).
    public var rebalanceInterval: Double = 900
    public var batteryKWh: Double = 60
    public var consumptionKWhPerKm: Double = 0.18
    public var initialSoC: Double = 0.9
    /// A vehicle that becomes free below this state of charge goes to charge.
    public var chargeThreshold: Double = 0.2
    /// State of charge the fleet asks chargers for (passed in the charging request).
    public var chargeTarget: Double = 0.8
    /// Start nodes (one per vehicle); nil = drawn from the request origins (demand-weighted),
    /// or uniformly over nodes if there are no requests, with stream "mobility.fleet".
    public var initialNodes: [Int32]? = nil
    public var seed: UInt64 = 0
    public var replication: UInt64 = 0
    /// Tags of the fleet's traffic trips are `tagBase + vehicle`; keep other callers' tags outside.
    public var tagBase: UInt32 = 0x4000_0000
    /// Largest min(P,V)² × max(P,V) solved exactly by the Hungarian algorithm in a batch.
    public var hungarianLimit: Double = 2e7
    /// Node count up to which travel-time estimates are a precomputed matrix.
    public var matrixNodeLimit: Int = 2000
    public init() {}
}

/// A vehicle's request to charge, appended to `RobotaxiFleet.chargingLog`.
public struct FleetChargingRequest: Sendable, Equatable {
    public var vehicle: Int32
    /// Node where the vehicle waits (a charger node when chargers are known, else where it was).
    public var node: Int32
    public var soc: Double
    public var batteryKWh: Double
    public var targetSoC: Double
    public var time: SimTime
}

/// Vehicles per state at one instant.
public struct FleetStateCounts: Sendable, Equatable {
    public var idle = 0, toPickup = 0, occupied = 0, rebalancing = 0, toCharger = 0, charging = 0
    /// In `FleetVehicleState` raw-value order.
    public var asArray: [Int] { [idle, toPickup, occupied, rebalancing, toCharger, charging] }
}

/// Request table for the recorder (request order = time order). Times in seconds, NaN if not reached.
public struct FleetRequestTable: Sendable {
    public var id: [Int32]
    public var origin: [Int32]
    public var destination: [Int32]
    public var requestTime: [Double]
    public var assignTime: [Double]
    public var pickupTime: [Double]
    public var dropoffTime: [Double]
    /// Pick-up − request time (s); NaN if not picked up.
    public var wait: [Double]
    public var rejected: [Bool]
    /// Serving vehicle, −1 if none.
    public var vehicle: [Int32]
}

/// Fleet KPIs so far.
public struct FleetKPIs: Sendable, Equatable {
    /// Requests that have arrived.
    public var requests: Int
    public var served: Int
    public var rejected: Int
    /// Arrived, neither served nor rejected (waiting, assigned or on board).
    public var inProgress: Int
    /// Of those rejected, how many could not be routed (no path origin → destination).
    public var unroutable: Int
    /// Mean and 95th percentile (nearest rank) of pick-up − request time over picked-up requests (s).
    public var meanWait: Double
    public var p95Wait: Double
    /// Rejected / arrived requests.
    public var rejectionRate: Double
    public var vehicleKm: Double
    /// Share of vehicle-km driven without a passenger (to pick-up, rebalancing, to charger).
    public var emptyKmShare: Double
    /// Occupied vehicle-time / (vehicles × elapsed time).
    public var utilisation: Double
    public var chargingVisits: Int
    public var rebalancingTrips: Int
}

/// The robotaxi fleet system (struct-of-arrays per vehicle and per request).
///
/// Event kinds (`handlerBase + k`, `handlerCount = 4`, all priority 0): 0 request arrival
/// (agent = request; each schedules the next, so the calendar never holds all requests),
/// 1 wait timeout (agent = request), 2 batch dispatch (periodic), 3 rebalancing (periodic).
/// The fleet's events need the traffic system: route them with
/// `fleet.handle(event, calendar: &cal, traffic: &traffic)`, and after every traffic event call
/// `fleet.pollArrivals(traffic: &traffic, calendar: &cal)` (O(1) when nothing arrived);
/// `FleetTrafficCoupling` does exactly this.
public struct RobotaxiFleet: Sendable {
    public static let handlerCount: UInt32 = 4
    public let handlerBase: UInt32
    public let parameters: FleetParameters
    public let requests: FleetRequests
    var times: TravelTimeTable
    let nodeCount: Int
    let threshold: Double

    // MARK: Vehicle state
    @usableFromInline var vState: [UInt8]
    /// Node of each vehicle: where it is when stopped, where its current leg started when moving.
    public private(set) var vehicleNode: [Int32]
    /// State of charge per vehicle (updated at the end of each leg and by `chargingFinished`).
    public private(set) var vehicleSoC: [Double]
    @usableFromInline var vTarget: [Int32]
    @usableFromInline var vTrip: [Int32]       // current traffic trip, −1 if none
    @usableFromInline var vReq: [Int32]        // request being picked up / carried, −1
    @usableFromInline var vNext: [Int32]       // request queued after the current leg(s), −1
    @usableFromInline var vFreeAt: [Int64]     // expected time the vehicle becomes free (ms)
    @usableFromInline var vFreeNode: [Int32]   // where it becomes free
    var chargerNodes: [Int32] = []

    // MARK: Request state
    @usableFromInline var rStatus: [UInt8]     // 0 future, 1 waiting, 2 assigned, 3 on board, 4 served, 5 rejected
    @usableFromInline var rAssign: [Int64]
    @usableFromInline var rPickup: [Int64]
    @usableFromInline var rDropoff: [Int64]
    @usableFromInline var rVehicle: [Int32]
    var waiting: [Int32] = []                  // FIFO of waiting requests (lazy removal)
    var waitingHead = 0
    var recentDemand: [Int32]                  // requests per origin node since the last rebalancing
    var recentNodes: [Int32] = []

    // MARK: Statistics
    var stateCount = [Int](repeating: 0, count: 6)
    var stateTimeMs = [Double](repeating: 0, count: 6)
    var lastAccountMs: Int64 = 0
    var startMs: Int64 = 0
    public private(set) var arrivedRequests = 0
    public private(set) var servedCount = 0
    public private(set) var rejectedCount = 0
    public private(set) var unroutableCount = 0
    public private(set) var rebalancingTrips = 0
    public private(set) var emptyMetres = 0.0
    public private(set) var occupiedMetres = 0.0
    /// Requests to charge, in emission order (append-only; read with a cursor).
    public private(set) var chargingLog: [FleetChargingRequest] = []
    var arrivalCursor = 0

    /// Builds the fleet on `network` for `requests`. Throws (naming the parameter) for invalid
    /// values or start nodes outside the network. O(V + R) plus the travel-time table
    /// (N Dijkstra trees for a matrix; see `TravelTimeTable`).
    public init(network: RoadNetwork, requests: FleetRequests, parameters: FleetParameters = FleetParameters(),
                handlerBase: UInt32) throws {
        let p = parameters
        let n = network.nodeCount
        guard p.vehicles >= 0, p.vehicles <= Int(UInt32.max - p.tagBase), p.vehicles < 10_000_000 else {
            throw MobilityError("fleet.vehicles: \(p.vehicles); expected 0 ≤ vehicles < 10,000,000 and tagBase + vehicles ≤ UInt32.max")
        }
        guard p.maxWait > 0, p.maxWait < 1e9 else { throw MobilityError("fleet.maxWait: \(p.maxWait); expected seconds in (0, 1e9)") }
        guard p.rebalanceInterval >= 0, p.rebalanceInterval < 1e9 else {
            throw MobilityError("fleet.rebalanceInterval: \(p.rebalanceInterval); expected seconds ≥ 0 (0 = off)")
        }
        if case .batched(let dt) = p.dispatch, !(dt > 0 && dt < 1e9) {
            throw MobilityError("fleet.dispatch.interval: \(dt); expected seconds > 0")
        }
        guard p.batteryKWh > 0, p.batteryKWh.isFinite, p.consumptionKWhPerKm >= 0, p.consumptionKWhPerKm.isFinite else {
            throw MobilityError("fleet.batteryKWh / consumptionKWhPerKm: expected battery > 0 and consumption ≥ 0")
        }
        guard (0...1).contains(p.initialSoC), (0...1).contains(p.chargeThreshold), (0...1).contains(p.chargeTarget),
              p.chargeThreshold < p.chargeTarget else {
            throw MobilityError("fleet.initialSoC / chargeThreshold / chargeTarget: expected values in 0...1 with threshold < target")
        }
        guard p.hungarianLimit >= 0 else { throw MobilityError("fleet.hungarianLimit: expected ≥ 0") }
        for i in 0..<requests.count where !(requests.origin[i] >= 0 && Int(requests.origin[i]) < n
                                              && requests.destination[i] >= 0 && Int(requests.destination[i]) < n) {
            throw MobilityError("fleet requests: request \(i) references a node outside 0..<\(n)")
        }
        self.handlerBase = handlerBase
        self.parameters = p
        self.requests = requests
        self.nodeCount = n
        self.threshold = p.chargeThreshold
        times = try TravelTimeTable(network: network, matrixNodeLimit: p.matrixNodeLimit)
        var start: [Int32]
        if let nodes = p.initialNodes {
            guard nodes.count == p.vehicles else {
                throw MobilityError("fleet.initialNodes: \(nodes.count) nodes for \(p.vehicles) vehicles; expected one per vehicle")
            }
            for (i, x) in nodes.enumerated() where !(x >= 0 && Int(x) < n) {
                throw MobilityError("fleet.initialNodes[\(i)]: node \(x) is outside 0..<\(n)")
            }
            start = nodes
        } else {
            guard p.vehicles == 0 || n > 0 else { throw MobilityError("fleet.vehicles: cannot place vehicles on an empty network") }
            var rng = RandomStream(seed: p.seed, replication: p.replication, stream: StreamID.named("mobility.fleet"))
            start = (0..<p.vehicles).map { _ in
                requests.count > 0 ? requests.origin[rng.uniform(0...(requests.count - 1))] : Int32(rng.uniform(0...(n - 1)))
            }
        }
        let v = p.vehicles, r = requests.count
        vState = [UInt8](repeating: FleetVehicleState.idle.rawValue, count: v)
        vehicleNode = start
        vehicleSoC = [Double](repeating: p.initialSoC, count: v)
        vTarget = start; vTrip = [Int32](repeating: -1, count: v)
        vReq = [Int32](repeating: -1, count: v); vNext = [Int32](repeating: -1, count: v)
        vFreeAt = [Int64](repeating: 0, count: v); vFreeNode = start
        rStatus = [UInt8](repeating: 0, count: r)
        rAssign = [Int64](repeating: -1, count: r); rPickup = [Int64](repeating: -1, count: r)
        rDropoff = [Int64](repeating: -1, count: r); rVehicle = [Int32](repeating: -1, count: r)
        recentDemand = [Int32](repeating: 0, count: n)
        stateCount[0] = v
    }

    /// Nodes of charging stations: a low-battery vehicle drives to the one nearest by travel time
    /// before asking to charge. Empty (default): it asks to charge where it is. Throws for nodes
    /// outside the network.
    public mutating func setChargerNodes(_ nodes: [Int32]) throws {
        for (i, x) in nodes.enumerated() where !(x >= 0 && Int(x) < nodeCount) {
            throw MobilityError("fleet charger nodes[\(i)]: node \(x) is outside 0..<\(nodeCount)")
        }
        chargerNodes = nodes
    }

    /// Replaces the travel-time estimates, e.g. `TravelTimeTable(network:costs: traffic.currentLinkCosts)`
    /// for congestion-aware dispatch after a re-routing update.
    public mutating func setTravelTimes(_ table: TravelTimeTable) throws {
        guard table.nodeCount == nodeCount else { throw MobilityError("fleet travel times: table has \(table.nodeCount) nodes, network \(nodeCount)") }
        times = table
    }

    public var vehicleCount: Int { vState.count }
    @inlinable public func state(ofVehicle v: Int) -> FleetVehicleState? {
        v >= 0 && v < vState.count ? FleetVehicleState(rawValue: vState[v]) : nil
    }

    // MARK: Events

    /// Schedules the first request arrival and the periodic batch and rebalancing events.
    public mutating func start(calendar: inout EventCalendar) {
        startMs = calendar.now.milliseconds
        lastAccountMs = startMs
        if requests.count > 0 {
            calendar.scheduleUntracked(at: SimTime(milliseconds: max(requests.time[0], startMs)), handler: handlerBase, agent: 0)
        }
        if case .batched(let dt) = parameters.dispatch {
            let every = SimTime.seconds(dt)
            calendar.schedulePeriodic(start: calendar.now + every, every: every, handler: handlerBase + 2)
        }
        if parameters.rebalanceInterval > 0 {
            let every = SimTime.seconds(parameters.rebalanceInterval)
            calendar.schedulePeriodic(start: calendar.now + every, every: every, handler: handlerBase + 3)
        }
    }

    /// Processes one of the fleet's events (handler in `handlerBase ..< handlerBase + handlerCount`).
    public mutating func handle(_ event: Event, calendar: inout EventCalendar, traffic: inout TrafficSystem) {
        let t = event.time.milliseconds
        let a = Int(event.agent)
        switch event.handler &- handlerBase {
        case 0: requestArrived(a, t, &calendar, &traffic)
        case 1:
            if a < rStatus.count, rStatus[a] == 1 { reject(a) }
        case 2: batchDispatch(t, &calendar, &traffic)
        case 3: rebalance(t, &calendar, &traffic)
        default: return
        }
    }

    /// Reads new arrivals from `traffic.arrivalLog` (own cursor) and handles those of this fleet's
    /// trips (tags `tagBase ..< tagBase + vehicles`); others are skipped. O(new arrivals).
    public mutating func pollArrivals(traffic: inout TrafficSystem, calendar: inout EventCalendar) {
        while arrivalCursor < traffic.arrivalLog.count {
            let trip = Int(traffic.arrivalLog[arrivalCursor])
            arrivalCursor += 1
            guard let tag = traffic.tag(ofTrip: trip), tag >= parameters.tagBase else { continue }
            let v = Int(tag - parameters.tagBase)
            guard v < vState.count, Int(vTrip[v]) == trip else { continue }
            arrived(v, trip, calendar.now.milliseconds, &calendar, &traffic)
        }
    }

    /// The coupling layer's notification that the fleet trip tagged `tag` arrived (use instead of
    /// `pollArrivals` when arrivals are dispatched by tag). Ignored for unknown tags or vehicles
    /// without a trip. Reads distance and SoC of the leg from `traffic`.
    public mutating func vehicleArrived(tag: UInt32, at time: SimTime, calendar: inout EventCalendar, traffic: inout TrafficSystem) {
        guard tag >= parameters.tagBase else { return }
        let v = Int(tag - parameters.tagBase)
        guard v < vState.count, vTrip[v] >= 0 else { return }
        arrived(v, Int(vTrip[v]), time.milliseconds, &calendar, &traffic)
    }

    /// The coupling layer's notification that `vehicle` finished charging with state of charge
    /// `soc`; the vehicle becomes available at its charger node. Throws if the vehicle is not
    /// charging or soc is outside 0...1.
    public mutating func chargingFinished(vehicle: Int, soc: Double, at time: SimTime,
                                          calendar: inout EventCalendar, traffic: inout TrafficSystem) throws {
        guard vehicle >= 0, vehicle < vState.count else {
            throw MobilityError("fleet.chargingFinished: vehicle \(vehicle) outside 0..<\(vState.count)")
        }
        guard vState[vehicle] == FleetVehicleState.charging.rawValue else {
            throw MobilityError("fleet.chargingFinished: vehicle \(vehicle) is not charging (state \(FleetVehicleState(rawValue: vState[vehicle]).map { "\($0)" } ?? "?"))")
        }
        guard (0...1).contains(soc) else { throw MobilityError("fleet.chargingFinished: soc \(soc); expected 0...1") }
        vehicleSoC[vehicle] = soc
        becomeFree(vehicle, time.milliseconds, &calendar, &traffic, afterCharging: true)
    }

    // MARK: Internals

    @inline(__always) mutating func setState(_ v: Int, _ s: FleetVehicleState, _ t: Int64) {
        let dt = Double(t - lastAccountMs)
        if dt > 0 {
            for k in 0..<6 { stateTimeMs[k] += Double(stateCount[k]) * dt }
            lastAccountMs = t
        }
        stateCount[Int(vState[v])] -= 1
        stateCount[Int(s.rawValue)] += 1
        vState[v] = s.rawValue
    }

    mutating func requestArrived(_ r: Int, _ t: Int64, _ calendar: inout EventCalendar, _ traffic: inout TrafficSystem) {
        guard r < requests.count else { return }
        if r + 1 < requests.count {
            calendar.scheduleUntracked(at: SimTime(milliseconds: max(requests.time[r + 1], t)), handler: handlerBase, agent: UInt32(r + 1))
        }
        arrivedRequests += 1
        let o = Int(requests.origin[r])
        if recentDemand[o] == 0 { recentNodes.append(Int32(o)) }
        recentDemand[o] += 1
        guard times.time(from: o, to: Int(requests.destination[r])).isFinite else {
            unroutableCount += 1; reject(r); return
        }
        rStatus[r] = 1
        waiting.append(Int32(r))
        calendar.scheduleUntracked(at: SimTime(milliseconds: t + Int64((parameters.maxWait * 1000).rounded())),
                                   handler: handlerBase + 1, agent: UInt32(r))
        if parameters.dispatch == .nearest { dispatchNearest(r, t, &calendar, &traffic) }
    }

    /// Seconds → ms for estimates, clamped (an infinite estimate must not trap).
    @inline(__always) func msEstimate(_ s: Double) -> Int64 { s < 1e12 ? Int64((s * 1000).rounded()) : 1_000_000_000_000_000 }

    mutating func reject(_ r: Int) {
        rStatus[r] = 5
        rejectedCount += 1
    }

    /// Estimated pick-up delay (s) of vehicle v for the current target of `times`, or ∞ if it is
    /// unavailable (charging, low battery, already holding a queued request).
    @inline(__always) func eta(_ v: Int, _ t: Int64) -> Double {
        switch vState[v] {
        case FleetVehicleState.idle.rawValue:
            return vehicleSoC[v] >= threshold ? times.timeToTarget(from: Int(vehicleNode[v])) : .infinity
        case FleetVehicleState.toPickup.rawValue, FleetVehicleState.occupied.rawValue, FleetVehicleState.rebalancing.rawValue:
            guard vNext[v] < 0 else { return .infinity }
            return Double(max(0, vFreeAt[v] - t)) / 1000 + times.timeToTarget(from: Int(vFreeNode[v]))
        default:
            return .infinity
        }
    }

    mutating func dispatchNearest(_ r: Int, _ t: Int64, _ calendar: inout EventCalendar, _ traffic: inout TrafficSystem) {
        times.setTarget(Int(requests.origin[r]))
        var best = Double.infinity, bv = -1
        for v in 0..<vState.count {
            let e = eta(v, t)
            if e < best { best = e; bv = v }
        }
        if bv >= 0 { assign(r, to: bv, t, &calendar, &traffic) }
    }

    /// Assigns request r to vehicle v: an idle vehicle leaves now, a busy one queues it.
    mutating func assign(_ r: Int, to v: Int, _ t: Int64, _ calendar: inout EventCalendar, _ traffic: inout TrafficSystem) {
        rStatus[r] = 2; rAssign[r] = t; rVehicle[r] = Int32(v)
        if vState[v] == FleetVehicleState.idle.rawValue {
            goPickup(v, r, t, &calendar, &traffic)
        } else {
            vNext[v] = Int32(r)
            // It becomes free later at the drop-off of r.
            vFreeAt[v] = vFreeAt[v] + msEstimate(times.timeToTarget(from: Int(vFreeNode[v]))
                                                 + times.time(from: Int(requests.origin[r]), to: Int(requests.destination[r])))
            vFreeNode[v] = requests.destination[r]
        }
    }

    mutating func goPickup(_ v: Int, _ r: Int, _ t: Int64, _ calendar: inout EventCalendar, _ traffic: inout TrafficSystem) {
        vReq[v] = Int32(r)
        let o = Int(requests.origin[r]), d = Int(requests.destination[r])
        vFreeAt[v] = t + msEstimate(times.time(from: Int(vehicleNode[v]), to: o) + times.time(from: o, to: d))
        vFreeNode[v] = Int32(d)
        drive(v, .toPickup, o, t, &calendar, &traffic)
    }

    /// Starts a leg to `node` as a traffic trip (or completes it at once if already there).
    mutating func drive(_ v: Int, _ s: FleetVehicleState, _ node: Int, _ t: Int64,
                        _ calendar: inout EventCalendar, _ traffic: inout TrafficSystem) {
        setState(v, s, t)
        vTarget[v] = Int32(node)
        if Int(vehicleNode[v]) == node { arrived(v, -1, t, &calendar, &traffic); return }
        do {
            let trip = try traffic.addTrip(origin: Int(vehicleNode[v]), destination: node, departure: SimTime(milliseconds: t),
                                           ev: (parameters.batteryKWh, parameters.consumptionKWhPerKm, vehicleSoC[v]),
                                           tag: parameters.tagBase + UInt32(v), calendar: &calendar)
            vTrip[v] = Int32(trip)
        } catch {
            // Unreachable target (estimates said reachable, so only with inconsistent costs):
            // drop the leg; a request in it is rejected rather than lost.
            unroutableCount += 1
            vTarget[v] = vehicleNode[v]
            if vReq[v] >= 0 { reject(Int(vReq[v])); vReq[v] = -1 }
            becomeFree(v, t, &calendar, &traffic, afterCharging: false)
        }
    }

    /// End of a leg of vehicle v at t (trip −1: zero-length leg).
    mutating func arrived(_ v: Int, _ trip: Int, _ t: Int64, _ calendar: inout EventCalendar, _ traffic: inout TrafficSystem) {
        vTrip[v] = -1
        vehicleNode[v] = vTarget[v]
        let s = FleetVehicleState(rawValue: vState[v]) ?? .idle
        if trip >= 0, let st = traffic.tripState(trip) {
            if s == .occupied { occupiedMetres += st.distance } else { emptyMetres += st.distance }
            if st.soc.isFinite { vehicleSoC[v] = st.soc }
        }
        switch s {
        case .toPickup:
            let r = Int(vReq[v])
            rStatus[r] = 3; rPickup[r] = t
            drive(v, .occupied, Int(requests.destination[r]), t, &calendar, &traffic)
        case .occupied:
            let r = Int(vReq[v])
            rStatus[r] = 4; rDropoff[r] = t; servedCount += 1
            vReq[v] = -1
            becomeFree(v, t, &calendar, &traffic, afterCharging: false)
        case .rebalancing:
            becomeFree(v, t, &calendar, &traffic, afterCharging: false)
        case .toCharger:
            setState(v, .charging, t)
            chargingLog.append(FleetChargingRequest(vehicle: Int32(v), node: vehicleNode[v], soc: vehicleSoC[v],
                                                    batteryKWh: parameters.batteryKWh, targetSoC: parameters.chargeTarget,
                                                    time: SimTime(milliseconds: t)))
        case .idle, .charging:
            return
        }
    }

    /// Vehicle v has no leg: serve its queued request, else charge if low, else (nearest policy)
    /// take the oldest waiting request it can reach, else wait idle.
    mutating func becomeFree(_ v: Int, _ t: Int64, _ calendar: inout EventCalendar, _ traffic: inout TrafficSystem, afterCharging: Bool) {
        if vNext[v] >= 0 {
            let r = Int(vNext[v]); vNext[v] = -1
            goPickup(v, r, t, &calendar, &traffic)
            return
        }
        if !afterCharging && vehicleSoC[v] < threshold { goCharge(v, t, &calendar, &traffic); return }
        setState(v, .idle, t)
        vFreeAt[v] = t; vFreeNode[v] = vehicleNode[v]
        guard parameters.dispatch == .nearest, vehicleSoC[v] >= threshold || afterCharging else { return }
        var k = waitingHead
        while k < waiting.count {
            let r = Int(waiting[k])
            if rStatus[r] == 1 && times.time(from: Int(vehicleNode[v]), to: Int(requests.origin[r])).isFinite {
                assign(r, to: v, t, &calendar, &traffic)
                break
            }
            k += 1
        }
        compactWaiting()
    }

    /// Drops the settled prefix of the waiting FIFO (amortised O(1)).
    mutating func compactWaiting() {
        while waitingHead < waiting.count && rStatus[Int(waiting[waitingHead])] != 1 { waitingHead += 1 }
        if waitingHead > 1024 && waitingHead * 2 > waiting.count {
            waiting.removeFirst(waitingHead); waitingHead = 0
        }
    }

    mutating func goCharge(_ v: Int, _ t: Int64, _ calendar: inout EventCalendar, _ traffic: inout TrafficSystem) {
        var target = Int(vehicleNode[v]), best = Double.infinity
        for c in chargerNodes {
            let e = times.time(from: Int(vehicleNode[v]), to: Int(c))
            if e < best { best = e; target = Int(c) }
        }
        drive(v, .toCharger, target, t, &calendar, &traffic)
    }

    mutating func batchDispatch(_ t: Int64, _ calendar: inout EventCalendar, _ traffic: inout TrafficSystem) {
        compactWaiting()
        var reqs: [Int] = []
        for k in waitingHead..<waiting.count where rStatus[Int(waiting[k])] == 1 { reqs.append(Int(waiting[k])) }
        guard !reqs.isEmpty else { return }
        var vehs: [Int] = []
        for v in 0..<vState.count {
            let s = vState[v]
            if s == FleetVehicleState.idle.rawValue ? vehicleSoC[v] >= threshold
                : (s >= 1 && s <= 3 && vNext[v] < 0) { vehs.append(v) }
        }
        guard !vehs.isEmpty else { return }
        let np = reqs.count, nv = vehs.count
        var cost = [Double](repeating: .infinity, count: np * nv)
        for (i, r) in reqs.enumerated() {
            times.setTarget(Int(requests.origin[r]))
            for (j, v) in vehs.enumerated() { cost[i * nv + j] = eta(v, t) }
        }
        let pairs = FleetAssignment.solve(cost: cost, rows: np, columns: nv, hungarianLimit: parameters.hungarianLimit)
        for (i, j) in pairs { assign(reqs[i], to: vehs[j], t, &calendar, &traffic) }
        compactWaiting()
    }

    /// Every interval: the idle vehicles are shared among the origin nodes of the interval's
    /// requests in proportion to their counts (largest first, ties by node); each node short of
    /// its share pulls the nearest idle vehicle from a node above its share (nodes without recent
    /// demand have share 0). Vehicles already heading to a node count toward its share.
    mutating func rebalance(_ t: Int64, _ calendar: inout EventCalendar, _ traffic: inout TrafficSystem) {
        defer {
            for x in recentNodes { recentDemand[Int(x)] = 0 }
            recentNodes.removeAll(keepingCapacity: true)
        }
        guard !recentNodes.isEmpty else { return }
        var idle: [Int] = []
        for v in 0..<vState.count where vState[v] == FleetVehicleState.idle.rawValue && vehicleSoC[v] >= threshold { idle.append(v) }
        guard !idle.isEmpty else { return }
        let nodes = recentNodes.map { Int($0) }.sorted { (recentDemand[$0], -$0) > (recentDemand[$1], -$1) }
        var total = 0
        for x in nodes { total += Int(recentDemand[x]) }
        var share = [Int](repeating: 0, count: nodeCount)   // target idle vehicles per demand node
        for x in nodes { share[x] = Int((Double(idle.count) * Double(recentDemand[x]) / Double(total)).rounded()) }
        var supply = [Int](repeating: 0, count: nodeCount)
        for v in 0..<vState.count where vState[v] == FleetVehicleState.rebalancing.rawValue { supply[Int(vTarget[v])] += 1 }
        var surplus: [Int] = []
        for v in idle {                                     // vehicle order: deterministic
            let x = Int(vehicleNode[v])
            if supply[x] < share[x] { supply[x] += 1 } else { surplus.append(v) }
        }
        var used = [Bool](repeating: false, count: surplus.count)
        for x in nodes where supply[x] < share[x] {
            times.setTarget(x)
            while supply[x] < share[x] {
                var best = Double.infinity, bi = -1
                for (i, v) in surplus.enumerated() where !used[i] {
                    let e = times.timeToTarget(from: Int(vehicleNode[v]))
                    if e < best { best = e; bi = i }
                }
                guard bi >= 0 else { break }
                used[bi] = true
                supply[x] += 1
                let v = surplus[bi]
                rebalancingTrips += 1
                vFreeAt[v] = t + msEstimate(best); vFreeNode[v] = Int32(x)
                drive(v, .rebalancing, x, t, &calendar, &traffic)
            }
        }
    }

    // MARK: Outputs

    /// Vehicles per state now. O(1).
    public var stateCounts: FleetStateCounts {
        FleetStateCounts(idle: stateCount[0], toPickup: stateCount[1], occupied: stateCount[2],
                         rebalancing: stateCount[3], toCharger: stateCount[4], charging: stateCount[5])
    }

    /// Status of request r: "future", "waiting", "assigned", "onBoard", "served", "rejected".
    public func requestStatus(_ r: Int) -> String? {
        guard r >= 0, r < rStatus.count else { return nil }
        return ["future", "waiting", "assigned", "onBoard", "served", "rejected"][Int(rStatus[r])]
    }

    /// The request table (time order). O(R).
    public func requestTable() -> FleetRequestTable {
        func s(_ x: Int64) -> Double { x >= 0 ? Double(x) / 1000 : .nan }
        let r = requests.count
        return FleetRequestTable(id: (0..<r).map { Int32($0) }, origin: requests.origin, destination: requests.destination,
                                 requestTime: requests.time.map { Double($0) / 1000 }, assignTime: rAssign.map(s),
                                 pickupTime: rPickup.map(s), dropoffTime: rDropoff.map(s),
                                 wait: (0..<r).map { rPickup[$0] >= 0 ? Double(rPickup[$0] - requests.time[$0]) / 1000 : .nan },
                                 rejected: rStatus.map { $0 == 5 }, vehicle: rVehicle)
    }

    /// KPIs up to `now`. O(R log R) (the wait percentile sorts).
    public func kpis(now: SimTime) -> FleetKPIs {
        var waits: [Double] = []
        for r in 0..<requests.count where rPickup[r] >= 0 { waits.append(Double(rPickup[r] - requests.time[r]) / 1000) }
        waits.sort()
        let mean = waits.isEmpty ? 0 : waits.reduce(0, +) / Double(waits.count)
        let p95 = waits.isEmpty ? 0 : waits[max(0, Int((0.95 * Double(waits.count)).rounded(.up)) - 1)]
        var occ = stateTimeMs[2]
        let dt = Double(max(0, now.milliseconds - lastAccountMs))
        occ += Double(stateCount[2]) * dt
        let elapsed = Double(max(0, now.milliseconds - startMs)) * Double(vState.count)
        let km = (emptyMetres + occupiedMetres) / 1000
        return FleetKPIs(requests: arrivedRequests, served: servedCount, rejected: rejectedCount,
                         inProgress: arrivedRequests - servedCount - rejectedCount, unroutable: unroutableCount,
                         meanWait: mean, p95Wait: p95,
                         rejectionRate: arrivedRequests > 0 ? Double(rejectedCount) / Double(arrivedRequests) : 0,
                         vehicleKm: km, emptyKmShare: km > 0 ? emptyMetres / 1000 / km : 0,
                         utilisation: elapsed > 0 ? occ / elapsed : 0,
                         chargingVisits: chargingLog.count, rebalancingTrips: rebalancingTrips)
    }
}

/// Fleet and traffic run together: routes events by handler range and forwards traffic arrivals
/// to the fleet. The world can hold one of these, or copy its `handle` (five lines).
public struct FleetTrafficCoupling: EventHandler, Sendable {
    public var traffic: TrafficSystem
    public var fleet: RobotaxiFleet
    public init(traffic: TrafficSystem, fleet: RobotaxiFleet) { self.traffic = traffic; self.fleet = fleet }

    /// Starts both systems.
    public mutating func start(calendar: inout EventCalendar) {
        traffic.start(calendar: &calendar)
        fleet.start(calendar: &calendar)
    }

    public mutating func handle(_ event: Event, calendar: inout EventCalendar) {
        if event.handler &- fleet.handlerBase < RobotaxiFleet.handlerCount {
            fleet.handle(event, calendar: &calendar, traffic: &traffic)
        } else {
            traffic.handle(event, calendar: &calendar)
            fleet.pollArrivals(traffic: &traffic, calendar: &calendar)
        }
    }
}
