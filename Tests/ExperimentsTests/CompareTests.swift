import CityTwin
import Foundation
import TestSupport
import TwinIO
import XCTest
@testable import Experiments

/// Small synthetic CityTwin outputs with exactly known contents (written with TwinIO in the
/// layout of docs/output-format.md), for compare and report tests.
enum RunFixture {
    struct Options {
        var scenario = "fixture"
        var kpis: [KPI] = [KPI("min_voltage", 0.95, units: "p.u.", domain: "grid", better: .higherIsBetter, description: "lowest voltage"),
                           KPI("vehicle_hours", 100, units: "h", domain: "traffic", better: .lowerIsBetter, description: "time on roads"),
                           KPI("mean_outdoor_temperature", 20, units: "degC", domain: "weather", description: "mean temperature")]
        var writeKPIs = true
        var gridCase = "case5"
        var buses: [Int64] = [1, 2, 3, 4, 5]
        var withTraffic = true
        var withChargers = false
        var occupancyPeakHour = 2
        var voltageOffset = 0.0
    }

    /// Writes a 4-hour run with 15-min snapshots (17 rows) at `path`.
    static func write(_ path: String, _ o: Options = Options()) throws {
        let f = try HDF5File.create(path: path)
        try f.setAttribute("scenario_name", .string(o.scenario))
        try f.setAttribute("calendar_start", .string("2025-07-14T00:00:00"))
        try f.setAttribute("duration_s", .double(4 * 3600))
        let rows = 17
        let time = (0..<rows).map { Double($0) * 900 }
        func group(_ g: String, entity: String?, labels: [Int64]) throws {
            try f.createGroup(g)
            try f.write(time, to: "\(g)/time")
            try f.makeDimensionScale("\(g)/time")
            if let entity {
                try f.write(labels, to: "\(g)/\(entity)")
                try f.makeDimensionScale("\(g)/\(entity)")
            }
        }
        func series(_ g: String, _ name: String, _ values: [Double], columns: Int, entity: String?, units: String) throws {
            try f.write(values, dims: columns > 0 && entity != nil ? [rows, columns] : [rows], to: "\(g)/\(name)")
            try f.attachDimensionScale("\(g)/time", to: "\(g)/\(name)", dimension: 0)
            if let entity { try f.attachDimensionScale("\(g)/\(entity)", to: "\(g)/\(name)", dimension: 1) }
            try f.setAttribute("units", .string(units), at: "\(g)/\(name)")
        }
        // Grid: a radial feeder 1-2-3-4 with a lateral 2-5 and an open tie 4-5.
        let n = o.buses.count
        try group("/grid", entity: "bus", labels: o.buses)
        try f.setAttribute("case", .string(o.gridCase), at: "/grid")
        try f.setAttribute("voltage_min", .double(0.95), at: "/grid")
        try f.setAttribute("voltage_max", .double(1.05), at: "/grid")
        try f.setAttribute("slack_bus", .int64(1), at: "/grid")
        // Voltage falls along the feeder and is lowest at row 8 (2 h).
        var vm: [Double] = []
        for r in 0..<rows { for b in 0..<n { vm.append(1 - 0.01 * Double(b) * (1 + (r == 8 ? 1 : 0)) - o.voltageOffset) } }
        try series("/grid", "vm", vm, columns: n, entity: "bus", units: "p.u.")
        try series("/grid", "min_vm", (0..<rows).map { r in vm[r * n ..< r * n + n].min() ?? 1 }, columns: 0, entity: nil, units: "p.u.")
        try series("/grid", "total_load", (0..<rows).map { 1 + Double($0) * 0.1 }, columns: 0, entity: nil, units: "MW")
        try f.write([Int64](1...5), to: "/grid/line")
        try f.makeDimensionScale("/grid/line")
        try series("/grid", "loading", (0..<rows * 5).map { Double($0 % 5) * 10 }, columns: 5, entity: "line", units: "%")
        try f.write([1, 2, 3, 2, 4] as [Int64], to: "/grid/from_bus")
        try f.write([2, 3, 4, 5, 5] as [Int64], to: "/grid/to_bus")
        try f.write([1, 1, 1, 1, 0] as [Int64], to: "/grid/in_service")
        if o.withTraffic {
            // Two links between two nodes; link 1 carries 3x the flow of link 0.
            try group("/traffic", entity: "link", labels: [0, 1])
            try f.setAttribute("network", .string("two-links"), at: "/traffic")
            try f.write([0, 1] as [Int64], to: "/traffic/from_node")
            try f.write([1, 0] as [Int64], to: "/traffic/to_node")
            try f.write([50.0, 50.0], to: "/traffic/free_speed")
            try series("/traffic", "flow", (0..<rows).flatMap { _ in [100.0, 300.0] }, columns: 2, entity: "link", units: "veh/h")
            try series("/traffic", "mean_speed", (0..<rows).flatMap { _ in [40.0, 60.0] }, columns: 2, entity: "link", units: "km/h")
            let occupancy = (0..<rows).flatMap { r -> [Double] in r / 4 == o.occupancyPeakHour ? [0.8, 0.6] : [0.1, 0.1] }
            try series("/traffic", "occupancy", occupancy, columns: 2, entity: "link", units: "1")
            try group("/traffic/nodes", entity: "node", labels: [0, 1])
            try f.write([0.0, 1000.0], to: "/traffic/nodes/x")
            try f.write([0.0, 500.0], to: "/traffic/nodes/y")
        }
        try group("/weather", entity: nil, labels: [])
        try f.write(["synthetic"], to: "/weather/station")
        try f.makeDimensionScale("/weather/station")
        try series("/weather", "temperature", (0..<rows).map { 20 + Double($0) }, columns: 1, entity: "station", units: "degC")
        if o.withChargers {
            try group("/chargers", entity: "charger", labels: [7, 8])
            try series("/chargers", "queued", (0..<rows).flatMap { _ in [1.0, 2.0] }, columns: 2, entity: "charger", units: "veh")
            try series("/chargers", "power", (0..<rows).flatMap { _ in [50.0, 150.0] }, columns: 2, entity: "charger", units: "kW")
            try f.write([0, 1] as [Int64], to: "/chargers/node")
        }
        if o.writeKPIs {
            try f.createGroup("/kpi")
            try f.write(o.kpis.map(\.name), to: "/kpi/kpi")
            try f.write(o.kpis.map(\.value), to: "/kpi/value")
            try f.write(o.kpis.map(\.units), to: "/kpi/units")
            try f.write(o.kpis.map(\.better.rawValue), to: "/kpi/better")
            try f.write(o.kpis.map(\.domain), to: "/kpi/domain")
            try f.write(o.kpis.map(\.description), to: "/kpi/description")
        }
        try f.close()
    }

