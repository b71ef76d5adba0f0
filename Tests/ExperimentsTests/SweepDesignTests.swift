import CityTwin
import Foundation
import TestSupport
import XCTest
@testable import Experiments

/// Expansion, determinism and validation of sweep files (in-process, no runs).
final class SweepDesignTests: XCTestCase {
    func testExactDecimalRangeHasNoFloatDrift() throws {
        let r = DecimalRange(from: ExactDecimal("0")!, to: ExactDecimal("1")!, step: ExactDecimal("0.1")!)
        let values = try r.values().get()
        // Eleven values including both ends, printed exactly (0.1 * 3 in Double is 0.30000000000000004).
        XCTAssertEqual(values.map(\.description), ["0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1"])
        let down = try DecimalRange(from: ExactDecimal("2.5")!, to: ExactDecimal("-1")!, step: ExactDecimal("-1.25")!).values().get()
        XCTAssertEqual(down.map(\.description), ["2.5", "1.25", "0"])  // -1.25 is beyond the end
        XCTAssertEqual(ExactDecimal("1.5e3")?.description, "1500")
        XCTAssertEqual(ExactDecimal("2.5e-3")?.description, "0.0025")
        XCTAssertNil(ExactDecimal("1h"))
        XCTAssertThrowsError(try DecimalRange(from: ExactDecimal("0")!, to: ExactDecimal("1")!, step: ExactDecimal("-1")!).values().get())
    }

    func testGridExpansionOrderIdsAndCommonRandomNumbers() throws {
        let dir = try makeTemporaryDirectory()
        let file = try writeSweep("""
            replications: 2
            parameters:
              - {path: grid.case_load_scale, values: [0.25, 0.35, 0.45]}
              - {path: weather.irradiance_scale, range: {from: 0.5, to: 1, step: 0.25}}
            """, in: dir)
        let plan = try SweepPlan.expand(try SweepDefinition.load(path: file))
        XCTAssertEqual(plan.points.count, 9)
        XCTAssertEqual(plan.runs.count, 18)
        // First parameter slowest; run index = point × R + replication.
        XCTAssertEqual(plan.points[0].map(\.label), ["0.25", "0.5"])
        XCTAssertEqual(plan.points[1].map(\.label), ["0.25", "0.75"])
        XCTAssertEqual(plan.points[8].map(\.label), ["0.45", "1"])
        XCTAssertEqual(plan.runs[5], SweepRun(index: 5, id: "p2-r1", point: 2, replication: 1))
        // Every run uses the base seed (42); replication r sets the scenario's replication.
        let s = try plan.scenario(for: plan.runs[5])
        XCTAssertEqual(s.seed, 42)
        XCTAssertEqual(s.replication, 1)
        XCTAssertEqual(try plan.scenario(for: plan.runs[7]).replication, 1)  // same replication at point 3
        XCTAssertEqual(s.durationMs, 3_600_000)
        XCTAssertTrue(s.overrides.contains("weather.irradiance_scale=1"))
        // Determinism: expanding again gives the same runs, values and hash.
        let again = try SweepPlan.expand(try SweepDefinition.load(path: file))
        XCTAssertEqual(again.runs, plan.runs)
        XCTAssertEqual(again.points, plan.points)
        XCTAssertEqual(again.hash, plan.hash)
        XCTAssertNoThrow(try plan.validate())
    }

    func testLatinHypercubeStratificationAndDeterminism() throws {
        let n = 50
        let samples = LatinHypercube.samples(count: n, bounds: [(0, 1), (10, 20), (-5, 5)], seed: 7)
        XCTAssertEqual(samples.count, n)
        let bounds: [(Double, Double)] = [(0, 1), (10, 20), (-5, 5)]
        for (j, b) in bounds.enumerated() {
            // Each of the n strata of each dimension holds exactly one sample.
            let strata = samples.map { Int((($0[j] - b.0) / (b.1 - b.0) * Double(n)).rounded(.down)) }
            XCTAssertEqual(strata.sorted(), Array(0..<n), "dimension \(j)")
        }
        XCTAssertEqual(LatinHypercube.samples(count: n, bounds: bounds.map { (min: $0.0, max: $0.1) }, seed: 7).map { $0 }, samples)
        XCTAssertNotEqual(LatinHypercube.unitSamples(count: n, dimensions: 3, seed: 8), LatinHypercube.unitSamples(count: n, dimensions: 3, seed: 7))
        // Adding a dimension leaves the existing ones unchanged.
        let four = LatinHypercube.unitSamples(count: n, dimensions: 4, seed: 7)
        XCTAssertEqual(four.map { Array($0.prefix(3)) }, LatinHypercube.unitSamples(count: n, dimensions: 3, seed: 7))

        let dir = try makeTemporaryDirectory()
        let file = try writeSweep("""
            design: lhs
            samples: 8
            seed: 3
            parameters:
              - {path: weather.irradiance_scale, lhs: {min: 0.5, max: 1.5}}
              - {path: grid.case_load_scale, lhs: {min: 0.2, max: 0.5}}
            """, in: dir)
        let plan = try SweepPlan.expand(try SweepDefinition.load(path: file))
        XCTAssertEqual(plan.runs.count, 8)
        let xs = plan.points.map { $0[0].number ?? -1 }
        XCTAssertEqual(xs.map { Int((($0 - 0.5) / 1.0 * 8).rounded(.down)) }.sorted(), Array(0..<8))
        XCTAssertNoThrow(try plan.validate())
    }

