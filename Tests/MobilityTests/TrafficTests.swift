import Foundation
import XCTest
@testable import Mobility
import SimKernel
import TwinIO

final class TrafficTests: XCTestCase {
    private func run(_ sys: inout TrafficSystem, until: SimTime) -> EventCalendar {
        var cal = EventCalendar()
        sys.start(calendar: &cal)
        sys.run(calendar: &cal, until: until)
        return cal
    }

    func testRainSlowsFreeFlowAtEntry() throws {
        let net = try makeNetwork(nodes: [(0, 0), (1000, 0)], links: [(0, 1, 1000, 10, 1800, 1)])
        var tl = TripList(); tl.append(origin: 0, destination: 1, departure: 0)
        var sys = try TrafficSystem(network: net, trips: tl, handlerBase: 0)
        sys.speedFactor = 0.8 // 8 m/s → 125 s
        _ = run(&sys, until: .hours(1))
        let t = sys.tripTable()
        XCTAssertEqual(t.arrival[0], 125, accuracy: 1e-9)
        XCTAssertEqual(t.delay[0], 25, accuracy: 1e-9) // vs 100 s free flow
    }

    func testEVDrainsWithDistance() throws {
        let net = try makeNetwork(nodes: [(0, 0), (5000, 0), (10000, 0)],
                                  links: [(0, 1, 5000, 20, 1800, 1), (1, 2, 5000, 20, 1800, 1)])
        var tl = TripList()
        tl.append(origin: 0, destination: 2, departure: 0, ev: (batteryKWh: 50, consumptionKWhPerKm: 0.2, soc: 0.8))
        tl.append(origin: 0, destination: 2, departure: 1)
        var sys = try TrafficSystem(network: net, trips: tl, handlerBase: 0)
        _ = run(&sys, until: .hours(1))
        let t = sys.tripTable()
        // 10 km × 0.2 kWh/km = 2 kWh of 50 kWh = 0.04 SoC.
        XCTAssertEqual(t.finalSoC[0], 0.76, accuracy: 1e-12)
        XCTAssertTrue(t.finalSoC[1].isNaN)
        XCTAssertEqual(t.distance[0], 10_000, accuracy: 1e-9)
        XCTAssertEqual(t.routeLinkCount[0], 2)
        XCTAssertEqual(sys.arrivalLog, [0, 1])
        let st = try XCTUnwrap(sys.tripState(0))
        XCTAssertTrue(st.arrived); XCTAssertEqual(st.link, -1); XCTAssertEqual(st.soc, 0.76, accuracy: 1e-12)
        XCTAssertNil(sys.tripState(2))
    }

    func testSnapshotOutputsAndKPIs() throws {
        let net = try makeNetwork(nodes: [(0, 0), (1000, 0)], links: [(0, 1, 1000, 10, 1800, 1)])
        var tl = TripList()
        for _ in 0..<50 { tl.append(origin: 0, destination: 1, departure: 0) }
        var sys = try TrafficSystem(network: net, trips: tl, handlerBase: 0)
        var cal = EventCalendar()
        sys.start(calendar: &cal)
        sys.run(calendar: &cal, until: .seconds(159.999))
        var f: [Double] = [], s: [Double] = [], o: [Double] = [], q: [Double] = []
        sys.snapshot(now: .seconds(160), flow: &f, meanSpeed: &s, occupancy: &o, queueLength: &q)
        // Exits at 100, 102, …, 158 s: 30 vehicles in 160 s → 675 veh/h.
        XCTAssertEqual(f[0], 30 / (160.0 / 3600), accuracy: 1e-9)
        XCTAssertEqual(o[0], 20.0 / 133, accuracy: 1e-12)
        XCTAssertEqual(q[0], 20) // all remaining have passed their free-flow time
        // Speeds of exits: 1000 m in 100, 102, …, 158 s → mean of 36000/t km/h.
        var speedSum = 0.0
        for i in 0..<30 { speedSum += 3600.0 / Double(100 + 2 * i) }
        let expected = speedSum / 30
        XCTAssertEqual(s[0], expected, accuracy: 1e-9)
        sys.run(calendar: &cal, until: .hours(1))
        let k = sys.kpis(now: cal.now)
        XCTAssertEqual(k.completed, 50)
        XCTAssertEqual(k.vehicleKm, 50, accuracy: 1e-9)
        // Mean delay = mean over i of 2i s = 49 s.
        XCTAssertEqual(k.meanDelay, 49, accuracy: 1e-9)
        XCTAssertEqual(k.topCongestedLinks.first?.link, 0)
        // Empty interval: flow 0, speed = free speed.
        sys.snapshot(now: cal.now, flow: &f, meanSpeed: &s, occupancy: &o, queueLength: &q)
        sys.snapshot(now: cal.now + .seconds(60), flow: &f, meanSpeed: &s, occupancy: &o, queueLength: &q)
        XCTAssertEqual(f[0], 0); XCTAssertEqual(s[0], 36, accuracy: 1e-12)
    }

