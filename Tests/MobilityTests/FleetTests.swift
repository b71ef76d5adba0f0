import Foundation
import XCTest
@testable import Mobility
import SimKernel

/// Two-way line 0 – 1 – … – (n−1): every link 1,000 m at 10 m/s = 100 s free flow, 1,800 veh/h.
private func line(_ n: Int) throws -> RoadNetwork {
    var links: [(Int, Int, Double, Double, Double, Int)] = []
    for i in 0..<(n - 1) { links.append((i, i + 1, 1000, 10, 1800, 1)); links.append((i + 1, i, 1000, 10, 1800, 1)) }
    return try makeNetwork(nodes: (0..<n).map { (Double($0) * 1000, 0) }, links: links)
}

private func requests(_ list: [(o: Int, d: Int, t: Double)]) throws -> FleetRequests {
    var r = FleetRequests()
    for x in list { try r.append(origin: x.o, destination: x.d, time: .seconds(x.t)) }
    return r
}

/// Fleet + empty traffic on `net`, handler blocks 0 (traffic) and 100 (fleet).
/// (`cal` is started with the fleet's and traffic's first events.)
private func world(_ cal: inout EventCalendar, _ net: RoadNetwork, _ req: FleetRequests, _ p: FleetParameters,
                   trips: TripList = TripList(), chargers: [Int32] = []) throws -> FleetTrafficCoupling {
    let traffic = try TrafficSystem(network: net, trips: trips, handlerBase: 0)
    var fleet = try RobotaxiFleet(network: net, requests: req, parameters: p, handlerBase: 100)
    try fleet.setChargerNodes(chargers)
    var w = FleetTrafficCoupling(traffic: traffic, fleet: fleet)
    w.start(calendar: &cal)
    return w
}

private func params(_ nodes: [Int32], _ change: (inout FleetParameters) -> Void = { _ in }) -> FleetParameters {
    var p = FleetParameters()
    p.vehicles = nodes.count; p.initialNodes = nodes; p.rebalanceInterval = 0
    change(&p)
    return p
}

final class FleetTests: XCTestCase {
    /// One vehicle at node 0, request 2 → 3 at 50 s: pick-up after exactly 2 links (200 s), drop-off 100 s later.
    func testSingleVehiclePickupTimeEqualsTravelTime() throws {
        var cal = EventCalendar()
        var w = try world(&cal, try line(4), try requests([(2, 3, 50)]), params([0]))
        runEvents(&w, calendar: &cal, until: .hours(1))
        let t = w.fleet.requestTable()
        XCTAssertEqual(t.assignTime[0], 50)
        XCTAssertEqual(t.pickupTime[0], 250)   // exact: ms-rounded free-flow times, no other traffic
        XCTAssertEqual(t.dropoffTime[0], 350)
        XCTAssertEqual(t.wait[0], 200)
        XCTAssertFalse(t.rejected[0])
        let k = w.fleet.kpis(now: .seconds(350))
        XCTAssertEqual(k.served, 1); XCTAssertEqual(k.meanWait, 200); XCTAssertEqual(k.p95Wait, 200)
        XCTAssertEqual(k.vehicleKm, 3, accuracy: 1e-12)
        XCTAssertEqual(k.emptyKmShare, 2.0 / 3, accuracy: 1e-12)
        // Occupied 100 s of 350 s for one vehicle.
        XCTAssertEqual(k.utilisation, 100.0 / 350, accuracy: 1e-12)
        XCTAssertEqual(w.fleet.vehicleNode[0], 3)
        XCTAssertEqual(w.fleet.stateCounts.idle, 1)
        // Both legs are run-time trips in the traffic system, tagged with the vehicle.
        XCTAssertEqual(w.traffic.vehicleCount, 2)
        XCTAssertEqual(w.traffic.tag(ofTrip: 0), w.fleet.parameters.tagBase)
        XCTAssertEqual(w.traffic.arrivalLog, [0, 1])
        // EV drain: 3 km × 0.18 kWh/km of 60 kWh.
        XCTAssertEqual(w.fleet.vehicleSoC[0], 0.9 - 3 * 0.18 / 60, accuracy: 1e-12)
    }