    static func directory() throws -> URL { try makeTemporaryDirectory() }

    static func kpis(minVoltage: Double, vehicleHours: Double, temperature: Double = 20) -> [KPI] {
        [KPI("min_voltage", minVoltage, units: "p.u.", domain: "grid", better: .higherIsBetter, description: "lowest voltage"),
         KPI("vehicle_hours", vehicleHours, units: "h", domain: "traffic", better: .lowerIsBetter, description: "time on roads"),
         KPI("mean_outdoor_temperature", temperature, units: "degC", domain: "weather", description: "mean temperature")]
    }
}

final class CompareTests: XCTestCase {
    /// Welch interval by hand: a = 1..5 (mean 3, s² 2.5), b = 2,4,..,10 (mean 6, s² 10):
    /// se² = 2.5/5 + 10/5 = 2.5, df = 2.5² / (0.5²/4 + 2²/4) = 6.25/1.0625 = 5.88235;
    /// t_{0.975, 5.88235} = 2.458824 (scipy.stats.t.ppf), half-width 2.458824·√2.5 = 3.887742.
    func testWelchIntervalMatchesHandComputation() throws {
        let i = try XCTUnwrap(WelchInterval.interval(baseline: [1, 2, 3, 4, 5], variant: [2, 4, 6, 8, 10]))
        XCTAssertEqual(i.difference, 3, accuracy: 1e-12)
        XCTAssertEqual(i.degreesOfFreedom, 6.25 / 1.0625, accuracy: 1e-12)
        // 1e-5: the scipy reference is quoted to 6 decimals.
        XCTAssertEqual(i.upper - i.difference, 3.887742, accuracy: 1e-5)
        XCTAssertFalse(i.significant)  // lower = 3 − 3.883 < 0 < upper
    }

