import Foundation
import TestSupport
import TwinIO
import XCTest
@testable import CityTwin

/// The mobility half of the world: traffic outputs, rain coupling, CLI import/inspect.
final class TrafficCouplingTests: XCTestCase {
    private var dir: URL!
    override func setUpWithError() throws { dir = try makeTemporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func runScenario(_ name: String, _ overrides: [String]) throws -> HDF5File {
        let out = dir.appendingPathComponent("\(name)-\(UUID().uuidString).h5").path
        let s = try Scenario.load(path: packageRoot.appendingPathComponent("Scenarios/\(name)").path,
                                  overrides: try overrides.map { try FieldOverride(parsing: $0) })
        _ = try CityRun.execute(s, outputPath: out)
        return try HDF5File.openReadOnly(path: out)
    }

    private func kpi(_ f: HDF5File, _ name: String) throws -> Double {
        try XCTUnwrap(KPI.read(from: f).first { $0.name == name }?.value, name)
    }

    func testTrafficOutputsHaveTheDocumentedShapes() throws {
        let f = try runScenario("baseline.yaml", ["duration=6h", "demand.scale=0.2", "buildings.classes=[]", "pv.systems=[]"])
        XCTAssertEqual(try f.shape(of: "/traffic/flow"), [25, 76])
        XCTAssertEqual(try f.elementType(of: "/traffic/flow"), .float32)
        XCTAssertEqual(try f.attribute("units", at: "/traffic/mean_speed").stringValue, "km/h")
        XCTAssertEqual(try f.shape(of: "/traffic/nodes/x"), [24])
        let trips = try kpi(f, "trips")
        XCTAssertEqual(try f.shape(of: "/traffic/trips/departure"), [Int(trips)])
        // Every trip departing before 5 h has arrived by 6 h on this uncongested network.
        let dep = try f.readDoubles("/traffic/trips/departure"), arr = try f.readDoubles("/traffic/trips/arrival")
        for (d, a) in zip(dep, arr) where d < 5 * 3600 { XCTAssertFalse(a.isNaN, "trip departing at \(d) s arrived") }
        for (d, a) in zip(dep, arr) where !a.isNaN { XCTAssertGreaterThan(a, d) }
        let arrived = try f.readInt64s("/traffic/arrived")
        XCTAssertEqual(arrived.last, Int64(arr.filter { !$0.isNaN }.count))
        XCTAssertEqual(arrived, arrived.sorted(), "arrivals only accumulate")
        XCTAssertEqual(try f.elementType(of: "/traffic/trips/is_ev"), .uint8)
        let evShare = Double(try f.read("/traffic/trips/is_ev", as: UInt8.self).filter { $0 == 1 }.count) / trips
        XCTAssertEqual(evShare, 0.2, accuracy: 0.03, "20 % EVs (binomial sampling of ~\(Int(trips)) trips)")
    }

    /// Rain lowers free speeds by the scenario's factor, so the storm window shows lower link
    /// speeds and the run accumulates more delay than the dry baseline.
    func testStormSlowsTraffic() throws {
        let common = ["duration=20h", "demand.scale=0.3", "buildings.classes=[]", "pv.systems=[]"]
        let dry = try runScenario("baseline.yaml", common)
        let wet = try runScenario("storm.yaml", common)
        XCTAssertGreaterThan(try kpi(wet, "mean_delay"), try kpi(dry, "mean_delay") + 5)
        XCTAssertGreaterThan(try kpi(wet, "vehicle_hours"), try kpi(dry, "vehicle_hours"))
        // Row 68 = 17:00, inside the storm: speeds on used links drop by the rain factor (0.85) or more.
        let links = 76, row = 68
        let dryFree = try dry.read("/traffic/mean_speed", as: Float.self)[(row * links)..<((row + 1) * links)]
        let wetFree = try wet.read("/traffic/mean_speed", as: Float.self)[(row * links)..<((row + 1) * links)]
        let ratio = zip(wetFree, dryFree).map { Double($0 / $1) }.reduce(0, +) / Double(links)
        XCTAssertLessThan(ratio, 0.9)
        XCTAssertGreaterThan(ratio, 0.5)
        XCTAssertEqual(try wet.readDoubles("/weather/precipitation")[row], 12, accuracy: 1e-9)
    }

    func testMobilityScenarioErrors() throws {
        let path = packageRoot.appendingPathComponent("Scenarios/baseline.yaml").path
        let cases: [(String, String)] = [
            ("roads.network=Scenarios/baseline.yaml", "roads.network: expected an .osm, _net.tntp or .ctnet file"),
            ("demand.profile=[1, 2, 3]", "demand.profile: expected 24 hourly weights, found 3"),
            ("demand.ev_share=1.5", "demand.ev_share: expected a number between 0 and 1, found 1.5"),
            ("traffic.signals=[{node: 1, cycle: 60s, greens: [40, 30]}]", "traffic.signals[0].greens: expected greens adding up to at most the cycle (60.0 s)"),
            ("demand.counts=random", "demand.counts: expected one of round, poisson, found 'random'"),
        ]
        for (override, expected) in cases {
            XCTAssertThrowsError(try Scenario.load(path: path, overrides: [try FieldOverride(parsing: override)]), override) {
                XCTAssertTrue("\($0)".contains(expected), "\(override): \($0)")
            }
        }
        let s = try Scenario.load(path: path, overrides: [try FieldOverride(parsing: "traffic.signals=[{node: 99, cycle: 60s, greens: [25, 25]}]")])
        XCTAssertThrowsError(try CityRun.execute(s, outputPath: dir.appendingPathComponent("x.h5").path)) {
            XCTAssertTrue("\($0)".contains("traffic.signals[0].node: node 99 is not in the road network"), "\($0)")
        }
    }

    func testImportAndInspectNetworksFromTheCommandLine() throws {
        let net = dir.appendingPathComponent("ags.ctnet").path
        let r = try CommandLineTool.run(["import", "osm", "Models/roads/osm/aguascalientes.osm", "-o", net])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("nodes 830, links 1678"), r.stdout)
        XCTAssertTrue(r.stderr.contains("kept the largest strongly connected component"), r.stderr)
        let i = try CommandLineTool.run(["inspect", net])
        XCTAssertEqual(i.status, 0, i.stderr)
        XCTAssertTrue(i.stdout.contains("signalised nodes 21"), i.stdout)
        let t = try CommandLineTool.run(["import", "tntp", "Models/roads/SiouxFalls/SiouxFalls_net.tntp", "-o", dir.appendingPathComponent("sf.ctnet").path])
        XCTAssertEqual(t.status, 0, t.stderr)
        XCTAssertTrue(t.stdout.contains("nodes 24, links 76"), t.stdout)
        let bad = try CommandLineTool.run(["import", "osm", "Scenarios/baseline.yaml", "-o", dir.appendingPathComponent("b.ctnet").path])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("not an OSM XML file"), bad.stderr)
        let grid = try CommandLineTool.run(["inspect", "Models/grids/case14.m"])
        XCTAssertTrue(grid.stdout.contains("buses: 14"), grid.stdout)
    }
}
