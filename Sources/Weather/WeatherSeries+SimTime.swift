// SimTime overloads: the kernel's clock type wraps Int64 milliseconds since the start.
import SimKernel

extension SimCalendar {
    /// Hour of the start year at a SimTime, wrapped into `0..<hoursInYear`. O(1).
    @inlinable public func hourOfYear(at time: SimTime) -> Double { hourOfYear(atMilliseconds: time.milliseconds) }

    /// SimTime of a calendar instant (negative before the start).
    @inlinable public func simTime(at date: CalendarDateTime) -> SimTime { SimTime(milliseconds: milliseconds(at: date)) }

    /// Calendar instant at a SimTime (minute resolution).
    public func date(at time: SimTime) -> CalendarDateTime { date(atMilliseconds: time.milliseconds) }
}

extension WeatherSeries {
    /// Interpolated value of `channel` at `time`. O(1), no allocation.
    @inlinable public func value(_ channel: WeatherChannel, at time: SimTime) -> Double {
        value(channel, atMilliseconds: time.milliseconds)
    }

    /// All channels at `time`.
    public func sample(at time: SimTime) -> WeatherSample { sample(atMilliseconds: time.milliseconds) }

    /// `channel` at from, from + step, … through `to` (inclusive when on the grid).
    public func samples(_ channel: WeatherChannel, from: SimTime, to: SimTime, step: SimTime) throws -> [Double] {
        try samples(channel, fromMilliseconds: from.milliseconds, toMilliseconds: to.milliseconds,
                    stepMilliseconds: step.milliseconds)
    }

    /// All channels at from, from + step, … through `to`.
    public func samples(from: SimTime, to: SimTime, step: SimTime) throws -> [WeatherSample] {
        try samples(fromMilliseconds: from.milliseconds, toMilliseconds: to.milliseconds, stepMilliseconds: step.milliseconds)
    }
}
