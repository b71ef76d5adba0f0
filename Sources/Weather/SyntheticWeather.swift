// Deterministic synthetic weather for scenarios without a weather file. No randomness:
// every value is an explicit formula of the hour of year (docs/weather.md, "Synthetic").
import Foundation

/// A rain episode for `SyntheticWeather`: `rate` mm/h over the window, sky overcast at
/// `cloudCover` (fraction) for the irradiance model.
public struct RainWindow: Sendable, Hashable {
    public let window: TimeWindow
    public let rate: Double
    public let cloudCover: Double

    public init(window: TimeWindow, rate: Double, cloudCover: Double = 1, field: String = "rain") throws {
        guard rate.isFinite, rate >= 0 else {
            throw WeatherError(field: "\(field).rate", expected: "a finite rate >= 0 mm/h", found: "\(rate)")
        }
        guard cloudCover.isFinite, (0...1).contains(cloudCover) else {
            throw WeatherError(field: "\(field).cloudCover", expected: "a fraction in 0...1", found: "\(cloudCover)")
        }
        self.window = window
        self.rate = rate
        self.cloudCover = cloudCover
    }
}

/// Parameters of the synthetic weather model (all times local standard time):
///
/// * temperature T(t) = mean + dailyAmplitude·cos(2π(h − peakHour)/24)
///   + seasonalAmplitude·cos(2π(d − warmestDay)/daysInYear), h = hour of day, d = day of year
///   (fractional, 1-based);
/// * relative humidity RH = meanRH − humidityAmplitude·cos(2π(h − peakHour)/24), clamped to 1…100 %
///   (driest at the warmest hour); dew point from T and RH (Magnus);
/// * wind speed = max(0, meanWind + windAmplitude·cos(2π(h − peakHour)/24)), constant direction;
/// * clear-sky GHI (Haurwitz 1945) = 1098·cos z·exp(−0.057/cos z) W/m², reduced by cloud
///   cover N (Kasten & Czeplak 1980): GHI = GHI_clear·(1 − 0.75·N^3.4); diffuse fraction from
///   the clearness index by Erbs et al. (1982); DNI = (GHI − DHI)/cos z. Hour means are the
///   average of 4 evenly spaced instants in the hour;
/// * pressure: standard atmosphere at the site elevation; precipitation from `rain` windows.
public struct SyntheticWeather: Sendable, Hashable {
    public var site: WeatherSite
    public var meanTemperature: Double
    /// Half the daily max − min, °C.
    public var dailyAmplitude: Double
    /// Hour of day (0..<24) of the daily maximum temperature.
    public var peakHour: Double
    public var seasonalAmplitude: Double
    /// 1-based day of year of the seasonal maximum.
    public var warmestDayOfYear: Double
    public var meanRelativeHumidity: Double
    public var humidityAmplitude: Double
    public var meanWindSpeed: Double
    public var windAmplitude: Double
    /// Degrees clockwise from north.
    public var windDirection: Double
    /// Cloud cover fraction 0…1 outside rain windows.
    public var cloudCover: Double
    /// Constant precipitable water, mm (not used by the model; reported for completeness).
    public var precipitableWater: Double
    public var rain: [RainWindow]

    public init(site: WeatherSite, meanTemperature: Double = 20, dailyAmplitude: Double = 5,
                peakHour: Double = 15, seasonalAmplitude: Double = 0, warmestDayOfYear: Double = 200,
                meanRelativeHumidity: Double = 60, humidityAmplitude: Double = 15,
                meanWindSpeed: Double = 3, windAmplitude: Double = 1, windDirection: Double = 270,
                cloudCover: Double = 0, precipitableWater: Double = 15, rain: [RainWindow] = []) {
        self.site = site
        self.meanTemperature = meanTemperature
        self.dailyAmplitude = dailyAmplitude
        self.peakHour = peakHour
        self.seasonalAmplitude = seasonalAmplitude
        self.warmestDayOfYear = warmestDayOfYear
        self.meanRelativeHumidity = meanRelativeHumidity
        self.humidityAmplitude = humidityAmplitude
        self.meanWindSpeed = meanWindSpeed
        self.windAmplitude = windAmplitude
        self.windDirection = windDirection
        self.cloudCover = cloudCover
        self.precipitableWater = precipitableWater
        self.rain = rain
    }

