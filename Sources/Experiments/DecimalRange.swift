/// An exact decimal number `mantissa × 10^exponent`, parsed from text such as `0.1`, `-3`,
/// `2.5e-3`. Used for `range:` stepping so that `from: 0, to: 1, step: 0.1` gives exactly
/// `0, 0.1, 0.2, …, 1` (eleven values, no `0.30000000000000004`, no lost end point).
public struct ExactDecimal: Sendable, Equatable, CustomStringConvertible {
    public var mantissa: Int64
    public var exponent: Int

    public init(mantissa: Int64, exponent: Int) {
        self.mantissa = mantissa
        self.exponent = exponent
    }

    /// Parses `[-+]digits[.digits][(e|E)[-+]digits]`; nil for anything else (or more than 18 digits).
    public init?(_ text: String) {
        var s = Substring(text.trimmingCharacters(in: .whitespaces))
        var negative = false
        if s.first == "-" || s.first == "+" { negative = s.first == "-"; s = s.dropFirst() }
        var exp = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let x = Int(s[s.index(after: e)...]), abs(x) < 300 else { return nil }
            exp = x
            s = s[..<e]
        }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return nil }
        let whole = parts[0], frac = parts.count == 2 ? parts[1] : ""
        guard !(whole.isEmpty && frac.isEmpty), (whole + frac).allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let digits = String(whole + frac).drop(while: { $0 == "0" })
        guard digits.count <= 18 else { return nil }
        let m = Int64(digits) ?? 0
        mantissa = negative ? -m : m
        exponent = exp - frac.count
    }

    /// The value as a Double (for charts; stepping never goes through Double).
    public var doubleValue: Double {
        Double(mantissa) * pow10(exponent)
    }

    /// Plain decimal text without exponent or trailing zeros (`0.3`, `-12`, `1500`).
    public var description: String {
        var m = mantissa, e = exponent
        while m != 0, m % 10 == 0, e < 0 { m /= 10; e += 1 }
        if m == 0 { return "0" }
        let sign = m < 0 ? "-" : ""
        let digits = String(m.magnitude)
        if e >= 0 { return sign + digits + String(repeating: "0", count: e) }
        let point = digits.count + e
        if point > 0 {
            let i = digits.index(digits.startIndex, offsetBy: point)
            return sign + digits[..<i] + "." + digits[i...]
        }
        return sign + "0." + String(repeating: "0", count: -point) + digits
    }

    /// The mantissa rescaled to `exponent` (≤ self.exponent), nil on overflow.
    func mantissa(at target: Int) -> Int64? {
        var m = mantissa
        for _ in 0..<(exponent - target) {
            let (r, o) = m.multipliedReportingOverflow(by: 10)
            if o { return nil }
            m = r
        }
        return m
    }
}

private func pow10(_ e: Int) -> Double {
    var r = 1.0
    for _ in 0..<abs(e) { r *= 10 }
    return e < 0 ? 1 / r : r
}

/// An inclusive arithmetic range over exact decimals: `from`, `from + step`, … up to and
/// including `to` when it lies on the grid. O(count) to enumerate.
public struct DecimalRange: Sendable, Equatable {
    public var from: ExactDecimal
    public var to: ExactDecimal
    public var step: ExactDecimal

    /// Largest number of values one range may produce (guards against `step: 1e-9` typos).
    public static let maximumCount = 100_000

    public init(from: ExactDecimal, to: ExactDecimal, step: ExactDecimal) {
        self.from = from
        self.to = to
        self.step = step
    }

    /// The values, or a message saying what is wrong (zero step, wrong direction, too many values).
    public func values() -> Result<[ExactDecimal], RangeProblem> {
        let e = min(from.exponent, to.exponent, step.exponent)
        guard let a = from.mantissa(at: e), let b = to.mantissa(at: e), let s = step.mantissa(at: e) else {
            return .failure(RangeProblem(message: "numbers too large or too precise for exact stepping (at most 18 significant digits)"))
        }
        guard s != 0 else { return .failure(RangeProblem(message: "expected a non-zero step")) }
        guard (b - a).signum() * s.signum() >= 0 else {
            return .failure(RangeProblem(message: "expected a step that moves from \(from) towards \(to), found \(step)"))
        }
        let count = (b - a) / s + 1
        guard count <= Int64(Self.maximumCount) else {
            return .failure(RangeProblem(message: "expected at most \(Self.maximumCount) values, the range gives \(count)"))
        }
        return .success((0..<count).map { ExactDecimal(mantissa: a + $0 * s, exponent: e) })
    }

    public struct RangeProblem: Error, Sendable { public var message: String }
}