    func testNearestPicksClosestVehicle() throws {
        // Vehicles at 0 and 3; the request at 2 is 100 s from vehicle 1 and 200 s from vehicle 0.
        var cal = EventCalendar()
        var w = try world(&cal, try line(5), try requests([(2, 4, 0)]), params([0, 3]))
        runEvents(&w, calendar: &cal, until: .hours(1))
        let t = w.fleet.requestTable()
        XCTAssertEqual(t.vehicle[0], 1); XCTAssertEqual(t.pickupTime[0], 100)
        XCTAssertEqual(w.fleet.vehicleNode[0], 0)
    }

    /// One vehicle, three requests at the same node: served in request order (FIFO). The second
    /// is queued on the busy vehicle at once (soon-free); the third waits until it is free.
    func testFIFOWithOneVehicle() throws {
        var cal = EventCalendar()
        var w = try world(&cal, try line(3), try requests([(0, 1, 0), (0, 1, 1), (0, 1, 2)]), params([0]) { $0.maxWait = 3600 })
        runEvents(&w, calendar: &cal, until: .hours(1))
        let t = w.fleet.requestTable()
        // r0: 0 → 1 (100 s); back 100 s; r1 at 200 → 300; back → r2 picked at 400.
        XCTAssertEqual(t.pickupTime, [0, 200, 400])
        XCTAssertEqual(t.dropoffTime, [100, 300, 500])
        XCTAssertEqual(t.assignTime, [0, 1, 300])
        XCTAssertEqual(w.fleet.kpis(now: .seconds(500)).served, 3)
    }

    /// Brute force over all injective maps of the smaller side on random matrices (with
    /// forbidden entries): the Hungarian result has the optimal total exactly.
    func testHungarianMatchesBruteForce() throws {
        var rng = RandomStream(seed: 7, stream: 1)
        func permutations(_ k: Int, of m: Int) -> [[Int]] {
            if k == 0 { return [[]] }
            return permutations(k - 1, of: m).flatMap { p in (0..<m).filter { !p.contains($0) }.map { p + [$0] } }
        }
        for trial in 0..<60 {
            let r = 1 + trial % 5, c = 1 + (trial / 5) % 6
            var cost = (0..<(r * c)).map { _ in Double(rng.uniform(0...50)) }
            if trial % 3 == 0 { cost[rng.uniform(0...(r * c - 1))] = .infinity }
            // Best: maximise the number of allowed pairs, then minimise the total.
            var best = (count: -1, total: Double.infinity)
            if r <= c {
                for p in permutations(r, of: c) {
                    let pairs = (0..<r).map { cost[$0 * c + p[$0]] }.filter(\.isFinite)
                    let cand = (pairs.count, pairs.reduce(0, +))
                    if cand.0 > best.count || (cand.0 == best.count && cand.1 < best.total) { best = cand }
                }
            } else {
                for p in permutations(c, of: r) {
                    let pairs = (0..<c).map { cost[p[$0] * c + $0] }.filter(\.isFinite)
                    let cand = (pairs.count, pairs.reduce(0, +))
                    if cand.0 > best.count || (cand.0 == best.count && cand.1 < best.total) { best = cand }
                }
            }
            let got = FleetAssignment.solve(cost: cost, rows: r, columns: c)
            XCTAssertEqual(Set(got.map(\.0)).count, got.count); XCTAssertEqual(Set(got.map(\.1)).count, got.count)
            XCTAssertEqual(got.count, best.count, "trial \(trial)")
            XCTAssertEqual(got.map { cost[$0.0 * c + $0.1] }.reduce(0, +), best.total, "trial \(trial)")
        }
    }

