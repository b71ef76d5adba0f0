import Foundation

/// Reads MATPOWER case files (format version 2).
///
/// Understood: `function mpc = NAME`, `mpc.version = '2';`, `mpc.baseMVA = x;`, numeric
/// matrices `mpc.NAME = [ ... ];` (rows separated by `;` or newlines, values by tabs, spaces
/// or commas, `Inf`/`-Inf` and exponents allowed), cell arrays `mpc.NAME = { ... };` (skipped),
/// `%` comments and `...` continuations. Only `bus`, `gen` and `branch` are kept (`gencost`
/// and others are skipped).
///
/// Some cases end with MATLAB code (case33bw.m converts branch r, x from Ohm to p.u. and
/// loads from kW to MW). Rather than ignoring such code — which silently gives values 16×
/// or 1000× off — the reader interprets the small, documented subset these files use and
/// rejects anything else with an error naming the line:
/// * `[A, B, ...] = idx_bus;` (also `idx_brch`, `idx_gen`): binds MATPOWER's column names;
/// * `NAME = expr;` scalar assignments (`+ - * / ^`, parentheses, numbers, variables,
///   `mpc.baseMVA`, `mpc.M(row, COL)`);
/// * `mpc.M(:, [C1 C2 ...]) = mpc.M(:, [C1 C2 ...]) / expr;` (or `* expr`) column scaling.
///
/// Cost: one pass over the text, O(file size).
public enum MatpowerReader {
    /// Reads and parses the case at `path`.
    public static func read(path: String) throws -> MatpowerCase {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MatpowerParseError(file: path, line: 0, message: "cannot read file")
        }
        // PEGASE files are UTF-8; fall back to Latin-1 so a stray byte in a comment is not fatal.
        let text = String(data: data, encoding: .utf8) ?? String(decoding: data, as: UTF8.self)
        var c = try parse(text: text, file: path)
        c.sourcePath = path
        return c
    }

    /// Parses case text; `file` is only used in error messages.
    public static func parse(text: String, file: String = "<text>") throws -> MatpowerCase {
        var p = Parser(file: file)
        try p.run(text)
        return try p.finish()
    }
}

// MARK: - Implementation

private struct Parser {
    let file: String
    var name = ""
    var baseMVA: Double?
    var matrices: [String: [[Double]]] = [:]
    var matrixLines: [String: [Int]] = [:]
    var variables: [String: Double] = [:]
    var applied: [String] = []

    // Matrix / cell collection state.
    enum Mode { case top, matrix(String, keep: Bool), cell }
    var mode = Mode.top
    var rows: [[Double]] = []
    var rowLines: [Int] = []
    var pending = ""        // statement being continued with "..."
    var pendingLine = 0

    init(file: String) { self.file = file }

    func fail(_ line: Int, _ message: String) -> MatpowerParseError {
        MatpowerParseError(file: file, line: line, message: message)
    }

    mutating func run(_ text: String) throws {
        var lineNo = 0
        var text = text
        // Lines are scanned as UTF-8 bytes: matrix rows (nearly all of a case file) never become
        // Swift Strings, which made the 1.5 MB PEGASE file parse several times faster.
        try text.withUTF8 { buf in
            let n = buf.count
            var start = 0
            while start <= n {
                var end = start
                while end < n && buf[end] != 10 { end += 1 }
                lineNo += 1
                var stop = end
                if stop > start && buf[stop - 1] == 13 { stop -= 1 }
                let bytes = UnsafeBufferPointer(rebasing: buf[start..<stop])
                start = end + 1
                switch mode {
                case .matrix(let mname, let keep):
                    try matrixLine(bytes, lineNo, name: mname, keep: keep)
                case .cell:
                    if closesCell(bytes) { mode = .top }
                case .top:
                    let code = stripComment(Substring(String(decoding: bytes, as: UTF8.self)))
                    var s = code.trimmingCharacters(in: .whitespaces)
                    if s.isEmpty && pending.isEmpty { continue }
                    if s.hasSuffix("...") {
                        if pending.isEmpty { pendingLine = lineNo }
                        s.removeLast(3)
                        pending += s + " "
                        continue
                    }
                    let stmtLine = pending.isEmpty ? lineNo : pendingLine
                    let stmt = pending + s
                    pending = ""
                    try topStatement(stmt.trimmingCharacters(in: .whitespaces), stmtLine)
                }
            }
        }
        switch mode {
        case .matrix(let n, _): throw fail(lineNo, "mpc.\(n): matrix not closed with ']' before end of file")
        case .cell: throw fail(lineNo, "cell array not closed with '}' before end of file")
        case .top: break
        }
    }

