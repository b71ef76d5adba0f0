// EPW reader: bytes → EPWFile. One pass over the bytes, fields located by comma offsets,
// numbers parsed from bytes (no Scanner, no per-field String), columns filled in place.
import Foundation

extension EPWFile {
    /// Number of comma-separated fields in an EPW data row.
    public static let fieldsPerRow = 35

    /// Reads and validates an EPW file. O(file size).
    ///
    /// Throws `EPWError` (one-line description naming file, line and field) for: an unreadable
    /// or empty file, a missing or misspelt header line, a bad LOCATION or DATA PERIODS field,
    /// a row without exactly 35 fields, a non-numeric value in a parsed field, month/day/hour
    /// out of range, rows that are not consecutive hours from the data period's first hour,
    /// a premature end (wrong number of rows), extra rows, or a dry-bulb column that is
    /// missing on every row.
    public static func read(path: String) throws -> EPWFile {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw EPWError(file: path, line: 0, field: "file", expected: "a readable EPW file",
                           found: "\(error)".replacingOccurrences(of: "\n", with: " "))
        }
        return try parse(bytes: [UInt8](data), fileName: path)
    }

    /// Parses EPW text held in memory; `fileName` is used in error messages only.
    public static func parse(bytes: [UInt8], fileName: String) throws -> EPWFile {
        try bytes.withUnsafeBufferPointer { buffer in
            var parser = EPWParser(bytes: buffer, fileName: fileName)
            return try parser.parse()
        }
    }
}

