#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Names a random stream. Build one from a stable text name with ``named(_:)`` (64-bit FNV-1a
/// of the UTF-8 bytes: fixed across processes and platforms, unlike Swift's `Hasher`, which is
/// randomly seeded per process), and derive per-agent streams with ``child(_:)``.
public struct StreamID: Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt64

    @inlinable
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// FNV-1a 64 (offset basis 0xcbf29ce484222325, prime 0x100000001b3) of `name`'s UTF-8 bytes.
    /// Example: `StreamID.named("traffic.demand")`.
    public static func named(_ name: String) -> StreamID {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01b3
        }
        return StreamID(rawValue: h)
    }

    /// A sub-stream, e.g. one per agent: `named("fleet.dispatch").child(vehicleIndex)`.
    /// Mixed with the SplitMix64 finaliser so neighbouring indices give unrelated ids.
    @inlinable
    public func child(_ index: UInt64) -> StreamID {
        StreamID(rawValue: splitMix64Finalize(rawValue &+ 0x9E37_79B9_7F4A_7C15 &* (index &+ 1)))
    }

    public var description: String { "StreamID(0x" + String(rawValue, radix: 16) + ")" }
}

/// SplitMix64's output function (Steele, Lea, Flood 2014): a bijective 64-bit mixer.
@inlinable
public func splitMix64Finalize(_ x: UInt64) -> UInt64 {
    var z = x
    z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z &>> 31)
}

/// One independent pseudo-random stream: xoshiro256** (Blackman & Vigna 2018; period
/// 2^256 - 1, passes BigCrush, about 1 ns per draw) seeded from (seed, replication, stream).
///
/// Seeding: `key = f(f(f(seed) ^ replication) ^ stream)` with `f(x) = splitMix64Finalize(x +
/// 0x9E3779B97F4A7C15)`; the four state words are the next four outputs of a SplitMix64
/// generator started at `key`. A stream's draws therefore depend only on its own triple:
/// creating more streams (more agents) never changes another stream's sequence.
public struct RandomStream: RandomNumberGenerator, Sendable {
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64
    @usableFromInline var s2: UInt64
    @usableFromInline var s3: UInt64

