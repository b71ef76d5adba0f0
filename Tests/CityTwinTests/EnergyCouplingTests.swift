import Energy
import Foundation
import TestSupport
import TwinIO
import XCTest
@testable import CityTwin

/// The energy half of the world: placement on buses, the grid coupling and its outputs.
final class EnergyCouplingTests: XCTestCase {
    private var dir: URL!
    override func setUpWithError() throws { dir = try makeTemporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func grid(_ name: String = "case33bw.m") throws -> PowerGrid {
        try PowerGrid(matpower: MatpowerReader.read(path: packageRoot.appendingPathComponent("Models/grids/\(name)").path))
    }

    func testLoadBusPlacementIsProportionalToCaseLoad() throws {
        let g = try grid()
        let placed = try EnergyAssembly.placement(.loadBuses, count: 1000, grid: g, file: "s.yaml", field: "buildings.classes[0]")
        XCTAssertEqual(placed.count, 1000)
        let total = g.pd.reduce(0, +)
        for i in 0..<g.busCount {
            let expected = g.pd[i] / total * 1000
            let got = Double(placed.filter { $0 == i }.count)
            XCTAssertLessThan(abs(got - expected), 1.0, "bus \(g.busID[i]): largest remainder stays within one entity")
        }
        XCTAssertEqual(placed, placed.sorted(), "grouped by bus in case order")
        XCTAssertFalse(placed.contains(g.slackBus), "the substation bus has no load and gets no building")
    }

    func testExplicitBusesAreUsedRoundRobinAndUnknownOnesRejected() throws {
        let g = try grid()
        let placed = try EnergyAssembly.placement(.buses([5, 18]), count: 5, grid: g, file: "s.yaml", field: "pv.systems[0]")
        XCTAssertEqual(placed.map { g.busID[$0] }, [5, 18, 5, 18, 5])
        XCTAssertThrowsError(try EnergyAssembly.placement(.buses([5, 99]), count: 3, grid: g, file: "s.yaml", field: "pv.systems[0]")) {
            XCTAssertEqual("\($0)", "s.yaml: pv.systems[0].buses[1]: bus 99 is not in grid case case33bw")
        }
    }

    /// Runs the baseline for `hours` with extra overrides and returns the output file.
    private func runScenario(_ scenario: String = "baseline.yaml", hours: Int = 24, _ extra: [String] = []) throws -> HDF5File {
        let out = dir.appendingPathComponent("\(scenario)-\(extra.count)-\(UUID().uuidString).h5").path
        var overrides = [try FieldOverride(parsing: "duration=\(hours)h")]
        overrides += try extra.map { try FieldOverride(parsing: $0) }
        let s = try Scenario.load(path: packageRoot.appendingPathComponent("Scenarios/\(scenario)").path, overrides: overrides)
        _ = try CityRun.execute(s, outputPath: out)
        return try HDF5File.openReadOnly(path: out)
    }

    private func kpi(_ f: HDF5File, _ name: String) throws -> Double {
        let k = try KPI.read(from: f)
        guard let v = k.first(where: { $0.name == name })?.value else { throw PythonEnvironment.Failure(description: "no KPI \(name)") }
        return v
    }

    /// Grid energy = case load + buildings − PV. The grid sees loads as they were at its last
    /// solve (every 15 min, plus when the total moves by 5 %), while building and PV energies
    /// are exact integrals, so the two agree to the sampling error: 2 % is generous for a day
    /// of slowly varying load (the measured difference is well below 1 %).
    func testGridEnergyBalancesBuildingsPVAndCaseLoad() throws {
        let f = try runScenario()
        let g = try grid()
        let caseMWh = g.pd.reduce(0, +) * 0.35 * 24
        let buildingsMWh = (try kpi(f, "building_cooling_energy") + kpi(f, "building_heating_energy") + kpi(f, "building_base_energy")) / 1000
        let pvMWh = try kpi(f, "pv_energy") / 1000
        let expected = caseMWh + buildingsMWh - pvMWh
        let got = try kpi(f, "grid_energy")
        XCTAssertEqual(got, expected, accuracy: 0.02 * expected)
        XCTAssertGreaterThan(pvMWh, 0.5, "a July day produces PV energy")
        XCTAssertEqual(try kpi(f, "power_flow_nonconverged"), 0)
        XCTAssertGreaterThanOrEqual(try kpi(f, "power_flow_solves"), 97, "at least one solve per 15 minutes")
    }

    /// The voltages recorded by the world are what a standalone solve of the recorded bus
    /// loads gives (same solver, same tolerance: agreement to 1e-6 p.u. covers warm vs cold start).
    func testRecordedVoltagesMatchAStandaloneSolveOfTheRecordedLoads() throws {
        let f = try runScenario(hours: 18)
        let shape = try f.shape(of: "/grid/vm")
        XCTAssertEqual(shape, [73, 33])
        XCTAssertEqual(try f.shape(of: "/grid/loading"), [73, 37])
        XCTAssertEqual(try f.read("/grid/converged", as: UInt8.self), Array(repeating: 1, count: 73))
        let row = 60 // 15:00, near the afternoon peak
        let p = Array(try f.readDoubles("/grid/p_load")[(row * 33)..<((row + 1) * 33)])
        let q = Array(try f.readDoubles("/grid/q_load")[(row * 33)..<((row + 1) * 33)])
        let vm = Array(try f.readDoubles("/grid/vm")[(row * 33)..<((row + 1) * 33)])
        let solver = try PowerFlowSolver(grid: grid())
        let r = try solver.solve(loadsP: p, loadsQ: q)
        XCTAssertTrue(r.converged)
        for i in 0..<33 { XCTAssertEqual(r.vm[i], vm[i], accuracy: 1e-6, "bus \(i + 1)") }
        XCTAssertEqual(try f.readDoubles("/grid/min_vm")[row], vm.min()!, accuracy: 1e-12)
        XCTAssertEqual(try f.attribute("units", at: "/grid/vm").stringValue, "p.u.")
    }

    func testHeatWaveRaisesCoolingAndLowersVoltage() throws {
        let base = try runScenario(hours: 24)
        let heat = try runScenario("heatwave.yaml", hours: 24)
        XCTAssertGreaterThan(try kpi(heat, "building_cooling_energy"), 1.5 * (try kpi(base, "building_cooling_energy")))
        XCTAssertLessThan(try kpi(heat, "min_voltage"), try kpi(base, "min_voltage"))
        XCTAssertGreaterThan(try kpi(heat, "voltage_violation_bus_hours"), try kpi(base, "voltage_violation_bus_hours"))
        XCTAssertGreaterThan(try kpi(heat, "grid_peak_load"), try kpi(base, "grid_peak_load"))
    }

    /// `grid.reuse_jacobian` and `grid.dc_start` change the Newton path, not the answer:
    /// recorded voltages and loadings of a day agree with classic Newton from the case's angles
    /// within 1e-7 p.u. / 1e-5 % (both converge to ‖F‖∞ < 1e-8) and the grid KPIs agree.
    func testJacobianReuseKeepsTheRecordedGridState() throws {
        let lazy = try runScenario(hours: 12)
        let classic = try runScenario(hours: 12, ["grid.reuse_jacobian=false", "grid.dc_start=false"])
        for (name, tolerance) in [("/grid/vm", 1e-7), ("/grid/va", 1e-5), ("/grid/loading", 1e-5)] {
            let a = try lazy.readDoubles(name), b = try classic.readDoubles(name)
            XCTAssertEqual(a.count, b.count, name)
            XCTAssertLessThanOrEqual(zip(a, b).map { abs($0 - $1) }.max() ?? .nan, tolerance, name)
        }
        for name in ["power_flow_solves", "power_flow_nonconverged", "voltage_violation_bus_hours", "overload_line_hours"] {
            XCTAssertEqual(try kpi(lazy, name), try kpi(classic, name), accuracy: 1e-9, name)
        }
        XCTAssertEqual(try kpi(lazy, "min_voltage"), try kpi(classic, "min_voltage"), accuracy: 1e-7)
    }

    func testLoadJumpsTriggerExtraSolvesAndDCMethodRuns() throws {
        let sensitive = try runScenario(hours: 6, ["grid.load_change_threshold=0.002"])
        let coarse = try runScenario(hours: 6, ["grid.load_change_threshold=10"])
        XCTAssertEqual(try kpi(coarse, "power_flow_solves"), 25, "only the periodic solves: 6 h / 15 min + 1")
        XCTAssertGreaterThan(try kpi(sensitive, "power_flow_solves"), 30)
        let dc = try runScenario(hours: 6, ["grid.method=dc"])
        XCTAssertEqual(try kpi(dc, "min_voltage"), 1, "DC power flow assumes 1 p.u. everywhere")
        XCTAssertGreaterThan(try kpi(dc, "max_line_loading"), 10)
    }

    func testEnergyScenarioErrors() throws {
        let path = packageRoot.appendingPathComponent("Scenarios/baseline.yaml").path
        let cases: [(String, String)] = [
            ("grid.case=nope.m", "grid.case: file not found"),
            ("buildings.classes[0].archetype=castle", "buildings.classes[0].archetype: expected one of single_family, apartment, office, retail, found 'castle'"),
            ("buildings.classes[1].count=-3", "buildings.classes[1].count: expected an integer between 0 and 10000000, found -3"),
            ("pv.systems[0].buses=[1, 2.5]", "pv.systems[0].buses[1]: expected a bus number, found 2.5"),
            ("grid.voltage_min=1.1", "grid.voltage_max: expected a value above voltage_min (1.1)"),
            ("grid.method=newton", "grid.method: expected one of ac, dc, found 'newton'"),
        ]
        for (override, expected) in cases {
            XCTAssertThrowsError(try Scenario.load(path: path, overrides: [try FieldOverride(parsing: override)]), override) {
                XCTAssertTrue("\($0)".contains(expected), "\(override): \($0)")
            }
        }
        // Buildings need a grid.
        let dir = try makeTemporaryDirectory()
        let file = dir.appendingPathComponent("s.yaml")
        try "name: x\nbuildings:\n  classes: [{name: a, archetype: office, count: 2}]\n".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Scenario.load(path: file.path)) {
            XCTAssertTrue("\($0)".contains("buildings: needs a grid to connect to"), "\($0)")
        }
        // A bus number outside the case is caught when the world is built, before any output.
        let out = dir.appendingPathComponent("o.h5").path
        let s = try Scenario.load(path: path, overrides: [try FieldOverride(parsing: "pv.systems[0].buses=[4, 400]")])
        XCTAssertThrowsError(try CityRun.execute(s, outputPath: out)) {
            XCTAssertTrue("\($0)".contains("pv.systems[0].buses[1]: bus 400 is not in grid case case33bw"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }
}
