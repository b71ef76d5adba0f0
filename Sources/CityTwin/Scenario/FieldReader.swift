import Foundation

/// Reads typed fields out of one mapping of a scenario, remembering which keys were used so
/// that `finish()` can reject unknown keys. Every failure is a `ScenarioError` that names the
/// file, the full field path and what was expected.
public final class FieldReader {
    public let file: String
    public let path: String
    public let line: Int
    /// Directory against which relative file paths in the scenario are resolved.
    public let baseDirectory: String
    private let pairs: [(key: String, value: ConfigNode)]
    private var used: [String] = []

    /// - Throws: if `node` is not a mapping.
    public init(_ node: ConfigNode, file: String, path: String, baseDirectory: String) throws {
        guard case let .mapping(pairs, line) = node else {
            throw ScenarioError(file: file, path: path, line: node.line,
                                message: "expected a mapping of fields, found \(node.kindDescription)")
        }
        self.file = file
        self.path = path
        self.line = line
        self.pairs = pairs
        self.baseDirectory = baseDirectory
    }

    public func fieldPath(_ key: String) -> String { ConfigNode.join(path, key) }

    /// The raw node for `key` (marks it as used), or nil when absent or null.
    public func node(_ key: String) -> ConfigNode? {
        if !used.contains(key) { used.append(key) }
        guard let value = pairs.first(where: { $0.key == key })?.value else { return nil }
        if case let .scalar(text, quoted, _) = value, !quoted, ConfigNode.isNull(text) { return nil }
        return value
    }

    public func has(_ key: String) -> Bool { node(key) != nil }

    func error(_ key: String, _ node: ConfigNode?, _ message: String) -> ScenarioError {
        ScenarioError(file: file, path: fieldPath(key), line: node?.line ?? line, message: message)
    }

    func scalarText(_ key: String, _ node: ConfigNode, expected: String) throws -> String {
        guard case let .scalar(text, _, _) = node else {
            throw error(key, node, "expected \(expected), found \(node.kindDescription)")
        }
        return text
    }

    // MARK: Scalars

    /// A finite number, optionally within `range`.
    public func double(_ key: String, default def: Double? = nil, in range: ClosedRange<Double>? = nil) throws -> Double {
        guard let n = node(key) else {
            if let def { return def }
            throw error(key, nil, "missing required field; expected a number" + Self.rangeText(range))
        }
        return try Self.double(n, file: file, path: fieldPath(key), in: range)
    }

    public func optionalDouble(_ key: String, in range: ClosedRange<Double>? = nil) throws -> Double? {
        guard has(key) else { return nil }
        return try double(key, in: range)
    }

    static func double(_ n: ConfigNode, file: String, path: String, in range: ClosedRange<Double>?) throws -> Double {
        guard case let .scalar(text, quoted, line) = n, !quoted,
              let v = Double(text.replacingOccurrences(of: "_", with: "")), v.isFinite else {
            throw ScenarioError(file: file, path: path, line: n.line,
                                message: "expected a number\(rangeText(range)), found \(n.kindDescription)")
        }
        if let range, !range.contains(v) {
            throw ScenarioError(file: file, path: path, line: line,
                                message: "expected a number\(rangeText(range)), found \(text)")
        }
        return v
    }

