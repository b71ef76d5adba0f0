import Foundation
import XCTest
@testable import TwinIO

/// Locates repository files from this test file (no machine paths).
enum EPWTestPaths {
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    }()
    static let chicago = packageRoot.appendingPathComponent("Models/weather/USA_IL_Chicago-OHare.Intl.AP.725300_TMY3.epw").path
    static let pvgis = packageRoot.appendingPathComponent("Models/weather/PVGIS_tmy_45.000_8.000_2005_2023.epw").path
    static let badInputs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("EPWBadInputs")
}

final class EPWReaderTests: XCTestCase {
    // Reference figures (Models/weather/SOURCES.md, computed there independently with awk
    // over the raw columns): annual GHI = Σ hourly Wh/m² / 1000, printed to 0.1 kWh/m²,
    // hence the ±0.1 tolerance; mean dry bulb to 0.01 °C.
    func testChicagoTMY3() throws {
        let epw = try EPWFile.read(path: EPWTestPaths.chicago)
        XCTAssertEqual(epw.rowCount, 8760)
        XCTAssertEqual(epw.location.city, "Chicago Ohare Intl Ap")
        XCTAssertEqual(epw.location.stateProvince, "IL")
        XCTAssertEqual(epw.location.country, "USA")
        XCTAssertEqual(epw.location.source, "TMY3")
        XCTAssertEqual(epw.location.wmo, "725300")
        XCTAssertEqual(epw.location.latitude, 41.98)
        XCTAssertEqual(epw.location.longitude, -87.92)
        XCTAssertEqual(epw.location.timeZoneHours, -6)
        XCTAssertEqual(epw.location.elevation, 201)
        XCTAssertEqual(epw.dataPeriods, [EPWDataPeriod(name: "Data", startDayOfWeek: "Sunday", startMonth: 1,
                                                       startDay: 1, endMonth: 12, endDay: 31)])
        XCTAssertFalse(epw.containsLeapDay)
        XCTAssertEqual(epw.globalHorizontal.reduce(0, +) / 1000, 1406.6, accuracy: 0.1)
        XCTAssertEqual(epw.directNormal.reduce(0, +) / 1000, 1294.3, accuracy: 0.1)
        XCTAssertEqual(epw.diffuseHorizontal.reduce(0, +) / 1000, 660.3, accuracy: 0.1)
        XCTAssertEqual(epw.dryBulb.reduce(0, +) / 8760, 9.99, accuracy: 0.01)
        XCTAssertEqual(epw.dryBulb.min(), -22.8)
        XCTAssertEqual(epw.dryBulb.max(), 35.0)
        XCTAssertEqual(epw.windSpeed.reduce(0, +) / 8760, 4.56, accuracy: 0.01)
        // First row exactly as written: 1986,1,1,1,... -12.2,-16.1,73,99500 ... 270,2.6,9,9.
        XCTAssertEqual(epw.dryBulb[0], -12.2)
        XCTAssertEqual(epw.dewPoint[0], -16.1)
        XCTAssertEqual(epw.relativeHumidity[0], 73)
        XCTAssertEqual(epw.stationPressure[0], 99500)
        XCTAssertEqual(epw.windDirection[0], 270)
        XCTAssertEqual(epw.totalSkyCover[0], 9)
        XCTAssertEqual(epw.precipitableWater[0], 40)
        // Precipitation: 8041 rows carry 999 (missing) → 0 mm; the valid rows sum to
        // 19·1 + 9·2 + 3 + 6 = 46 mm (uniq -c over field 34 of the file).
        XCTAssertEqual(epw.missingCount(.liquidPrecipitation), 8041)
        XCTAssertEqual(epw.liquidPrecipitation.reduce(0, +), 46, accuracy: 1e-9)
        XCTAssertEqual(epw.missingCount(.dryBulb), 0)
        XCTAssertEqual(epw.month.last, 12)
        XCTAssertEqual(epw.day.last, 31)
        XCTAssertEqual(epw.hour.last, 24)
    }

