import Foundation
import TestSupport
import XCTest
@testable import Experiments

/// The report of a real (shortened) baseline run, rendered by headless Chromium; and the
/// planner guide kept in sync with the KPIs a run produces.
final class ReportBrowserTests: XCTestCase {
    /// A 6-hour baseline run (same KPI set as the full day, ~1 s in debug), made once.
    nonisolated(unsafe) static var baselineRun: Result<String, Error>?

    static func baseline() throws -> String {
        if let r = baselineRun { return try r.get() }
        let result = Result<String, Error> {
            let dir = try RunFixture.directory()
            let out = dir.appendingPathComponent("baseline.h5").path
            let run = try CommandLineTool.run(["run", "Scenarios/baseline.yaml", "--set", "duration=6h", "-o", out])
            guard run.status == 0 else { throw PythonEnvironment.Failure(description: "citytwin run failed: \(run.stderr)") }
            return out
        }
        baselineRun = result
        return try result.get()
    }

    static func chromium() -> String? {
        for p in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        where FileManager.default.isExecutableFile(atPath: p) { return p }
        return nil
    }

    func testReportRendersInHeadlessChromium() throws {
        guard let chromium = Self.chromium() else {
            throw XCTSkip("chromium not installed (apt-get install chromium; CI has it): browser rendering not checked")
        }
        let run = try Self.baseline()
        let dir = (run as NSString).deletingLastPathComponent
        let html = (dir as NSString).appendingPathComponent("report.html")
        let made = try CommandLineTool.run(["report", run, "--compare", run, "-o", html])
        XCTAssertEqual(made.status, 0, made.stderr)

        // The DOM after scripts ran: the status marker says no script error and counts what drew.
        let dom = try PythonEnvironment.run(executable: chromium, arguments: [
            "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://" + html])
        XCTAssertEqual(dom.status, 0, dom.stderr)
        let marker = try XCTUnwrap(dom.stdout.range(of: "<p id=\"ct-status\"[^>]*>", options: .regularExpression).map { String(dom.stdout[$0]) },
                                   "status marker missing")
        XCTAssertTrue(marker.contains("data-status=\"ok\""), marker)
        XCTAssertTrue(marker.contains("data-charts=\"7\""), marker)  // grid ×3, speed, vehicles, temperature, buildings/PV
        XCTAssertTrue(marker.contains("data-maps=\"2\""), marker)
        XCTAssertTrue(marker.contains("data-feeders=\"2\""), marker)
        XCTAssertGreaterThanOrEqual(dom.stdout.components(separatedBy: "<polyline").count - 1, 7 * 2)

        // The screenshot is not blank: pixel spread measured with Pillow.
        let png = (dir as NSString).appendingPathComponent("report.png")
        let shot = try PythonEnvironment.run(executable: chromium, arguments: [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--screenshot=" + png,
            "--window-size=1400,3000", "file://" + html])
        XCTAssertEqual(shot.status, 0, shot.stderr)
        let python = try PythonEnvironment.prepare(modules: [("PIL", "pillow")])
        let stats = try python.run(code: """
        import sys
        from PIL import Image, ImageStat
        im = Image.open(sys.argv[1]).convert("L")
        colors = len(im.getcolors(1 << 20) or [])
        dark = sum(1 for v in im.tobytes() if v < 200) / (im.width * im.height)
        print(im.width, im.height, round(ImageStat.Stat(im).stddev[0], 2), colors, round(dark, 4))
        """, arguments: [png])
        XCTAssertEqual(stats.status, 0, stats.stderr)
        let v = stats.stdout.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        XCTAssertEqual(v.count, 5, stats.stdout)
        guard v.count == 5 else { return }
        XCTAssertEqual(v[0], 1400); XCTAssertEqual(v[1], 3000)
        // A blank page has stddev 0 and one grey level; a bundled comparison report measured
        // stddev 30.5, 250 grey levels and 4.1 % dark pixels: thresholds well below that.
        XCTAssertGreaterThan(v[2], 10, "screenshot looks blank")
        XCTAssertGreaterThan(v[3], 50, "too few distinct colours")
        XCTAssertGreaterThan(v[4], 0.005, "too few drawn pixels")
    }

    /// Every KPI a baseline run writes is documented in docs/planner-guide.md.
    func testPlannerGuideDocumentsEveryKPI() throws {
        let run = try RunFile(path: try Self.baseline())
        XCTAssertGreaterThan(run.kpis.count, 20)
        let guide = try String(contentsOf: packageRootURL.appendingPathComponent("docs/planner-guide.md"), encoding: .utf8)
        let missing = run.kpis.map(\.name).filter { !guide.contains("`\($0)`") }
        XCTAssertEqual(missing, [], "KPIs not documented in docs/planner-guide.md")
    }
}