    func testGridlockReleasedByStuckTime() throws {
        // A ring of four short links fully loaded with vehicles that all want to go around:
        // without push-through it would deadlock; with stuck time every trip completes.
        let nodes = [(0.0, 0.0), (30.0, 0.0), (30.0, 30.0), (0.0, 30.0)]
        let net = try makeNetwork(nodes: nodes, links: [(0, 1, 30, 10, 1800, 1), (1, 2, 30, 10, 1800, 1), (2, 3, 30, 10, 1800, 1), (3, 0, 30, 10, 1800, 1)])
        var tl = TripList()
        for i in 0..<40 { tl.append(origin: i % 4, destination: (i + 3) % 4, departure: 0) }
        var sys = try TrafficSystem(network: net, trips: tl, handlerBase: 0)
        let cal = run(&sys, until: .hours(2))
        XCTAssertTrue(sys.allArrived)
        XCTAssertGreaterThan(sys.kpis(now: cal.now).stuckPushes, 0)
    }

    func testBadInputsThrowOneLineErrors() throws {
        let net = try makeNetwork(nodes: [(0, 0), (100, 0), (0, 100)], links: [(0, 1, 100, 10, 1800, 1), (2, 1, 100, 10, 1800, 1)], signalised: [1])
        var tl = TripList(); tl.append(origin: 0, destination: 5, departure: 0)
        XCTAssertThrowsError(try TrafficSystem(network: net, trips: tl, handlerBase: 0))
        tl = TripList(); tl.append(origin: 0, destination: 1, departure: .infinity)
        XCTAssertThrowsError(try TrafficSystem(network: net, trips: tl, handlerBase: 0))
        tl = TripList(); tl.append(origin: 0, destination: 1, departure: 0, ev: (0, 0.2, 0.5))
        XCTAssertThrowsError(try TrafficSystem(network: net, trips: tl, handlerBase: 0))
        var p = TrafficParameters(); p.stuckTime = .infinity
        XCTAssertThrowsError(try TrafficSystem(network: net, trips: TripList(), parameters: p, handlerBase: 0))
        var sys = try TrafficSystem(network: net, trips: TripList(), handlerBase: 0)
        // Link 1 (2→1) missing from the plan would never get green.
        XCTAssertThrowsError(try sys.setSignalPlan(node: 1, SignalPlan(cycle: 60, intergreen: 0, phases: [[0]], greens: [30]))) {
            XCTAssertEqual("\($0)", "signal plan for node 1: incoming link 1 is in no phase (it would never get green)")
        }
        XCTAssertThrowsError(try sys.setSignalPlan(node: 1, SignalPlan(cycle: 60, intergreen: 5, phases: [[0], [1]], greens: [30, 30])))
        XCTAssertNoThrow(try sys.setSignalPlan(node: 1, SignalPlan(cycle: 60, intergreen: 5, phases: [[0], [1]], greens: [25, 25])))
    }

