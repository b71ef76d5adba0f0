// EnergyPlus weather (EPW) data model: the typed result of `EPWFile.read(path:)`.
// The parser lives in EPWReader.swift; format notes in docs/weather.md and
// Models/weather/SOURCES.md.

/// One error in an EPW file. `description` is one line:
/// `<file>:<line>: <field>: expected <what>, found '<text>'`.
public struct EPWError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The path (or name) of the file as given to the reader.
    public let file: String
    /// 1-based line number (the line after the last one for a premature end of file).
    public let line: Int
    /// Human-readable field name, e.g. `dry-bulb temperature (field 7)`.
    public let field: String
    /// What the reader expected there.
    public let expected: String
    /// The offending text, sanitised to printable ASCII and truncated.
    public let found: String

    public init(file: String, line: Int, field: String, expected: String, found: String) {
        self.file = file
        self.line = line
        self.field = field
        self.expected = expected
        self.found = EPWError.sanitise(found)
    }

    public var description: String {
        "\(file):\(line): \(field): expected \(expected), found '\(found)'"
    }

    /// Keeps error messages on one line: non-printable bytes become `\xNN`, long text is cut.
    static func sanitise(_ text: String) -> String {
        var out = ""
        var count = 0
        for byte in text.utf8 {
            if count >= 60 { out += "..."; break }
            if byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "'") {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            }
            count += 1
        }
        return out
    }
}

/// The EPW `LOCATION` header line.
public struct EPWLocation: Sendable, Hashable {
    /// City name; PVGIS files write `unknown`.
    public var city: String
    public var stateProvince: String
    public var country: String
    /// Data source, e.g. `TMY3` or `ECMWF/ERA`.
    public var source: String
    /// WMO station number as text (may be `unknown`).
    public var wmo: String
    /// Degrees north (negative south).
    public var latitude: Double
    /// Degrees east (negative west).
    public var longitude: Double
    /// Time zone of the rows in hours from UTC, as written. PVGIS files write `1` although
    /// their rows are in UTC (see docs/weather.md); the reader keeps the field as read.
    public var timeZoneHours: Double
    /// Metres above sea level.
    public var elevation: Double

    public init(city: String, stateProvince: String, country: String, source: String, wmo: String,
                latitude: Double, longitude: Double, timeZoneHours: Double, elevation: Double) {
        self.city = city
        self.stateProvince = stateProvince
        self.country = country
        self.source = source
        self.wmo = wmo
        self.latitude = latitude
        self.longitude = longitude
        self.timeZoneHours = timeZoneHours
        self.elevation = elevation
    }
}

/// One entry of the EPW `DATA PERIODS` header line.
public struct EPWDataPeriod: Sendable, Hashable {
    public var name: String
    /// Day of week of the first day, as written (e.g. `Sunday`).
    public var startDayOfWeek: String
    public var startMonth: Int
    public var startDay: Int
    public var endMonth: Int
    public var endDay: Int

    public init(name: String, startDayOfWeek: String, startMonth: Int, startDay: Int,
                endMonth: Int, endDay: Int) {
        self.name = name
        self.startDayOfWeek = startDayOfWeek
        self.startMonth = startMonth
        self.startDay = startDay
        self.endMonth = endMonth
        self.endDay = endDay
    }
}

/// The EPW data columns the reader keeps (raw value = 1-based EPW field number).
public enum EPWColumn: Int, CaseIterable, Sendable {
    case dryBulb = 7
    case dewPoint = 8
    case relativeHumidity = 9
    case stationPressure = 10
    case horizontalInfrared = 13
    case globalHorizontal = 14
    case directNormal = 15
    case diffuseHorizontal = 16
    case windDirection = 21
    case windSpeed = 22
    case totalSkyCover = 23
    case opaqueSkyCover = 24
    case precipitableWater = 29
    case liquidPrecipitation = 34

    /// Dense index 0..<allCases.count (storage order).
    @inlinable public var ordinal: Int {
        switch self {
        case .dryBulb: return 0
        case .dewPoint: return 1
        case .relativeHumidity: return 2
        case .stationPressure: return 3
        case .horizontalInfrared: return 4
        case .globalHorizontal: return 5
        case .directNormal: return 6
        case .diffuseHorizontal: return 7
        case .windDirection: return 8
        case .windSpeed: return 9
        case .totalSkyCover: return 10
        case .opaqueSkyCover: return 11
        case .precipitableWater: return 12
        case .liquidPrecipitation: return 13
        }
    }

    /// Name used in error messages, e.g. `dry-bulb temperature (field 7)`.
    public var fieldName: String {
        let base: String
        switch self {
        case .dryBulb: base = "dry-bulb temperature"
        case .dewPoint: base = "dew-point temperature"
        case .relativeHumidity: base = "relative humidity"
        case .stationPressure: base = "station pressure"
        case .horizontalInfrared: base = "horizontal infrared radiation"
        case .globalHorizontal: base = "global horizontal radiation"
        case .directNormal: base = "direct normal radiation"
        case .diffuseHorizontal: base = "diffuse horizontal radiation"
        case .windDirection: base = "wind direction"
        case .windSpeed: base = "wind speed"
        case .totalSkyCover: base = "total sky cover"
        case .opaqueSkyCover: base = "opaque sky cover"
        case .precipitableWater: base = "precipitable water"
        case .liquidPrecipitation: base = "liquid precipitation depth"
        }
        return "\(base) (field \(rawValue))"
    }

