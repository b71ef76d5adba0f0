// Calendar arithmetic for the scenario clock. No Foundation time zones: the model works in
// the weather file's local standard time (EPW rows are local standard time, no DST).

/// Errors of the Weather module. `description` is one line naming the field and what was expected.
public struct WeatherError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Field path, e.g. `heatWave.end` or `start`.
    public let field: String
    public let expected: String
    public let found: String

    public init(field: String, expected: String, found: String) {
        self.field = field
        self.expected = expected
        self.found = found
    }

    public var description: String { "\(field): expected \(expected), found '\(found)'" }
}

/// A civil date and time (proleptic Gregorian, local standard time, minute resolution).
public struct CalendarDateTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int
    public let hour: Int
    public let minute: Int

    /// Validates every field; `field` prefixes the error's field path.
    /// `hour` may be 24 only with minute 0 (end of day, as in EPW).
    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0,
                field: String = "date") throws {
        guard (1...9999).contains(year) else {
            throw WeatherError(field: "\(field).year", expected: "a year 1...9999", found: "\(year)")
        }
        guard (1...12).contains(month) else {
            throw WeatherError(field: "\(field).month", expected: "a month 1...12", found: "\(month)")
        }
        let dim = SimCalendar.daysInMonth(month, year: year)
        guard (1...dim).contains(day) else {
            throw WeatherError(field: "\(field).day", expected: "a day 1...\(dim) of \(year)-\(month)", found: "\(day)")
        }
        guard (0...23).contains(hour) || (hour == 24 && minute == 0) else {
            throw WeatherError(field: "\(field).hour", expected: "an hour 0...23", found: "\(hour)")
        }
        guard (0...59).contains(minute) else {
            throw WeatherError(field: "\(field).minute", expected: "a minute 0...59", found: "\(minute)")
        }
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
    }

    /// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM` or `YYYY-MM-DDTHH:MM:SS` (a space may replace `T`;
    /// seconds must be 00). Time zone suffixes are rejected: times are local standard time.
    public init(iso8601 text: String, field: String = "date") throws {
        let bytes = Array(text.utf8)
        let expected = "an ISO-8601 local date 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM[:SS]'"
        func digits(_ at: Int, _ count: Int) throws -> Int {
            guard at + count <= bytes.count else {
                throw WeatherError(field: field, expected: expected, found: text)
            }
            var v = 0
            for b in bytes[at..<(at + count)] {
                guard b >= 0x30 && b <= 0x39 else { throw WeatherError(field: field, expected: expected, found: text) }
                v = v * 10 + Int(b - 0x30)
            }
            return v
        }
        func expect(_ at: Int, _ chars: [UInt8]) throws {
            guard at < bytes.count, chars.contains(bytes[at]) else {
                throw WeatherError(field: field, expected: expected, found: text)
            }
        }
        let year = try digits(0, 4)
        try expect(4, [UInt8(ascii: "-")])
        let month = try digits(5, 2)
        try expect(7, [UInt8(ascii: "-")])
        let day = try digits(8, 2)
        var hour = 0, minute = 0
        if bytes.count != 10 {
            try expect(10, [UInt8(ascii: "T"), UInt8(ascii: " ")])
            hour = try digits(11, 2)
            try expect(13, [UInt8(ascii: ":")])
            minute = try digits(14, 2)
            if bytes.count != 16 {
                try expect(16, [UInt8(ascii: ":")])
                let second = try digits(17, 2)
                guard bytes.count == 19 else { throw WeatherError(field: field, expected: expected, found: text) }
                guard second == 0 else {
                    throw WeatherError(field: field, expected: "whole minutes (seconds 00)", found: text)
                }
            }
        }
        try self.init(year: year, month: month, day: day, hour: hour, minute: minute, field: field)
    }

    /// Day of the year, 1-based (Jan 1 = 1).
    @inlinable public var dayOfYear: Int { SimCalendar.dayOfYear(year: year, month: month, day: day) }

    /// Hours since Jan 1 00:00 of `year`.
    @inlinable public var hourOfYear: Double {
        Double((dayOfYear - 1) * 24 + hour) + Double(minute) / 60
    }

    /// Minutes since 0001-01-01 00:00 (for differences across years).
    @inlinable public var absoluteMinutes: Int64 {
        (Int64(SimCalendar.daysFromCivil(year: year, month: month, day: day)) * 24 + Int64(hour)) * 60 + Int64(minute)
    }

    public static func < (a: CalendarDateTime, b: CalendarDateTime) -> Bool { a.absoluteMinutes < b.absoluteMinutes }

    public var description: String {
        func p(_ v: Int, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(p(year, 4))-\(p(month, 2))-\(p(day, 2))T\(p(hour, 2)):\(p(minute, 2))"
    }
}

