import SimKernel

/// Deterministic Latin-hypercube sampling.
///
/// For `n` samples in `d` dimensions, dimension `j` draws from the stream
/// `RandomStream(seed: seed, replication: 0, stream: StreamID.named("sweep.lhs").child(j))`
/// (xoshiro256**, see SimKernel): first a Fisher–Yates permutation `π_j` of the strata
/// `0..<n` (bounded integers by Lemire's multiply-and-reject method, so no modulo bias and no
/// dependence on Swift's `random(in:)`), then for each sample `i` one uniform `u ∈ [0, 1)`.
/// Sample `i` of dimension `j` is the unit coordinate `(π_j[i] + u) / n`, mapped linearly to
/// `[min, max]`. Every stratum `[k/n, (k+1)/n)` of every dimension holds exactly one sample.
/// The same seed always gives the same design; adding a dimension leaves the others unchanged.
/// O(n·d) time and memory.
public enum LatinHypercube {
    /// Unit-cube samples: `result[i][j]` ∈ [0, 1) is sample `i`, dimension `j`.
    public static func unitSamples(count n: Int, dimensions d: Int, seed: UInt64) -> [[Double]] {
        guard n > 0, d > 0 else { return Array(repeating: [], count: max(n, 0)) }
        var result = Array(repeating: Array(repeating: 0.0, count: d), count: n)
        let base = StreamID.named("sweep.lhs")
        for j in 0..<d {
            var stream = RandomStream(seed: seed, replication: 0, stream: base.child(UInt64(j)))
            var strata = Array(0..<n)
            // Fisher–Yates: swap position i with a uniform position in 0...i, from the end down.
            var i = n - 1
            while i > 0 {
                let k = Int(bounded(UInt64(i + 1), &stream))
                strata.swapAt(i, k)
                i -= 1
            }
            for s in 0..<n {
                let u = stream.nextDouble()
                result[s][j] = (Double(strata[s]) + u) / Double(n)
            }
        }
        return result
    }

    /// Samples scaled to per-dimension `[min, max]` bounds (`bounds.count` dimensions).
    public static func samples(count n: Int, bounds: [(min: Double, max: Double)], seed: UInt64) -> [[Double]] {
        unitSamples(count: n, dimensions: bounds.count, seed: seed).map { row in
            zip(row, bounds).map { u, b in b.min + (b.max - b.min) * u }
        }
    }

    /// Uniform integer in `0..<bound` (Lemire 2019, "Fast random integer generation in an interval").
    static func bounded(_ bound: UInt64, _ stream: inout RandomStream) -> UInt64 {
        var m = stream.next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = stream.next().multipliedFullWidth(by: bound) }
        }
        return m.high
    }
}