    static func rangeText(_ range: ClosedRange<Double>?) -> String {
        guard let r = range else { return "" }
        func f(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x) }
        if r.upperBound == .greatestFiniteMagnitude || r.upperBound == .infinity { return " ≥ \(f(r.lowerBound))" }
        return " between \(f(r.lowerBound)) and \(f(r.upperBound))"
    }

    /// An integer, optionally within `range`.
    public func int(_ key: String, default def: Int? = nil, in range: ClosedRange<Int>? = nil) throws -> Int {
        let rangeText = range.map { $0.upperBound == Int.max ? " ≥ \($0.lowerBound)" : " between \($0.lowerBound) and \($0.upperBound)" } ?? ""
        guard let n = node(key) else {
            if let def { return def }
            throw error(key, nil, "missing required field; expected an integer\(rangeText)")
        }
        guard case let .scalar(text, quoted, _) = n, !quoted, let v = Int(text.replacingOccurrences(of: "_", with: "")) else {
            throw error(key, n, "expected an integer\(rangeText), found \(n.kindDescription)")
        }
        if let range, !range.contains(v) { throw error(key, n, "expected an integer\(rangeText), found \(v)") }
        return v
    }

    /// A non-negative 64-bit integer such as a seed.
    public func uint64(_ key: String, default def: UInt64) throws -> UInt64 {
        guard let n = node(key) else { return def }
        guard case let .scalar(text, quoted, _) = n, !quoted, let v = UInt64(text.replacingOccurrences(of: "_", with: "")) else {
            throw error(key, n, "expected a non-negative integer below 2^64, found \(n.kindDescription)")
        }
        return v
    }

    public func bool(_ key: String, default def: Bool) throws -> Bool {
        guard let n = node(key) else { return def }
        let text = try scalarText(key, n, expected: "true or false")
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error(key, n, "expected true or false, found '\(text)'")
        }
    }

    public func string(_ key: String, default def: String? = nil) throws -> String {
        guard let n = node(key) else {
            if let def { return def }
            throw error(key, nil, "missing required field; expected a text value")
        }
        return try scalarText(key, n, expected: "a text value")
    }

    public func optionalString(_ key: String) throws -> String? {
        guard has(key) else { return nil }
        return try string(key)
    }

    /// One of a fixed set of words.
    public func choice<E: RawRepresentable & CaseIterable>(_ key: String, default def: E) throws -> E where E.RawValue == String {
        guard let n = node(key) else { return def }
        let text = try scalarText(key, n, expected: "one of " + E.allCases.map(\.rawValue).joined(separator: ", "))
        guard let v = E(rawValue: text) else {
            throw error(key, n, "expected one of " + E.allCases.map(\.rawValue).joined(separator: ", ") + ", found '\(text)'")
        }
        return v
    }

    /// A duration in milliseconds: a number of seconds, or a number with a unit
    /// (`ms`, `s`, `min`, `h`, `d`), e.g. `15min`, `1.5h`, `24h`.
    public func duration(_ key: String, default def: Int64? = nil, minimum: Int64 = 0) throws -> Int64 {
        guard let n = node(key) else {
            if let def { return def }
            throw error(key, nil, "missing required field; expected a duration such as 15min, 2h or 90s")
        }
        let text = try scalarText(key, n, expected: "a duration such as 15min, 2h or 90s")
        guard let ms = Self.parseDuration(text) else {
            throw error(key, n, "expected a duration such as 15min, 2h or 90s, found '\(text)'")
        }
        if ms < minimum {
            throw error(key, n, "expected a duration of at least \(Self.formatDuration(minimum)), found '\(text)'")
        }
        return ms
    }

    /// Parses `90`, `90s`, `1.5h`, `15min`, `500ms`, `2d` into milliseconds.
    public static func parseDuration(_ raw: String) -> Int64? {
        let text = raw.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 1e-3), ("sec", 1), ("s", 1), ("min", 60), ("m", 60),
                                         ("hours", 3600), ("hour", 3600), ("h", 3600), ("days", 86400), ("day", 86400), ("d", 86400)]
        var number = text
        var factor = 1.0
        for (suffix, f) in units where text.hasSuffix(suffix) {
            number = String(text.dropLast(suffix.count)).trimmingCharacters(in: .whitespaces)
            factor = f
            break
        }
        guard let v = Double(number), v.isFinite, v >= 0 else { return nil }
        let ms = (v * factor * 1000).rounded()
        guard ms < 9.2e18 else { return nil }
        return Int64(ms)
    }

    public static func formatDuration(_ ms: Int64) -> String {
        if ms % 3_600_000 == 0 { return "\(ms / 3_600_000)h" }
        if ms % 60_000 == 0 { return "\(ms / 60_000)min" }
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        return "\(ms)ms"
    }

    /// A path to an existing file, resolved against the scenario file's directory (or the
    /// working directory for `--set` values).
    public func existingFile(_ key: String) throws -> String? {
        guard let n = node(key) else { return nil }
        let text = try scalarText(key, n, expected: "a file path")
        // Paths written in a file are relative to that file; paths given with --set are
        // relative to the working directory, as on any command line.
        let base = n.line == ConfigNode.commandLineLine ? FileManager.default.currentDirectoryPath : baseDirectory
        let resolved = text.hasPrefix("/") ? text : (base as NSString).appendingPathComponent(text)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDir), !isDir.boolValue else {
            throw error(key, n, "file not found: '\(text)' (resolved to \(resolved))")
        }
        return (resolved as NSString).standardizingPath
    }

    // MARK: Nested values

    /// A nested mapping, or nil when absent.
    public func object(_ key: String) throws -> FieldReader? {
        guard let n = node(key) else { return nil }
        return try FieldReader(n, file: file, path: fieldPath(key), baseDirectory: baseDirectory)
    }

    /// A list of nested mappings (empty when absent).
    public func objects(_ key: String) throws -> [FieldReader] {
        guard let n = node(key) else { return [] }
        guard case let .sequence(items, _) = n else {
            throw error(key, n, "expected a list, found \(n.kindDescription)")
        }
        return try items.enumerated().map { i, item in
            try FieldReader(item, file: file, path: "\(fieldPath(key))[\(i)]", baseDirectory: baseDirectory)
        }
    }

    /// A list of numbers (empty when absent).
    public func doubles(_ key: String, in range: ClosedRange<Double>? = nil) throws -> [Double] {
        guard let n = node(key) else { return [] }
        guard case let .sequence(items, _) = n else {
            throw error(key, n, "expected a list of numbers, found \(n.kindDescription)")
        }
        return try items.enumerated().map { i, item in
            try Self.double(item, file: file, path: "\(fieldPath(key))[\(i)]", in: range)
        }
    }

    /// Rejects keys that no reader asked for, suggesting the closest known key.
    public func finish() throws {
        for (key, value) in pairs where !used.contains(key) {
            var message = "unknown field"
            if let guess = used.min(by: { Self.editDistance($0, key) < Self.editDistance($1, key) }),
               Self.editDistance(guess, key) <= max(2, key.count / 3) {
                message += "; did you mean '\(guess)'?"
            } else if !used.isEmpty {
                message += "; expected one of " + used.joined(separator: ", ")
            }
            throw ScenarioError(file: file, path: fieldPath(key), line: value.line, message: message)
        }
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var prev = Array(0...b.count)
        for i in 1...a.count {
            var cur = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(1, b.count) where !b.isEmpty {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            prev = cur
        }
        return prev[b.count]
    }
}
