import Foundation
import XCTest
@testable import Mobility
import SimKernel

/// Release-only figures for docs/fleet.md: `swift test -c release --filter FleetPerformanceTests`.
final class FleetPerformanceTests: XCTestCase {
    /// Anaheim: 1,000 robotaxis, ≈ 50,000 requests (0.48 × the OD matrix) and the full OD matrix
    /// of private cars (≈ 105,000 trips), re-routing every 15 min, a day and a half simulated.
    func testAnaheimFleetDay() throws {
        #if DEBUG
        throw XCTSkip("release-only benchmark")
        #else
        let net = try RoadNetwork.importTNTP(netPath: MobilityPaths.anaheimNet).network
        let od = try ODMatrix.load(path: MobilityPaths.anaheimTrips, network: net)
        for policy in [DispatchPolicy.nearest, .batched(interval: 30)] {
            let clock = ContinuousClock()
            let t0 = clock.now
            let req = try FleetRequests.sample(od, share: 0.48, seed: 99, network: net)
            let trips = try Demand.sample(od, scale: 1, seed: 1)
            var tp = TrafficParameters(); tp.rerouteInterval = 900
            let traffic = try TrafficSystem(network: net, trips: trips, parameters: tp, handlerBase: 0)
            var p = FleetParameters(); p.vehicles = 1000; p.dispatch = policy
            let fleet = try RobotaxiFleet(network: net, requests: req, parameters: p, handlerBase: 100)
            var w = FleetTrafficCoupling(traffic: traffic, fleet: fleet)
            var cal = EventCalendar()
            w.start(calendar: &cal)
            let t1 = clock.now
            var cursor = 0, events: UInt64 = 0
            var step = SimTime.zero
            while step < .hours(36) {
                step += .minutes(5)
                events += runEvents(&w, calendar: &cal, until: step).eventsExecuted
                while cursor < w.fleet.chargingLog.count, w.fleet.chargingLog[cursor].time + .minutes(45) <= step {
                    let c = w.fleet.chargingLog[cursor]; cursor += 1
                    try w.fleet.chargingFinished(vehicle: Int(c.vehicle), soc: c.targetSoC, at: step, calendar: &cal, traffic: &w.traffic)
                }
            }
            let t2 = clock.now
            let k = w.fleet.kpis(now: cal.now)
            XCTAssertEqual(k.served + k.rejected + k.inProgress, req.count)
            func sec(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
            print("fleet bench \(policy): requests \(req.count), setup \(sec(t1 - t0)) s, run \(sec(t2 - t1)) s, events \(events), \(Double(req.count) / sec(t2 - t1)) requests/s with traffic, kpis \(k), traffic completed \(w.traffic.kpis(now: cal.now).completed) of \(w.traffic.vehicleCount)")
        }
        #endif
    }
}
