// Hourly weather on the scenario's calendar year, struct-of-arrays, with O(1) interpolated
// look-ups by SimTime. Conventions (docs/weather.md, "Interpolation"):
//  * sample i of every channel belongs to the hour [i, i+1) of the year (hour-of-year, 0-based);
//  * instantaneous quantities (temperature, humidity, pressure, wind, sky cover, precipitable
//    water) are placed at the hour END, i + 1, as EPW observations are;
//  * hourly integrals (GHI, DNI, DHI, precipitation) are placed at the hour MIDDLE, i + 0.5,
//    so linear interpolation keeps the hour's energy/depth centred where it was received;
//  * between points values are linear; after the last point they wrap to Jan 1.

/// The quantities a `WeatherSeries` holds (raw value = storage index).
public enum WeatherChannel: Int, CaseIterable, Sendable {
    /// Dry-bulb air temperature, °C.
    case temperature
    /// Dew-point temperature, °C.
    case dewPoint
    /// Relative humidity, % (0–100).
    case relativeHumidity
    /// Station pressure, Pa.
    case pressure
    /// Global horizontal irradiance, W/m² (mean over the hour).
    case ghi
    /// Direct normal irradiance, W/m² (mean over the hour).
    case dni
    /// Diffuse horizontal irradiance, W/m² (mean over the hour).
    case dhi
    /// Wind speed, m/s.
    case windSpeed
    /// Wind direction, degrees clockwise from north (0..<360); interpolated along the shorter arc.
    case windDirection
    /// Total sky cover, tenths (0–10).
    case skyCover
    /// Liquid precipitation rate, mm/h (EPW depth over the hour).
    case precipitation
    /// Precipitable water, mm.
    case precipitableWater

    /// snake_case name for datasets and scenario fields.
    public var name: String {
        switch self {
        case .temperature: return "temperature"
        case .dewPoint: return "dew_point"
        case .relativeHumidity: return "relative_humidity"
        case .pressure: return "pressure"
        case .ghi: return "ghi"
        case .dni: return "dni"
        case .dhi: return "dhi"
        case .windSpeed: return "wind_speed"
        case .windDirection: return "wind_direction"
        case .skyCover: return "sky_cover"
        case .precipitation: return "precipitation"
        case .precipitableWater: return "precipitable_water"
        }
    }

    /// Unit string for `units` attributes.
    public var unit: String {
        switch self {
        case .temperature, .dewPoint: return "degC"
        case .relativeHumidity: return "%"
        case .pressure: return "Pa"
        case .ghi, .dni, .dhi: return "W m-2"
        case .windSpeed: return "m s-1"
        case .windDirection: return "degree"
        case .skyCover: return "tenths"
        case .precipitation: return "mm h-1"
        case .precipitableWater: return "mm"
        }
    }

    /// Where sample i sits: hour-of-year i + offset (1 = hour end, 0.5 = hour middle).
    @inlinable public var sampleOffsetHours: Double {
        switch self {
        case .ghi, .dni, .dhi, .precipitation: return 0.5
        default: return 1.0
        }
    }
}

/// Where the weather applies (for solar geometry and reporting).
public struct WeatherSite: Sendable, Hashable {
    public var name: String
    /// Degrees north.
    public var latitude: Double
    /// Degrees east.
    public var longitude: Double
    /// Hours from UTC of the series' clock (local standard time). For PVGIS EPW files the rows
    /// are UTC although the header says 1: set this to 0 for solar geometry on such data.
    public var timeZoneHours: Double
    /// Metres above sea level.
    public var elevation: Double

    public init(name: String = "", latitude: Double, longitude: Double, timeZoneHours: Double,
                elevation: Double = 0) {
        self.name = name
        self.latitude = latitude
        self.longitude = longitude
        self.timeZoneHours = timeZoneHours
        self.elevation = elevation
    }
}

/// All channels at one instant.
public struct WeatherSample: Sendable, Hashable {
    public var temperature: Double
    public var dewPoint: Double
    public var relativeHumidity: Double
    public var pressure: Double
    public var ghi: Double
    public var dni: Double
    public var dhi: Double
    public var windSpeed: Double
    public var windDirection: Double
    public var skyCover: Double
    public var precipitation: Double
    public var precipitableWater: Double

