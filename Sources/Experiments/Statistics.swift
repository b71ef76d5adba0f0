import Foundation

/// Student's t distribution: CDF through the regularized incomplete beta function and the
/// quantile by safeguarded Newton iteration on it (accurate to ~1e-12 for df ≥ 1).
public enum StudentT {
    /// P(T ≤ t) for `df` degrees of freedom (df > 0, may be fractional). O(1) (≤ 300 CF terms).
    public static func cdf(_ t: Double, df: Double) -> Double {
        guard df > 0, !t.isNaN else { return .nan }
        if t.isInfinite { return t > 0 ? 1 : 0 }
        let x = df / (df + t * t)
        let tail = 0.5 * regularizedIncompleteBeta(x, a: df / 2, b: 0.5)  // P(T > |t|)
        return t > 0 ? 1 - tail : tail
    }

    /// The p-quantile: the t with `cdf(t, df) == p` (0 < p < 1). Closed forms for df 1 and 2;
    /// otherwise Newton steps on the CDF from a Cornish–Fisher start, kept inside a bisection
    /// bracket. O(1).
    public static func quantile(_ p: Double, df: Double) -> Double {
        guard df > 0, p > 0, p < 1 else {
            if p == 0 { return -.infinity }
            if p == 1 { return .infinity }
            return .nan
        }
        if p == 0.5 { return 0 }
        if df == 1 { return tan(Double.pi * (p - 0.5)) }
        if df == 2 { let a = 4 * p * (1 - p); return (2 * p - 1) * (2 / a).squareRoot() }
        // Cornish–Fisher expansion around the normal quantile as the first guess.
        let z = Normal.quantile(p)
        let z3 = z * z * z, z5 = z3 * z * z
        var t = z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df * df)
        var lo = -1e300, hi = 1e300
        for _ in 0..<100 {
            let f = cdf(t, df: df) - p
            if f == 0 { return t }
            if f < 0 { lo = max(lo, t) } else { hi = min(hi, t) }
            let step = f / density(t, df: df)
            var next = t - step
            if !(next > lo && next < hi) || !next.isFinite {  // Newton left the bracket: bisect
                next = (lo > -1e300 && hi < 1e300) ? (lo + hi) / 2 : (f < 0 ? t + abs(t) + 1 : t - abs(t) - 1)
            }
            if abs(next - t) <= 1e-14 * max(1, abs(t)) { return next }
            t = next
        }
        return t
    }

    /// The probability density at t.
    public static func density(_ t: Double, df: Double) -> Double {
        let lg = lgamma((df + 1) / 2) - lgamma(df / 2) - 0.5 * log(df * Double.pi)
        return exp(lg - (df + 1) / 2 * log1p(t * t / df))
    }

    /// I_x(a, b) by the continued fraction of Numerical-Recipes-style modified Lentz, using the
    /// symmetry I_x(a,b) = 1 − I_{1−x}(b,a) where it converges faster.
    static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let lnFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        if x < (a + 1) / (a + b + 2) {
            return exp(lnFront) * betaContinuedFraction(x, a: a, b: b) / a
        }
        return 1 - exp(lnFront) * betaContinuedFraction(1 - x, a: b, b: a) / b
    }

    private static func betaContinuedFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...300 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return h
    }
}

/// The standard normal distribution.
public enum Normal {
    /// Φ(z) = erfc(−z/√2)/2.
    public static func cdf(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

    /// Φ⁻¹(p): Acklam's rational approximation (relative error 1.2e-9) refined by one Halley
    /// step on `cdf`, giving close to full double precision.
    public static func quantile(_ p: Double) -> Double {
        guard p > 0, p < 1 else { return p == 0 ? -.infinity : (p == 1 ? .infinity : .nan) }
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        var x: Double
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else if p <= 1 - low {
            let q = p - 0.5, r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        } else {
            let q = (-2 * log1p(-p)).squareRoot()
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        let e = cdf(x) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        x -= u / (1 + x * u / 2)
        return x
    }
}

/// Mean, sample standard deviation and Student-t confidence interval of a sample.
public struct SampleStatistics: Sendable, Equatable {
    /// Number of finite values used.
    public var count: Int
    public var mean: Double
    /// Sample standard deviation (n − 1 in the denominator); NaN for n < 2.
    public var standardDeviation: Double
    /// Half-width of the confidence interval: t_{(1+level)/2, n−1} · s / √n; NaN for n < 2.
    public var halfWidth: Double
    public var lower: Double { mean - halfWidth }
    public var upper: Double { mean + halfWidth }

    /// Statistics of the finite values in `values` (NaN and ±inf — failed runs, missing KPIs —
    /// are skipped). Two-pass mean and variance for accuracy. O(n).
    public init<C: Collection>(_ values: C, level: Double = 0.95) where C.Element == Double {
        var n = 0, sum = 0.0
        for v in values where v.isFinite { n += 1; sum += v }
        count = n
        guard n > 0 else { mean = .nan; standardDeviation = .nan; halfWidth = .nan; return }
        let m = sum / Double(n)
        mean = m
        guard n > 1 else { standardDeviation = .nan; halfWidth = .nan; return }
        var ss = 0.0
        for v in values where v.isFinite { ss += (v - m) * (v - m) }
        let s = (ss / Double(n - 1)).squareRoot()
        standardDeviation = s
        halfWidth = StudentT.quantile((1 + level) / 2, df: Double(n - 1)) * s / Double(n).squareRoot()
    }
}