    /// Greedy would give r0 → A (100 s) and r1 → B (400 s), 500 s in total; the batch finds
    /// r0 → B (200 s) and r1 → A (100 s), 300 s.
    func testBatchedAssignmentIsOptimal() throws {
        let req = try requests([(2, 5, 0), (4, 5, 0)])
        var cal = EventCalendar()
        var w = try world(&cal, try line(6), req, params([3, 0]) { $0.dispatch = .batched(interval: 10) })
        runEvents(&w, calendar: &cal, until: .hours(1))
        let t = w.fleet.requestTable()
        XCTAssertEqual(t.vehicle, [1, 0])
        XCTAssertEqual(t.assignTime, [10, 10])
        XCTAssertEqual(t.pickupTime, [210, 110])
        let cost = [100.0, 200, 100, 400]
        let greedy = FleetAssignment.solve(cost: cost, rows: 2, columns: 2, hungarianLimit: 0)
        XCTAssertEqual(greedy.map { cost[$0.0 * 2 + $0.1] }.reduce(0, +), 500)
    }

    func testRejectionAfterMaxWait() throws {
        // No vehicle (nearest) and a batch that comes too late: rejected exactly at maxWait.
        for policy in [DispatchPolicy.nearest, .batched(interval: 1000)] {
            let req = try requests([(0, 1, 10), (1, 0, 20)])
            var cal = EventCalendar()
            var w = try world(&cal, try line(2), req, params(policy == .nearest ? [] : [0]) { $0.maxWait = 60; $0.dispatch = policy })
            runEvents(&w, calendar: &cal, until: .seconds(79.999))
            XCTAssertEqual(w.fleet.requestStatus(0), "rejected"); XCTAssertEqual(w.fleet.requestStatus(1), "waiting")
            runEvents(&w, calendar: &cal, until: .seconds(80))
            let k = w.fleet.kpis(now: cal.now)
            XCTAssertEqual(k.rejected, 2); XCTAssertEqual(k.rejectionRate, 1); XCTAssertEqual(k.inProgress, 0)
            XCTAssertEqual(w.fleet.requestTable().rejected, [true, true])
        }
    }

    /// Demand appears only at node 4 (requests rejected quickly so no vehicle serves them); at the
    /// rebalancing instant both idle vehicles at node 0 head there.
    func testRebalancingMovesIdleVehiclesToDemand() throws {
        let req = try requests([(4, 3, 0), (4, 3, 30), (4, 2, 60), (4, 3, 90)])
        var cal = EventCalendar()
        var w = try world(&cal, try line(5), req, params([0, 0]) {
            $0.dispatch = .batched(interval: 10_000); $0.maxWait = 5; $0.rebalanceInterval = 300
        })
        runEvents(&w, calendar: &cal, until: .seconds(300))
        XCTAssertEqual(w.fleet.stateCounts.rebalancing, 2)
        // 400 s drive; the second car leaves the first link 2 s behind (1,800 veh/h) and arrives at 702 s.
        runEvents(&w, calendar: &cal, until: .seconds(701))
        XCTAssertEqual(w.fleet.vehicleNode, [4, 0])
        runEvents(&w, calendar: &cal, until: .seconds(702))
        XCTAssertEqual(w.fleet.vehicleNode, [4, 4])
        XCTAssertEqual(w.fleet.stateCounts.idle, 2)
        let k = w.fleet.kpis(now: cal.now)
        XCTAssertEqual(k.rebalancingTrips, 2); XCTAssertEqual(k.emptyKmShare, 1)
        XCTAssertEqual(k.vehicleKm, 8, accuracy: 1e-9)
        // No new demand: the next rebalancing moves nothing.
        runEvents(&w, calendar: &cal, until: .seconds(1000))
        XCTAssertEqual(w.fleet.kpis(now: cal.now).rebalancingTrips, 2)
    }