/// The scenario clock: SimTime (Int64 milliseconds since the scenario start) ↔ calendar.
///
/// The calendar is the start's year repeated: runs longer than the rest of the year wrap
/// to Jan 1 of the same year's calendar (typical-year weather is periodic), so
/// `hourOfYear(atMilliseconds:)` is always in `0..<hoursInYear`.
public struct SimCalendar: Sendable, Hashable {
    /// The calendar instant at SimTime 0.
    public let start: CalendarDateTime
    /// Hours since Jan 1 00:00 of the start year at SimTime 0.
    public let startHourOfYear: Double
    /// 8760, or 8784 in a leap year.
    public let hoursInYear: Int

    public init(start: CalendarDateTime) {
        self.start = start
        self.startHourOfYear = start.hourOfYear
        self.hoursInYear = (SimCalendar.isLeapYear(start.year) ? 366 : 365) * 24
    }

    /// `SimCalendar(iso8601: "2025-07-14T00:00:00")`; errors name `field`.
    public init(iso8601 text: String, field: String = "start") throws {
        self.init(start: try CalendarDateTime(iso8601: text, field: field))
    }

    @inlinable public var year: Int { start.year }
    @inlinable public var daysInYear: Int { hoursInYear / 24 }

    /// Milliseconds per hour.
    public static let millisecondsPerHour: Double = 3_600_000

    /// Hour of the (start) year at a SimTime, wrapped into `0..<hoursInYear`. O(1).
    @inlinable public func hourOfYear(atMilliseconds ms: Int64) -> Double {
        let h = startHourOfYear + Double(ms) / SimCalendar.millisecondsPerHour
        let n = Double(hoursInYear)
        let r = h - (h / n).rounded(.down) * n
        return r >= n ? r - n : r
    }

    /// SimTime (ms) of a calendar instant; negative before the start. Exact for whole minutes.
    @inlinable public func milliseconds(at date: CalendarDateTime) -> Int64 {
        (date.absoluteMinutes - start.absoluteMinutes) * 60_000
    }

    /// Calendar instant at a SimTime, rounded down to the minute (true calendar, no wrap).
    public func date(atMilliseconds ms: Int64) -> CalendarDateTime {
        var minutes = start.absoluteMinutes + (ms >= 0 ? ms / 60_000 : (ms - 59_999) / 60_000)
        let minute = Int(minutes % 60); minutes /= 60
        let hour = Int(minutes % 24); minutes /= 24
        let (y, m, d) = SimCalendar.civilFromDays(Int(minutes))
        // Fields come from valid arithmetic, so the validating init cannot fail here.
        return (try? CalendarDateTime(year: y, month: m, day: d, hour: hour, minute: minute)) ?? start
    }

    // MARK: calendar helpers

    @inlinable public static func isLeapYear(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    @inlinable public static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        case 1...12: return 31
        default: return 0
        }
    }

    /// 1-based day of the year. O(1).
    @inlinable public static func dayOfYear(year: Int, month: Int, day: Int) -> Int {
        // Cumulative days before each month in a non-leap year.
        let before: Int
        switch month {
        case 2: before = 31
        case 3: before = 59
        case 4: before = 90
        case 5: before = 120
        case 6: before = 151
        case 7: before = 181
        case 8: before = 212
        case 9: before = 243
        case 10: before = 273
        case 11: before = 304
        case 12: before = 334
        default: before = 0
        }
        return before + day + (month > 2 && isLeapYear(year) ? 1 : 0)
    }

    /// Days since 0001-01-01 (day 0), proleptic Gregorian.
    @inlinable public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = year - 1
        return y * 365 + y / 4 - y / 100 + y / 400 + dayOfYear(year: year, month: month, day: day) - 1
    }

    /// Inverse of `daysFromCivil`.
    public static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        // Estimate the year, then correct by at most one step each way.
        var year = Int(Double(days) / 365.2425) + 1
        while daysFromCivil(year: year, month: 1, day: 1) > days { year -= 1 }
        while daysFromCivil(year: year + 1, month: 1, day: 1) <= days { year += 1 }
        var rest = days - daysFromCivil(year: year, month: 1, day: 1)
        var month = 1
        while rest >= daysInMonth(month, year: year) { rest -= daysInMonth(month, year: year); month += 1 }
        return (year, month, rest + 1)
    }
}
