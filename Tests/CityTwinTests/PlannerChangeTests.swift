import Foundation
import TestSupport
import TwinIO
import XCTest
@testable import CityTwin

/// Planner changes that are plain scenario fields (issue 6): each moves its KPIs the expected way.
final class PlannerChangeTests: XCTestCase {
    private func run(_ scenario: String, _ overrides: [String]) throws -> [String: Double] {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("r.h5").path
        let s = try Scenario.load(path: packageRoot.appendingPathComponent("Scenarios/\(scenario)").path,
                                  overrides: try overrides.map { try FieldOverride(parsing: $0) })
        _ = try CityRun.execute(s, outputPath: out)
        return Dictionary(uniqueKeysWithValues: try KPI.read(from: HDF5File.openReadOnly(path: out)).map { ($0.name, $0.value) })
    }

    func testARestrictiveSignalPlanAddsDelay() throws {
        let common = ["duration=12h", "buildings.classes=[]", "pv.systems=[]"]
        let free = try run("baseline.yaml", common)
        // Node 10 is Sioux Falls' busiest junction: 10 s of green per phase in a 120 s cycle.
        let signal = try run("baseline.yaml", common + ["traffic.signals=[{node: 10, cycle: 120s, greens: [10, 10]}]"])
        XCTAssertGreaterThan(try XCTUnwrap(signal["mean_delay"]), try XCTUnwrap(free["mean_delay"]) + 10)
    }

    func testFleetSizeAndChargerPowerMoveWaitsAndQueues() throws {
        let common = ["demand.scale=0.3", "duration=18h"]
        let base = try run("heatwave-ev.yaml", common)
        let smallFleet = try run("heatwave-ev.yaml", common + ["fleet.vehicles=120"])
        XCTAssertGreaterThan(try XCTUnwrap(smallFleet["passenger_wait_mean"]), try XCTUnwrap(base["passenger_wait_mean"]))
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(smallFleet["rejection_rate"]), try XCTUnwrap(base["rejection_rate"]))
        let slowChargers = try run("heatwave-ev.yaml", common + [
            "chargers.stations[0].power_kw=22", "chargers.stations[1].power_kw=22",
            "chargers.stations[3].power_kw=22", "charging.policy=uncontrolled"])
        let fastUncontrolled = try run("heatwave-ev.yaml", common + ["charging.policy=uncontrolled"])
        XCTAssertGreaterThan(try XCTUnwrap(slowChargers["charging_queue_wait_mean"]),
                             try XCTUnwrap(fastUncontrolled["charging_queue_wait_mean"]))
        XCTAssertLessThan(try XCTUnwrap(slowChargers["grid_peak_load"]), try XCTUnwrap(fastUncontrolled["grid_peak_load"]))
    }
}