    func testValidationErrorsNameFileFieldAndRun() throws {
        let dir = try makeTemporaryDirectory()
        func error(_ body: String) throws -> String {
            let file = try writeSweep(body, name: "bad-\(UUID().uuidString).yaml", in: dir)
            do {
                try SweepPlan.expand(try SweepDefinition.load(path: file)).validate()
            } catch let e as SweepError {
                XCTAssertFalse(e.description.contains("\n"))
                return e.description
            } catch let e as SweepValidationError {
                return e.description
            }
            XCTFail("no error for \(body)")
            return ""
        }
        // A path the scenario schema does not accept, reported with the parameter.
        let badPath = try error("parameters:\n  - {path: weather.synthetic.mean_temp, values: [20]}\n")
        XCTAssertTrue(badPath.contains("parameters[0].path"), badPath)
        XCTAssertTrue(badPath.contains("not a field of scenario"), badPath)
        XCTAssertTrue(badPath.contains("unknown field; expected one of latitude, longitude, mean_temperature_c"), badPath)
        // Empty designs.
        XCTAssertTrue(try error("parameters: []\n").contains("parameters: empty design"))
        XCTAssertTrue(try error("parameters:\n  - {path: weather.irradiance_scale, values: []}\n").contains("parameters[0].values: empty design"))
        // Unknown keys, wrong types, bad ranges.
        XCTAssertTrue(try error("replication: 3\nparameters:\n  - {path: weather.irradiance_scale, values: [1]}\n").contains("replication: unknown field"))
        XCTAssertTrue(try error("replications: two\nparameters:\n  - {path: weather.irradiance_scale, values: [1]}\n").contains("replications: expected an integer"))
        XCTAssertTrue(try error("parameters:\n  - {path: weather.irradiance_scale, range: {from: 0, to: 1, step: 0}}\n").contains("non-zero step"))
        XCTAssertTrue(try error("parameters:\n  - {path: weather.irradiance_scale, lhs: {min: 0, max: 1}}\n").contains("needs design: lhs"))
        // A value that fails scenario validation: reported per run with its parameters.
        let perRun = try error("replications: 2\nparameters:\n  - {path: weather.irradiance_scale, values: [1.0, 7.5]}\n")
        let lines = perRun.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, perRun)  // runs p1-r0 and p1-r1
        XCTAssertTrue(lines[0].contains("run p1-r0"), perRun)
        XCTAssertTrue(lines[0].contains("weather.irradiance_scale=7.5"), perRun)
        XCTAssertTrue(lines[0].contains("weather.irradiance_scale: expected a number between 0 and 2, found 7.5 (value set by the sweep)"), perRun)
    }

    func testShippedSweepFilesValidate() throws {
        let dir = packageRootURL.appendingPathComponent("Scenarios/sweeps")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertFalse(files.isEmpty)
        for name in files {
            let plan = try SweepPlan.expand(try SweepDefinition.load(path: dir.appendingPathComponent(name).path))
            XCTAssertNoThrow(try plan.validate(), name)
            XCTAssertGreaterThan(plan.runs.count, 0, name)
        }
    }

    func testStudentTQuantilesAgainstTables() {
        // Two-sided 95 % critical values t_{0.975, df} (standard tables, 9-10 digits).
        let table: [(Double, Double)] = [(1, 12.7062047362), (2, 4.3026527297), (3, 3.1824463053), (4, 2.7764451052),
                                         (5, 2.5705818366), (10, 2.2281388520), (20, 2.0859634473), (30, 2.0422724563),
                                         (100, 1.9839715185), (1000, 1.9623390808)]
        for (df, expected) in table {
            XCTAssertEqual(StudentT.quantile(0.975, df: df), expected, accuracy: 1e-8, "df \(df)")
        }
        XCTAssertEqual(StudentT.quantile(0.995, df: 7), 3.4994832974, accuracy: 1e-8)
        XCTAssertEqual(StudentT.quantile(0.025, df: 5), -2.5705818366, accuracy: 1e-8)
        XCTAssertEqual(StudentT.cdf(2.2281388520, df: 10), 0.975, accuracy: 1e-10)
        XCTAssertEqual(Normal.quantile(0.975), 1.959963984540054, accuracy: 1e-12)
        XCTAssertEqual(Normal.quantile(1e-10), -6.361340902404056, accuracy: 1e-9)
    }

    func testSampleStatisticsByHand() {
        // Values 1, 2, 3, 4, 10: mean 4, squared deviations 9+4+1+0+36 = 50, s = √(50/4) = √12.5,
        // half-width t_{0.975,4} · s / √5 = 2.7764451052 × 1.5811388301 = 4.3899...
        let s = SampleStatistics([1, 2, 3, 4, 10, .nan])
        XCTAssertEqual(s.count, 5)
        XCTAssertEqual(s.mean, 4, accuracy: 1e-15)
        XCTAssertEqual(s.standardDeviation, 12.5.squareRoot(), accuracy: 1e-14)
        XCTAssertEqual(s.halfWidth, 2.7764451052 * (12.5 / 5).squareRoot(), accuracy: 1e-9)
        XCTAssertEqual(s.lower, 4 - s.halfWidth)
        let one = SampleStatistics([3.5])
        XCTAssertEqual(one.mean, 3.5)
        XCTAssertTrue(one.standardDeviation.isNaN && one.halfWidth.isNaN)
    }

    func testSummaryTablesAndCSV() throws {
        let dir = try makeTemporaryDirectory()
        let file = try writeSweep("""
            replications: 3
            kpis: [a, b]
            parameters:
              - {path: weather.irradiance_scale, values: [0.5, 1]}
            """, in: dir)
        let plan = try SweepPlan.expand(try SweepDefinition.load(path: file))
        // Hand-made KPIs: a = point + replication, b only at replication 0; run 5 failed.
        let manifest = SweepManifest(plan: plan, shard: nil)
        var entries = manifest.entries
        for i in entries.indices { entries[i].status = i == 5 ? .failed : .done }
        let summary = SweepSummary.build(plan: plan, entries: entries) { i in
            let r = plan.runs[i]
            var list = [KPI("a", Double(r.point * 10 + r.replication), units: "kW", domain: "t", description: "")]
            if r.replication == 0 { list.append(KPI("b", 1, units: "h", domain: "t", description: "")) }
            return list
        }
        XCTAssertEqual(summary.kpiNames, ["a", "b"])
        XCTAssertEqual(summary.kpiUnits, ["kW", "h"])
        // Point 0: a = 0, 1, 2 → mean 1, s = 1, CI 1 ± 4.30265 / √3.
        XCTAssertEqual(summary.pointMean[0], 1)
        XCTAssertEqual(summary.pointStd[0], 1, accuracy: 1e-15)
        XCTAssertEqual(summary.pointUpper[0], 1 + 4.3026527297 / 3.0.squareRoot(), accuracy: 1e-9)
        // Point 1: run 5 failed, so a = 10, 11 → mean 10.5, n 2; b only once → n 1, no CI.
        XCTAssertEqual(summary.pointCount[2], 2)
        XCTAssertEqual(summary.pointMean[2], 10.5)
        XCTAssertEqual(summary.pointUpper[2], 10.5 + 12.7062047362 * (0.5).squareRoot() / 2.0.squareRoot(), accuracy: 1e-8)
        XCTAssertEqual(summary.pointCount[3], 1)
        XCTAssertTrue(summary.pointLower[3].isNaN)
        let csv = summary.runsCSV().split(separator: "\n")
        XCTAssertEqual(csv[0], "run,point,replication,seed,status,weather.irradiance_scale,a,b")
        XCTAssertEqual(csv[1], "p0-r0,0,0,42,done,0.5,0.0,1.0")
        XCTAssertEqual(csv[2], "p0-r1,0,1,42,done,0.5,1.0,")
        XCTAssertEqual(csv[6], "p1-r2,1,2,42,failed,1,,")
        let points = summary.pointsCSV().split(separator: "\n")
        XCTAssertEqual(points[0], "point,weather.irradiance_scale,a_n,a_mean,a_std,a_ci_low,a_ci_high,b_n,b_mean,b_std,b_ci_low,b_ci_high")
        XCTAssertTrue(points[2].hasPrefix("1,1,2,10.5,0.7071067811865476,"), String(points[2]))
        // HDF5 round trip.
        let h5 = dir.appendingPathComponent("summary.h5").path
        try summary.writeHDF5(path: h5)
        let back = try SweepSummary.read(path: h5)
        XCTAssertEqual(back.runsCSV(), summary.runsCSV())
        XCTAssertEqual(back.pointsCSV(), summary.pointsCSV())
        let html = SweepHTMLReport.html(back)
        XCTAssertTrue(html.contains("<svg") && html.contains("a vs weather.irradiance_scale") && !html.contains("<script"))
    }
}