    func testWelchEdgeCases() throws {
        // One baseline run taken as exact: one-sample t with df = n - 1 = 2; t_{0.975,2} = 4.30265.
        let one = try XCTUnwrap(WelchInterval.interval(baseline: [10], variant: [11, 12, 13]))
        XCTAssertEqual(one.degreesOfFreedom, 2, accuracy: 1e-12)
        XCTAssertEqual(one.upper - one.difference, 4.302653 * (1.0 / 3).squareRoot(), accuracy: 1e-5)
        // Zero variance both sides: the point itself, significant when the means differ.
        let flat = try XCTUnwrap(WelchInterval.interval(baseline: [1, 1], variant: [2, 2]))
        XCTAssertEqual(flat.lower, 1); XCTAssertEqual(flat.upper, 1); XCTAssertTrue(flat.significant)
        XCTAssertNil(WelchInterval.interval(baseline: [1], variant: [2]))
    }

    func testSingleRunComparisonDirections() throws {
        let dir = try RunFixture.directory()
        let a = dir.appendingPathComponent("a.h5").path, b = dir.appendingPathComponent("b.h5").path
        var o = RunFixture.Options(); o.scenario = "base"
        try RunFixture.write(a, o)
        o.scenario = "variant"; o.kpis = RunFixture.kpis(minVoltage: 0.94, vehicleHours: 80, temperature: 26)
        try RunFixture.write(b, o)
        let (runs, msgs) = RunComparison.open([a, b])
        XCTAssertTrue(msgs.isEmpty)
        let c = RunComparison.compare(baseline: [runs[0]], variant: [runs[1]])
        XCTAssertEqual(c.comparedCount, 3)
        let v = try XCTUnwrap(c.rows.first { $0.name == "min_voltage" })
        XCTAssertEqual(v.difference, -0.01, accuracy: 1e-12)
        XCTAssertEqual(v.relativeChange, -0.01 / 0.95, accuracy: 1e-12)
        XCTAssertEqual(v.verdict, "▼ worse")
        XCTAssertEqual(c.rows.first { $0.name == "vehicle_hours" }?.verdict, "▼ better")
        XCTAssertEqual(c.rows.first { $0.name == "mean_outdoor_temperature" }?.verdict, "▲ higher")
        let table = c.terminalTable()
        XCTAssertTrue(table.contains("-20.0 %"), table)
        XCTAssertTrue(table.contains("3 of 3 KPIs compared"), table)
    }

    func testReplicationsGiveWelchIntervals() throws {
        let dir = try RunFixture.directory()
        let da = dir.appendingPathComponent("A"), db = dir.appendingPathComponent("B")
        try FileManager.default.createDirectory(at: da, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: db, withIntermediateDirectories: true)
        // vehicle_hours: A = 100, 102, 104 (mean 102, s 2); B = 90, 91, 92 (mean 91, s 1):
        // clearly lower. min_voltage: A and B overlap → not significant.
        for (i, (va, vb)) in [(100.0, 90.0), (102, 91), (104, 92)].enumerated() {
            var o = RunFixture.Options(); o.scenario = "a"
            o.kpis = RunFixture.kpis(minVoltage: [0.95, 0.96, 0.94][i], vehicleHours: va)
            try RunFixture.write(da.appendingPathComponent("r\(i).h5").path, o)
            o.scenario = "b"; o.kpis = RunFixture.kpis(minVoltage: [0.955, 0.945, 0.95][i], vehicleHours: vb)
            try RunFixture.write(db.appendingPathComponent("r\(i).h5").path, o)
        }
        let (ra, ma) = RunComparison.open([da.path]), (rb, mb) = RunComparison.open([db.path])
        XCTAssertEqual(ra.count, 3); XCTAssertEqual(rb.count, 3)
        let c = RunComparison.compare(baseline: ra, variant: rb, messages: ma + mb)
        let vh = try XCTUnwrap(c.rows.first { $0.name == "vehicle_hours" }?.interval)
        // se² = 4/3 + 1/3 = 5/3; df = (5/3)² / ((4/3)²/2 + (1/3)²/2) = 2.94118; t = 3.218759 (scipy).
        XCTAssertEqual(vh.difference, -11, accuracy: 1e-12)
        XCTAssertEqual(vh.degreesOfFreedom, (25.0 / 9) / (16.0 / 18 + 1.0 / 18), accuracy: 1e-9)
        XCTAssertEqual(vh.upper, -11 + 3.218759 * (5.0 / 3).squareRoot(), accuracy: 1e-5)
        XCTAssertTrue(vh.significant)
        let v = try XCTUnwrap(c.rows.first { $0.name == "min_voltage" })
        XCTAssertEqual(v.interval?.significant, false)
        XCTAssertTrue(v.verdict.hasSuffix("(n.s.)") || v.verdict == "= same", v.verdict)
        XCTAssertTrue(c.terminalTable().contains("significant"))
    }

