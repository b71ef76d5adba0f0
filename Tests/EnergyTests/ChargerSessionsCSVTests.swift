import XCTest
import SimKernel
import TestSupport
import TwinIO
@testable import Energy

final class ChargerSessionsCSVTests: XCTestCase {
    func testReadsFirstWeekOfACNSessions() throws {
        let root = try PythonEnvironment.packageRoot()
        let path = root.appendingPathComponent("Models/ev/acn_caltech_sessions_first_week.csv").path
        let recs = try ChargingSessionsCSV.read(path: path)
        XCTAssertEqual(recs.count, 190)
        let r = recs[0]
        XCTAssertEqual(r.sessionID, "S1")
        XCTAssertEqual(r.stationID, "1-1-193-816")
        XCTAssertEqual(r.userID, "000000365")   // leading zeros kept
        // 2018-10-08T13:25:00Z = 1539005100 s; end 2018-10-09T00:06:00Z (+10.68 h).
        XCTAssertEqual(r.connectionStart, 1_539_005_100)
        XCTAssertEqual(r.connectionSeconds, 38_460)
        XCTAssertEqual(r.chargingEnd, 1_539_043_200)
        XCTAssertEqual(r.energyKWh, 6.31)
        XCTAssertEqual(recs.reduce(0) { $0 + $1.energyKWh }, 2357.57, accuracy: 1e-6)
        XCTAssertEqual(ChargingSessionReplay.stationIDs(recs).count, Set(recs.map(\.stationID)).count)
    }

    func testISOParsing() {
        XCTAssertEqual(ChargingSessionsCSV.parseISO8601UTC("1970-01-01T00:00:00Z"), 0)
        XCTAssertEqual(ChargingSessionsCSV.parseISO8601UTC("2000-02-29T12:00:00.5+00:00"), 951_825_600)
        XCTAssertNil(ChargingSessionsCSV.parseISO8601UTC("2001-02-29T12:00:00Z"))
        XCTAssertNil(ChargingSessionsCSV.parseISO8601UTC("2018-10-08 13:25"))
        XCTAssertNil(ChargingSessionsCSV.parseISO8601UTC("2018-10-08T13:25:00+02:00"))
    }

    func testBadLinesNameFileLineAndColumn() {
        let head = "session_id,station_id,user_id,connection_start_utc,connection_end_utc,energy_kwh\n"
        XCTAssertThrowsError(try ChargingSessionsCSV.parse(
            text: head + "S1,a,001,2018-10-08T13:25:00Z,2018-10-08T14:25:00Z,x\n", fileName: "s.csv")) { e in
            XCTAssertEqual("\(e)", "s.csv:2: column 'energy_kwh': expected a finite number >= 0, found 'x'")
        }
        XCTAssertThrowsError(try ChargingSessionsCSV.parse(
            text: head + "\nS1,a,001,2018-10-08T13:25:00Z,2018-10-08T12:25:00Z,1\n", fileName: "s.csv")) { e in
            XCTAssertTrue("\(e)".hasPrefix("s.csv:3: column 'connection_end_utc'"), "\(e)")
        }
        XCTAssertThrowsError(try ChargingSessionsCSV.parse(text: "a,b\n", fileName: "s.csv")) { e in
            XCTAssertEqual("\(e)", "s.csv:1: missing column 'session_id' in header")
        }
        XCTAssertThrowsError(try ChargingSessionsCSV.parse(text: head + "S1,a\n", fileName: "s.csv"))
    }

    func testReplayShiftsTimesAndMapsStations() throws {
        let recs = [
            ChargingSessionRecord(sessionID: "S2", stationID: "y", userID: "2", connectionStart: 1000, connectionEnd: 5000,
                                  energyKWh: 3),
            ChargingSessionRecord(sessionID: "S1", stationID: "x", userID: "1", connectionStart: 400, connectionEnd: 900,
                                  energyKWh: 1),
        ]
        let plans = try ChargingSessionReplay.plans(records: recs, mapping: .byStationID(["x": 0, "y": 1]),
                                                    firstArrival: .hours(1))
        XCTAssertEqual(plans.map(\.vehicle), [1, 0])
        XCTAssertEqual(plans[0].time, .hours(1))
        XCTAssertEqual(plans[0].deadline, .hours(1) + .seconds(500))
        XCTAssertEqual(plans[1].time, .hours(1) + .seconds(600))
        XCTAssertEqual(plans[1].station, 1)
        XCTAssertEqual(plans[1].demand, .energy(kWh: 3))
        XCTAssertThrowsError(try ChargingSessionReplay.plans(records: recs, mapping: .byStationID(["x": 0]),
                                                             firstArrival: .zero)) { e in
            XCTAssertEqual("\(e)", "<sessions>: records[0].stationID: expected a mapped station id, got 'y'")
        }
    }
}
