// Scenario weather transforms: value types validated at construction, applied in order to
// the hourly samples of a WeatherSeries. Each sample is tested at its placement time
// (hour end for temperature/wind, hour middle for irradiance/precipitation; see
// WeatherSeries.swift), so "inside the window" means the same thing as for look-ups.
import Foundation

/// A calendar interval [start, end) in local standard time, shorter than a year.
///
/// Applied to a series modulo its year: a window in another year, or crossing New Year,
/// acts on the same calendar dates of the series' year.
public struct TimeWindow: Sendable, Hashable {
    public let start: CalendarDateTime
    public let end: CalendarDateTime

    /// Throws unless start < end and the window is at most 365 days. `field` names the
    /// window in errors (e.g. `weather.heatWave`).
    public init(start: CalendarDateTime, end: CalendarDateTime, field: String = "window") throws {
        guard start < end else {
            throw WeatherError(field: "\(field).end", expected: "a time after start \(start)", found: "\(end)")
        }
        guard end.absoluteMinutes - start.absoluteMinutes <= 365 * 24 * 60 else {
            throw WeatherError(field: "\(field).end", expected: "at most 365 days after start \(start)", found: "\(end)")
        }
        self.start = start
        self.end = end
    }

    /// From ISO-8601 strings (`2025-07-14` or `2025-07-14T06:00`).
    public init(start: String, end: String, field: String = "window") throws {
        try self.init(start: try CalendarDateTime(iso8601: start, field: "\(field).start"),
                      end: try CalendarDateTime(iso8601: end, field: "\(field).end"), field: field)
    }

    /// Length in hours.
    public var durationHours: Double { Double(end.absoluteMinutes - start.absoluteMinutes) / 60 }

    /// Start as hours since Jan 1 00:00 of `year` (may be negative or ≥ a year).
    func startHour(relativeTo year: Int) -> Double {
        let jan1 = Int64(SimCalendar.daysFromCivil(year: year, month: 1, day: 1)) * 24 * 60
        return Double(start.absoluteMinutes - jan1) / 60
    }

    /// Hours since the window start if `hourOfYear` lies in [start, end) modulo the year, else nil.
    func offset(ofHour hourOfYear: Double, startHour: Double, hoursInYear: Double) -> Double? {
        var o = (hourOfYear - startHour).truncatingRemainder(dividingBy: hoursInYear)
        if o < 0 { o += hoursInYear }
        return o < durationHours ? o : nil
    }
}

/// Raises temperature by `deltaT` °C inside a window, with linear ramps and an optional extra
/// daily swing: offset(t) = ramp(t) · (ΔT + A_extra · cos(2π (hour(t) − peakHour) / 24)).
/// ramp rises 0→1 over `rampInHours` after the start and falls 1→0 over `rampOutHours`
/// before the end. Dew point is kept (same moisture), relative humidity recomputed.
public struct HeatWave: Sendable, Hashable {
    public let window: TimeWindow
    public let deltaT: Double
    public let rampInHours: Double
    public let rampOutHours: Double
    public let extraDailyAmplitude: Double
    public let peakHour: Double

    /// Throws `WeatherError` naming `field.<name>` for a non-finite or negative ΔT, ramps,
    /// amplitude, ramps longer than the window, or a peak hour outside 0..<24.
    public init(window: TimeWindow, deltaT: Double, rampInHours: Double = 0, rampOutHours: Double = 0,
                extraDailyAmplitude: Double = 0, peakHour: Double = 15, field: String = "heatWave") throws {
        try TemperatureShift.validate(window: window, deltaT: deltaT, rampIn: rampInHours, rampOut: rampOutHours,
                                      extra: extraDailyAmplitude, peakHour: peakHour, field: field)
        self.window = window
        self.deltaT = deltaT
        self.rampInHours = rampInHours
        self.rampOutHours = rampOutHours
        self.extraDailyAmplitude = extraDailyAmplitude
        self.peakHour = peakHour
    }

    var shift: TemperatureShift {
        TemperatureShift(window: window, delta: deltaT, rampIn: rampInHours, rampOut: rampOutHours,
                         extra: extraDailyAmplitude, peakHour: peakHour)
    }
}

/// Lowers temperature by `deltaT` °C (a positive magnitude) inside a window, with optional
/// ramps; the mirror of `HeatWave`: offset(t) = ramp(t) · (−ΔT + A_extra · cos(2π (hour − peak)/24))
/// (the extra amplitude widens the daily swing, as for a heat wave).
public struct ColdSnap: Sendable, Hashable {
    public let window: TimeWindow
    public let deltaT: Double
    public let rampInHours: Double
    public let rampOutHours: Double
    public let extraDailyAmplitude: Double
    public let peakHour: Double

