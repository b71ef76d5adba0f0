import CityTwin
import Foundation
import TestSupport
import XCTest
@testable import Experiments

final class ReportTests: XCTestCase {
    func testAxisTicksAreNice() {
        let t = AxisTicks(dataMin: 0, dataMax: 24, target: 6)
        XCTAssertEqual(t.step, 5); XCTAssertEqual(t.values, [0, 5, 10, 15, 20, 25])
        let v = AxisTicks(dataMin: 0.9507, dataMax: 0.967, target: 5)
        XCTAssertEqual(v.step, 0.005, accuracy: 1e-15)
        XCTAssertEqual(v.lower, 0.95, accuracy: 1e-12); XCTAssertEqual(v.upper, 0.97, accuracy: 1e-12)
        XCTAssertEqual(SVGFormat.tick(0.955, step: 0.005), "0.955")
        XCTAssertEqual(SVGFormat.tick(20, step: 20), "20")
        let flat = AxisTicks(dataMin: 3, dataMax: 3)  // degenerate range is widened
        XCTAssertLessThan(flat.lower, 3); XCTAssertGreaterThan(flat.upper, 3)
    }

    func testRowReductions() {
        // Flow-weighted speed: (100·40 + 300·60) / 400 = 55 km/h; no flow: plain mean 50.
        let speed = TimeSeriesTable(hours: [0, 1], columns: 2, values: [40, 60, 40, 60], entity: ["0", "1"], units: "km/h")
        let flow = TimeSeriesTable(hours: [0, 1], columns: 2, values: [100, 300, 0, 0], entity: ["0", "1"], units: "veh/h")
        XCTAssertEqual(speed.reduceRows(.weightedMean, weights: flow), [55, 50])
        let gaps = TimeSeriesTable(hours: [0, 1], columns: 2, values: [1, .nan, .nan, .nan], entity: ["a", "b"], units: "")
        XCTAssertEqual(gaps.reduceRows(.sum)[0], 1)
        XCTAssertTrue(gaps.reduceRows(.sum)[1].isNaN)  // no data is not zero
    }

    func testFeederLayoutFollowsTheTreeFromTheSlack() {
        // 1-2-3-4 main feeder, lateral 2-5, open tie 4-5 (not used for the layout).
        let d = FeederDiagramSVG(id: "f", title: "t", buses: [1, 2, 3, 4, 5], slackBus: 1,
                                 branchFrom: [1, 2, 3, 2, 4], branchTo: [2, 3, 4, 5, 5],
                                 branchInService: [true, true, true, true, false],
                                 busValue: [0, 0, 0, 0, 0], busTooltip: [], branchValue: [], branchTooltip: [],
                                 scaleCaption: "", scaleLabels: [])
        let l = d.layout()
        XCTAssertEqual(l.depth, [0, 1, 2, 3, 2])
        XCTAssertEqual(l.row, [0, 0, 0, 0, 1])
        XCTAssertTrue(d.svg().contains("stroke=\"#888\""))  // the open tie, dashed grey
    }

    func testReportDrawsWhatExistsListsWhatIsMissingAndIsDeterministic() throws {
        let dir = try RunFixture.directory()
        let path = dir.appendingPathComponent("run.h5").path
        var o = RunFixture.Options(); o.withChargers = true
        try RunFixture.write(path, o)
        let html = RunReport.html(run: try RunFile(path: path))
        XCTAssertEqual(html, RunReport.html(run: try RunFile(path: path)), "same input, same bytes")
        // Self-contained: no external resources (the SVG namespace URI is not fetched).
        for needle in ["src=", "<link", "@import", "url(", "https:"] { XCTAssertFalse(html.contains(needle), needle) }
        XCTAssertEqual(html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http:"), false)
        // Present: grid, traffic, weather and chargers charts; the map with both links and the
        // two chargers; the feeder with its 5 buses. Missing: fleet and buildings, listed.
        XCTAssertTrue(html.contains("id=\"chart-charger-queue\" width=\"660.0\" height=\"300.0\" viewBox=\"0 0 660.0 300.0\" data-series=\"1\" data-points=\"17\""))
        XCTAssertTrue(html.contains("class=\"ct-map\" id=\"map-0\""))
        XCTAssertTrue(html.contains("data-links=\"2\" data-skipped=\"0\""))
        XCTAssertEqual(html.components(separatedBy: "<title>charger ").count - 1, 2)
        XCTAssertTrue(html.contains("data-buses=\"5\""))
        XCTAssertTrue(html.contains("Robotaxi fleet states: not in this run"))
        XCTAssertTrue(html.contains("worst hour 02:00–03:00"))
        // Lowest voltage at row 8 (2 h): bus 5 at 1 − 0.01·4·2 = 0.92 p.u.
        XCTAssertTrue(html.contains("feeder at its lowest voltage, 0.9200 p.u. at 02:00"), html)
        XCTAssertTrue(html.contains("<td class=\"l\"><code>min_voltage</code></td><td>0.9500</td>"))
    }

    func testComparisonOverlaysBothRuns() throws {
        let dir = try RunFixture.directory()
        let a = dir.appendingPathComponent("a.h5").path, b = dir.appendingPathComponent("b.h5").path
        var o = RunFixture.Options(); o.scenario = "base"; try RunFixture.write(a, o)
        o.scenario = "hot"; o.voltageOffset = 0.01; o.withTraffic = false
        o.kpis = RunFixture.kpis(minVoltage: 0.94, vehicleHours: 100)
        try RunFixture.write(b, o)
        let html = RunReport.html(run: try RunFile(path: a), other: try RunFile(path: b))
        XCTAssertTrue(html.contains("min voltage (base)"))
        XCTAssertTrue(html.contains("min voltage (hot)"))
        XCTAssertTrue(html.contains("stroke-dasharray=\"6 4\""))
        XCTAssertTrue(html.contains("▼ worse"))
        XCTAssertTrue(html.contains("/traffic only in the baseline"))
        XCTAssertTrue(html.contains("data-buses=\"5\" role=\"img\" aria-label=\"hot: feeder"))
    }

    func testTruncatedSeriesAreNotedAndDrawnUpToTheirLength() throws {
        let dir = try RunFixture.directory()
        let path = dir.appendingPathComponent("t.h5").path
        try RunFixture.write(path)
        let f = try TwinIO.HDF5File.openReadWrite(path: path)
        try f.remove("/weather/time")
        try f.write((0..<10).map { Double($0) * 900 }, to: "/weather/time")
        try f.close()
        let run = try RunFile(path: path)
        let t = try XCTUnwrap(run.timeSeries("/weather/temperature"))
        XCTAssertEqual(t.hours.count, 10)
        XCTAssertTrue(run.notes.contains { $0.contains("has 17 rows but /weather/time has 10") }, "\(run.notes)")
    }
}

import TwinIO
