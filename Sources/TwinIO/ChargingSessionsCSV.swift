// Reader for EV charging-session CSV files in the ACN-Data layout used by Models/ev
// (see Models/ev/SOURCES.md): one header line, comma separated, no quoting, ISO-8601 UTC
// instants. Columns are found by header name, so their order does not matter.
import Foundation

/// A one-line error from the charging-session reader: names the file, the line (1-based,
/// header = line 1), the column where known, and what was expected.
public struct ChargingSessionsError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String
    public var line: Int
    public var message: String
    public init(file: String, line: Int, message: String) {
        self.file = file; self.line = line; self.message = message
    }
    public var description: String { "\(file):\(line): \(message)" }
}

/// One real charging session (plain record, file units).
///
/// Times are Unix seconds (UTC); identifiers stay strings (user ids carry leading zeros).
public struct ChargingSessionRecord: Sendable, Equatable {
    /// `session_id`, e.g. `S1`.
    public var sessionID: String
    /// `station_id` (the EVSE), e.g. `1-1-193-816`.
    public var stationID: String
    /// `user_id`, a digit string with leading zeros.
    public var userID: String
    /// `connection_start_utc`: plug-in instant (Unix seconds, UTC).
    public var connectionStart: Int64
    /// `connection_end_utc`: unplug instant (Unix seconds, UTC); ≥ `connectionStart`.
    public var connectionEnd: Int64
    /// `charging_end_utc` (ACN `doneChargingTime`), Unix seconds; nil when the column is absent.
    public var chargingEnd: Int64?
    /// `energy_kwh`: energy delivered in the real session (kWh, ≥ 0).
    public var energyKWh: Double

    public init(sessionID: String, stationID: String, userID: String, connectionStart: Int64,
                connectionEnd: Int64, chargingEnd: Int64? = nil, energyKWh: Double) {
        self.sessionID = sessionID
        self.stationID = stationID
        self.userID = userID
        self.connectionStart = connectionStart
        self.connectionEnd = connectionEnd
        self.chargingEnd = chargingEnd
        self.energyKWh = energyKWh
    }

    /// Connection duration in seconds.
    public var connectionSeconds: Int64 { connectionEnd - connectionStart }
}

/// Reads charging-session CSV files into `ChargingSessionRecord`s, in file order.
public enum ChargingSessionsCSV {
    /// Required header columns.
    public static let requiredColumns = ["session_id", "station_id", "user_id", "connection_start_utc",
                                         "connection_end_utc", "energy_kwh"]

    /// Reads the file at `path`. Throws `ChargingSessionsError` naming the file and line. O(file size).
    public static func read(path: String) throws -> [ChargingSessionRecord] {
        let name = (path as NSString).lastPathComponent
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ChargingSessionsError(file: path, line: 0, message: "cannot read file (\(error.localizedDescription))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ChargingSessionsError(file: name, line: 0, message: "file is not valid UTF-8")
        }
        return try parse(text: text, fileName: name)
    }

    /// Parses CSV text; `fileName` is used in error messages. Blank lines are skipped; every
    /// other malformed line is an error (a session silently dropped would bias energy totals).
    public static func parse(text: String, fileName: String) throws -> [ChargingSessionRecord] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if let last = lines.last, last.isEmpty { lines.removeLast() }
        guard let headerLine = lines.first else {
            throw ChargingSessionsError(file: fileName, line: 1, message: "empty file, expected a header line")
        }
        let header = headerLine.split(separator: ",", omittingEmptySubsequences: false).map {
            String($0.trimmingCharacters(in: .whitespacesAndNewlines)).lowercased()
        }
        func column(_ name: String) -> Int? { header.firstIndex(of: name) }
        var idx: [Int] = []
        for c in requiredColumns {
            guard let i = column(c) else {
                throw ChargingSessionsError(file: fileName, line: 1, message: "missing column '\(c)' in header")
            }
            idx.append(i)
        }
        let chargingEndCol = column("charging_end_utc")
        var out: [ChargingSessionRecord] = []
        out.reserveCapacity(lines.count - 1)
        for li in 1..<lines.count {
            var line = lines[li]
            if line.last == "\r" { line = line.dropLast() }
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            let lineNo = li + 1
            guard f.count >= header.count else {
                throw ChargingSessionsError(file: fileName, line: lineNo,
                                            message: "expected \(header.count) comma-separated fields, found \(f.count)")
            }
            func text(_ k: Int) -> String { String(f[idx[k]]).trimmingCharacters(in: .whitespaces) }
            func time(_ col: Int, _ name: String) throws -> Int64 {
                let s = f[col].trimmingCharacters(in: .whitespaces)
                guard let t = parseISO8601UTC(s) else {
                    throw ChargingSessionsError(file: fileName, line: lineNo,
                                                message: "column '\(name)': expected an ISO-8601 UTC time like 2018-10-08T13:25:00Z, found '\(s)'")
                }
                return t
            }
            let start = try time(idx[3], "connection_start_utc")
            let end = try time(idx[4], "connection_end_utc")
            guard end >= start else {
                throw ChargingSessionsError(file: fileName, line: lineNo,
                                            message: "column 'connection_end_utc': expected a time at or after connection_start_utc")
            }
            var chargingEnd: Int64? = nil
            if let c = chargingEndCol { chargingEnd = try time(c, "charging_end_utc") }
            let es = text(5)
            guard let e = Double(es), e.isFinite, e >= 0 else {
                throw ChargingSessionsError(file: fileName, line: lineNo,
                                            message: "column 'energy_kwh': expected a finite number >= 0, found '\(es)'")
            }
            out.append(ChargingSessionRecord(sessionID: text(0), stationID: text(1), userID: text(2),
                                             connectionStart: start, connectionEnd: end, chargingEnd: chargingEnd,
                                             energyKWh: e))
        }
        return out
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ` (also `+00:00`, or a space instead of `T`, optional
    /// fractional seconds, which are truncated) into Unix seconds; nil for anything else.
    public static func parseISO8601UTC(_ s: String) -> Int64? {
        let u = Array(s.utf8)
        guard u.count >= 19 else { return nil }
        func num(_ a: Int, _ n: Int) -> Int? {
            var v = 0
            for k in a..<(a + n) {
                let c = u[k]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard u[4] == 45, u[7] == 45, u[10] == 84 || u[10] == 32, u[13] == 58, u[16] == 58,
              let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2),
              let h = num(11, 2), let mi = num(14, 2), let se = num(17, 2),
              (1...12).contains(mo), d >= 1, d <= daysIn(month: mo, year: y), h < 24, mi < 60, se < 61
        else { return nil }
        var k = 19
        if k < u.count, u[k] == 46 {  // fractional seconds
            k += 1
            while k < u.count, u[k] >= 48, u[k] <= 57 { k += 1 }
        }
        let rest = String(decoding: u[k...], as: UTF8.self)
        guard rest == "Z" || rest == "+00:00" || rest.isEmpty else { return nil }
        return daysFromCivil(y, mo, d) * 86_400 + Int64(h * 3600 + mi * 60 + se)
    }

    static func daysIn(month m: Int, year y: Int) -> Int {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's civil algorithm).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return Int64(era * 146_097 + doe - 719_468)
    }
}