    func testIncompatibleGridsAndBadFilesAreNotesNotCrashes() throws {
        let dir = try RunFixture.directory()
        let a = dir.appendingPathComponent("a.h5").path, b = dir.appendingPathComponent("b.h5").path
        try RunFixture.write(a)
        var o = RunFixture.Options(); o.gridCase = "case33bw"; o.buses = Array(1...6); o.withTraffic = false
        try RunFixture.write(b, o)
        let junk = dir.appendingPathComponent("junk.h5").path
        try Data("not hdf5 at all".utf8).write(to: URL(fileURLWithPath: junk))
        let truncated = dir.appendingPathComponent("truncated.h5").path
        let bytes = try Data(contentsOf: URL(fileURLWithPath: a))
        try bytes.prefix(bytes.count / 3).write(to: URL(fileURLWithPath: truncated))
        let (ra, ma) = RunComparison.open([a, junk, truncated, dir.appendingPathComponent("missing.h5").path])
        XCTAssertEqual(ra.count, 1)
        XCTAssertEqual(ma.count, 3, "\(ma)")
        XCTAssertTrue(ma.contains { $0.contains("junk.h5") && $0.contains("not an HDF5 file") }, "\(ma)")
        let (rb, _) = RunComparison.open([b])
        let c = RunComparison.compare(baseline: ra, variant: rb, messages: ma)
        XCTAssertEqual(c.rows.first { $0.name == "min_voltage" }?.status, .incompatible("different grids (case case5, 5 buses vs case case33bw, 6 buses)"))
        XCTAssertEqual(c.rows.first { $0.name == "mean_outdoor_temperature" }?.status, .compared)
        XCTAssertTrue(c.messages.contains { $0.hasPrefix("/traffic only in the baseline") }, "\(c.messages)")
        XCTAssertEqual(c.comparedCount, 2)  // temperature and vehicle_hours (its KPI exists in both tables)

        // A file without /kpi: nothing to compare, a note, no crash.
        var none = RunFixture.Options(); none.writeKPIs = false
        let empty = dir.appendingPathComponent("nokpi.h5").path
        try RunFixture.write(empty, none)
        let (re, _) = RunComparison.open([empty])
        let c2 = RunComparison.compare(baseline: ra, variant: re)
        XCTAssertEqual(c2.comparedCount, 0)
        XCTAssertTrue(c2.messages.contains { $0.contains("no /kpi group") }, "\(c2.messages)")
    }

    func testCommandLineExitCodes() throws {
        let dir = try RunFixture.directory()
        let a = dir.appendingPathComponent("a.h5").path, b = dir.appendingPathComponent("b.h5").path
        try RunFixture.write(a); try RunFixture.write(b)
        let junk = dir.appendingPathComponent("junk.h5").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: junk))
        let html = dir.appendingPathComponent("c.html").path
        let ok = try CommandLineTool.run(["compare", a, b, "--html", html])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stdout.contains("= same"), ok.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: html))
        let bad = try CommandLineTool.run(["compare", a, junk])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stdout.contains("junk.h5"), bad.stdout)
        XCTAssertTrue(bad.stderr.hasPrefix("error: compare: nothing could be compared"), bad.stderr)
        let reps = try CommandLineTool.run(["compare", "--a", a, b, "--b", b, a])
        XCTAssertEqual(reps.status, 0, reps.stderr)
    }
}
