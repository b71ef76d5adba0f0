import Foundation
import TestSupport
import TwinIO
import XCTest
@testable import CityTwin

/// Interventions a planner asks for: each applied over its window and undone after it.
final class InterventionTests: XCTestCase {
    private var dir: URL!
    override func setUpWithError() throws { dir = try makeTemporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private let light = ["demand.scale=0.3", "buildings.classes[0].count=100", "buildings.classes[1].count=50"]

    private func runScenario(_ overrides: [String], scenario: String = "baseline.yaml") throws -> HDF5File {
        let out = dir.appendingPathComponent("\(UUID().uuidString).h5").path
        let s = try Scenario.load(path: packageRoot.appendingPathComponent("Scenarios/\(scenario)").path,
                                  overrides: try overrides.map { try FieldOverride(parsing: $0) })
        _ = try CityRun.execute(s, outputPath: out)
        return try HDF5File.openReadOnly(path: out)
    }

    private func kpi(_ f: HDF5File, _ name: String) throws -> Double {
        try XCTUnwrap(KPI.read(from: f).first { $0.name == name }?.value, name)
    }

    /// Link index of the Sioux Falls link 10 → 15 (TNTP node numbers).
    private func link10to15(_ f: HDF5File) throws -> Int {
        let from = try f.readInt64s("/traffic/from_node"), to = try f.readInt64s("/traffic/to_node")
        let ext = try f.readInt64s("/traffic/nodes/external_id")
        return try XCTUnwrap(from.indices.first { ext[Int(from[$0])] == 10 && ext[Int(to[$0])] == 15 })
    }

    func testRoadClosureStopsTheLinkForItsWindowOnly() throws {
        let f = try runScenario(light + ["duration=14h", "interventions=[{type: road_capacity, link: {from: 10, to: 15}, factor: 0, start: \"2025-07-14T07:00\", end: \"2025-07-14T10:00\"}]"])
        let l = try link10to15(f), links = try f.shape(of: "/traffic/flow")[1]
        let flow = try f.read("/traffic/flow", as: Float.self)
        func flowAt(_ row: Int) -> Float { flow[row * links + l] }
        // Rows are 15-minute snapshots; flow at row r counts exits in (r-1, r].
        // The closure starts and ends exactly on snapshot instants (interventions run before the
        // snapshot of the same time), so rows 30 to 39 cover the closed window.
        for row in 30...39 { XCTAssertEqual(flowAt(row), 0, "closed at \(Double(row) / 4) h") }
        XCTAssertGreaterThan((42...48).map(flowAt).reduce(0, +), 0, "traffic flows again after 10:00")
        XCTAssertGreaterThan((20...28).map(flowAt).reduce(0, +), 0, "and before 07:00")
        let occupancy = try f.read("/traffic/occupancy", as: Float.self)
        XCTAssertGreaterThan(occupancy[39 * links + l], 0, "vehicles are held on the closed link")
    }

    func testFeederFaultWithAndWithoutTieSwitch() throws {
        let fault = "{type: branch_status, branch: 6, in_service: false, start: \"2025-07-14T12:00\", end: \"2025-07-14T14:00\"}"
        let tie = "{type: branch_status, branch: 33, in_service: true, start: \"2025-07-14T12:00\", end: \"2025-07-14T14:00\"}"
        let islanded = try runScenario(light + ["duration=16h", "interventions=[\(fault)]"])
        // The cut-off buses (7–18 behind branch 6) are de-energised, not a failed solve.
        XCTAssertEqual(try kpi(islanded, "power_flow_nonconverged"), 0)
        let vmIsland = try islanded.readDoubles("/grid/vm")
        let row = 54 // 13:30, inside the fault
        for bus in 7...18 { XCTAssertEqual(vmIsland[row * 33 + bus - 1], 0, "bus \(bus) is cut off") }
        XCTAssertGreaterThan(vmIsland[60 * 33 + 17], 0.9, "15:00: the branch is back")
        XCTAssertTrue(try islanded.readStrings("/meta/warnings").isEmpty == false)
        let reconfigured = try runScenario(light + ["duration=16h", "interventions=[\(fault), \(tie)]"])
        XCTAssertEqual(try kpi(reconfigured, "power_flow_nonconverged"), 0, "the tie switch re-supplies every bus")
        let vmTie = try reconfigured.readDoubles("/grid/vm")
        for bus in 7...18 { XCTAssertGreaterThan(vmTie[row * 33 + bus - 1], 0.85, "bus \(bus) is re-supplied") }
        XCTAssertGreaterThan(try kpi(islanded, "voltage_violation_bus_hours"), try kpi(reconfigured, "voltage_violation_bus_hours"))
        let base = try runScenario(light + ["duration=16h"])
        let bus = 33
        let vmFault = try reconfigured.readDoubles("/grid/vm")[row * bus ..< (row + 1) * bus]
        let vmBase = try base.readDoubles("/grid/vm")[row * bus ..< (row + 1) * bus]
        XCTAssertGreaterThan(zip(vmFault, vmBase).map { abs($0 - $1) }.max()!, 1e-3, "the topology change moves voltages")
    }

    func testDemandResponseLowersCoolingLoadDuringItsWindow() throws {
        let dr = "{type: demand_response, relief_k: 3, start: \"2025-07-14T12:00\", end: \"2025-07-14T18:00\"}"
        let base = try runScenario(light + ["duration=20h"], scenario: "heatwave.yaml")
        let relieved = try runScenario(light + ["duration=20h", "interventions=[\(dr)]"], scenario: "heatwave.yaml")
        XCTAssertLessThan(try kpi(relieved, "building_cooling_energy"), try kpi(base, "building_cooling_energy"))
        let pb = try base.readDoubles("/buildings/total_electric_power"), pr = try relieved.readDoubles("/buildings/total_electric_power")
        // Thermostats cycle, so compare the mean over the window (12:30–17:30), not one instant.
        func mean(_ a: [Double]) -> Double { a[50...70].reduce(0, +) / 21 }
        XCTAssertLessThan(mean(pr), 0.97 * mean(pb), "less load inside the window")
        let tb = try base.readDoubles("/buildings/air_temperature"), tr = try relieved.readDoubles("/buildings/air_temperature")
        XCTAssertGreaterThan(tr[64 * 4], tb[64 * 4], "homes run warmer under relief")
    }

    func testInterventionErrors() throws {
        let path = packageRoot.appendingPathComponent("Scenarios/baseline.yaml").path
        let bad: [(String, String)] = [
            ("interventions=[{start: 2025-07-14, factor: 0}]", "interventions[0].type: missing required field"),
            ("interventions=[{type: road_capacity, factor: 0, start: \"2025-07-14T10:00\", end: \"2025-07-14T09:00\"}]",
             "interventions[0].end: expected a time after start"),
            ("interventions=[{type: flood, start: 2025-07-14}]", "interventions[0].type: expected one of road_capacity, branch_status, demand_response, found 'flood'"),
            ("interventions=[{type: road_capacity, start: 2025-07-14, factor: 0.5}]", "interventions[0].link: missing required field"),
        ]
        for (o, expected) in bad {
            XCTAssertThrowsError(try Scenario.load(path: path, overrides: [try FieldOverride(parsing: o)]), o) {
                XCTAssertTrue("\($0)".contains(expected), "\(o): \($0)")
            }
        }
        let runtime: [(String, String)] = [
            ("interventions=[{type: road_capacity, link: {from: 1, to: 24}, factor: 0, start: 2025-07-14}]",
             "interventions[0].link: no link from node 1 to node 24 in the road network"),
            ("interventions=[{type: branch_status, branch: 99, start: 2025-07-14}]",
             "interventions[0].branch: expected a branch row between 1 and 37, found 99"),
            ("interventions=[{type: demand_response, relief_k: 1, buses: [77], start: 2025-07-14}]",
             "interventions[0].buses[0]: bus 77 is not in grid case case33bw"),
        ]
        for (o, expected) in runtime {
            let s = try Scenario.load(path: path, overrides: [try FieldOverride(parsing: o)])
            let out = dir.appendingPathComponent("never.h5").path
            XCTAssertThrowsError(try CityRun.execute(s, outputPath: out), o) {
                XCTAssertTrue("\($0)".contains(expected), "\(o): \($0)")
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        }
    }

    func testBundledFeederFaultVariantValidatesAndRebasesPaths() throws {
        let s = try Scenario.load(path: packageRoot.appendingPathComponent("Scenarios/feeder-fault.yaml").path)
        XCTAssertEqual(s.interventions.count, 4)
        XCTAssertEqual(s.weather.heatWave?.deltaC, 6, "inherits the heat wave through two bases")
        // A variant in another folder still finds the base's data files.
        let v = dir.appendingPathComponent("v.yaml")
        try "base: \(packageRoot.appendingPathComponent("Scenarios/baseline.yaml").path)\nname: far\n".write(to: v, atomically: true, encoding: .utf8)
        let far = try Scenario.load(path: v.path)
        XCTAssertEqual(far.weather.epwPath, s.weather.epwPath)
        XCTAssertEqual(far.grid?.casePath, s.grid?.casePath)
    }
}