    /// Throws `WeatherError` naming `field.<parameter>` for the first out-of-range parameter.
    public func validate(field: String = "weather.synthetic") throws {
        func check(_ ok: Bool, _ name: String, _ expected: String, _ v: Double) throws {
            guard ok, v.isFinite else { throw WeatherError(field: "\(field).\(name)", expected: expected, found: "\(v)") }
        }
        try check(abs(site.latitude) <= 90, "latitude", "degrees in -90...90", site.latitude)
        try check(abs(site.longitude) <= 180, "longitude", "degrees in -180...180", site.longitude)
        try check(site.timeZoneHours >= -12 && site.timeZoneHours <= 14, "timeZoneHours", "hours in -12...14", site.timeZoneHours)
        try check(site.elevation > -500 && site.elevation < 9000, "elevation", "metres in -500...9000", site.elevation)
        try check(meanTemperature > -80 && meanTemperature < 60, "meanTemperature", "degC in -80...60", meanTemperature)
        try check(dailyAmplitude >= 0 && dailyAmplitude < 40, "dailyAmplitude", "degC in 0..<40", dailyAmplitude)
        try check(peakHour >= 0 && peakHour < 24, "peakHour", "an hour in 0..<24", peakHour)
        try check(seasonalAmplitude >= 0 && seasonalAmplitude < 40, "seasonalAmplitude", "degC in 0..<40", seasonalAmplitude)
        try check(warmestDayOfYear >= 1 && warmestDayOfYear <= 366, "warmestDayOfYear", "a day 1...366", warmestDayOfYear)
        try check(meanRelativeHumidity >= 0 && meanRelativeHumidity <= 100, "meanRelativeHumidity", "% in 0...100", meanRelativeHumidity)
        try check(humidityAmplitude >= 0 && humidityAmplitude <= 100, "humidityAmplitude", "% in 0...100", humidityAmplitude)
        try check(meanWindSpeed >= 0 && meanWindSpeed < 100, "meanWindSpeed", "m/s in 0..<100", meanWindSpeed)
        try check(windAmplitude >= 0 && windAmplitude < 100, "windAmplitude", "m/s in 0..<100", windAmplitude)
        try check(windDirection >= 0 && windDirection < 360, "windDirection", "degrees in 0..<360", windDirection)
        try check(cloudCover >= 0 && cloudCover <= 1, "cloudCover", "a fraction in 0...1", cloudCover)
        try check(precipitableWater >= 0 && precipitableWater < 200, "precipitableWater", "mm in 0..<200", precipitableWater)
    }

    /// Temperature, °C, at an hour of the year of `calendar` (hours since Jan 1 00:00).
    @inlinable public func temperature(hourOfYear t: Double, daysInYear: Int) -> Double {
        let hourOfDay = t - (t / 24).rounded(.down) * 24
        let day = t / 24 + 1
        return meanTemperature + dailyAmplitude * cos(2 * .pi * (hourOfDay - peakHour) / 24)
            + seasonalAmplitude * cos(2 * .pi * (day - warmestDayOfYear) / Double(daysInYear))
    }