    func testDemandSamplingTotalsAndProfile() throws {
        var od = ODMatrix()
        od.origin = [0, 1]; od.destination = [1, 0]; od.trips = [1000.4, 2.6]
        let tl = try Demand.sample(od, seed: 3)
        // floor + Bernoulli(frac): 1000 or 1001, and 2 or 3.
        let a = tl.origin.filter { $0 == 0 }.count, b = tl.origin.filter { $0 == 1 }.count
        XCTAssertTrue((1000...1001).contains(a)); XCTAssertTrue((2...3).contains(b))
        // Departures follow the profile: AM peak hour 8 (8 %) vs night hour 3 (0.3 %).
        let h8 = tl.departure.filter { $0 >= 8 * 3600 && $0 < 9 * 3600 }.count
        let h3 = tl.departure.filter { $0 >= 3 * 3600 && $0 < 4 * 3600 }.count
        XCTAssertEqual(Double(h8) / Double(tl.count), 0.08, accuracy: 0.03) // binomial sd ≈ 0.0086
        XCTAssertLessThan(h3, 15)
        XCTAssertEqual(DepartureProfile.standard.hourly.reduce(0, +), 1, accuracy: 1e-12)
        XCTAssertThrowsError(try DepartureProfile(hourly: [1, 2]))
        XCTAssertThrowsError(try Demand.sample(od, scale: .nan, seed: 1))
        XCTAssertThrowsError(try Demand.sample(od, ev: EVParameters(share: 2), seed: 1))
        // Poisson counts: mean 1000.4, sd ≈ 31.6 → within ±5 sd.
        let pois = try Demand.sample(od, counts: .poisson, seed: 3)
        XCTAssertEqual(Double(pois.origin.filter { $0 == 0 }.count), 1000.4, accuracy: 160)
        XCTAssertTrue(try Demand.sample(od, counts: .poisson, seed: 3) == pois) // reproducible
        // Scale.
        XCTAssertEqual(Double(try Demand.sample(od, scale: 0.5, seed: 3).count), 501.5, accuracy: 1.5)
    }

    func testCSVDemand() throws {
        let net = try makeNetwork(nodes: [(0, 0), (100, 0)], links: [(0, 1, 100, 10, 1800, 1), (1, 0, 100, 10, 1800, 1)])
        let dir = NSTemporaryDirectory() + "/mobcsv-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "origin,destination,trips\n0,1,10\n1,0,2.5\n".write(toFile: dir + "/od.csv", atomically: true, encoding: .utf8)
        let od = try ODMatrix.load(path: dir + "/od.csv", network: net)
        XCTAssertEqual(od.total, 12.5)
        try "origin,destination,departure\n0,1,3600\n1,0,7200.5\n".write(toFile: dir + "/trips.csv", atomically: true, encoding: .utf8)
        let tl = try Demand.readTripsCSV(path: dir + "/trips.csv", network: net, ev: EVParameters(share: 1), seed: 1)
        XCTAssertEqual(tl.departure, [3600, 7200.5])
        XCTAssertEqual(tl.isEV, [true, true])
        try "origin,destination,departure\n0,1\n".write(toFile: dir + "/bad.csv", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Demand.readTripsCSV(path: dir + "/bad.csv", network: net, seed: 1)) {
            XCTAssertEqual("\($0)", "bad.csv:2: expected 3 comma-separated columns, found 2")
        }
        try "0,7,5\n".write(toFile: dir + "/bad2.csv", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ODMatrix.readCSV(path: dir + "/bad2.csv", network: net)) {
            XCTAssertEqual("\($0)", "bad2.csv:1: destination node 7 is not in network test")
        }
    }