    func testPVGISQuirks() throws {
        let epw = try EPWFile.read(path: EPWTestPaths.pvgis)
        XCTAssertEqual(epw.rowCount, 8760)
        XCTAssertEqual(epw.location.city, "unknown")
        XCTAssertEqual(epw.location.source, "ECMWF/ERA")
        XCTAssertEqual(epw.location.latitude, 45)
        XCTAssertEqual(epw.location.longitude, 8)
        XCTAssertEqual(epw.location.timeZoneHours, 1, "TZ kept as read although rows are UTC")
        XCTAssertEqual(epw.globalHorizontal.reduce(0, +) / 1000, 1435.9, accuracy: 0.1)
        XCTAssertEqual(epw.directNormal.reduce(0, +) / 1000, 1591.6, accuracy: 0.1)
        XCTAssertEqual(epw.diffuseHorizontal.reduce(0, +) / 1000, 570.9, accuracy: 0.1)
        XCTAssertEqual(epw.dryBulb.reduce(0, +) / 8760, 13.56, accuracy: 0.01)
        XCTAssertEqual(epw.windSpeed.reduce(0, +) / 8760, 1.21, accuracy: 0.01)
        // "-0.00" DNI at night becomes +0 (sign bit cleared).
        XCTAssertEqual(epw.directNormal[0], 0)
        XCTAssertEqual(epw.directNormal[0].sign, .plus)
        // Sky cover (99), precipitable water (999) and precipitation (999) missing on every row:
        // documented defaults 5 tenths, 0 mm, 0 mm.
        XCTAssertEqual(epw.missingCount(.totalSkyCover), 8760)
        XCTAssertEqual(epw.totalSkyCover.first, 5)
        XCTAssertEqual(epw.missingCount(.precipitableWater), 8760)
        XCTAssertEqual(epw.precipitableWater.max(), 0)
        XCTAssertEqual(epw.liquidPrecipitation.max(), 0)
        XCTAssertEqual(epw.missingCount(.globalHorizontal), 0)
    }

    /// Build a small EPW text: header with the given period, then rows from a closure.
    static func smallFile(period: String = " 1/ 1, 1/ 1", days: [(Int, Int)] = [(1, 1)],
                          location: String = "LOCATION,unknown,-,unknown,ECMWF/ERA,unknown,45.0,8.0,1,250",
                          lineEnd: String = "\n",
                          row: (Int, Int, Int, Int) -> String) -> [UInt8] {
        var lines = [location, "DESIGN CONDITIONS,0", "TYPICAL/EXTREME PERIODS,0", "GROUND TEMPERATURES,0",
                     "HOLIDAYS/DAYLIGHT SAVING,No,0,0,0", "COMMENTS 1,test", "COMMENTS 2,test",
                     "DATA PERIODS,1,1,Data,Thursday,\(period)"]
        var index = 0
        for (m, d) in days {
            for h in 1...24 { lines.append(row(index, m, d, h)); index += 1 }
        }
        return Array((lines.joined(separator: lineEnd) + lineEnd).utf8)
    }

    static func row(year: Int = 2018, month: Int, day: Int, hour: Int, t: String = "10.0", dew: String = "5.0",
                    rh: String = "70", p: String = "99000", ghi: String = "0", dni: String = "0", dhi: String = "0",
                    windDir: String = "180", wind: String = "2.0", sky: String = "5", precip: String = "0") -> String {
        // 35 fields; unused ones carry their EPW missing codes.
        ["\(year)", "\(month)", "\(day)", "\(hour)", "0", "?9?9", t, dew, rh, p, "9999", "9999", "300",
         ghi, dni, dhi, "999999", "999999", "999999", "9999", windDir, wind, sky, "99", "9999", "99999",
         "9", "999999999", "999", "0.999", "999", "99", "999", precip, "99"].joined(separator: ",")
    }