    /// Unit of the stored values.
    public var unit: String {
        switch self {
        case .dryBulb, .dewPoint: return "degC"
        case .relativeHumidity: return "%"
        case .stationPressure: return "Pa"
        case .horizontalInfrared, .globalHorizontal, .directNormal, .diffuseHorizontal: return "W/m2"
        case .windDirection: return "degree"
        case .windSpeed: return "m/s"
        case .totalSkyCover, .opaqueSkyCover: return "tenths"
        case .precipitableWater, .liquidPrecipitation: return "mm"
        }
    }

    /// EPW missing-value code: a value at or above it means "missing"
    /// (EnergyPlus Auxiliary Programs, "Data Field Descriptions").
    public var missingThreshold: Double {
        switch self {
        case .dryBulb, .dewPoint: return 99.9
        case .relativeHumidity: return 999
        case .stationPressure: return 999_999
        case .horizontalInfrared, .globalHorizontal, .directNormal, .diffuseHorizontal: return 9999
        case .windDirection, .windSpeed: return 999
        case .totalSkyCover, .opaqueSkyCover: return 99
        case .precipitableWater, .liquidPrecipitation: return 999
        }
    }
}

/// A parsed EPW file: header records plus hourly columns (struct-of-arrays, row order).
///
/// Row `i` is the hour ending at `hour[i]` (1–24) of `month[i]`/`day[i]` in the file's local
/// standard time. Irradiance values are the Wh/m² integrated over that hour, i.e. the mean
/// W/m² over it. Missing values (EPW codes, blank fields) have been replaced: linearly
/// interpolated between the nearest valid rows of the same column (circularly for wind
/// direction), or — where a column is missing on every row — a documented default
/// (see `EPWFile.read` and docs/weather.md). Precipitation is never interpolated: a missing
/// hour counts as 0 mm. `missingCount(_:)` tells how many rows were filled.
public struct EPWFile: Sendable {
    public var location: EPWLocation
    public var dataPeriods: [EPWDataPeriod]
    /// The `COMMENTS 1` and `COMMENTS 2` texts (without the keyword).
    public var comments: [String]
    /// Calendar of each row (struct-of-arrays). Read-only: the reader guarantees whole days
    /// of consecutive hours, which consumers rely on.
    public let month: [UInt8]
    public let day: [UInt8]
    public let hour: [UInt8]
    /// Column storage indexed by `EPWColumn.ordinal`.
    @usableFromInline let columns: [[Double]]
    @usableFromInline let missing: [Int]

    init(location: EPWLocation, dataPeriods: [EPWDataPeriod], comments: [String],
                month: [UInt8], day: [UInt8], hour: [UInt8], columns: [[Double]], missing: [Int]) {
        self.location = location
        self.dataPeriods = dataPeriods
        self.comments = comments
        self.month = month
        self.day = day
        self.hour = hour
        self.columns = columns
        self.missing = missing
    }

    /// Number of hourly rows (a whole number of days × 24).
    @inlinable public var rowCount: Int { month.count }

    /// True when the rows include February 29.
    public var containsLeapDay: Bool {
        for i in stride(from: 0, to: month.count, by: 24) where month[i] == 2 && day[i] == 29 {
            return true
        }
        return false
    }

    /// The values of one column, one per row.
    @inlinable public func values(_ column: EPWColumn) -> [Double] { columns[column.ordinal] }

    /// How many rows of `column` carried a missing code or were blank before filling.
    @inlinable public func missingCount(_ column: EPWColumn) -> Int { missing[column.ordinal] }

    /// Dry-bulb temperature, °C.
    public var dryBulb: [Double] { columns[EPWColumn.dryBulb.ordinal] }
    /// Dew-point temperature, °C.
    public var dewPoint: [Double] { columns[EPWColumn.dewPoint.ordinal] }
    /// Relative humidity, %.
    public var relativeHumidity: [Double] { columns[EPWColumn.relativeHumidity.ordinal] }
    /// Station pressure, Pa.
    public var stationPressure: [Double] { columns[EPWColumn.stationPressure.ordinal] }
    /// Horizontal infrared radiation from the sky, W/m² (hour mean).
    public var horizontalInfrared: [Double] { columns[EPWColumn.horizontalInfrared.ordinal] }
    /// Global horizontal irradiance, W/m² (hour mean).
    public var globalHorizontal: [Double] { columns[EPWColumn.globalHorizontal.ordinal] }
    /// Direct normal irradiance, W/m² (hour mean).
    public var directNormal: [Double] { columns[EPWColumn.directNormal.ordinal] }
    /// Diffuse horizontal irradiance, W/m² (hour mean).
    public var diffuseHorizontal: [Double] { columns[EPWColumn.diffuseHorizontal.ordinal] }
    /// Wind direction, degrees clockwise from north (where the wind comes from).
    public var windDirection: [Double] { columns[EPWColumn.windDirection.ordinal] }
    /// Wind speed, m/s.
    public var windSpeed: [Double] { columns[EPWColumn.windSpeed.ordinal] }
    /// Total sky cover, tenths (0–10).
    public var totalSkyCover: [Double] { columns[EPWColumn.totalSkyCover.ordinal] }
    /// Opaque sky cover, tenths (0–10).
    public var opaqueSkyCover: [Double] { columns[EPWColumn.opaqueSkyCover.ordinal] }
    /// Precipitable water, mm.
    public var precipitableWater: [Double] { columns[EPWColumn.precipitableWater.ordinal] }
    /// Liquid precipitation depth over the hour, mm (= mm/h).
    public var liquidPrecipitation: [Double] { columns[EPWColumn.liquidPrecipitation.ordinal] }
}