    public init(window: TimeWindow, deltaT: Double, rampInHours: Double = 0, rampOutHours: Double = 0,
                extraDailyAmplitude: Double = 0, peakHour: Double = 15, field: String = "coldSnap") throws {
        try TemperatureShift.validate(window: window, deltaT: deltaT, rampIn: rampInHours, rampOut: rampOutHours,
                                      extra: extraDailyAmplitude, peakHour: peakHour, field: field)
        self.window = window
        self.deltaT = deltaT
        self.rampInHours = rampInHours
        self.rampOutHours = rampOutHours
        self.extraDailyAmplitude = extraDailyAmplitude
        self.peakHour = peakHour
    }

    var shift: TemperatureShift {
        TemperatureShift(window: window, delta: -deltaT, rampIn: rampInHours, rampOut: rampOutHours,
                         extra: extraDailyAmplitude, peakHour: peakHour)
    }
}

/// Rain and wind over a window: precipitation becomes at least `precipitationRate` mm/h,
/// wind speed at least `windSpeed` m/s (nil: unchanged), irradiance (GHI, DNI, DHI) is
/// multiplied by `irradianceFactor` (1 = unchanged; 0.2–0.4 is typical of overcast rain).
public struct Storm: Sendable, Hashable {
    public let window: TimeWindow
    public let precipitationRate: Double
    public let windSpeed: Double?
    public let irradianceFactor: Double

    public init(window: TimeWindow, precipitationRate: Double, windSpeed: Double? = nil,
                irradianceFactor: Double = 1, field: String = "storm") throws {
        guard precipitationRate.isFinite, precipitationRate >= 0 else {
            throw WeatherError(field: "\(field).precipitationRate", expected: "a finite rate >= 0 mm/h", found: "\(precipitationRate)")
        }
        if let w = windSpeed, !(w.isFinite && w >= 0) {
            throw WeatherError(field: "\(field).windSpeed", expected: "a finite speed >= 0 m/s", found: "\(w)")
        }
        guard irradianceFactor.isFinite, (0...1).contains(irradianceFactor) else {
            throw WeatherError(field: "\(field).irradianceFactor", expected: "a factor in 0...1", found: "\(irradianceFactor)")
        }
        self.window = window
        self.precipitationRate = precipitationRate
        self.windSpeed = windSpeed
        self.irradianceFactor = irradianceFactor
    }
}

/// Multiplies GHI, DNI and DHI by `factor` (e.g. 0.9 for haze, 1.1 for a sunnier year),
/// over `window` or the whole year when nil.
public struct IrradianceScale: Sendable, Hashable {
    public let factor: Double
    public let window: TimeWindow?

    public init(factor: Double, window: TimeWindow? = nil, field: String = "irradianceScale") throws {
        guard factor.isFinite, factor >= 0 else {
            throw WeatherError(field: "\(field).factor", expected: "a finite factor >= 0", found: "\(factor)")
        }
        self.factor = factor
        self.window = window
    }
}

/// One scenario transform; a closed enum so applying a list needs no existentials.
public enum WeatherTransform: Sendable, Hashable {
    case heatWave(HeatWave)
    case coldSnap(ColdSnap)
    case storm(Storm)
    case irradianceScale(IrradianceScale)
}

/// Shared implementation of heat wave and cold snap.
struct TemperatureShift {
    let window: TimeWindow
    let delta: Double
    let rampIn: Double
    let rampOut: Double
    let extra: Double
    let peakHour: Double

    static func validate(window: TimeWindow, deltaT: Double, rampIn: Double, rampOut: Double,
                         extra: Double, peakHour: Double, field: String) throws {
        func check(_ v: Double, _ name: String, _ what: String) throws {
            guard v.isFinite, v >= 0 else {
                throw WeatherError(field: "\(field).\(name)", expected: what, found: "\(v)")
            }
        }
        try check(deltaT, "deltaT", "a finite temperature change >= 0 degC")
        try check(rampIn, "rampInHours", "a finite number of hours >= 0")
        try check(rampOut, "rampOutHours", "a finite number of hours >= 0")
        try check(extra, "extraDailyAmplitude", "a finite amplitude >= 0 degC")
        guard rampIn + rampOut <= window.durationHours else {
            throw WeatherError(field: "\(field).rampOutHours",
                               expected: "rampInHours + rampOutHours <= window length \(window.durationHours) h",
                               found: "\(rampIn) + \(rampOut)")
        }
        guard peakHour.isFinite, peakHour >= 0, peakHour < 24 else {
            throw WeatherError(field: "\(field).peakHour", expected: "an hour in 0..<24", found: "\(peakHour)")
        }
    }