    func testMissingValuesAreInterpolatedAndPrecipitationZero() throws {
        let bytes = Self.smallFile { i, m, d, h in
            switch i {
            case 3: return Self.row(month: m, day: d, hour: h, t: "99.9", windDir: "340", wind: "999", precip: "999")
            case 4: return Self.row(month: m, day: d, hour: h, t: "", windDir: "340", wind: "999", precip: "")
            case 5: return Self.row(month: m, day: d, hour: h, t: "14.0", windDir: "999", wind: "6.0", precip: "2.5")
            case 6: return Self.row(month: m, day: d, hour: h, t: "14.0", windDir: "20", wind: "6.0")
            default: return Self.row(month: m, day: d, hour: h, t: "11.0", windDir: "340")
            }
        }
        let epw = try EPWFile.parse(bytes: bytes, fileName: "mem.epw")
        // Rows 3 and 4 between 11.0 (row 2) and 14.0 (row 5): 12.0 and 13.0 (exact in binary to 1 ulp).
        XCTAssertEqual(epw.dryBulb[3], 12.0, accuracy: 1e-12)
        XCTAssertEqual(epw.dryBulb[4], 13.0, accuracy: 1e-12)
        XCTAssertEqual(epw.missingCount(.dryBulb), 2)
        // Wind speed 2.0 → 6.0 over three steps.
        XCTAssertEqual(epw.windSpeed[3], 2.0 + 4.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(epw.windSpeed[4], 2.0 + 8.0 / 3, accuracy: 1e-12)
        // Wind direction 340° → 20° crosses north: midpoint row 5 is 0°, not 180°.
        XCTAssertEqual(epw.windDirection[5], 0, accuracy: 1e-12)
        // Missing precipitation counts as dry, never interpolated.
        XCTAssertEqual(epw.liquidPrecipitation[3], 0)
        XCTAssertEqual(epw.liquidPrecipitation[4], 0)
        XCTAssertEqual(epw.liquidPrecipitation[5], 2.5)
        XCTAssertEqual(epw.missingCount(.liquidPrecipitation), 2)
    }

    func testLeapYearCRLFAndNegativeZero() throws {
        var days: [(Int, Int)] = []
        for m in 1...12 {
            for d in 1...[31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] { days.append((m, d)) }
        }
        let bytes = Self.smallFile(period: " 1/ 1,12/31", days: days, lineEnd: "\r\n") { i, m, d, h in
            Self.row(month: m, day: d, hour: h, t: String(Double(i % 24)), ghi: i % 24 == 12 ? "500" : "-0.00")
        }
        let epw = try EPWFile.parse(bytes: bytes, fileName: "leap.epw")
        XCTAssertEqual(epw.rowCount, 8784)
        XCTAssertTrue(epw.containsLeapDay)
        XCTAssertEqual(epw.globalHorizontal.reduce(0, +), 500 * 366)
        XCTAssertEqual(epw.globalHorizontal[0].sign, .plus)
        XCTAssertEqual(epw.dryBulb[8783], 23)
    }

    func testNumberParserMatchesFoundation() throws {
        let texts = ["9.99", "-12.2", "0.1180", "101325", "-0.00", "1e3", "2.5E-1", "+7", " 3.25 ", "0.000001",
                     "123456789.123456789", "17.62", "99.9"]
        let line = texts.joined(separator: ",")
        let bytes = Array(line.utf8)
        try bytes.withUnsafeBufferPointer { buffer in
            let parser = EPWParser(bytes: buffer, fileName: "x")
            var start = 0
            for text in texts {
                let end = start + text.utf8.count
                let parsed = try XCTUnwrap(parser.number(start, end), text)
                let reference = try XCTUnwrap(Double(text.trimmingCharacters(in: .whitespaces)))
                XCTAssertEqual(parsed, reference, text)  // bit-identical (correct rounding)
                start = end + 1
            }
            for bad in ["", "-", ".", "1.2.3", "12a", "e5", "1e", "nan", "inf"] {
                let b = Array(bad.utf8)
                b.withUnsafeBufferPointer { p in
                    XCTAssertNil(EPWParser(bytes: p, fileName: "x").number(0, b.count), bad)
                }
            }
        }
    }

    func testErrorDescriptionIsOneLine() {
        let e = EPWError(file: "a.epw", line: 3, field: "hour (field 4)", expected: "an integer", found: "x\ny\u{0}")
        XCTAssertEqual(e.description, "a.epw:3: hour (field 4): expected an integer, found 'x\\x0Ay\\x00'")
        XCTAssertFalse(e.description.contains("\n"))
    }

    func testMissingFileThrowsOneLineError() {
        XCTAssertThrowsError(try EPWFile.read(path: "/nonexistent/dir/none.epw")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("/nonexistent/dir/none.epw:0: file: expected a readable EPW file"), text)
            XCTAssertFalse(text.contains("\n"))
        }
    }

    /// Release builds parse the 1.6 MB Chicago file in a few ms; debug builds are ~10× slower.
    func testParseSpeed() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: EPWTestPaths.chicago)))
        let start = DispatchTime.now().uptimeNanoseconds
        let epw = try EPWFile.parse(bytes: bytes, fileName: "chicago")
        let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        XCTAssertEqual(epw.rowCount, 8760)
        print("EPW parse of 8760 rows: \(String(format: "%.1f", ms)) ms")
        #if !DEBUG
        XCTAssertLessThan(ms, 50)
        #endif
    }
}
