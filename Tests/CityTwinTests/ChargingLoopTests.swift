import Foundation
import TestSupport
import TwinIO
import XCTest
@testable import CityTwin

/// The loop of issue 5 in one scenario: heat wave + EVs + robotaxis on the feeder. With smart
/// charging the grid caps the stations, queues grow and passengers wait longer; uncontrolled
/// charging gives shorter queues and a worse grid.
final class ChargingLoopTests: XCTestCase {
    // XCTest runs the cases of a class one after another, so this cache needs no lock.
    nonisolated(unsafe) private static var outputs: [String: URL] = [:]
    private static let dir = try? makeTemporaryDirectory()

    override class func tearDown() {
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    /// Runs heatwave-ev once per policy (half the private demand keeps the debug run short).
    private func run(_ policy: String) throws -> HDF5File {
        if let url = Self.outputs[policy] { return try HDF5File.openReadOnly(path: url.path) }
        let dir = try XCTUnwrap(Self.dir)
        let out = dir.appendingPathComponent("\(policy).h5")
        let s = try Scenario.load(path: packageRoot.appendingPathComponent("Scenarios/heatwave-ev.yaml").path,
                                  overrides: [try FieldOverride(parsing: "charging.policy=\(policy)"),
                                              try FieldOverride(parsing: "demand.scale=0.5")])
        _ = try CityRun.execute(s, outputPath: out.path)
        Self.outputs[policy] = out
        return try HDF5File.openReadOnly(path: out.path)
    }

    private func kpi(_ f: HDF5File, _ name: String) throws -> Double {
        try XCTUnwrap(KPI.read(from: f).first { $0.name == name }?.value, name)
    }

    func testSmartChargingTradesGridViolationsForQueuesAndWaits() throws {
        let smart = try run("smart"), free = try run("uncontrolled")
        // The grid side: caps keep voltages up.
        XCTAssertGreaterThan(try kpi(smart, "min_voltage"), try kpi(free, "min_voltage") + 0.02)
        XCTAssertLessThanOrEqual(try kpi(smart, "overload_line_hours"), try kpi(free, "overload_line_hours"))
        XCTAssertLessThan(try kpi(smart, "max_line_loading"), try kpi(free, "max_line_loading"))
        XCTAssertGreaterThan(try kpi(smart, "charging_cap_changes"), 0)
        XCTAssertEqual(try kpi(free, "charging_cap_changes"), 0)
        // The charging side: less energy per hour, longer queues.
        XCTAssertLessThan(try kpi(smart, "charging_energy"), try kpi(free, "charging_energy"))
        XCTAssertGreaterThan(try kpi(smart, "charging_queue_wait_mean"), try kpi(free, "charging_queue_wait_mean"))
        // The mobility side: robotaxis stuck at chargers make passengers wait longer.
        XCTAssertGreaterThan(try kpi(smart, "passenger_wait_mean"), try kpi(free, "passenger_wait_mean"))
    }

    func testChargerOutputsAreConsistent() throws {
        let smart = try run("smart"), free = try run("uncontrolled")
        let n = try smart.shape(of: "/chargers/cap")[1]
        XCTAssertEqual(n, 4)
        let rated = try smart.readDoubles("/chargers/rated_power")
        let capSmart = try smart.readDoubles("/chargers/cap"), capFree = try free.readDoubles("/chargers/cap")
        XCTAssertTrue(capSmart.enumerated().contains { $0.element < rated[$0.offset % n] - 1e-9 }, "some station was capped")
        for (i, c) in capFree.enumerated() { XCTAssertEqual(c, rated[i % n], accuracy: 1e-9, "uncontrolled never caps") }
        let power = try smart.readDoubles("/chargers/power")
        for (i, p) in power.enumerated() { XCTAssertLessThanOrEqual(p, capSmart[i] + 1e-6, "power within the cap") }
        let energy = try smart.readDoubles("/chargers/energy")
        XCTAssertEqual(energy.suffix(n).reduce(0, +), try kpi(smart, "charging_energy"), accuracy: 1e-6)
        XCTAssertEqual(try smart.readInt64s("/chargers/bus"), [18, 33, 22, 25])
    }

    func testFleetOutputsAreConsistent() throws {
        let f = try run("smart")
        let names = ["idle", "to_pickup", "occupied", "rebalancing", "to_charger", "charging"]
        let series = try names.map { try f.read("/fleet/\($0)", as: Int32.self) }
        for row in 0..<series[0].count {
            XCTAssertEqual(series.map { $0[row] }.reduce(0, +), 300, "every robotaxi is in exactly one state")
        }
        XCTAssertGreaterThan(series[5].max() ?? 0, 0, "robotaxis charge during the day")
        let requests = try kpi(f, "fleet_requests")
        let rejected = try f.read("/fleet/requests/rejected", as: UInt8.self)
        XCTAssertEqual(Double(rejected.count), requests)
        XCTAssertEqual(Double(rejected.filter { $0 == 1 }.count) / requests, try kpi(f, "rejection_rate"), accuracy: 1e-12)
        let wait = try f.readDoubles("/fleet/requests/wait").filter { !$0.isNaN }
        XCTAssertEqual(wait.reduce(0, +) / Double(wait.count), try kpi(f, "passenger_wait_mean"), accuracy: 1e-6)
        XCTAssertEqual(try f.shape(of: "/fleet/soc"), [97, 300])
        XCTAssertGreaterThan(try kpi(f, "private_charging_visits"), 50)
    }

    func testChargerScenarioErrors() throws {
        let path = packageRoot.appendingPathComponent("Scenarios/heatwave-ev.yaml").path
        for (o, expected) in [
            ("chargers.stations[0].node=999", "chargers.stations[0].node: node 999 is not in the road network"),
            ("chargers.stations[1].bus=77", "chargers.stations[1].bus: bus 77 is not in grid case case33bw"),
        ] {
            let s = try Scenario.load(path: path, overrides: [try FieldOverride(parsing: o)])
            XCTAssertThrowsError(try CityRun.execute(s, outputPath: FileManager.default.temporaryDirectory.appendingPathComponent("x.h5").path)) {
                XCTAssertTrue("\($0)".contains(expected), "\(o): \($0)")
            }
        }
        for (o, expected) in [
            ("charging.policy=greedy", "charging.policy: expected one of smart, uncontrolled, found 'greedy'"),
            ("fleet.charge_target=0.1", "fleet.charge_target: expected more than charge_threshold (0.3)"),
            ("chargers.stations=[]", "chargers.stations: expected at least one station"),
            ("charging.voltage_restore=0.9", "charging.voltage_restore: expected at least voltage_low (0.95)"),
        ] {
            XCTAssertThrowsError(try Scenario.load(path: path, overrides: [try FieldOverride(parsing: o)]), o) {
                XCTAssertTrue("\($0)".contains(expected), "\(o): \($0)")
            }
        }
    }
}