    /// Removes a `%` comment, ignoring `%` inside single-quoted strings. Scans UTF-8 bytes
    /// (both delimiters are ASCII) instead of Characters: this is the reader's hottest loop.
    func stripComment(_ line: Substring) -> String {
        var inQuote = false
        let u = line.utf8
        var end = u.endIndex
        var i = u.startIndex
        while i != u.endIndex {
            let c = u[i]
            if c == UInt8(ascii: "'") { inQuote.toggle() } else if c == UInt8(ascii: "%") && !inQuote { end = i; break }
            i = u.index(after: i)
        }
        return String(line[line.startIndex..<end])
    }

    func closesCell(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var inQuote = false
        for c in bytes {
            if c == UInt8(ascii: "'") { inQuote.toggle() }
            else if c == UInt8(ascii: "%") && !inQuote { return false }
            else if c == UInt8(ascii: "}") && !inQuote { return true }
        }
        return false
    }

    func closesCell(_ code: String) -> Bool {
        var copy = code
        return copy.withUTF8 { closesCell($0) }
    }

    mutating func topStatement(_ s: String, _ line: Int) throws {
        if s.isEmpty { return }
        if s.hasPrefix("function") {
            if let eq = s.firstIndex(of: "=") { name = s[s.index(after: eq)...].trimmingCharacters(in: .whitespaces) }
            else { name = s.dropFirst(8).trimmingCharacters(in: .whitespaces) }
            return
        }
        if s == "end" || s == "end;" || s == "return" || s == "return;" { return }
        let compact = s.filter { !$0.isWhitespace }
        if compact.hasPrefix("mpc."), let eq = compact.firstIndex(of: "=") {
            let lhs = String(compact[compact.index(compact.startIndex, offsetBy: 4)..<eq])
            let rhsCompact = String(compact[compact.index(after: eq)...])
            if lhs.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
                if rhsCompact.hasPrefix("["), let open = s.firstIndex(of: "[") {
                    // Matrix start; content after '[' on the same line belongs to it.
                    let after = s[s.index(after: open)...]
                    let keep = lhs == "bus" || lhs == "gen" || lhs == "branch"
                    mode = .matrix(lhs, keep: keep)
                    rows = []; rowLines = []
                    var rest = String(after)
                    try rest.withUTF8 { try matrixLine($0, line, name: lhs, keep: keep) }
                    return
                }
                if rhsCompact.hasPrefix("{"), let open = s.firstIndex(of: "{") {
                    mode = .cell
                    let after = String(s[s.index(after: open)...])
                    if closesCell(after) { mode = .top }
                    return
                }
                if lhs == "version" {
                    guard rhsCompact == "'2';" || rhsCompact == "'2'" else {
                        throw fail(line, "mpc.version: expected '2', found \(rhsCompact)")
                    }
                    return
                }
                if lhs == "baseMVA" {
                    let v = try evaluate(rhsCompact, line)
                    guard v > 0, v.isFinite else { throw fail(line, "mpc.baseMVA: expected a positive number, found \(v)") }
                    baseMVA = v
                    return
                }
                throw fail(line, "mpc.\(lhs): unsupported field assignment (expected a matrix '[...]' or cell array '{...}')")
            }
            try columnScaling(compact, original: s, line)
            return
        }
        if compact.hasPrefix("["), let r = compact.range(of: "]=idx_") {
            let names = compact[compact.index(after: compact.startIndex)..<r.lowerBound].split(separator: ",").map(String.init)
            let fn = compact[r.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: ";"))
            let order: [Double]
            switch fn {
            case "bus": order = [1, 2, 3, 4] + (1...17).map(Double.init) + [18, 19, 20, 21]
            case "brch": order = (1...21).map(Double.init)
            case "gen": order = (1...25).map(Double.init)
            default: throw fail(line, "unsupported function idx_\(fn) (expected idx_bus, idx_brch or idx_gen)")
            }
            guard names.count <= order.count else {
                throw fail(line, "idx_\(fn) returns \(order.count) values, \(names.count) names given")
            }
            for (k, n) in names.enumerated() where n != "~" { variables[n] = order[k] }
            return
        }
        if let eq = compact.firstIndex(of: "="), let seq = s.firstIndex(of: "="),
           s[..<seq].trimmingCharacters(in: .whitespaces).allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }),
           let first = compact.first, first.isLetter {
            let v = try evaluate(String(compact[compact.index(after: eq)...]), line)
            variables[String(compact[..<eq])] = v
            return
        }
        throw fail(line, "unsupported MATLAB statement '\(s.prefix(80))' (expected mpc.* matrices, idx_* bindings, scalar assignments or 'mpc.M(:, [C..]) = mpc.M(:, [C..]) / expr')")
    }

    /// `mpc.M(:,[C1 C2])=mpc.M(:,[C1 C2])/expr;` — applied now, to matrices already read.
    mutating func columnScaling(_ c: String, original: String, _ line: Int) throws {
        // Whitespace was removed, so "[BR_R BR_X]" became "[BR_RBR_X]": re-read the column list
        // from the original text instead.
        guard let eq = c.firstIndex(of: "=") else { throw fail(line, "unsupported statement") }
        let lhs = String(c[..<eq])
        let rhs = String(c[c.index(after: eq)...])
        func target(_ t: String) -> String? {
            guard t.hasPrefix("mpc."), let paren = t.firstIndex(of: "(") else { return nil }
            return String(t[t.index(t.startIndex, offsetBy: 4)..<paren])
        }
        guard let m = target(lhs), lhs.hasPrefix("mpc.\(m)(:,"), lhs.hasSuffix(")"), rhs.hasPrefix(lhs) else {
            throw fail(line, "unsupported MATLAB statement '\(original.prefix(80))' (expected 'mpc.M(:, [C..]) = mpc.M(:, [C..]) / expr')")
        }
        var rest = rhs.dropFirst(lhs.count)
        if rest.hasSuffix(";") { rest = rest.dropLast() }
        guard let op = rest.first, op == "/" || op == "*" else {
            throw fail(line, "column scaling: expected '/' or '*' after the right-hand matrix slice")
        }
        let factor = try evaluate(String(rest.dropFirst()), line)
        // Columns: the text between "(:," and the closing ")" in the original, split on space/comma.
        guard let open = original.firstIndex(of: "("), let close = original[open...].firstIndex(of: ")") else {
            throw fail(line, "column scaling: cannot find the column list")
        }
        let inner = original[original.index(after: open)..<close]
        guard let comma = inner.firstIndex(of: ","), inner[..<comma].trimmingCharacters(in: .whitespaces) == ":" else {
            throw fail(line, "column scaling: expected '(:, columns)'")
        }
        let colText = inner[inner.index(after: comma)...].trimmingCharacters(in: CharacterSet(charactersIn: " \t[]"))
        let colNames = colText.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map(String.init)
        guard var mat = matrices[m] else { throw fail(line, "column scaling: mpc.\(m) is not defined yet") }
        var cols: [Int] = []
        for n in colNames {
            let v = try evaluate(n, line)
            guard v >= 1, v == v.rounded(), Int(v) <= (mat.first?.count ?? 0) else {
                throw fail(line, "column scaling: column '\(n)' = \(v) is outside mpc.\(m)'s \(mat.first?.count ?? 0) columns")
            }
            cols.append(Int(v) - 1)
        }
        guard factor.isFinite, op == "*" || factor != 0 else { throw fail(line, "column scaling: factor \(factor) is not usable") }
        for i in 0..<mat.count { for j in cols { mat[i][j] = op == "/" ? mat[i][j] / factor : mat[i][j] * factor } }
        matrices[m] = mat
        applied.append("line \(line): mpc.\(m)(:, [\(colNames.joined(separator: " "))]) \(op)= \(factor)")
    }

    /// One line inside `mpc.NAME = [ ... ]`: rows end at `;` or the line end, values are
    /// separated by spaces, tabs or commas, `%` starts a comment, `]` closes the matrix.
    mutating func matrixLine(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Int, name mname: String, keep: Bool) throws {
        let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), comma = UInt8(ascii: ","), semi = UInt8(ascii: ";")
        var end = bytes.count
        var closed = false
        for k in 0..<bytes.count {
            let c = bytes[k]
            if c == UInt8(ascii: "%") { end = k; break }
            if c == UInt8(ascii: "]") {
                end = k; closed = true
                var t = k + 1
                while t < bytes.count && (bytes[t] == space || bytes[t] == tab || bytes[t] == semi || bytes[t] == 13) { t += 1 }
                if t < bytes.count && bytes[t] != UInt8(ascii: "%") {
                    let tail = String(decoding: UnsafeBufferPointer(rebasing: bytes[(k + 1)...]), as: UTF8.self)
                    throw fail(line, "mpc.\(mname): unexpected text '\(tail.trimmingCharacters(in: .whitespaces))' after ']'")
                }
                break
            }
        }
        if keep {
            var row: [Double] = []
            var k = 0
            while k <= end {
                // Row boundary: ';' or the end of the line's content.
                if k == end || bytes[k] == semi {
                    if !row.isEmpty {
                        if let w = rows.first?.count, w != row.count {
                            throw fail(line, "mpc.\(mname) row \(rows.count + 1): expected \(w) columns, found \(row.count)")
                        }
                        rows.append(row)
                        rowLines.append(line)
                        row = []
                        row.reserveCapacity(rows.first?.count ?? 16)
                    }
                    k += 1
                    continue
                }
                let c = bytes[k]
                if c == space || c == tab || c == comma || c == 13 { k += 1; continue }
                var t = k
                while t < end && bytes[t] != space && bytes[t] != tab && bytes[t] != comma && bytes[t] != semi && bytes[t] != 13 { t += 1 }
                let token = UnsafeBufferPointer(rebasing: bytes[k..<t])
                guard let v = Parser.number(token) else {
                    throw fail(line, "mpc.\(mname) row \(rows.count + 1): expected a number, found '\(String(decoding: token, as: UTF8.self))'")
                }
                row.append(v)
                k = t
            }
        }
        if closed {
            if keep {
                let need: Int
                switch mname {
                case "bus": need = MatpowerCase.Bus.requiredColumns
                case "gen": need = MatpowerCase.Gen.requiredColumns
                default: need = MatpowerCase.Branch.requiredColumns
                }
                if let w = rows.first?.count, w < need {
                    throw fail(rowLines[0], "mpc.\(mname) row 1: expected at least \(need) columns, found \(w)")
                }
                matrices[mname] = rows
                matrixLines[mname] = rowLines
            }
            mode = .top
        }
    }

    /// Parses a decimal number (exponents, `Inf`, `-Inf`) from ASCII bytes with `strtod`;
    /// nil unless the whole token is consumed.
    static func number(_ token: UnsafeBufferPointer<UInt8>) -> Double? {
        let n = token.count
        if n == 0 || n > 63 { return n == 0 ? nil : Double(String(decoding: token, as: UTF8.self)) }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buf -> Double? in
            for k in 0..<n { buf[k] = CChar(bitPattern: token[k]) }
            buf[n] = 0
            guard let base = buf.baseAddress else { return nil }
            var endPtr: UnsafeMutablePointer<CChar>? = nil
            let v = strtod(base, &endPtr)
            guard let e = endPtr, e == base + n else { return nil }
            return v
        }
    }

    func finish() throws -> MatpowerCase {
        guard let base = baseMVA else { throw fail(0, "mpc.baseMVA: missing (expected 'mpc.baseMVA = <number>;')") }
        guard let bus = matrices["bus"], !bus.isEmpty else { throw fail(0, "mpc.bus: missing or empty") }
        guard let branch = matrices["branch"] else { throw fail(0, "mpc.branch: missing") }
        let gen = matrices["gen"] ?? []
        return MatpowerCase(name: name, sourcePath: file, baseMVA: base, bus: bus, gen: gen, branch: branch,
                            busLines: matrixLines["bus"], genLines: matrixLines["gen"] ?? [],
                            branchLines: matrixLines["branch"], appliedStatements: applied)
    }

    // MARK: scalar expressions

    func evaluate(_ text: String, _ line: Int) throws -> Double {
        var chars = Array(text.filter { !$0.isWhitespace })
        if chars.last == ";" { chars.removeLast() }
        var e = Expr(chars: chars, parser: self, line: line)
        let v = try e.sum()
        guard e.pos == chars.count else { throw fail(line, "expression '\(text)': unexpected '\(String(chars[e.pos...]))'") }
        return v
    }

    struct Expr {
        let chars: [Character]
        let parser: Parser
        let line: Int
        var pos = 0

        mutating func sum() throws -> Double {
            var v = try product()
            while pos < chars.count, chars[pos] == "+" || chars[pos] == "-" {
                let op = chars[pos]; pos += 1
                let r = try product()
                v = op == "+" ? v + r : v - r
            }
            return v
        }
        mutating func product() throws -> Double {
            var v = try power()
            while pos < chars.count, chars[pos] == "*" || chars[pos] == "/" {
                let op = chars[pos]; pos += 1
                let r = try power()
                v = op == "*" ? v * r : v / r
            }
            return v
        }
        mutating func power() throws -> Double {
            let b = try unary()
            if pos < chars.count, chars[pos] == "^" { pos += 1; return Foundation.pow(b, try power()) }
            return b
        }
        mutating func unary() throws -> Double {
            if pos < chars.count, chars[pos] == "-" { pos += 1; return -(try unary()) }
            if pos < chars.count, chars[pos] == "+" { pos += 1; return try unary() }
            return try atom()
        }
        mutating func atom() throws -> Double {
            guard pos < chars.count else { throw parser.fail(line, "expression ended early; expected a number or name") }
            if chars[pos] == "(" {
                pos += 1
                let v = try sum()
                guard pos < chars.count, chars[pos] == ")" else { throw parser.fail(line, "expression: expected ')'") }
                pos += 1
                return v
            }
            if chars[pos].isNumber || chars[pos] == "." {
                let start = pos
                while pos < chars.count, chars[pos].isNumber || chars[pos] == "." { pos += 1 }
                if pos < chars.count, chars[pos] == "e" || chars[pos] == "E" {
                    pos += 1
                    if pos < chars.count, chars[pos] == "+" || chars[pos] == "-" { pos += 1 }
                    while pos < chars.count, chars[pos].isNumber { pos += 1 }
                }
                guard let v = Double(String(chars[start..<pos])) else { throw parser.fail(line, "expression: bad number '\(String(chars[start..<pos]))'") }
                return v
            }
            if chars[pos].isLetter {
                let start = pos
                while pos < chars.count, chars[pos].isLetter || chars[pos].isNumber || chars[pos] == "_" || chars[pos] == "." { pos += 1 }
                let ident = String(chars[start..<pos])
                if ident == "mpc.baseMVA" {
                    guard let b = parser.baseMVA else { throw parser.fail(line, "expression: mpc.baseMVA used before it is set") }
                    return b
                }
                if ident.hasPrefix("mpc.") {
                    // mpc.M(row, COL) element access (1-based, MATLAB).
                    let m = String(ident.dropFirst(4))
                    guard pos < chars.count, chars[pos] == "(" else { throw parser.fail(line, "expression: '\(ident)' is not a scalar") }
                    pos += 1
                    let r = try sum()
                    guard pos < chars.count, chars[pos] == "," else { throw parser.fail(line, "expression: expected ',' in \(ident)(row, column)") }
                    pos += 1
                    let c = try sum()
                    guard pos < chars.count, chars[pos] == ")" else { throw parser.fail(line, "expression: expected ')' in \(ident)(row, column)") }
                    pos += 1
                    guard let mat = parser.matrices[m] else { throw parser.fail(line, "expression: mpc.\(m) is not defined yet") }
                    let ri = Int(r) - 1, ci = Int(c) - 1
                    guard r == r.rounded(), c == c.rounded(), ri >= 0, ri < mat.count, ci >= 0, ci < (mat[ri].count) else {
                        throw parser.fail(line, "expression: mpc.\(m)(\(r), \(c)) is outside the \(mat.count)-row matrix")
                    }
                    return mat[ri][ci]
                }
                if ident.lowercased() == "inf" { return .infinity }
                guard let v = parser.variables[ident] else { throw parser.fail(line, "expression: unknown name '\(ident)'") }
                return v
            }
            throw parser.fail(line, "expression: unexpected '\(chars[pos])'")
        }
    }
}
