import Foundation
import TestSupport
import TwinIO
import XCTest
@testable import CityTwin

/// Real ACN-Data sessions replayed at a station inside the city run.
final class SessionReplayTests: XCTestCase {
    private func run(_ overrides: [String]) throws -> HDF5File {
        let dir = try makeTemporaryDirectory()
        let out = dir.appendingPathComponent("s.h5").path
        let s = try Scenario.load(path: packageRoot.appendingPathComponent("Scenarios/ev-sessions.yaml").path,
                                  overrides: try (["duration=30h", "demand.ev_share=0"] + overrides).map { try FieldOverride(parsing: $0) })
        _ = try CityRun.execute(s, outputPath: out)
        return try HDF5File.openReadOnly(path: out)
    }

    /// Sessions that arrive in the run: their rows in /chargers/sessions.
    private func sessions(_ f: HDF5File) throws -> (requested: [Double], delivered: [Double], unmet: [Double], reason: [UInt8]) {
        let v = try f.readInt64s("/chargers/sessions/vehicle")
        let keep = v.indices.filter { v[$0] >= 1 << 30 }
        let r = try f.readDoubles("/chargers/sessions/requested"), d = try f.readDoubles("/chargers/sessions/delivered")
        let u = try f.readDoubles("/chargers/sessions/unmet"), why = try f.read("/chargers/sessions/reason", as: UInt8.self)
        return (keep.map { r[$0] }, keep.map { d[$0] }, keep.map { u[$0] }, keep.map { why[$0] })
    }

    func testEnoughPlugsAndPowerDeliverEverySession() throws {
        let s = try sessions(try run(["chargers.stations[0].cap_kw=1000"]))
        XCTAssertGreaterThan(s.requested.count, 15, "the first day's sessions arrived and left")
        for k in s.requested.indices {
            XCTAssertEqual(s.delivered[k], s.requested[k], accuracy: 1e-6, "session \(k)")
            XCTAssertEqual(s.reason[k], 0, "completed")
        }
    }

    func testACapLeavesUnmetEnergyPerSession() throws {
        let f = try run(["chargers.stations[0].cap_kw=20"])
        let s = try sessions(f)
        let unmet = s.unmet.reduce(0, +)
        XCTAssertGreaterThan(unmet, 10, "a 20 kW cap cannot serve a workplace morning")
        for k in s.requested.indices {
            XCTAssertEqual(s.unmet[k], max(0, s.requested[k] - s.delivered[k]), accuracy: 1e-9)
        }
        for p in try f.readDoubles("/chargers/power") { XCTAssertLessThanOrEqual(p, 20 + 1e-9) }
        let kpi = try XCTUnwrap(KPI.read(from: f).first { $0.name == "charging_unserved_energy" }?.value)
        XCTAssertEqual(kpi, unmet, accuracy: 1e-6, "only replayed sessions charge here")
    }

    func testReplayErrors() throws {
        let path = packageRoot.appendingPathComponent("Scenarios/ev-sessions.yaml").path
        XCTAssertThrowsError(try Scenario.load(path: path, overrides: [try FieldOverride(parsing: "chargers.sessions.station=mall")])) {
            XCTAssertTrue("\($0)".contains("chargers.sessions.station: expected one of the station names campus, found 'mall'"), "\($0)")
        }
        XCTAssertThrowsError(try Scenario.load(path: path, overrides: [try FieldOverride(parsing: "chargers.sessions.file=Models/ev/none.csv")])) {
            XCTAssertTrue("\($0)".contains("chargers.sessions.file: file not found"), "\($0)")
        }
    }
}