    /// 2 kWh battery at 0.2 kWh/km: the 3 km job leaves SoC 0.6 < 0.7, so the vehicle drives 2 km
    /// to the charger at node 1 (SoC 0.4), asks to charge, serves nobody until `chargingFinished`,
    /// then takes the waiting request.
    func testLowBatteryChargesAndReturns() throws {
        let req = try requests([(2, 3, 0), (0, 1, 600)])
        var cal = EventCalendar()
        var w = try world(&cal, try line(4), req, params([0]) {
            $0.batteryKWh = 2; $0.consumptionKWhPerKm = 0.2; $0.initialSoC = 0.9; $0.chargeThreshold = 0.7; $0.maxWait = 600
        }, chargers: [1])
        runEvents(&w, calendar: &cal, until: .seconds(700))
        XCTAssertEqual(w.fleet.chargingLog.count, 1)
        let c = try XCTUnwrap(w.fleet.chargingLog.first)
        XCTAssertEqual(c.vehicle, 0); XCTAssertEqual(c.node, 1); XCTAssertEqual(c.time, .seconds(500))
        XCTAssertEqual(c.soc, 0.4, accuracy: 1e-12); XCTAssertEqual(c.targetSoC, 0.8)
        XCTAssertEqual(w.fleet.state(ofVehicle: 0), .charging)
        XCTAssertEqual(w.fleet.requestStatus(1), "waiting")
        XCTAssertThrowsError(try w.fleet.chargingFinished(vehicle: 0, soc: 1.5, at: cal.now, calendar: &cal, traffic: &w.traffic))
        try w.fleet.chargingFinished(vehicle: 0, soc: 0.8, at: cal.now, calendar: &cal, traffic: &w.traffic)
        XCTAssertThrowsError(try w.fleet.chargingFinished(vehicle: 0, soc: 0.8, at: cal.now, calendar: &cal, traffic: &w.traffic))
        runEvents(&w, calendar: &cal, until: .hours(1))
        let t = w.fleet.requestTable()
        XCTAssertEqual(t.assignTime[1], 700); XCTAssertEqual(t.pickupTime[1], 800); XCTAssertEqual(t.dropoffTime[1], 900)
        XCTAssertEqual(w.fleet.vehicleSoC[0], 0.8 - 2 * 0.2 / 2, accuracy: 1e-12)
    }

    /// Run-time trips queue behind other vehicles and delay later ones (1,800 veh/h: 2 s headway).
    func testRuntimeTripsRespectCapacity() throws {
        let net = try makeNetwork(nodes: [(0, 0), (1000, 0)], links: [(0, 1, 1000, 10, 1800, 1)])
        var tl = TripList()
        for _ in 0..<100 { tl.append(origin: 0, destination: 1, departure: 0) }
        tl.append(origin: 0, destination: 1, departure: 1)
        var sys = try TrafficSystem(network: net, trips: tl, handlerBase: 0)
        var cal = EventCalendar()
        sys.start(calendar: &cal)
        // 50 robotaxi legs at 0.5 s, after the 100 cars of t = 0 and before the car of t = 1 s.
        sys.run(calendar: &cal, until: .seconds(0.5))
        var ids: [Int] = []
        for k in 0..<50 { ids.append(try sys.addTrip(origin: 0, destination: 1, departure: .seconds(0.5), ev: nil, tag: UInt32(k), calendar: &cal)) }
        XCTAssertEqual(ids.first, 101)
        XCTAssertThrowsError(try sys.addTrip(origin: 1, destination: 0, departure: .zero, ev: nil, tag: 0, calendar: &cal))
        XCTAssertThrowsError(try sys.addTrip(origin: 0, destination: 7, departure: .zero, ev: nil, tag: 0, calendar: &cal))
        sys.run(calendar: &cal, until: .hours(1))
        XCTAssertTrue(sys.allArrived)
        // Exits every 2 s from 100 s: the 101st to 150th vehicles are the robotaxis.
        XCTAssertEqual(sys.arrivalTime(ofTrip: 101), .seconds(300))
        XCTAssertEqual(sys.arrivalTime(ofTrip: 150), .seconds(398))
        XCTAssertEqual(sys.tripTable().arrival[100], 400) // the t = 1 s car waits behind them
        XCTAssertEqual(sys.tag(ofTrip: 150), 49); XCTAssertNil(sys.tag(ofTrip: 100))
        XCTAssertEqual(sys.arrivalLog.count, 151)
        XCTAssertEqual(Array(sys.arrivalLog[100..<151]), Array(101...150).map(Int32.init) + [100])
        XCTAssertEqual(sys.kpis(now: cal.now).completed, 151)
    }