    func testAguascalientesWithSignalsCompletes() throws {
        let net = try RoadNetwork.importOSM(path: MobilityPaths.aguascalientes).network
        var tl = TripList()
        var rng = RandomStream(seed: 5, stream: StreamID.named("test.trips"))
        for _ in 0..<2000 {
            tl.append(origin: rng.uniform(0...(net.nodeCount - 1)), destination: rng.uniform(0...(net.nodeCount - 1)), departure: rng.uniform(0..<1800))
        }
        for actuated in [false, true] {
            var p = TrafficParameters(); p.actuated = actuated
            var sys = try TrafficSystem(network: net, trips: tl, parameters: p, handlerBase: 100)
            var cal = EventCalendar()
            sys.start(calendar: &cal)
            let ev = sys.run(calendar: &cal, until: .hours(6))
            XCTAssertTrue(sys.allArrived, "actuated \(actuated)")
            let k = sys.kpis(now: cal.now)
            print("aguascalientes actuated=\(actuated): events \(ev), end \(cal.now), stuck \(k.stuckPushes), delay \(k.meanDelay), top \(k.topCongestedLinks)")
            XCTAssertEqual(k.completed, 2000)
            XCTAssertGreaterThan(k.meanDelay, 0) // signals cost time
        }
    }

    func testPeriodicReroutingAvoidsCongestion() throws {
        // Direct link 0→1 (1 km, 360 veh/h) vs detour 0→2→1 (2 × 1 km, 3600 veh/h).
        let net = try makeNetwork(nodes: [(0, 0), (1000, 0), (500, 300)],
                                  links: [(0, 1, 1000, 20, 360, 1), (0, 2, 1000, 20, 3600, 2), (2, 1, 1000, 20, 3600, 2)])
        var tl = TripList()
        for i in 0..<300 { tl.append(origin: 0, destination: 1, departure: Double(i) * 2) }
        var delays: [Double] = []
        for rr in [0.0, 60.0] {
            var p = TrafficParameters(); p.rerouteInterval = rr
            var sys = try TrafficSystem(network: net, trips: tl, parameters: p, handlerBase: 0)
            let cal = run(&sys, until: .hours(5))
            XCTAssertTrue(sys.allArrived)
            let k = sys.kpis(now: cal.now)
            delays.append(k.meanDelay)
            if rr > 0 { XCTAssertGreaterThan(k.rerouted, 100) } else { XCTAssertEqual(k.rerouted, 0) }
        }
        // Without re-routing all 300 queue on the 10 s-headway link (mean delay ≈ 1,200 s);
        // with it most take the detour (50 s longer free flow) and the mean delay collapses.
        XCTAssertGreaterThan(delays[0], 1000)
        XCTAssertLessThan(delays[1], 0.2 * delays[0])
    }

    func testDefaultSignalPlanGroupsOpposingApproaches() throws {
        // Four-leg intersection at node 0; approaches from N (1), S (2), E (3), W (4).
        let nodes = [(0.0, 0.0), (0.0, 200.0), (0.0, -200.0), (200.0, 0.0), (-200.0, 0.0)]
        var links: [(Int, Int, Double, Double, Double, Int)] = []
        for k in 1...4 { links.append((k, 0, 200, 10, 1800, 1)); links.append((0, k, 200, 10, 1800, 1)) }
        let net = try makeNetwork(nodes: nodes, links: links, signalised: [0])
        let sys = try TrafficSystem(network: net, trips: TripList(), handlerBase: 0)
        let phase = { (from: Int) -> Int32 in net.link(from: from, to: 0).map { sys.linkPhase[$0] } ?? -1 }
        XCTAssertEqual(phase(1), phase(2)); XCTAssertEqual(phase(3), phase(4)); XCTAssertNotEqual(phase(1), phase(3))
        // Default plan: cycle 90 s, intergreen 4 s → greens of 41 s at 0–41 s and 45–86 s.
        let l1 = try XCTUnwrap(net.link(from: 1, to: 0)), l3 = try XCTUnwrap(net.link(from: 3, to: 0))
        XCTAssertEqual([sys.greenStart[l1], sys.greenEnd[l1]], [0, 41_000])
        XCTAssertEqual([sys.greenStart[l3], sys.greenEnd[l3]], [45_000, 86_000])
    }
}
