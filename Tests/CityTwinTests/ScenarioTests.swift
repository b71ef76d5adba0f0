import TestSupport
import XCTest
@testable import CityTwin

final class ScenarioTests: XCTestCase {
    func testBundledScenariosValidate() throws {
        for name in ["baseline.yaml", "heatwave.yaml"] {
            let s = try Scenario.load(path: packageRoot.appendingPathComponent("Scenarios/\(name)").path)
            XCTAssertEqual(s.durationMs, 86_400_000)
            XCTAssertEqual(s.snapshotIntervalMs, 900_000)
            XCTAssertNotNil(s.weather.epwPath)
        }
    }

    /// Every scenario shipped in Scenarios/ (not the sweep or benchmark folders) validates.
    func testEveryBundledScenarioValidates() throws {
        let dir = packageRoot.appendingPathComponent("Scenarios")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 7)
        for f in files {
            XCTAssertNoThrow(try Scenario.load(path: dir.appendingPathComponent(f).path), f)
        }
    }

    func testVariantMergesOntoBase() throws {
        let s = try Scenario.load(path: packageRoot.appendingPathComponent("Scenarios/heatwave.yaml").path)
        XCTAssertEqual(s.name, "heatwave")
        XCTAssertEqual(s.seed, 42, "seed comes from the base")
        XCTAssertEqual(s.weather.heatWave?.deltaC, 6)
        XCTAssertEqual(s.output.path, "out/heatwave.h5")
        XCTAssertEqual(s.weather.updateIntervalMs, 900_000, "nested keys of the base survive the merge")
        XCTAssertFalse(s.resolvedText.contains("\"base\""), "the resolved scenario has no base reference")
    }

    func testOverridesAndSeed() throws {
        let path = packageRoot.appendingPathComponent("Scenarios/baseline.yaml").path
        let s = try Scenario.load(path: path, overrides: [
            try FieldOverride(parsing: "duration=6h"),
            try FieldOverride(parsing: "weather.heat_wave={start: 2025-07-14, end: 2025-07-15, delta_c: 4}"),
            try FieldOverride(parsing: "output.compression=0"),
        ], seed: 7)
        XCTAssertEqual(s.durationMs, 6 * 3_600_000)
        XCTAssertEqual(s.weather.heatWave?.deltaC, 4)
        XCTAssertEqual(s.output.compression, 0)
        XCTAssertEqual(s.seed, 7)
        XCTAssertTrue(s.resolvedText.contains("\"delta_c\": 4"))
    }

    func testOverrideErrorsNameThePath() throws {
        let path = packageRoot.appendingPathComponent("Scenarios/baseline.yaml").path
        XCTAssertThrowsError(try Scenario.load(path: path, overrides: [try FieldOverride(parsing: "duration=-5")])) {
            XCTAssertEqual(($0 as? ScenarioError)?.path, "duration")
            XCTAssertTrue("\($0)".contains("--set"), "\($0)")
        }
        XCTAssertThrowsError(try FieldOverride(parsing: "no-equals-sign")) {
            XCTAssertTrue("\($0)".contains("expected path=value"))
        }
        XCTAssertThrowsError(try FieldOverride(parsing: "a..b=1")) { XCTAssertTrue("\($0)".contains("malformed field path")) }
        XCTAssertThrowsError(try FieldOverride(parsing: "name[0]=1").apply(to: ConfigNode.parse("name: x", file: "t"))) {
            XCTAssertTrue("\($0)".contains("is not a list"), "\($0)")
        }
    }

    func testOverrideCreatesListItemsAndIndexes() throws {
        let tree = try ConfigNode.parse("a:\n  items: [{x: 1}, {x: 2}]\n", file: "t")
        let updated = try FieldOverride(parsing: "a.items[1].x=5").apply(to: tree)
        XCTAssertEqual(updated.jsonText(indent: 0).filter { !$0.isWhitespace }, #"{"a":{"items":[{"x":1},{"x":5}]}}"#)
        let appended = try FieldOverride(parsing: "a.items[2]={x: 9}").apply(to: tree)
        XCTAssertTrue(appended.jsonText().contains("9"))
        XCTAssertThrowsError(try FieldOverride(parsing: "a.items[5].x=1").apply(to: tree)) {
            XCTAssertTrue("\($0)".contains("index out of range; the list has 2 items"), "\($0)")
        }
    }

    func testDurations() {
        XCTAssertEqual(FieldReader.parseDuration("90"), 90_000)
        XCTAssertEqual(FieldReader.parseDuration("15min"), 900_000)
        XCTAssertEqual(FieldReader.parseDuration("1.5h"), 5_400_000)
        XCTAssertEqual(FieldReader.parseDuration("500ms"), 500)
        XCTAssertEqual(FieldReader.parseDuration("2d"), 172_800_000)
        XCTAssertNil(FieldReader.parseDuration("-1s"))
        XCTAssertNil(FieldReader.parseDuration("soon"))
        XCTAssertEqual(FieldReader.formatDuration(5_400_000), "90min")
    }

    func testJSONScenarioIsAccepted() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("s.json")
        try #"{"name": "j", "duration": "2h", "weather": {"synthetic": {"mean_temperature_c": 30}}}"#
            .write(to: file, atomically: true, encoding: .utf8)
        let s = try Scenario.load(path: file.path)
        XCTAssertEqual(s.durationMs, 7_200_000)
        XCTAssertNil(s.weather.epwPath)
        XCTAssertEqual(s.weather.synthetic.meanTemperatureC, 30)
    }

    func testCircularBaseIsRejected() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "base: b.yaml\nname: a\n".write(to: dir.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try "base: a.yaml\nname: b\n".write(to: dir.appendingPathComponent("b.yaml"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Scenario.load(path: dir.appendingPathComponent("a.yaml").path)) {
            XCTAssertTrue("\($0)".contains("circular base chain"), "\($0)")
        }
    }

    /// Every file in the bad-input corpus fails with the one-line error its first comment names.
    func testBadScenarioCorpus() throws {
        let dir = packageRoot.appendingPathComponent("Tests/CityTwinTests/BadScenarios")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        XCTAssertGreaterThanOrEqual(files.count, 15)
        for name in files {
            let path = dir.appendingPathComponent(name).path
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let expected: String
            if name.hasSuffix(".json") {
                expected = "seed: expected a non-negative integer"
            } else {
                guard let first = text.split(separator: "\n").first, first.hasPrefix("# expect: ") else {
                    XCTFail("\(name) has no '# expect:' line"); continue
                }
                expected = String(first.dropFirst("# expect: ".count))
            }
            XCTAssertThrowsError(try Scenario.load(path: path), name) { error in
                let message = "\(error)"
                XCTAssertTrue(error is ScenarioError, "\(name): \(type(of: error))")
                XCTAssertTrue(message.contains(expected), "\(name): got «\(message)», expected «\(expected)»")
                XCTAssertTrue(message.hasPrefix(path), "\(name): the message starts with the file: \(message)")
                XCTAssertFalse(message.contains("\n"), "\(name): one line")
            }
        }
    }
}
