import XCTest
@testable import Weather

final class SimCalendarTests: XCTestCase {
    func testISOParsing() throws {
        let a = try CalendarDateTime(iso8601: "2025-07-14T00:00:00")
        XCTAssertEqual([a.year, a.month, a.day, a.hour, a.minute], [2025, 7, 14, 0, 0])
        let b = try CalendarDateTime(iso8601: "2025-07-14")
        XCTAssertEqual(a, b)
        let c = try CalendarDateTime(iso8601: "2024-02-29 13:45")
        XCTAssertEqual([c.month, c.day, c.hour, c.minute], [2, 29, 13, 45])
        XCTAssertEqual(c.description, "2024-02-29T13:45")
    }

    func testISOErrorsNameTheField() {
        let cases: [(String, String)] = [
            ("2025-13-01", "start.month"), ("2025-02-29", "start.day"), ("2025-07-14T25:00", "start.hour"),
            ("2025-07-14T10:61", "start.minute"), ("14/07/2025", "start"), ("2025-07-14T10:00:30", "start"),
            ("2025-07-14T10:00Z", "start"), ("", "start"),
        ]
        for (text, field) in cases {
            XCTAssertThrowsError(try SimCalendar(iso8601: text), text) { error in
                let e = error as? WeatherError
                XCTAssertEqual(e?.field, field, "\(text): \(error)")
                XCTAssertTrue("\(error)".hasPrefix("\(field): expected "), "\(error)")
                XCTAssertFalse("\(error)".contains("\n"))
            }
        }
    }

    func testDayAndHourOfYear() throws {
        XCTAssertEqual(SimCalendar.dayOfYear(year: 2025, month: 1, day: 1), 1)
        XCTAssertEqual(SimCalendar.dayOfYear(year: 2025, month: 12, day: 31), 365)
        XCTAssertEqual(SimCalendar.dayOfYear(year: 2024, month: 12, day: 31), 366)
        XCTAssertEqual(SimCalendar.dayOfYear(year: 2025, month: 7, day: 14), 195)
        let cal = try SimCalendar(iso8601: "2025-07-14T00:00")
        XCTAssertEqual(cal.startHourOfYear, 194 * 24)
        XCTAssertEqual(cal.hoursInYear, 8760)
        XCTAssertEqual(cal.hourOfYear(atMilliseconds: 0), 4656)
        XCTAssertEqual(cal.hourOfYear(atMilliseconds: 90 * 60_000), 4657.5)
        // Wrap: 4104 h after the start is Jan 1 00:00 again.
        XCTAssertEqual(cal.hourOfYear(atMilliseconds: Int64(8760 - 4656) * 3_600_000), 0)
        XCTAssertEqual(cal.hourOfYear(atMilliseconds: Int64(8760 - 4656 + 5) * 3_600_000), 5)
        XCTAssertEqual(try SimCalendar(iso8601: "2024-03-01").startHourOfYear, 60 * 24)
    }

    func testDateRoundTrip() throws {
        let cal = try SimCalendar(iso8601: "2024-12-31T22:30")
        let ms = cal.milliseconds(at: try CalendarDateTime(iso8601: "2025-01-02T01:15"))
        XCTAssertEqual(ms, (90 + 24 * 60 + 75) * 60_000)  // 1 h 30 to midnight, a day, 1 h 15
        XCTAssertEqual(cal.date(atMilliseconds: ms), try CalendarDateTime(iso8601: "2025-01-02T01:15"))
        XCTAssertEqual(cal.date(atMilliseconds: -60_000), try CalendarDateTime(iso8601: "2024-12-31T22:29"))
        for days in [0, 1, 58, 59, 365, 366, 730_000] {
            let (y, m, d) = SimCalendar.civilFromDays(days)
            XCTAssertEqual(SimCalendar.daysFromCivil(year: y, month: m, day: d), days)
        }
    }
}
