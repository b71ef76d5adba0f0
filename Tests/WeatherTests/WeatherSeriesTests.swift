import XCTest
import TwinIO
@testable import Weather

final class WeatherSeriesTests: XCTestCase {
    static let chicagoEPW: EPWFile? = try? EPWFile.read(path: TestPaths.chicago)

    func chicago(_ start: String = "2025-01-01") throws -> WeatherSeries {
        let epw = try XCTUnwrap(Self.chicagoEPW)
        return try WeatherSeries(epw: epw, calendar: try SimCalendar(iso8601: start))
    }

    func testChicagoSeriesKeepsAnnualFigures() throws {
        let s = try chicago()
        XCTAssertEqual(s.count, 8760)
        // Same references as the EPW reader (SOURCES.md): ±0.1 kWh/m², ±0.01 °C.
        XCTAssertEqual(s.annualMean(.ghi) * 8.76, 1406.6, accuracy: 0.1)
        XCTAssertEqual(s.annualMean(.temperature), 9.99, accuracy: 0.01)
        XCTAssertEqual(s.site.latitude, 41.98)
        XCTAssertEqual(s.site.timeZoneHours, -6)
    }

    func testInterpolationExactAtSamplesAndLinearBetween() throws {
        let s = try chicago()
        let t = s.temperature, g = s.ghi
        for i in [0, 1, 100, 4655, 8758] {
            // Temperature sample i sits at the hour end i + 1; GHI at the hour middle i + 0.5.
            XCTAssertEqual(s.value(.temperature, atHourOfYear: Double(i) + 1), t[i], accuracy: 1e-12)
            XCTAssertEqual(s.value(.ghi, atHourOfYear: Double(i) + 0.5), g[i], accuracy: 1e-12)
            XCTAssertEqual(s.value(.temperature, atHourOfYear: Double(i) + 1.5), (t[i] + t[i + 1]) / 2, accuracy: 1e-12)
            XCTAssertEqual(s.value(.ghi, atHourOfYear: Double(i) + 1.25), 0.75 * g[i] + 0.25 * g[i + 1], accuracy: 1e-9)
        }
    }

    func testYearWrap() throws {
        let s = try chicago()
        let t = s.temperature
        // Between Dec 31 hour 24 (sample 8759 at 8760 ≡ 0) and Jan 1 hour 1 (sample 0 at 1).
        XCTAssertEqual(s.value(.temperature, atHourOfYear: 0), t[8759], accuracy: 1e-12)
        XCTAssertEqual(s.value(.temperature, atHourOfYear: 0.5), (t[8759] + t[0]) / 2, accuracy: 1e-12)
        XCTAssertEqual(s.value(.temperature, atHourOfYear: 8760.5), (t[8759] + t[0]) / 2, accuracy: 1e-12)
        XCTAssertEqual(s.value(.temperature, atHourOfYear: -0.5), (t[8758] + t[8759]) / 2, accuracy: 1e-12)
        // A scenario starting Dec 31 12:00 runs into Jan 1 of the same typical year.
        let late = try chicago("2025-12-31T12:00")
        XCTAssertEqual(late.value(.temperature, atMilliseconds: 13 * 3_600_000), t[0], accuracy: 1e-12)
    }

    func testSimTimeMapping() throws {
        let s = try chicago("2025-07-14T00:00:00")
        let t = s.temperature
        // July 14 is day 195: 00:00 is hour 4656, the end of sample 4655.
        XCTAssertEqual(s.value(.temperature, atMilliseconds: 0), t[4655], accuracy: 1e-12)
        XCTAssertEqual(s.value(.temperature, atMilliseconds: 30 * 60_000), (t[4655] + t[4656]) / 2, accuracy: 1e-12)
        let w = try s.samples(.temperature, fromMilliseconds: 0, toMilliseconds: 3 * 3_600_000, stepMilliseconds: 3_600_000)
        XCTAssertEqual(w, Array(t[4655...4658]))
        let all = try s.samples(fromMilliseconds: 0, toMilliseconds: 3_600_000, stepMilliseconds: 900_000)
        XCTAssertEqual(all.count, 5)
        XCTAssertEqual(all[4].temperature, t[4656], accuracy: 1e-12)
        XCTAssertThrowsError(try s.samples(.ghi, fromMilliseconds: 0, toMilliseconds: 10, stepMilliseconds: 0))
    }