/// Parser state; internal so tests can only reach it through `EPWFile.parse`.
struct EPWParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let fileName: String
    /// Byte ranges of lines (without the line terminator), in file order.
    var lineStarts: [Int] = []
    var lineEnds: [Int] = []

    init(bytes: UnsafeBufferPointer<UInt8>, fileName: String) {
        self.bytes = bytes
        self.fileName = fileName
    }

    static let headerKeywords = [
        "LOCATION", "DESIGN CONDITIONS", "TYPICAL/EXTREME PERIODS", "GROUND TEMPERATURES",
        "HOLIDAYS/DAYLIGHT SAVINGS", "COMMENTS 1", "COMMENTS 2", "DATA PERIODS",
    ]

    mutating func parse() throws -> EPWFile {
        splitLines()
        // Ignore trailing blank lines (a final newline, editors adding one more).
        var lineCount = lineStarts.count
        while lineCount > 0 && lineStarts[lineCount - 1] == lineEnds[lineCount - 1] { lineCount -= 1 }

        // Header: eight keyword lines in the fixed EPW order.
        var headerFields: [[String]] = []
        for index in 0..<8 {
            guard index < lineCount else {
                throw error(line: index + 1, field: "header",
                            expected: "a '\(Self.headerKeywords[index]),...' line", found: "end of file")
            }
            let fields = text(line: index).split(separator: ",", omittingEmptySubsequences: false)
                .map { String($0) }
            let keyword = fields[0].trimmingCharacters(in: .whitespaces).uppercased()
            let wanted = Self.headerKeywords[index]
            // PVGIS writes HOLIDAYS/DAYLIGHT SAVING (no final S): accept both spellings.
            let ok = index == 4 ? keyword.hasPrefix("HOLIDAYS/DAYLIGHT SAVING") : keyword == wanted
            guard ok else {
                throw error(line: index + 1, field: "header keyword", expected: "'\(wanted)'",
                            found: fields[0])
            }
            headerFields.append(fields)
        }
        let location = try parseLocation(headerFields[0])
        let periods = try parseDataPeriods(headerFields[7])
        let comments = [5, 6].map { i in
            headerFields[i].dropFirst().joined(separator: ",").trimmingCharacters(in: .whitespaces)
        }
        return try parseRows(firstLine: 8, lineCount: lineCount, location: location,
                             periods: periods, comments: comments)
    }

    // MARK: lines and header

    mutating func splitLines() {
        var start = 0
        // Skip a UTF-8 byte-order mark.
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { start = 3 }
        lineStarts.reserveCapacity(8800)
        lineEnds.reserveCapacity(8800)
        var i = start
        let n = bytes.count
        while i < n {
            if bytes[i] == 0x0A {
                var end = i
                if end > start && bytes[end - 1] == 0x0D { end -= 1 }
                lineStarts.append(start)
                lineEnds.append(end)
                start = i + 1
            }
            i += 1
        }
        if start < n {
            var end = n
            if bytes[end - 1] == 0x0D { end -= 1 }
            lineStarts.append(start)
            lineEnds.append(end)
        }
    }

    func text(line index: Int) -> String {
        text(from: lineStarts[index], to: lineEnds[index])
    }

    func text(from start: Int, to end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    func error(line: Int, field: String, expected: String, found: String) -> EPWError {
        EPWError(file: fileName, line: line, field: field, expected: expected, found: found)
    }

    func parseLocation(_ f: [String]) throws -> EPWLocation {
        guard f.count >= 10 else {
            throw error(line: 1, field: "LOCATION", expected: "10 comma-separated fields",
                        found: "\(f.count) fields")
        }
        func number(_ i: Int, _ name: String, _ range: ClosedRange<Double>) throws -> Double {
            let t = f[i].trimmingCharacters(in: .whitespaces)
            guard let v = Double(t), v.isFinite, range.contains(v) else {
                throw error(line: 1, field: "LOCATION \(name) (field \(i + 1))",
                            expected: "a number in \(range.lowerBound)...\(range.upperBound)", found: f[i])
            }
            return v
        }
        let trim = { (i: Int) in f[i].trimmingCharacters(in: .whitespaces) }
        return EPWLocation(
            city: trim(1), stateProvince: trim(2), country: trim(3), source: trim(4), wmo: trim(5),
            latitude: try number(6, "latitude", -90...90),
            longitude: try number(7, "longitude", -180...180),
            timeZoneHours: try number(8, "time zone", -12...14),
            elevation: try number(9, "elevation", -1000...9999.9))
    }

    func parseDataPeriods(_ f: [String]) throws -> [EPWDataPeriod] {
        let line = 8
        func int(_ i: Int, _ name: String, _ range: ClosedRange<Int>) throws -> Int {
            let t = i < f.count ? f[i].trimmingCharacters(in: .whitespaces) : ""
            guard let v = Int(t), range.contains(v) else {
                throw error(line: line, field: "DATA PERIODS \(name) (field \(i + 1))",
                            expected: "an integer in \(range.lowerBound)...\(range.upperBound)",
                            found: i < f.count ? f[i] : "end of line")
            }
            return v
        }
        let count = try int(1, "number of periods", 1...366)
        _ = try int(2, "records per hour", 1...1)  // sub-hourly EPW is not supported
        var periods: [EPWDataPeriod] = []
        for p in 0..<count {
            let base = 3 + 4 * p
            guard base + 3 < f.count else {
                throw error(line: line, field: "DATA PERIODS period \(p + 1)",
                            expected: "name, start day of week, start m/d, end m/d",
                            found: "end of line")
            }
            let start = try monthDay(f[base + 2], line: line, field: "DATA PERIODS start date (field \(base + 3))")
            let end = try monthDay(f[base + 3], line: line, field: "DATA PERIODS end date (field \(base + 4))")
            periods.append(EPWDataPeriod(
                name: f[base].trimmingCharacters(in: .whitespaces),
                startDayOfWeek: f[base + 1].trimmingCharacters(in: .whitespaces),
                startMonth: start.0, startDay: start.1, endMonth: end.0, endDay: end.1))
        }
        return periods
    }

    func monthDay(_ text: String, line: Int, field: String) throws -> (Int, Int) {
        let parts = text.split(separator: "/").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let m = Int(parts[0]), let d = Int(parts[1]),
              (1...12).contains(m), (1...EPWCalendar.daysInMonth(m, leap: true)).contains(d) else {
            throw error(line: line, field: field, expected: "a month/day date such as 12/31", found: text)
        }
        return (m, d)
    }

    // MARK: rows

    mutating func parseRows(firstLine: Int, lineCount: Int, location: EPWLocation,
                            periods: [EPWDataPeriod], comments: [String]) throws -> EPWFile {
        let rowCapacity = max(0, lineCount - firstLine)
        var month = [UInt8](); month.reserveCapacity(rowCapacity)
        var day = [UInt8](); day.reserveCapacity(rowCapacity)
        var hour = [UInt8](); hour.reserveCapacity(rowCapacity)
        let columnsInOrder = EPWColumn.allCases
        var columns = [[Double]](repeating: [], count: columnsInOrder.count)
        for c in columns.indices { columns[c].reserveCapacity(rowCapacity) }
        var missing = [Int](repeating: 0, count: columnsInOrder.count)
        // Field index (0-based) of each stored column, in ordinal order.
        let fieldIndex = columnsInOrder.map { $0.rawValue - 1 }
        let thresholds = columnsInOrder.map { $0.missingThreshold }

        let first = periods[0], last = periods[periods.count - 1]
        var expected = (month: first.startMonth, day: first.startDay, hour: 1)
        var sawLeapDay = false
        var ended = false
        var commas = [Int](repeating: 0, count: EPWFile.fieldsPerRow + 1)

        for lineIndex in firstLine..<lineCount {
            let lineNumber = lineIndex + 1
            let start = lineStarts[lineIndex], end = lineEnds[lineIndex]
            if ended {
                throw error(line: lineNumber, field: "row",
                            expected: "end of file after \(last.endMonth)/\(last.endDay) hour 24 (DATA PERIODS end)",
                            found: text(from: start, to: end))
            }
            // Field boundaries: field k spans commas[k]+1 ..< commas[k+1] (commas[0] = start-1).
            var fieldCount = 1
            commas[0] = start - 1
            var i = start
            while i < end {
                if bytes[i] == UInt8(ascii: ",") {
                    if fieldCount < EPWFile.fieldsPerRow { commas[fieldCount] = i }
                    fieldCount += 1
                }
                i += 1
            }
            guard fieldCount == EPWFile.fieldsPerRow else {
                throw error(line: lineNumber, field: "row",
                            expected: "\(EPWFile.fieldsPerRow) comma-separated fields",
                            found: "\(fieldCount) fields")
            }
            commas[EPWFile.fieldsPerRow] = end
            @inline(__always) func range(_ k: Int) -> (Int, Int) { (commas[k] + 1, commas[k + 1]) }

            // Calendar fields.
            _ = try integer(range(0), line: lineNumber, field: "year (field 1)", valid: -9999...9999)
            let m = try integer(range(1), line: lineNumber, field: "month (field 2)", valid: 1...12)
            let d = try integer(range(2), line: lineNumber, field: "day (field 3)",
                                valid: 1...EPWCalendar.daysInMonth(m, leap: true))
            let h = try integer(range(3), line: lineNumber, field: "hour (field 4)", valid: 1...24)
            if h != expected.hour {
                throw error(line: lineNumber, field: "hour (field 4)",
                            expected: "\(expected.hour) (consecutive hours 1-24)", found: "\(h)")
            }
            let dateOK: Bool
            if m == expected.month && d == expected.day {
                dateOK = true
            } else if expected.month == 3 && expected.day == 1 && h == 1 && m == 2 && d == 29 {
                dateOK = true  // leap-year file: Feb 28 is followed by Feb 29
            } else {
                dateOK = false
            }
            if !dateOK {
                let alt = (expected.month == 3 && expected.day == 1 && expected.hour == 1) ? " or 2/29" : ""
                throw error(line: lineNumber, field: "month/day (fields 2-3)",
                            expected: "\(expected.month)/\(expected.day)\(alt) (consecutive days from DATA PERIODS start)",
                            found: "\(m)/\(d)")
            }
            if m == 2 && d == 29 { sawLeapDay = true }
            month.append(UInt8(m)); day.append(UInt8(d)); hour.append(UInt8(h))
            if h == 24 && m == last.endMonth && d == last.endDay { ended = true }
            expected = EPWCalendar.next(month: m, day: d, hour: h)

            // Data columns.
            for c in 0..<fieldIndex.count {
                let (s, e) = range(fieldIndex[c])
                var value = Double.nan
                if let v = number(s, e) {
                    if v < thresholds[c] { value = v + 0.0 }  // + 0.0 turns "-0.00" into +0
                } else if !isBlank(s, e) {
                    throw error(line: lineNumber, field: columnsInOrder[c].fieldName,
                                expected: "a number", found: text(from: s, to: e))
                }
                if value.isNaN { missing[c] += 1 }
                columns[c].append(value)
            }
        }

        if !ended {
            let rows = month.count
            var expectedRows = EPWCalendar.days(fromMonth: first.startMonth, day: first.startDay,
                                                toMonth: last.endMonth, day: last.endDay) * 24
            if sawLeapDay { expectedRows += 24 }
            let foundText = rows == 0 ? "0 rows"
                : "\(rows) rows ending at \(month[rows - 1])/\(day[rows - 1]) hour \(hour[rows - 1])"
            throw error(line: lineCount + 1, field: "row count",
                        expected: "\(expectedRows) hourly rows through \(last.endMonth)/\(last.endDay) hour 24 (DATA PERIODS)",
                        found: foundText)
        }

        try fillMissing(&columns, missing: missing, location: location, firstRowLine: firstLine + 1)
        return EPWFile(location: location, dataPeriods: periods, comments: comments,
                       month: month, day: day, hour: hour, columns: columns, missing: missing)
    }

    @inline(__always) func isBlank(_ s: Int, _ e: Int) -> Bool {
        var i = s
        while i < e {
            if bytes[i] != UInt8(ascii: " ") && bytes[i] != 0x09 { return false }
            i += 1
        }
        return true
    }

    func integer(_ r: (Int, Int), line: Int, field: String, valid: ClosedRange<Int>) throws -> Int {
        if let v = number(r.0, r.1), v == v.rounded(), v >= Double(valid.lowerBound),
           v <= Double(valid.upperBound) {
            return Int(v)
        }
        throw error(line: line, field: field,
                    expected: "an integer in \(valid.lowerBound)...\(valid.upperBound)",
                    found: text(from: r.0, to: r.1))
    }

    /// Decimal number from bytes[s..<e] (surrounding blanks allowed), nil if not a number.
    /// Up to 19 significant digits are exact integers, then one correctly rounded division
    /// by a power of ten, so "9.99" gives the same Double as Double("9.99").
    @inline(__always) func number(_ s0: Int, _ e0: Int) -> Double? {
        var s = s0, e = e0
        while s < e && (bytes[s] == 0x20 || bytes[s] == 0x09) { s += 1 }
        while e > s && (bytes[e - 1] == 0x20 || bytes[e - 1] == 0x09) { e -= 1 }
        if s == e { return nil }
        var i = s
        var negative = false
        if bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 } else if bytes[i] == UInt8(ascii: "+") { i += 1 }
        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0
        var digits = 0
        var sawDot = false
        while i < e {
            let b = bytes[i]
            if b >= 0x30 && b <= 0x39 {
                digits += 1
                if significant < 19 {
                    if mantissa != 0 || b != 0x30 { significant += 1 }
                    mantissa = mantissa * 10 + UInt64(b - 0x30)
                    if sawDot { exponent -= 1 }
                } else if !sawDot {
                    exponent += 1
                }
            } else if b == UInt8(ascii: ".") {
                if sawDot { return nil }
                sawDot = true
            } else if b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
                if digits == 0 { return nil }
                i += 1
                var expNegative = false
                if i < e && (bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+")) {
                    expNegative = bytes[i] == UInt8(ascii: "-"); i += 1
                }
                var exp = 0, expDigits = 0
                while i < e, bytes[i] >= 0x30 && bytes[i] <= 0x39 {
                    if exp < 10_000 { exp = exp * 10 + Int(bytes[i] - 0x30) }
                    expDigits += 1; i += 1
                }
                if expDigits == 0 || i != e { return nil }
                exponent += expNegative ? -exp : exp
                break
            } else {
                return nil
            }
            i += 1
        }
        if digits == 0 { return nil }
        var value = Double(mantissa)
        if exponent < 0 {
            value = -exponent <= 22 ? value / EPWParser.powersOfTen[-exponent] : value * pow(10.0, Double(exponent))
        } else if exponent > 0 {
            value = exponent <= 22 ? value * EPWParser.powersOfTen[exponent] : value * pow(10.0, Double(exponent))
        }
        if !value.isFinite { return nil }
        return negative ? -value : value
    }

    static let powersOfTen: [Double] = (0...22).map { pow(10.0, Double($0)) }

    // MARK: missing values

    /// Replaces NaN (missing) entries: interpolation for partly missing columns, defaults for
    /// wholly missing ones (docs/weather.md, "Missing values").
    func fillMissing(_ columns: inout [[Double]], missing: [Int], location: EPWLocation,
                     firstRowLine: Int) throws {
        let n = columns[0].count
        guard n > 0 else { return }
        let T = EPWColumn.dryBulb.ordinal, Td = EPWColumn.dewPoint.ordinal
        let RH = EPWColumn.relativeHumidity.ordinal
        if missing[T] == n {
            throw error(line: firstRowLine, field: EPWColumn.dryBulb.fieldName,
                        expected: "at least one valid value", found: "99.9 (missing) on every row")
        }
        for column in EPWColumn.allCases {
            let c = column.ordinal
            guard missing[c] > 0 else { continue }
            if column == .liquidPrecipitation {
                // Precipitation is an hourly event total: interpolating across gaps would
                // invent rain, so a missing hour counts as dry.
                for r in 0..<n where columns[c][r].isNaN { columns[c][r] = 0 }
                continue
            }
            if missing[c] < n {
                EPWParser.interpolateGaps(&columns[c], circularDegrees: column == .windDirection)
                continue
            }
            // Whole column missing: documented defaults.
            switch column {
            case .relativeHumidity, .dewPoint:
                continue  // derived below from the other humidity column
            case .stationPressure:
                let p = 101_325 * pow(1 - 2.25577e-5 * location.elevation, 5.25588)
                for r in 0..<n { columns[c][r] = p }
            case .totalSkyCover, .opaqueSkyCover:
                for r in 0..<n { columns[c][r] = 5 }  // EnergyPlus' default for missing sky cover
            default:
                for r in 0..<n { columns[c][r] = 0 }
            }
        }
        // Humidity: derive a wholly missing column from the other (Magnus formula), or assume 50 %.
        if missing[RH] == n && missing[Td] == n {
            for r in 0..<n { columns[RH][r] = 50 }
        }
        if missing[RH] == n && missing[Td] < n {
            for r in 0..<n {
                columns[RH][r] = min(100, 100 * EPWParser.magnus(columns[Td][r]) / EPWParser.magnus(columns[T][r]))
            }
        }
        if missing[Td] == n {
            for r in 0..<n {
                let rh = max(1, columns[RH][r])
                let t = columns[T][r]
                let g = log(rh / 100) + 17.62 * t / (243.12 + t)
                columns[Td][r] = 243.12 * g / (17.62 - g)
            }
        }
    }

    /// Saturation vapour pressure over water, hPa (Magnus, Sonntag 1990 constants).
    static func magnus(_ t: Double) -> Double { 6.112 * exp(17.62 * t / (243.12 + t)) }

    /// Linear interpolation over NaN runs between the nearest valid neighbours; runs at the
    /// ends take the nearest valid value. Wind direction interpolates along the shorter arc.
    static func interpolateGaps(_ v: inout [Double], circularDegrees: Bool) {
        let n = v.count
        var previous = -1
        var i = 0
        while i < n {
            if !v[i].isNaN { previous = i; i += 1; continue }
            var next = i
            while next < n && v[next].isNaN { next += 1 }
            if previous < 0 && next < n {
                for k in i..<next { v[k] = v[next] }
            } else if next >= n && previous >= 0 {
                for k in i..<n { v[k] = v[previous] }
            } else if previous >= 0 {
                let a = v[previous], b = v[next]
                var delta = b - a
                if circularDegrees {
                    delta = delta.truncatingRemainder(dividingBy: 360)
                    if delta > 180 { delta -= 360 } else if delta < -180 { delta += 360 }
                }
                let span = Double(next - previous)
                for k in i..<next {
                    var x = a + delta * Double(k - previous) / span
                    if circularDegrees { x = x < 0 ? x + 360 : (x >= 360 ? x - 360 : x) }
                    v[k] = x
                }
            }
            i = next
        }
    }
}