    /// Hour-mean (GHI, DNI, DHI), W/m², for the hour starting at `hourStart` with cloud cover `n`.
    public func irradiance(hourStart: Double, cloudCover n: Double) -> (ghi: Double, dni: Double, dhi: Double) {
        var ghi = 0.0, dni = 0.0, dhi = 0.0
        let steps = 4
        let cloudFactor = 1 - 0.75 * pow(n, 3.4)
        for k in 0..<steps {
            let t = hourStart + (Double(k) + 0.5) / Double(steps)
            let sun = SolarPosition(site: site, hourOfYear: t)
            let cz = sun.cosZenith
            guard cz > 0.01 else { continue }  // sun below ~0.6° elevation: no useful irradiance
            let g = 1098 * cz * exp(-0.057 / cz) * cloudFactor
            let day = (t / 24).rounded(.down) + 1
            let kt = max(0, min(1, g / (SolarPosition.extraterrestrialNormal(dayOfYear: day) * cz)))
            let d = g * SyntheticWeather.erbsDiffuseFraction(kt)
            ghi += g
            dhi += d
            dni += (g - d) / cz
        }
        let s = Double(steps)
        return (ghi / s, dni / s, dhi / s)
    }

    /// Diffuse fraction of GHI from the clearness index (Erbs, Klein & Duffie 1982).
    @inlinable public static func erbsDiffuseFraction(_ kt: Double) -> Double {
        if kt <= 0.22 { return 1 - 0.09 * kt }
        if kt <= 0.80 { return 0.9511 - 0.1604 * kt + 4.388 * kt * kt - 16.638 * kt * kt * kt + 12.336 * kt * kt * kt * kt }
        return 0.165
    }

    /// Builds the hourly series for the calendar's year (placement as in `WeatherSeries`). O(hours in year).
    public func series(calendar: SimCalendar) throws -> WeatherSeries {
        try validate()
        let n = calendar.hoursInYear
        let nd = Double(n)
        var ch = [[Double]](repeating: [Double](repeating: 0, count: n), count: WeatherChannel.allCases.count)
        let rainStarts = rain.map { $0.window.startHour(relativeTo: calendar.year) }
        let pressure = Psychrometrics.standardPressure(elevation: site.elevation)
        for i in 0..<n {
            // Instantaneous channels at the hour end.
            let tEnd = Double(i) + 1
            let hourOfDay = tEnd - (tEnd / 24).rounded(.down) * 24
            let diurnal = cos(2 * .pi * (hourOfDay - peakHour) / 24)
            let temp = temperature(hourOfYear: tEnd, daysInYear: calendar.daysInYear)
            let rh = max(1, min(100, meanRelativeHumidity - humidityAmplitude * diurnal))
            ch[WeatherChannel.temperature.rawValue][i] = temp
            ch[WeatherChannel.relativeHumidity.rawValue][i] = rh
            ch[WeatherChannel.dewPoint.rawValue][i] = Psychrometrics.dewPoint(temperature: temp, relativeHumidity: rh)
            ch[WeatherChannel.pressure.rawValue][i] = pressure
            ch[WeatherChannel.windSpeed.rawValue][i] = max(0, meanWindSpeed + windAmplitude * diurnal)
            ch[WeatherChannel.windDirection.rawValue][i] = windDirection
            ch[WeatherChannel.precipitableWater.rawValue][i] = precipitableWater
            // Hourly integrals at the hour middle; the first matching rain window wins.
            let mid = Double(i) + 0.5
            var cover = cloudCover
            var rate = 0.0
            for (k, r) in rain.enumerated()
            where r.window.offset(ofHour: mid, startHour: rainStarts[k], hoursInYear: nd) != nil {
                cover = r.cloudCover
                rate = r.rate
                break
            }
            ch[WeatherChannel.skyCover.rawValue][i] = 10 * cover
            ch[WeatherChannel.precipitation.rawValue][i] = rate
            let irr = irradiance(hourStart: Double(i), cloudCover: cover)
            ch[WeatherChannel.ghi.rawValue][i] = irr.ghi
            ch[WeatherChannel.dni.rawValue][i] = irr.dni
            ch[WeatherChannel.dhi.rawValue][i] = irr.dhi
        }
        return WeatherSeries(calendar: calendar, site: site, channels: ch)
    }
}