    public init(temperature: Double, dewPoint: Double, relativeHumidity: Double, pressure: Double,
                ghi: Double, dni: Double, dhi: Double, windSpeed: Double, windDirection: Double,
                skyCover: Double, precipitation: Double, precipitableWater: Double) {
        self.temperature = temperature
        self.dewPoint = dewPoint
        self.relativeHumidity = relativeHumidity
        self.pressure = pressure
        self.ghi = ghi
        self.dni = dni
        self.dhi = dhi
        self.windSpeed = windSpeed
        self.windDirection = windDirection
        self.skyCover = skyCover
        self.precipitation = precipitation
        self.precipitableWater = precipitableWater
    }
}

/// Hourly weather for one calendar year (8760 or 8784 samples per channel), struct-of-arrays.
///
/// Built from an EPW file (`init(epw:calendar:)`), from `SyntheticWeather`, or from arrays;
/// then modified by `apply(_:)` transforms. Look-ups are O(1) and allocation-free.
public struct WeatherSeries: Sendable {
    /// Maps SimTime to the hour of this series' year.
    public let calendar: SimCalendar
    public var site: WeatherSite
    /// Storage indexed by `WeatherChannel.rawValue`, each `calendar.hoursInYear` long.
    @usableFromInline var channels: [[Double]]

    /// Builds a series from per-channel hourly arrays (index = hour of year, see the file
    /// header for placement). Throws if a channel is missing, has the wrong length or a
    /// non-finite value.
    public init(calendar: SimCalendar, site: WeatherSite, values: [WeatherChannel: [Double]]) throws {
        let n = calendar.hoursInYear
        var channels: [[Double]] = []
        for channel in WeatherChannel.allCases {  // fixed order: no Dictionary iteration
            guard let v = values[channel] else {
                throw WeatherError(field: "weather.\(channel.name)", expected: "\(n) hourly values", found: "none")
            }
            guard v.count == n else {
                throw WeatherError(field: "weather.\(channel.name)", expected: "\(n) hourly values for \(calendar.year)",
                                   found: "\(v.count) values")
            }
            if let bad = v.firstIndex(where: { !$0.isFinite }) {
                throw WeatherError(field: "weather.\(channel.name)[\(bad)]", expected: "a finite number", found: "\(v[bad])")
            }
            channels.append(v)
        }
        self.calendar = calendar
        self.site = site
        self.channels = channels
    }

    /// Internal: channels already in storage order and validated.
    init(calendar: SimCalendar, site: WeatherSite, channels: [[Double]]) {
        self.calendar = calendar
        self.site = site
        self.channels = channels
    }

    /// Samples per channel (hours in the calendar year).
    @inlinable public var count: Int { calendar.hoursInYear }

    /// The hourly samples of one channel (index = hour of year).
    @inlinable public func values(_ channel: WeatherChannel) -> [Double] { channels[channel.rawValue] }

    public var temperature: [Double] { channels[WeatherChannel.temperature.rawValue] }
    public var relativeHumidity: [Double] { channels[WeatherChannel.relativeHumidity.rawValue] }
    public var ghi: [Double] { channels[WeatherChannel.ghi.rawValue] }
    public var dni: [Double] { channels[WeatherChannel.dni.rawValue] }
    public var dhi: [Double] { channels[WeatherChannel.dhi.rawValue] }
    public var windSpeed: [Double] { channels[WeatherChannel.windSpeed.rawValue] }
    public var precipitation: [Double] { channels[WeatherChannel.precipitation.rawValue] }

    /// Hour of year at which sample `index` of `channel` is placed.
    @inlinable public func sampleHour(_ channel: WeatherChannel, index: Int) -> Double {
        Double(index) + channel.sampleOffsetHours
    }

    /// Linearly interpolated value at an hour of the year (any real; wrapped). O(1).
    @inlinable public func value(_ channel: WeatherChannel, atHourOfYear hour: Double) -> Double {
        let n = channels[channel.rawValue].count
        let nd = Double(n)
        var p = hour - channel.sampleOffsetHours
        p -= (p / nd).rounded(.down) * nd
        if p >= nd { p -= nd }
        if !(p >= 0) { p = 0 }  // rounding at the boundary, and NaN/infinite input, map to sample 0
        let i0 = Int(p)
        let f = p - Double(i0)
        let i1 = i0 + 1 == n ? 0 : i0 + 1
        let a = channels[channel.rawValue][i0], b = channels[channel.rawValue][i1]
        if channel == .windDirection {
            var d = b - a
            if d > 180 { d -= 360 } else if d < -180 { d += 360 }
            let x = a + d * f
            return x < 0 ? x + 360 : (x >= 360 ? x - 360 : x)
        }
        return a + (b - a) * f
    }