    /// Offset (°C) at a window offset `o` hours and hour of year `t`.
    func offset(windowOffset o: Double, hourOfYear t: Double) -> Double {
        var ramp = 1.0
        if rampIn > 0 { ramp = min(ramp, o / rampIn) }
        if rampOut > 0 { ramp = min(ramp, (window.durationHours - o) / rampOut) }
        ramp = max(0, min(1, ramp))
        let hourOfDay = t - (t / 24).rounded(.down) * 24
        // The extra swing is added for both signs: it widens the daily range (warmer
        // afternoons, cooler nights relative to the shifted mean).
        let swing = extra == 0 ? 0 : extra * cos(2 * .pi * (hourOfDay - peakHour) / 24)
        return ramp * (delta + swing)
    }
}

extension WeatherSeries {
    /// Applies one transform in place. O(hours in year).
    public mutating func apply(_ transform: WeatherTransform) {
        let n = Double(count)
        switch transform {
        case .heatWave(let h): applyShift(h.shift)
        case .coldSnap(let c): applyShift(c.shift)
        case .storm(let s):
            let s0 = s.window.startHour(relativeTo: calendar.year)
            for i in 0..<count {
                let mid = sampleHour(.precipitation, index: i)
                if s.window.offset(ofHour: mid, startHour: s0, hoursInYear: n) != nil {
                    let p = WeatherChannel.precipitation.rawValue
                    channels[p][i] = max(channels[p][i], s.precipitationRate)
                    if s.irradianceFactor != 1 { scaleIrradiance(at: i, by: s.irradianceFactor) }
                }
                if let w = s.windSpeed,
                   s.window.offset(ofHour: sampleHour(.windSpeed, index: i), startHour: s0, hoursInYear: n) != nil {
                    let c = WeatherChannel.windSpeed.rawValue
                    channels[c][i] = max(channels[c][i], w)
                }
            }
        case .irradianceScale(let s):
            let s0 = s.window?.startHour(relativeTo: calendar.year) ?? 0
            for i in 0..<count {
                if let w = s.window,
                   w.offset(ofHour: sampleHour(.ghi, index: i), startHour: s0, hoursInYear: n) == nil { continue }
                scaleIrradiance(at: i, by: s.factor)
            }
        }
    }

    /// Applies transforms in order (order matters, e.g. a storm after an irradiance scale).
    public mutating func apply(_ transforms: [WeatherTransform]) {
        for t in transforms { apply(t) }
    }

    /// A copy with the transforms applied.
    public func applying(_ transforms: [WeatherTransform]) -> WeatherSeries {
        var copy = self
        copy.apply(transforms)
        return copy
    }

    mutating func scaleIrradiance(at i: Int, by factor: Double) {
        channels[WeatherChannel.ghi.rawValue][i] *= factor
        channels[WeatherChannel.dni.rawValue][i] *= factor
        channels[WeatherChannel.dhi.rawValue][i] *= factor
    }

    mutating func applyShift(_ shift: TemperatureShift) {
        let n = Double(count)
        let s0 = shift.window.startHour(relativeTo: calendar.year)
        let T = WeatherChannel.temperature.rawValue, Td = WeatherChannel.dewPoint.rawValue
        let RH = WeatherChannel.relativeHumidity.rawValue
        for i in 0..<count {
            let t = sampleHour(.temperature, index: i)
            guard let o = shift.window.offset(ofHour: t, startHour: s0, hoursInYear: n) else { continue }
            let dT = shift.offset(windowOffset: o, hourOfYear: t)
            if dT == 0 { continue }
            let newT = channels[T][i] + dT
            channels[T][i] = newT
            // Keep the moisture content: dew point stays unless air cools below it.
            if channels[Td][i] > newT { channels[Td][i] = newT }
            channels[RH][i] = min(100, 100 * Psychrometrics.saturationPressure(channels[Td][i])
                                        / Psychrometrics.saturationPressure(newT))
        }
    }
}

/// Moist-air helpers (Magnus formula over water, Sonntag 1990 constants; ±0.1 % for −45…60 °C).
public enum Psychrometrics {
    /// Saturation vapour pressure, hPa, at temperature `t` °C.
    @inlinable public static func saturationPressure(_ t: Double) -> Double { 6.112 * exp(17.62 * t / (243.12 + t)) }

    /// Dew point, °C, from temperature °C and relative humidity % (clamped to 1…100 %).
    @inlinable public static func dewPoint(temperature t: Double, relativeHumidity rh: Double) -> Double {
        let g = log(max(1, min(100, rh)) / 100) + 17.62 * t / (243.12 + t)
        return 243.12 * g / (17.62 - g)
    }

    /// Standard-atmosphere pressure, Pa, at `elevation` metres.
    @inlinable public static func standardPressure(elevation: Double) -> Double {
        101_325 * pow(1 - 2.25577e-5 * elevation, 5.25588)
    }
}