    func testLeapScenarioYearRepeatsFeb28() throws {
        let s = try chicago("2024-01-01")
        XCTAssertEqual(s.count, 8784)
        let t = s.temperature
        let feb28 = (31 + 27) * 24, feb29 = (31 + 28) * 24, mar1 = (31 + 29) * 24
        XCTAssertEqual(Array(t[feb29..<(feb29 + 24)]), Array(t[feb28..<(feb28 + 24)]))
        let epw = try XCTUnwrap(Self.chicagoEPW)
        XCTAssertEqual(t[mar1], epw.dryBulb[(31 + 28) * 24])  // March 1 hour 1 of the file
    }

    func testWindDirectionShorterArc() throws {
        let cal = try SimCalendar(iso8601: "2025-01-01")
        var values = [WeatherChannel: [Double]]()
        for c in WeatherChannel.allCases { values[c] = [Double](repeating: 1, count: 8760) }
        values[.windDirection]![0] = 350
        values[.windDirection]![1] = 30
        let s = try WeatherSeries(calendar: cal, site: WeatherSite(latitude: 0, longitude: 0, timeZoneHours: 0), values: values)
        XCTAssertEqual(s.value(.windDirection, atHourOfYear: 1.25), 0, accuracy: 1e-9)
        XCTAssertEqual(s.value(.windDirection, atHourOfYear: 1.75), 20, accuracy: 1e-9)
        values[.ghi] = [1, 2]
        XCTAssertThrowsError(try WeatherSeries(calendar: cal, site: s.site, values: values)) { error in
            XCTAssertEqual("\(error)", "weather.ghi: expected 8760 hourly values for 2025, found '2 values'")
        }
    }

    /// Irradiance placed mid-hour lines up with the sun: almost no GHI falls in hours whose
    /// middle has the sun 3° or more below the horizon (twilight hours straddling sunrise
    /// legitimately have some). For PVGIS, using the header's TZ = 1 shifts the data an hour
    /// against the sun; TZ = 0 (UTC, as pvlib reads it) aligns it (docs/weather.md).
    func testIrradianceAlignsWithSolarGeometry() throws {
        func nightFraction(_ s: WeatherSeries) -> Double {
            var night = 0.0, total = 0.0
            for (i, g) in s.ghi.enumerated() {
                total += g
                if SolarPosition(site: s.site, hourOfYear: Double(i) + 0.5).elevationDegrees < -3 { night += g }
            }
            return night / total
        }
        let chicago = try chicago()
        XCTAssertLessThan(nightFraction(chicago), 0.002)
        let pvgisEPW = try EPWFile.read(path: TestPaths.pvgis)
        var pvgis = try WeatherSeries(epw: pvgisEPW, calendar: try SimCalendar(iso8601: "2025-01-01"))
        XCTAssertEqual(pvgis.site.timeZoneHours, 1)
        let asWritten = nightFraction(pvgis)
        pvgis.site.timeZoneHours = 0
        let utc = nightFraction(pvgis)
        XCTAssertLessThan(utc, 0.002)
        XCTAssertGreaterThan(asWritten, 5 * utc)
    }
}

extension WeatherSeriesTests {
    func testNonFiniteHourDoesNotTrap() throws {
        let s = try chicago()
        XCTAssertTrue(s.value(.temperature, atHourOfYear: .nan).isFinite)
        XCTAssertTrue(s.value(.temperature, atHourOfYear: .infinity).isFinite)
        XCTAssertTrue(s.value(.ghi, atHourOfYear: -1e12).isFinite)
    }
}