    /// With re-routing on, run-time trips are routed on the congested costs of the current epoch.
    func testRuntimeTripRoutedOnCongestedCosts() throws {
        // Two parallel routes 0 → 1 → 3 (fast, low capacity) and 0 → 2 → 3 (slower).
        let net = try makeNetwork(nodes: [(0, 0), (1000, 100), (1000, -100), (2000, 0)],
                                  links: [(0, 1, 1000, 20, 360, 1), (1, 3, 1000, 20, 360, 1),
                                          (0, 2, 1000, 10, 3600, 1), (2, 3, 1000, 10, 3600, 1)])
        var tl = TripList()
        for _ in 0..<60 { tl.append(origin: 0, destination: 3, departure: 0) }
        var p = TrafficParameters(); p.rerouteInterval = 60
        var sys = try TrafficSystem(network: net, trips: tl, parameters: p, handlerBase: 0)
        var cal = EventCalendar()
        sys.start(calendar: &cal)
        let free = try sys.addTrip(origin: 0, destination: 3, departure: .zero, ev: nil, tag: 1, calendar: &cal)
        XCTAssertEqual(sys.routeLinks(ofTrip: free).count, 2)
        XCTAssertEqual(sys.routeLength(ofTrip: free), 2000)
        let fastLink = Int32(try XCTUnwrap(net.link(from: 0, to: 1)))
        XCTAssertEqual(sys.routeLinks(ofTrip: free).first, fastLink)
        sys.run(calendar: &cal, until: .seconds(61))
        let later = try sys.addTrip(origin: 0, destination: 3, departure: cal.now, ev: nil, tag: 2, calendar: &cal)
        XCTAssertNotEqual(sys.routeLinks(ofTrip: later).first, fastLink) // the queue on 0 → 1 is costed
        XCTAssertEqual(try XCTUnwrap(sys.travelTime(from: 0, to: 3)), 200, accuracy: 1e-9)
    }

    func testDeterminismOnSiouxFalls() throws {
        let imp = try RoadNetwork.importTNTP(netPath: MobilityPaths.siouxFallsNet)
        let od = try ODMatrix.load(path: MobilityPaths.siouxFallsTrips, network: imp.network)
        func run(seed: UInt64, policy: DispatchPolicy) throws -> (FleetRequestTable, FleetKPIs, [Double]) {
            let req = try FleetRequests.sample(od, share: 0.004, seed: seed ^ 0xF1EE7, network: imp.network)
            let trips = try Demand.sample(od, scale: 0.02, seed: seed)
            var p = FleetParameters()
            p.vehicles = 40; p.seed = seed; p.dispatch = policy; p.rebalanceInterval = 900
            p.batteryKWh = 20; p.chargeThreshold = 0.3
            let traffic = try TrafficSystem(network: imp.network, trips: trips, handlerBase: 0)
            let fleet = try RobotaxiFleet(network: imp.network, requests: req, parameters: p, handlerBase: 100)
            var w = FleetTrafficCoupling(traffic: traffic, fleet: fleet)
            var cal = EventCalendar()
            w.start(calendar: &cal)
            // A stand-in charger: 30 min after each request, charging to the target.
            var cursor = 0
            var step = SimTime.zero
            while step < .hours(30) {
                step += .minutes(10)
                runEvents(&w, calendar: &cal, until: step)
                while cursor < w.fleet.chargingLog.count, w.fleet.chargingLog[cursor].time + .minutes(30) <= step {
                    let c = w.fleet.chargingLog[cursor]; cursor += 1
                    try w.fleet.chargingFinished(vehicle: Int(c.vehicle), soc: c.targetSoC, at: step, calendar: &cal, traffic: &w.traffic)
                }
            }
            let k = w.fleet.kpis(now: cal.now)
            XCTAssertEqual(k.requests, req.count)
            XCTAssertEqual(k.served + k.rejected + k.inProgress, k.requests)
            XCTAssertEqual(k.inProgress, 0)
            return (w.fleet.requestTable(), k, w.fleet.vehicleSoC)
        }
        let a = try run(seed: 1, policy: .nearest), b = try run(seed: 1, policy: .nearest)
        XCTAssertEqual(a.0.pickupTime.map(\.bitPattern), b.0.pickupTime.map(\.bitPattern))
        XCTAssertEqual(a.0.vehicle, b.0.vehicle); XCTAssertEqual(a.1, b.1); XCTAssertEqual(a.2, b.2)
        XCTAssertGreaterThan(a.1.served, 1000); XCTAssertGreaterThan(a.1.chargingVisits, 0)
        let c = try run(seed: 2, policy: .nearest)
        XCTAssertNotEqual(a.0.pickupTime.map(\.bitPattern), c.0.pickupTime.map(\.bitPattern))
        let d = try run(seed: 1, policy: .batched(interval: 30)), e = try run(seed: 1, policy: .batched(interval: 30))
        XCTAssertEqual(d.1, e.1); XCTAssertEqual(d.0.vehicle, e.0.vehicle)
        print("fleet SiouxFalls nearest: \(a.1)\nbatched: \(d.1)")
    }

