import Foundation
import TestSupport
import TwinIO
import XCTest

/// End-to-end tests of the `citytwin` executable: exit codes, one-line errors, atomic output.
final class CLITests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = try makeTemporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    private func leftovers() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    }

    func testRunWritesOutputAndPrintsKPIs() throws {
        let out = dir.appendingPathComponent("base.h5").path
        let r = try CommandLineTool.run(["run", "Scenarios/baseline.yaml", "-o", out, "--set", "duration=6h"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("Headline KPIs"), r.stdout)
        XCTAssertTrue(r.stdout.contains("max_outdoor_temperature"), r.stdout)
        XCTAssertTrue(r.stdout.contains("Output: \(out)"), r.stdout)
        XCTAssertEqual(try leftovers(), ["base.h5"], "no temporary files remain")
        let f = try HDF5File.openReadOnly(path: out)
        XCTAssertEqual(try f.shape(of: "/weather/temperature"), [25, 1], "6 h at 15 min: 25 rows including both ends")
        XCTAssertEqual(try f.attribute("seed", at: "/meta").int64Value, 42)
        XCTAssertTrue(try f.readStrings("/meta/scenario_resolved")[0].contains("\"duration\": \"6h\""))

        let inspect = try CommandLineTool.run(["inspect", out])
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        XCTAssertTrue(inspect.stdout.contains("/weather/temperature  float64 25×1 [degC]"), inspect.stdout)
    }

    func testValidateReportsOneLineAndExitCode2() throws {
        let bad = packageRootURL.appendingPathComponent("Tests/CityTwinTests/BadScenarios/unknown-key.yaml").path
        let r = try CommandLineTool.run(["validate", bad])
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("error: \(bad):5: weathr: unknown field"), r.stderr)

        let ok = try CommandLineTool.run(["validate", "Scenarios/heatwave.yaml"])
        XCTAssertEqual(ok.status, 0, ok.stderr)

        // References into the model data are resolved too, as a run would.
        let ref = try CommandLineTool.run(["validate", "Scenarios/baseline.yaml", "--set", "pv.systems[0].buses=[4, 400]"])
        XCTAssertEqual(ref.status, 2)
        XCTAssertTrue(ref.stderr.contains("pv.systems[0].buses[1]: bus 400 is not in grid case case33bw"), ref.stderr)
    }

    func testBadInputsLeaveNoOutputFile() throws {
        let out = dir.appendingPathComponent("never.h5").path
        let badEPW = dir.appendingPathComponent("bad.epw")
        try "LOCATION,x\nnot an epw file\n".write(to: badEPW, atomically: true, encoding: .utf8)
        let cases: [[String]] = [
            ["run", "Scenarios/baseline.yaml", "-o", out, "--set", "weather.epw=\(badEPW.path)"],
            ["run", "Scenarios/baseline.yaml", "-o", out, "--set", "duration=-1h"],
            ["run", "Scenarios/baseline.yaml", "-o", out, "--set", "weather.heat_wave.delta_c"],
            ["run", "Scenarios/baseline.yaml", "-o", out, "--seed", "minus-one"],
            ["run", "Scenarios/baseline.yaml", "-o", out, "--bogus"],
            ["run", "Scenarios/no-such-scenario.yaml", "-o", out],
            ["run", "Scenarios/baseline.yaml", "-o", out, "--progress", "sometimes"],
            ["inspect", badEPW.path],
        ]
        for args in cases {
            let r = try CommandLineTool.run(args)
            XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
            XCTAssertFalse(r.stderr.isEmpty, "\(args)")
            XCTAssertLessThanOrEqual(r.stderr.split(separator: "\n").count, 2, "\(args): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("Fatal error"), "\(args)")
        }
        XCTAssertEqual(try leftovers(), ["bad.epw"], "no output or temporary file under any name")
    }

    /// `citytwin powerflow`: JSON for one solve and for a time series; bad arguments exit 2.
    func testPowerflowCommandSingleSolveSeriesAndBadArguments() throws {
        let single = try CommandLineTool.run(["powerflow", "Models/grids/case14.m", "--json"])
        XCTAssertEqual(single.status, 0, single.stderr)
        let one = try JSONSerialization.jsonObject(with: Data(single.stdout.utf8)) as? [String: Any]
        XCTAssertEqual((one?["vm_pu"] as? [Double])?.count, 14)
        XCTAssertEqual(one?["converged"] as? Bool, true)
        XCTAssertNil(one?["series_steps"])

        let series = try CommandLineTool.run(["powerflow", "Models/grids/case118.m", "--json", "--series", "12"])
        XCTAssertEqual(series.status, 0, series.stderr)
        let many = try JSONSerialization.jsonObject(with: Data(series.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(many?["series_steps"] as? Int, 12)
        XCTAssertEqual(many?["repeats"] as? Int, 12)
        let classic = try CommandLineTool.run(["powerflow", "Models/grids/case118.m", "--series", "12", "--no-jacobian-reuse"])
        XCTAssertEqual(classic.status, 0, classic.stderr)
        XCTAssertTrue(classic.stdout.contains("time series of 12 warm-started solves"), classic.stdout)

        for args in [["--series", "-1"], ["--series", "4", "--dc"], ["--series", "many"]] {
            let r = try CommandLineTool.run(["powerflow", "Models/grids/case14.m"] + args)
            XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
            XCTAssertFalse(r.stderr.isEmpty, "\(args)")
        }
    }

    /// `citytwin bench kernel`: one JSON line, deterministic final time for a seed, tracked or
    /// not (the same holds in the same order, so the same final time); bad arguments exit 2.
    func testBenchKernelPrintsOneJSONLine() throws {
        var finals: [Int] = []
        for extra in [[], ["--tracked"]] {
            let r = try CommandLineTool.run(["bench", "kernel", "--pending", "100", "--events", "20000"] + extra)
            XCTAssertEqual(r.status, 0, r.stderr)
            let line = r.stdout.split(separator: "\n").last.map(String.init) ?? ""
            let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            XCTAssertEqual(obj?["events"] as? Int, 20_000)
            XCTAssertEqual(obj?["tracked"] as? Bool, !extra.isEmpty)
            finals.append(obj?["final_time_ms"] as? Int ?? -1)
        }
        XCTAssertEqual(finals[0], finals[1])
        for args in [["--pending", "0"], ["--mean-hold", "0"], ["--events", "x"]] {
            let r = try CommandLineTool.run(["bench", "kernel"] + args)
            XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
        }
    }

    func testSameSeedGivesIdenticalDatasets() throws {
        let a = dir.appendingPathComponent("a.h5").path, b = dir.appendingPathComponent("b.h5").path
        for out in [a, b] {
            let r = try CommandLineTool.run(["run", "Scenarios/heatwave.yaml", "-o", out, "-q"])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let fa = try HDF5File.openReadOnly(path: a), fb = try HDF5File.openReadOnly(path: b)
        let datasets = try fa.walk().filter { $0.kind == .dataset && !$0.path.hasPrefix("/meta") }
        XCTAssertGreaterThan(datasets.count, 10)
        for d in datasets {
            if try fa.elementType(of: d.path).isString {
                XCTAssertEqual(try fa.readStrings(d.path), try fb.readStrings(d.path), d.path)
            } else {
                // Bitwise equality (NaN marks "undefined" and must match too).
                XCTAssertEqual(try fa.readDoubles(d.path).map(\.bitPattern), try fb.readDoubles(d.path).map(\.bitPattern), d.path)
            }
        }
    }

    /// A run longer than a second draws a progress bar on a terminal and nothing otherwise.
    func testProgressBarOnlyOnATerminal() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else {
            throw XCTSkip("util-linux `script` (to fake a terminal) is not installed")
        }
        let exe = try CommandLineTool.executable().path
        let out = dir.appendingPathComponent("p.h5").path
        let command = "\(exe) run Scenarios/baseline.yaml -o \(out) --set buildings.classes=[]"
        let tty = try PythonEnvironment.run(executable: "/usr/bin/script", arguments: ["-qec", command, "/dev/null"],
                                            currentDirectory: packageRootURL)
        XCTAssertEqual(tty.status, 0, tty.stderr)
        XCTAssertTrue(tty.stdout.contains("ev/s") && tty.stdout.contains("ETA"), "progress bar on a terminal: \(tty.stdout.suffix(300))")
        let plain = try CommandLineTool.run(["run", "Scenarios/baseline.yaml", "-o", out,
                                             "--set", "buildings.classes=[]"])
        XCTAssertEqual(plain.status, 0, plain.stderr)
        XCTAssertFalse(plain.stderr.contains("ETA"), "no progress bar when stderr is not a terminal")
    }

    func testHelpAndVersionExitZero() throws {
        XCTAssertEqual(try CommandLineTool.run(["--help"]).status, 0)
        let v = try CommandLineTool.run(["--version"])
        XCTAssertEqual(v.status, 0)
        XCTAssertTrue(v.stdout.contains("0."))
    }
}
