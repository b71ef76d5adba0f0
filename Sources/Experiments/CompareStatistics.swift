import Foundation

/// Confidence interval of a difference of means, variant − baseline.
public struct DifferenceInterval: Sendable, Equatable {
    /// mean(variant) − mean(baseline).
    public var difference: Double
    public var lower: Double
    public var upper: Double
    /// Degrees of freedom of the t quantile used (Welch–Satterthwaite; +inf when both
    /// samples have zero variance).
    public var degreesOfFreedom: Double
    public var level: Double
    /// True when the interval excludes 0.
    public var significant: Bool { lower > 0 || upper < 0 }
}

/// Welch's unequal-variance t interval for the difference of two means. O(n).
public enum WelchInterval {
    /// The `level` interval of mean(b) − mean(a) over the finite values.
    ///
    /// Needs at least 2 values on one side and 1 on the other. With one side a single run
    /// its value is taken as exact and the interval is the one-sample t interval of the other
    /// side (df = n − 1). With zero variance on both sides the interval is the point itself.
    /// Returns nil when there are too few values.
    public static func interval(baseline a: [Double], variant b: [Double], level: Double = 0.95) -> DifferenceInterval? {
        let sa = SampleStatistics(a, level: level), sb = SampleStatistics(b, level: level)
        guard sa.count >= 1, sb.count >= 1, sa.count + sb.count >= 3 else { return nil }
        let va = sa.count > 1 ? sa.standardDeviation * sa.standardDeviation / Double(sa.count) : 0
        let vb = sb.count > 1 ? sb.standardDeviation * sb.standardDeviation / Double(sb.count) : 0
        let d = sb.mean - sa.mean
        let se2 = va + vb
        guard se2 > 0 else {
            return DifferenceInterval(difference: d, lower: d, upper: d, degreesOfFreedom: .infinity, level: level)
        }
        var denominator = 0.0
        if sa.count > 1 { denominator += va * va / Double(sa.count - 1) }
        if sb.count > 1 { denominator += vb * vb / Double(sb.count - 1) }
        let df = se2 * se2 / denominator
        let t = StudentT.quantile((1 + level) / 2, df: df)
        let h = t * se2.squareRoot()
        return DifferenceInterval(difference: d, lower: d - h, upper: d + h, degreesOfFreedom: df, level: level)
    }
}