    func testBadInputThrows() throws {
        let net = try line(3)
        var p = params([0, 9])
        XCTAssertThrowsError(try RobotaxiFleet(network: net, requests: FleetRequests(), parameters: p, handlerBase: 0)) {
            XCTAssertTrue("\($0)".contains("fleet.initialNodes[1]"))
        }
        p = params([0]) { $0.chargeThreshold = 0.9; $0.chargeTarget = 0.8 }
        XCTAssertThrowsError(try RobotaxiFleet(network: net, requests: FleetRequests(), parameters: p, handlerBase: 0))
        p = params([0]) { $0.dispatch = .batched(interval: 0) }
        XCTAssertThrowsError(try RobotaxiFleet(network: net, requests: FleetRequests(), parameters: p, handlerBase: 0))
        var tl = TripList(); tl.append(origin: 0, destination: 5, departure: 0)
        XCTAssertThrowsError(try FleetRequests(trips: tl, nodeCount: 3)) { XCTAssertTrue("\($0)".contains("request 0 destination 5")) }
        var r = FleetRequests()
        try r.append(origin: 0, destination: 1, time: .seconds(10))
        XCTAssertThrowsError(try r.append(origin: 0, destination: 1, time: .seconds(5)))
        var fleet = try RobotaxiFleet(network: net, requests: r, parameters: params([0]), handlerBase: 0)
        XCTAssertThrowsError(try fleet.setChargerNodes([3]))
        var traffic = try TrafficSystem(network: net, trips: TripList(), handlerBase: 10)
        var cal = EventCalendar()
        XCTAssertThrowsError(try fleet.chargingFinished(vehicle: 4, soc: 0.5, at: .zero, calendar: &cal, traffic: &traffic))
        XCTAssertThrowsError(try fleet.chargingFinished(vehicle: 0, soc: 0.5, at: .zero, calendar: &cal, traffic: &traffic))
    }

    /// Reverse-tree mode (large networks) answers like the matrix mode.
    func testTravelTimeTableModesAgree() throws {
        let imp = try RoadNetwork.importTNTP(netPath: MobilityPaths.siouxFallsNet)
        var m = try TravelTimeTable(network: imp.network)
        var t = try TravelTimeTable(network: imp.network, matrixNodeLimit: 0)
        XCTAssertTrue(m.isMatrix); XCTAssertFalse(t.isMatrix)
        let costs = (0..<imp.network.linkCount).map { imp.network.freeFlowTime($0) * (1 + Double($0 % 3)) }
        var mc = try TravelTimeTable(network: imp.network, costs: costs)
        var tc = try TravelTimeTable(network: imp.network, costs: costs, matrixNodeLimit: 0)
        for target in [0, 5, 23] {
            m.setTarget(target); t.setTarget(target); mc.setTarget(target); tc.setTarget(target)
            for o in 0..<imp.network.nodeCount {
                // Float32 matrix: relative 1e-6.
                XCTAssertEqual(m.timeToTarget(from: o), t.timeToTarget(from: o), accuracy: 1e-6 * max(1, t.timeToTarget(from: o)))
                XCTAssertEqual(mc.timeToTarget(from: o), tc.timeToTarget(from: o), accuracy: 1e-6 * max(1, tc.timeToTarget(from: o)))
                XCTAssertEqual(m.time(from: o, to: target), t.time(from: o, to: target), accuracy: 1e-6 * max(1, t.time(from: o, to: target)))
            }
        }
    }
}