/// Month lengths and day stepping for the EPW row calendar.
enum EPWCalendar {
    static let monthLengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

    static func daysInMonth(_ month: Int, leap: Bool) -> Int {
        guard (1...12).contains(month) else { return 0 }
        return month == 2 && leap ? 29 : monthLengths[month - 1]
    }

    /// The hour after (month, day, hour) in a non-leap calendar; Feb 29 steps to Mar 1.
    static func next(month: Int, day: Int, hour: Int) -> (month: Int, day: Int, hour: Int) {
        if hour < 24 { return (month, day, hour + 1) }
        if day < daysInMonth(month, leap: false) { return (month, day + 1, 1) }
        return (month == 12 ? 1 : month + 1, 1, 1)
    }

    /// Days from (m1, d1) to (m2, d2) inclusive in a non-leap calendar, wrapping past Dec 31.
    static func days(fromMonth m1: Int, day d1: Int, toMonth m2: Int, day d2: Int) -> Int {
        func ordinal(_ m: Int, _ d: Int) -> Int {
            var o = min(d, daysInMonth(m, leap: false))
            for k in 1..<max(1, m) { o += monthLengths[k - 1] }
            return o
        }
        let a = ordinal(m1, d1), b = ordinal(m2, d2)
        return b >= a ? b - a + 1 : 365 - a + b + 1
    }
}