    /// The stream for (`seed`, `replication`, `stream`).
    public init(seed: UInt64, replication: UInt64 = 0, stream: UInt64) {
        @inline(__always) func f(_ x: UInt64) -> UInt64 { splitMix64Finalize(x &+ 0x9E37_79B9_7F4A_7C15) }
        var sm = f(f(f(seed) ^ replication) ^ stream)
        @inline(__always) func next() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            return splitMix64Finalize(sm)
        }
        s0 = next(); s1 = next(); s2 = next(); s3 = next()
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }  // the one forbidden state; practically unreachable
    }

    /// The stream for (`seed`, `replication`, `stream`).
    public init(seed: UInt64, replication: UInt64 = 0, stream: StreamID) {
        self.init(seed: seed, replication: replication, stream: stream.rawValue)
    }

    /// Restores a generator from raw state (for checkpoints); an all-zero state is replaced by
    /// a fixed non-zero one.
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        (s0, s1, s2, s3) = state
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }
    }

    /// The raw state (for checkpoints).
    public var state: (UInt64, UInt64, UInt64, UInt64) { (s0, s1, s2, s3) }

    /// Next 64 random bits (xoshiro256**).
    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inlinable @inline(__always)
    public mutating func nextDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in `range` (`lower + (upper - lower) * u`, u in [0, 1)).
    @inlinable
    public mutating func uniform(_ range: Range<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * nextDouble()
    }

    /// Uniform integer in `range` (unbiased, Swift's `random(in:using:)`).
    @inlinable
    public mutating func uniform(_ range: ClosedRange<Int>) -> Int {
        Int.random(in: range, using: &self)
    }

    /// True with probability `p` (p <= 0: never, p >= 1: always).
    @inlinable
    public mutating func bernoulli(_ p: Double) -> Bool { nextDouble() < p }

    /// Exponential with the given mean, by the 256-layer ziggurat (Marsaglia & Tsang 2000,
    /// 64-bit variant: layer from the low 8 bits, abscissa from the high 53), about 99 % of
    /// draws taking one random word, one multiply and one compare; no `log` on that path.
    @inlinable @inline(__always)
    public mutating func exponential(mean: Double) -> Double {
        mean * standardExponential()
    }

    /// Exponential with mean 1 (ziggurat).
    @inlinable @inline(__always)
    public mutating func standardExponential() -> Double {
        let u = next()
        let i = Int(truncatingIfNeeded: u & 255)
        let j = u >> 11
        if j < zigguratExpK[i] { return Double(j) * zigguratExpW[i] }
        return exponentialSlowPath(j: j, i: i)
    }

    @usableFromInline
    mutating func exponentialSlowPath(j firstJ: UInt64, i firstI: Int) -> Double {
        var j = firstJ
        var i = firstI
        while true {
            if i == 0 {
                // tail beyond r: memoryless, so r + Exp(1)
                return ExponentialZiggurat.r - log(1 - nextDouble())
            }
            let x = Double(j) * zigguratExpW[i]
            if zigguratExpF[i] + nextDouble() * (zigguratExpF[i - 1] - zigguratExpF[i]) < exp(-x) { return x }
            let u = next()
            i = Int(truncatingIfNeeded: u & 255)
            j = u >> 11
            if j < zigguratExpK[i] { return Double(j) * zigguratExpW[i] }
        }
    }

    /// Normal by Box-Muller (one value per two uniforms; no cached state, so a stream's
    /// sequence does not depend on call parity).
    public mutating func normal(mean: Double, sd: Double) -> Double {
        let u1 = 1 - nextDouble()   // (0, 1]: log is finite
        let u2 = nextDouble()
        return mean + sd * (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Poisson with the given mean. Exact (Knuth's product of uniforms) for mean <= 1000, in
    /// chunks of at most 30 so `exp(-mean)` never underflows: O(mean) time, meant for the small
    /// means of arrival counts per step. Above 1000 a rounded normal approximation (relative
    /// error of the variance below 0.1 %). Returns 0 for mean <= 0 or NaN.
    public mutating func poisson(mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        if mean > 1000 {
            let x = normal(mean: mean, sd: mean.squareRoot()).rounded()
            if x.isNaN || x >= 9.0e18 { return Int.max }
            return x <= 0 ? 0 : Int(x)
        }
        var remaining = mean
        var total = 0
        while remaining > 0 {
            let m = Swift.min(remaining, 30)
            remaining -= m
            let limit = exp(-m)
            var p = nextDouble()
            var k = 0
            while p > limit {
                p *= nextDouble()
                k += 1
            }
            total += k
        }
        return total
    }
}

/// Definition of the exponential ziggurat tables (the literal copies in ZigguratTables.swift
/// are what the generator reads; a test checks they equal this computation).
enum ExponentialZiggurat {
    /// Start of the tail.
    static let r = 7.697_117_470_131_487

    /// Marsaglia & Tsang (2000) set-up for 256 layers, with 2^53 in place of 2^32.
    static func computeTables() -> (k: [UInt64], w: [Double], f: [Double]) {
        let m = 9_007_199_254_740_992.0  // 2^53
        let v = 3.949_659_822_581_572e-3   // area of each layer
        var de = r
        var te = de
        let q = v / exp(-de)
        var k = [UInt64](repeating: 0, count: 256)
        var w = [Double](repeating: 0, count: 256)
        var f = [Double](repeating: 0, count: 256)
        k[0] = UInt64((de / q) * m)
        k[1] = 0
        w[0] = q / m
        w[255] = de / m
        f[0] = 1
        f[255] = exp(-de)
        for i in stride(from: 254, through: 1, by: -1) {
            de = -log(v / de + exp(-de))
            k[i + 1] = UInt64((de / te) * m)
            te = de
            f[i] = exp(-de)
            w[i] = de / m
        }
        return (k, w, f)
    }
}

/// Hands out streams for one (seed, replication): `seeder.stream(.named("weather"))`,
/// `seeder.stream(.named("traffic.car"), index: i)`.
public struct StreamSeeder: Sendable, Hashable {
    public var seed: UInt64
    public var replication: UInt64

    public init(seed: UInt64, replication: UInt64 = 0) {
        self.seed = seed
        self.replication = replication
    }

    /// The stream named `id`.
    public func stream(_ id: StreamID) -> RandomStream {
        RandomStream(seed: seed, replication: replication, stream: id)
    }

    /// Sub-stream `index` of `id` (for example one per agent).
    public func stream(_ id: StreamID, index: UInt64) -> RandomStream {
        RandomStream(seed: seed, replication: replication, stream: id.child(index))
    }
}
