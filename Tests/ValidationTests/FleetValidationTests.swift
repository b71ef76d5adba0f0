import Foundation
import XCTest
import Mobility
import SimKernel

private func anaheimNet() -> String {
    var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while url.path != "/" {
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { break }
        url.deleteLastPathComponent()
    }
    return url.appendingPathComponent("Models/roads/Anaheim/Anaheim_net.tntp").path
}

final class FleetValidationTests: XCTestCase {
    /// Issue 5 §7: a robotaxi with one request drives exactly the shortest-path distance to
    /// pick-up and drop-off (the router's fastest route on free-flow costs), and its pick-up and
    /// drop-off times equal the routes' free-flow times (within 0.5 ms of rounding per link).
    func testOneRequestDrivesShortestPaths() throws {
        let net = try RoadNetwork.importTNTP(netPath: anaheimNet()).network
        let start = 40, pick = 200, drop = 350
        var router = Router(network: net)
        let toPick = try XCTUnwrap(router.route(from: start, to: pick))
        let toDrop = try XCTUnwrap(router.route(from: pick, to: drop))
        func metres(_ r: Route) -> Double { r.links.reduce(0) { $0 + net.linkLength[Int($1)] } }

        var req = FleetRequests()
        try req.append(origin: pick, destination: drop, time: .seconds(3600))
        var p = FleetParameters()
        p.vehicles = 1; p.initialNodes = [Int32(start)]; p.rebalanceInterval = 0
        let traffic = try TrafficSystem(network: net, trips: TripList(), handlerBase: 0)
        let fleet = try RobotaxiFleet(network: net, requests: req, parameters: p, handlerBase: 100)
        var w = FleetTrafficCoupling(traffic: traffic, fleet: fleet)
        var cal = EventCalendar()
        w.start(calendar: &cal)
        _ = runEvents(&w, calendar: &cal, until: .hours(5))

        let k = w.fleet.kpis(now: cal.now)
        XCTAssertEqual(k.served, 1)
        // Distances: sums of the same link lengths in a different order, so within 1e-9 relative.
        XCTAssertEqual(k.vehicleKm * 1000, metres(toPick) + metres(toDrop), accuracy: 1e-9 * metres(toDrop))
        XCTAssertEqual(k.emptyKmShare * k.vehicleKm * 1000, metres(toPick), accuracy: 1e-6)
        XCTAssertEqual(w.traffic.routeLinks(ofTrip: 0), toPick.links)
        XCTAssertEqual(w.traffic.routeLinks(ofTrip: 1), toDrop.links)
        let t = w.fleet.requestTable()
        XCTAssertEqual(t.wait[0], toPick.time, accuracy: 0.0005 * Double(toPick.links.count))
        XCTAssertEqual(t.dropoffTime[0] - t.pickupTime[0], toDrop.time, accuracy: 0.0005 * Double(toDrop.links.count))
        XCTAssertEqual(w.fleet.vehicleNode, [Int32(drop)])
        // Battery: distance × consumption / battery.
        XCTAssertEqual(w.fleet.vehicleSoC[0], 0.9 - k.vehicleKm * 0.18 / 60, accuracy: 1e-12)
    }
}
