// EPW file → WeatherSeries on the scenario's year.
import TwinIO

extension WeatherSeries {
    /// Maps an EPW file onto `calendar.year` by (month, day, hour), ignoring the EPW year
    /// column (typical-year files stitch months from different years).
    ///
    /// * A leap scenario year with a 365-day file repeats Feb 28 for Feb 29; a file with
    ///   Feb 29 used for a non-leap year drops that day.
    /// * Every other day of the year must be in the file, else `WeatherError` names the first
    ///   missing date (partial-year files can still be read with `EPWFile`).
    /// * `site` takes the LOCATION line as read (time zone included, see `WeatherSite`).
    /// O(hours in year).
    public init(epw: EPWFile, calendar: SimCalendar) throws {
        // Row offset of the first hour of each (month, day) in the file; -1 = absent.
        var dayRow = [Int](repeating: -1, count: 13 * 32)
        for r in stride(from: 0, to: epw.rowCount, by: 24) {
            dayRow[Int(epw.month[r]) * 32 + Int(epw.day[r])] = r
        }
        let n = calendar.hoursInYear
        let year = calendar.year
        let source: [(WeatherChannel, [Double])] = [
            (.temperature, epw.dryBulb), (.dewPoint, epw.dewPoint),
            (.relativeHumidity, epw.relativeHumidity), (.pressure, epw.stationPressure),
            (.ghi, epw.globalHorizontal), (.dni, epw.directNormal), (.dhi, epw.diffuseHorizontal),
            (.windSpeed, epw.windSpeed), (.windDirection, epw.windDirection),
            (.skyCover, epw.totalSkyCover), (.precipitation, epw.liquidPrecipitation),
            (.precipitableWater, epw.precipitableWater),
        ]
        var channels = [[Double]](repeating: [Double](repeating: 0, count: n), count: WeatherChannel.allCases.count)
        var target = 0
        for month in 1...12 {
            for day in 1...SimCalendar.daysInMonth(month, year: year) {
                var row = dayRow[month * 32 + day]
                if row < 0 && month == 2 && day == 29 { row = dayRow[2 * 32 + 28] }
                guard row >= 0 else {
                    throw WeatherError(field: "weather.file",
                                       expected: "hourly rows for every day of \(year)",
                                       found: "no rows for \(month)/\(day)")
                }
                for (channel, values) in source {
                    for h in 0..<24 { channels[channel.rawValue][target + h] = values[row + h] }
                }
                target += 24
            }
        }
        let location = epw.location
        let name = [location.city, location.country].filter { !$0.isEmpty && $0 != "-" }.joined(separator: ", ")
        self.init(calendar: calendar,
                  site: WeatherSite(name: name, latitude: location.latitude, longitude: location.longitude,
                                    timeZoneHours: location.timeZoneHours, elevation: location.elevation),
                  channels: channels)
    }

    /// Reads an EPW file and maps it onto the calendar's year. Throws `EPWError` or `WeatherError`.
    public init(epwPath: String, calendar: SimCalendar) throws {
        try self.init(epw: try EPWFile.read(path: epwPath), calendar: calendar)
    }
}
