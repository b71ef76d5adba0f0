/// A 24-value hourly profile; value `k` applies from hh = k:00 to k:59 local time.
/// Values are fractions (occupancy, share of peak base load) in [0, 1].
public struct DailyProfile: Sendable, Equatable {
    /// Exactly 24 values (validated at construction).
    public let values: [Double]

    /// Throws unless `values` has 24 finite entries in [0, 1].
    public init(_ values: [Double], source: String = "<profile>", field: String = "profile") throws {
        guard values.count == 24 else {
            throw BuildingModelError(source: source, field: field, expected: "24 hourly values, got \(values.count)")
        }
        for (k, v) in values.enumerated() {
            try Check.inRange(v, 0...1, source, "\(field)[\(k)]")
        }
        self.values = values
    }

    /// Non-throwing initialiser for the built-in tables (checked by the tests).
    init(unchecked values: [Double]) { self.values = values }

    /// Value for hour `hour` (taken modulo 24, so never traps). O(1).
    @inlinable public func value(hour: Int) -> Double {
        let h = ((hour % 24) + 24) % 24
        return h < values.count ? values[h] : 0
    }

    /// Mean over the 24 hours.
    public var mean: Double { values.reduce(0, +) / 24 }
}

/// Weekday (Monday–Friday) and weekend (Saturday, Sunday) profiles.
public struct WeeklyProfile: Sendable, Equatable {
    public var weekday: DailyProfile
    public var weekend: DailyProfile

    public init(weekday: DailyProfile, weekend: DailyProfile) {
        self.weekday = weekday
        self.weekend = weekend
    }

    @inlinable public func value(weekend isWeekend: Bool, hour: Int) -> Double {
        isWeekend ? weekend.value(hour: hour) : weekday.value(hour: hour)
    }
}

/// Maps simulation time (ms since scenario start) to local day of week and hour.
/// Schedules are piecewise constant per clock hour, so `BuildingStock` re-evaluates them
/// at every hour boundary.
public struct ScheduleClock: Sendable, Equatable {
    /// Day of week at the scenario start: 0 = Monday … 6 = Sunday.
    public var weekdayAtStart: Int
    /// Local time of day at the scenario start, in milliseconds after midnight.
    public var millisecondsIntoDayAtStart: Int64

    public init(weekdayAtStart: Int = 0, secondsIntoDayAtStart: Double = 0) {
        self.weekdayAtStart = ((weekdayAtStart % 7) + 7) % 7
        let ms = (secondsIntoDayAtStart * 1000).rounded()
        self.millisecondsIntoDayAtStart = ms.isFinite ? Int64(max(0, min(ms, 86_400_000 - 1))) : 0
    }

    static let hourMs: Int64 = 3_600_000

    /// (weekend?, hour of day 0–23, day of week 0–6) at `milliseconds` since the start.
    @inlinable
    public func slot(milliseconds t: Int64) -> (weekend: Bool, hour: Int, dayOfWeek: Int) {
        let local = t + millisecondsIntoDayAtStart
        let hours = local >= 0 ? local / 3_600_000 : (local - 3_599_999) / 3_600_000
        let days = hours >= 0 ? hours / 24 : (hours - 23) / 24
        let hour = Int(hours - days * 24)
        let dow = Int(((Int64(weekdayAtStart) + days) % 7 + 7) % 7)
        return (dow >= 5, hour, dow)
    }

    /// The first local hour boundary strictly after `t` (ms since the start).
    @inlinable
    public func nextHourBoundary(afterMilliseconds t: Int64) -> Int64 {
        let local = t + millisecondsIntoDayAtStart
        let hours = local >= 0 ? local / 3_600_000 : (local - 3_599_999) / 3_600_000
        return (hours + 1) * 3_600_000 - millisecondsIntoDayAtStart
    }
}
