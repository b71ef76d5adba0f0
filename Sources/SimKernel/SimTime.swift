/// Simulated time: integer milliseconds since the scenario start.
///
/// One type serves for instants and for durations. An integer clock keeps event ordering exact
/// and runs bit-for-bit reproducible (no floating-point drift when adding many small steps).
///
/// Arithmetic saturates at `.min` / `.max` instead of trapping: `.max` means "never", so
/// `.max + d == .max`, and an absurd scenario duration cannot crash a run.
public struct SimTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since the scenario start (or the length of a duration).
    public var milliseconds: Int64

    @inlinable
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// The scenario start, and the empty duration.
    public static let zero = SimTime(milliseconds: 0)
    /// The largest representable time; used as "never".
    public static let max = SimTime(milliseconds: .max)
    /// The smallest representable time (durations only; events never happen before zero).
    public static let min = SimTime(milliseconds: .min)

    /// `s` seconds rounded to the nearest millisecond (ties away from zero).
    /// Saturates to `.max`/`.min` outside the representable range; NaN gives `.zero`.
    @inlinable
    public static func seconds(_ s: Double) -> SimTime {
        SimTime(milliseconds: saturatingMilliseconds(s * 1000))
    }

    /// `m` minutes, rounded to the nearest millisecond; saturating like ``seconds(_:)``.
    @inlinable
    public static func minutes(_ m: Double) -> SimTime {
        SimTime(milliseconds: saturatingMilliseconds(m * 60_000))
    }

    /// `h` hours, rounded to the nearest millisecond; saturating like ``seconds(_:)``.
    @inlinable
    public static func hours(_ h: Double) -> SimTime {
        SimTime(milliseconds: saturatingMilliseconds(h * 3_600_000))
    }

    /// `ms` milliseconds.
    @inlinable
    public static func milliseconds(_ ms: Int64) -> SimTime { SimTime(milliseconds: ms) }

    /// The time in seconds (exact up to 2^53 ms, about 285,000 years).
    @inlinable
    public var seconds: Double { Double(milliseconds) / 1000 }

    @usableFromInline
    static func saturatingMilliseconds(_ x: Double) -> Int64 {
        guard !x.isNaN else { return 0 }
        let r = x.rounded(.toNearestOrAwayFromZero)
        // 2^63 is exactly representable; anything at or above it does not fit.
        if r >= 9_223_372_036_854_775_808.0 { return .max }
        if r < -9_223_372_036_854_775_808.0 { return .min }
        return Int64(r)
    }

    @inlinable
    public static func + (a: SimTime, b: SimTime) -> SimTime {
        let (r, o) = a.milliseconds.addingReportingOverflow(b.milliseconds)
        return SimTime(milliseconds: o ? (b.milliseconds > 0 ? .max : .min) : r)
    }

    @inlinable
    public static func - (a: SimTime, b: SimTime) -> SimTime {
        let (r, o) = a.milliseconds.subtractingReportingOverflow(b.milliseconds)
        return SimTime(milliseconds: o ? (b.milliseconds < 0 ? .max : .min) : r)
    }

    @inlinable
    public static func * (a: SimTime, k: Int) -> SimTime {
        let (r, o) = a.milliseconds.multipliedReportingOverflow(by: Int64(k))
        return SimTime(milliseconds: o ? ((a.milliseconds < 0) != (k < 0) ? .min : .max) : r)
    }

    @inlinable
    public static func * (k: Int, a: SimTime) -> SimTime { a * k }

    @inlinable
    public static func += (a: inout SimTime, b: SimTime) { a = a + b }

    @inlinable
    public static func -= (a: inout SimTime, b: SimTime) { a = a - b }

    @inlinable
    public static func < (a: SimTime, b: SimTime) -> Bool { a.milliseconds < b.milliseconds }

    /// Hours, minutes, seconds and milliseconds, e.g. `1h02m03.004s`, `2m03.004s`, `3.004s`
    /// (hours are not folded into days, so the text sorts like the value for equal widths).
    public var description: String {
        if milliseconds == .max { return "never" }
        let negative = milliseconds < 0
        // magnitude as UInt64 so Int64.min does not overflow
        let mag = milliseconds.magnitude
        let ms = mag % 1000
        let totalSeconds = mag / 1000
        let s = totalSeconds % 60
        let m = (totalSeconds / 60) % 60
        let h = totalSeconds / 3600
        func pad(_ v: UInt64, _ width: Int) -> String {
            let t = String(v)
            return t.count >= width ? t : String(repeating: "0", count: width - t.count) + t
        }
        var out = negative ? "-" : ""
        if h > 0 {
            out += "\(h)h\(pad(m, 2))m\(pad(s, 2)).\(pad(ms, 3))s"
        } else if m > 0 {
            out += "\(m)m\(pad(s, 2)).\(pad(ms, 3))s"
        } else {
            out += "\(s).\(pad(ms, 3))s"
        }
        return out
    }
}