    /// Value at a SimTime (milliseconds since the scenario start). O(1), no allocation.
    @inlinable public func value(_ channel: WeatherChannel, atMilliseconds ms: Int64) -> Double {
        value(channel, atHourOfYear: calendar.hourOfYear(atMilliseconds: ms))
    }

    @inlinable public func temperature(atMilliseconds ms: Int64) -> Double { value(.temperature, atMilliseconds: ms) }
    @inlinable public func ghi(atMilliseconds ms: Int64) -> Double { value(.ghi, atMilliseconds: ms) }
    @inlinable public func precipitation(atMilliseconds ms: Int64) -> Double { value(.precipitation, atMilliseconds: ms) }

    /// All channels at a SimTime.
    public func sample(atMilliseconds ms: Int64) -> WeatherSample {
        let h = calendar.hourOfYear(atMilliseconds: ms)
        return WeatherSample(
            temperature: value(.temperature, atHourOfYear: h), dewPoint: value(.dewPoint, atHourOfYear: h),
            relativeHumidity: value(.relativeHumidity, atHourOfYear: h), pressure: value(.pressure, atHourOfYear: h),
            ghi: value(.ghi, atHourOfYear: h), dni: value(.dni, atHourOfYear: h), dhi: value(.dhi, atHourOfYear: h),
            windSpeed: value(.windSpeed, atHourOfYear: h), windDirection: value(.windDirection, atHourOfYear: h),
            skyCover: value(.skyCover, atHourOfYear: h), precipitation: value(.precipitation, atHourOfYear: h),
            precipitableWater: value(.precipitableWater, atHourOfYear: h))
    }

    /// Fills `output` with `channel` at `start, start + step, …` (output.count samples).
    /// No allocation when `output` already has its capacity; O(output.count).
    public func fill(_ channel: WeatherChannel, fromMilliseconds start: Int64, stepMilliseconds step: Int64,
                     into output: inout [Double]) {
        let h0 = calendar.startHourOfYear + Double(start) / SimCalendar.millisecondsPerHour
        let dh = Double(step) / SimCalendar.millisecondsPerHour
        for k in output.indices {
            output[k] = value(channel, atHourOfYear: h0 + Double(k) * dh)
        }
    }

    /// `channel` sampled at `from, from + step, …` up to and including `to` when it falls on
    /// the grid. Throws if `step <= 0` or `to < from`.
    public func samples(_ channel: WeatherChannel, fromMilliseconds from: Int64, toMilliseconds to: Int64,
                        stepMilliseconds step: Int64) throws -> [Double] {
        let count = try WeatherSeries.sampleCount(from: from, to: to, step: step)
        var out = [Double](repeating: 0, count: count)
        fill(channel, fromMilliseconds: from, stepMilliseconds: step, into: &out)
        return out
    }

    /// All channels on the same grid as `samples(_:fromMilliseconds:toMilliseconds:stepMilliseconds:)`.
    public func samples(fromMilliseconds from: Int64, toMilliseconds to: Int64,
                        stepMilliseconds step: Int64) throws -> [WeatherSample] {
        let count = try WeatherSeries.sampleCount(from: from, to: to, step: step)
        var out: [WeatherSample] = []
        out.reserveCapacity(count)
        for k in 0..<count { out.append(sample(atMilliseconds: from + Int64(k) * step)) }
        return out
    }

    static func sampleCount(from: Int64, to: Int64, step: Int64) throws -> Int {
        guard step > 0 else {
            throw WeatherError(field: "step", expected: "a positive number of milliseconds", found: "\(step)")
        }
        guard to >= from else {
            throw WeatherError(field: "to", expected: "a time at or after from = \(from) ms", found: "\(to)")
        }
        return Int((to - from) / step) + 1
    }

    /// Mean of a channel's hourly samples over the year (e.g. °C, or W/m² → × 8.76 for kWh/m²).
    public func annualMean(_ channel: WeatherChannel) -> Double {
        let v = channels[channel.rawValue]
        return v.reduce(0, +) / Double(v.count)
    }
}
