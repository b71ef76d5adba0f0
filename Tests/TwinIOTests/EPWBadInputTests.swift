import Foundation
import XCTest
import TwinIO

/// The bad-input corpus (EPWBadInputs/README.md): each malformed file must throw an
/// EPWError naming the right line and field, in the one-line `<file>:<line>: <field>: expected …, found '…'` form.
final class EPWBadInputTests: XCTestCase {
    static let cases: [(file: String, line: Int, field: String)] = [
        ("empty.epw", 1, "header"),
        ("truncated_header.epw", 4, "header"),
        ("binary_garbage.epw", 1, "header keyword"),
        ("misspelt_keyword.epw", 5, "header keyword"),
        ("bad_latitude.epw", 1, "LOCATION latitude (field 7)"),
        ("subhourly_period.epw", 8, "DATA PERIODS records per hour (field 3)"),
        ("missing_rows.epw", 32, "row count"),
        ("extra_rows.epw", 33, "row"),
        ("bad_number.epw", 13, "dry-bulb temperature (field 7)"),
        ("wrong_field_count.epw", 15, "row"),
        ("hour_out_of_range.epw", 18, "hour (field 4)"),
        ("hours_out_of_order.epw", 19, "hour (field 4)"),
        ("month_13.epw", 11, "month (field 2)"),
        ("wrong_day.epw", 21, "day (field 3)"),
        ("blank_month.epw", 24, "month (field 2)"),
        ("all_temperatures_missing.epw", 9, "dry-bulb temperature (field 7)"),
    ]

    func testCorpusErrorsNameLineAndField() throws {
        for c in Self.cases {
            let path = EPWTestPaths.badInputs.appendingPathComponent(c.file).path
            XCTAssertTrue(FileManager.default.fileExists(atPath: path), path)
            XCTAssertThrowsError(try EPWFile.read(path: path), c.file) { error in
                guard let e = error as? EPWError else { return XCTFail("\(c.file): not an EPWError: \(error)") }
                XCTAssertEqual(e.line, c.line, "\(c.file): \(e)")
                XCTAssertEqual(e.field, c.field, "\(c.file): \(e)")
                let text = e.description
                XCTAssertTrue(text.hasPrefix("\(path):\(c.line): \(c.field): expected "), text)
                XCTAssertTrue(text.contains(", found '"), text)
                XCTAssertFalse(text.contains("\n"), text)
            }
        }
    }

    func testSpecificMessages() throws {
        func message(_ file: String) -> String {
            let path = EPWTestPaths.badInputs.appendingPathComponent(file).path
            do { _ = try EPWFile.read(path: path); return "no error" } catch {
                return "\(error)".replacingOccurrences(of: path, with: file)
            }
        }
        XCTAssertEqual(message("bad_number.epw"), "bad_number.epw:13: dry-bulb temperature (field 7): expected a number, found '-5.x'")
        XCTAssertEqual(message("month_13.epw"), "month_13.epw:11: month (field 2): expected an integer in 1...12, found '13'")
        XCTAssertEqual(message("hour_out_of_range.epw"), "hour_out_of_range.epw:18: hour (field 4): expected an integer in 1...24, found '25'")
        XCTAssertEqual(message("hours_out_of_order.epw"), "hours_out_of_order.epw:19: hour (field 4): expected 11 (consecutive hours 1-24), found '12'")
        XCTAssertEqual(message("wrong_field_count.epw"), "wrong_field_count.epw:15: row: expected 35 comma-separated fields, found '34 fields'")
        XCTAssertEqual(message("missing_rows.epw"),
                       "missing_rows.epw:32: row count: expected 24 hourly rows through 1/1 hour 24 (DATA PERIODS), found '23 rows ending at 1/1 hour 23'")
    }

    func testControlFileParses() throws {
        let epw = try EPWFile.read(path: EPWTestPaths.badInputs.appendingPathComponent("valid_one_day.epw").path)
        XCTAssertEqual(epw.rowCount, 24)
        XCTAssertEqual(epw.dryBulb[0], -12.2)
    }
}
