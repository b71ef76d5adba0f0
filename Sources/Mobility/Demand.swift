// Travel demand: OD matrices spread over the day with a departure-time profile, or explicit
// trip lists; a share of the vehicles are EVs. Sampling is deterministic from the scenario seed.
import Foundation
import SimKernel
import TwinIO

/// Trips to simulate, struct-of-arrays (node indices of the network; departure in seconds).
public struct TripList: Sendable, Equatable {
    public var origin: [Int32] = []
    public var destination: [Int32] = []
    public var departure: [Double] = []
    public var isEV: [Bool] = []
    public var batteryKWh: [Double] = []
    public var consumptionKWhPerKm: [Double] = []
    public var initialSoC: [Double] = []
    public init() {}
    public var count: Int { origin.count }

    /// Appends one trip (non-EV fields ignored when `ev` is nil).
    public mutating func append(origin o: Int, destination d: Int, departure t: Double,
                                ev: (batteryKWh: Double, consumptionKWhPerKm: Double, soc: Double)? = nil) {
        origin.append(Int32(o)); destination.append(Int32(d)); departure.append(t)
        isEV.append(ev != nil)
        batteryKWh.append(ev?.batteryKWh ?? 0); consumptionKWhPerKm.append(ev?.consumptionKWhPerKm ?? 0)
        initialSoC.append(ev?.soc ?? 0) // 0, not NaN, for non-EVs so that == stays meaningful
    }
}

/// Hourly departure-time profile: 24 shares (normalised to sum 1).
public struct DepartureProfile: Sendable {
    public private(set) var hourly: [Double]
    /// Cumulative distribution (25 values, 0 … 1).
    public private(set) var cumulative: [Double]

    public init(hourly: [Double]) throws {
        guard hourly.count == 24 else { throw MobilityError("departure profile: expected 24 hourly values, got \(hourly.count)") }
        guard hourly.allSatisfy({ $0 >= 0 && $0.isFinite }), hourly.reduce(0, +) > 0 else {
            throw MobilityError("departure profile: values must be non-negative with a positive sum")
        }
        let s = hourly.reduce(0, +)
        self.hourly = hourly.map { $0 / s }
        var c = [0.0]
        for h in self.hourly { c.append((c.last ?? 0) + h) }
        c[24] = 1
        self.cumulative = c
    }

    /// Default weekday profile (% of daily trips by hour of departure): AM peak 7–9 h (8 %),
    /// PM peak 16–18 h (8.5 %), night trough 0.3 %. Shaped after typical household travel
    /// survey car-driver departure curves (e.g. US NHTS).
    public static let standard: DepartureProfile = {
        let pct: [Double] = [0.6, 0.4, 0.3, 0.3, 0.5, 1.5, 4.0, 7.5, 8.0, 6.0, 5.0, 5.0,
                             6.1, 5.5, 5.5, 7.0, 7.5, 8.5, 7.0, 5.0, 3.5, 2.5, 1.8, 1.0]
        // Sum is exactly 100; normalisation is a no-op.
        return (try? DepartureProfile(hourly: pct)) ?? DepartureProfile(uniform: ())
    }()

    init(uniform: ()) {
        hourly = [Double](repeating: 1.0 / 24, count: 24)
        cumulative = (0...24).map { Double($0) / 24 }
    }

    /// Departure second for a uniform draw u1 (hour choice) and u2 (position within the hour).
    @inlinable public func sample(_ u1: Double, _ u2: Double) -> Double {
        var h = 0
        while h < 23 && cumulative[h + 1] <= u1 { h += 1 }
        return (Double(h) + u2) * 3600
    }
}

/// EV share and battery parameters.
public struct EVParameters: Sendable {
    /// Share of vehicles that are EVs (0 … 1).
    public var share: Double
    public var batteryKWh: Double
    public var consumptionKWhPerKm: Double
    /// Initial state of charge, uniform in this range.
    public var initialSoC: ClosedRange<Double>
    public init(share: Double = 0, batteryKWh: Double = 60, consumptionKWhPerKm: Double = 0.18,
                initialSoC: ClosedRange<Double> = 0.5...0.95) {
        self.share = share; self.batteryKWh = batteryKWh
        self.consumptionKWhPerKm = consumptionKWhPerKm; self.initialSoC = initialSoC
    }
}

/// An origin–destination matrix in network node indices (sparse, in input order).
public struct ODMatrix: Sendable {
    public var origin: [Int32] = []
    public var destination: [Int32] = []
    /// Trips per day for each pair.
    public var trips: [Double] = []
    public init() {}
    public var total: Double { trips.reduce(0, +) }

    /// From a TNTP trips file: zone z is node z (TNTP convention). Self-trips and zeros are skipped.
    public init(tntp f: TNTPTripsFile, network: RoadNetwork) throws {
        guard f.destination.count == f.origin.count, f.flow.count == f.origin.count else {
            throw MobilityError("trips: TNTP trip columns have different lengths")
        }
        for i in 0..<f.origin.count where f.flow[i] > 0 && f.origin[i] != f.destination[i] {
            let o = Int(f.origin[i]) - 1, d = Int(f.destination[i]) - 1
            guard o >= 0, d >= 0, o < network.nodeCount, d < network.nodeCount else {
                throw MobilityError("trips: zone \(max(o, d) + 1) is not a node of \(network.name) (\(network.nodeCount) nodes)")
            }
            origin.append(Int32(o)); destination.append(Int32(d)); trips.append(f.flow[i])
        }
    }

    /// One call for scenario loading: `*_trips.tntp` (TNTP zones = node numbers) or a CSV
    /// `origin,destination,trips`, chosen by extension.
    public static func load(path: String, network: RoadNetwork) throws -> ODMatrix {
        let lower = path.lowercased()
        if lower.hasSuffix(".tntp") { return try ODMatrix(tntp: TNTPTripsFile.read(path: path), network: network) }
        if lower.hasSuffix(".csv") { return try readCSV(path: path, network: network) }
        throw MobilityError("\(path): unknown OD matrix format; expected _trips.tntp or .csv")
    }

    /// Reads CSV `origin,destination,trips` (node external ids: OSM node id or TNTP node number;
    /// optional header line). Errors name the file and line.
    public static func readCSV(path: String, network: RoadNetwork) throws -> ODMatrix {
        var od = ODMatrix()
        try DemandCSV.rows(path: path, columns: 3, network: network) { line, o, d, v in
            guard v >= 0, v.isFinite else { throw MobilityError("\(DemandCSV.name(path)):\(line): trips must be a non-negative number") }
            if o != d && v > 0 { od.origin.append(Int32(o)); od.destination.append(Int32(d)); od.trips.append(v) }
        }
        return od
    }
}

/// How many trips an OD pair with expected value x gets.
public enum TripCountSampling: Sendable {
    /// ⌊x⌋ plus one with probability x − ⌊x⌋: totals reproduce the matrix (exact for integers).
    case fractionalRounding
    /// Poisson(x): day-to-day variation between replications.
    case poisson
}

public enum Demand {
    /// Samples trips from an OD matrix: by default each pair gets floor(trips × scale) trips plus
    /// one more with probability equal to the fractional part (so totals are exact for integer
    /// input; `counts: .poisson` draws Poisson counts instead),
    /// each with a departure time drawn from `profile` and EV attributes from `ev`. Every pair
    /// uses its own random stream (seed, replication, "mobility.demand" child pair index), so
    /// editing one pair does not change the others' draws. O(trips).
    public static func sample(_ od: ODMatrix, profile: DepartureProfile = .standard, scale: Double = 1,
                              counts: TripCountSampling = .fractionalRounding,
                              ev: EVParameters = EVParameters(), seed: UInt64, replication: UInt64 = 0) throws -> TripList {
        guard od.destination.count == od.origin.count, od.trips.count == od.origin.count else {
            throw MobilityError("demand: OD matrix columns have different lengths")
        }
        guard scale >= 0, scale.isFinite else { throw MobilityError("demand: scale must be a finite number ≥ 0, got \(scale)") }
        guard (0...1).contains(ev.share), ev.batteryKWh > 0, ev.consumptionKWhPerKm >= 0,
              ev.initialSoC.lowerBound >= 0, ev.initialSoC.upperBound <= 1 else {
            throw MobilityError("demand: EV share and initial SoC must be in 0...1, battery > 0, consumption ≥ 0")
        }
        for i in 0..<od.trips.count where !(od.trips[i] >= 0 && od.trips[i] * scale < 1e8) {
            throw MobilityError("demand: OD pair \(i) has \(od.trips[i]) trips × scale \(scale); expected 0 ≤ trips × scale < 1e8")
        }
        var out = TripList()
        let base = StreamID.named("mobility.demand")
        for i in 0..<od.origin.count {
            var rng = RandomStream(seed: seed, replication: replication, stream: base.child(UInt64(i)))
            let x = max(0, od.trips[i] * scale)
            var n: Int
            switch counts {
            case .fractionalRounding:
                n = Int(x.rounded(.down))
                if rng.nextDouble() < x - Double(n) { n += 1 }
            case .poisson:
                n = x > 0 ? rng.poisson(mean: x) : 0
            }
            for _ in 0..<n {
                let t = profile.sample(rng.nextDouble(), rng.nextDouble())
                if ev.share > 0, rng.nextDouble() < ev.share {
                    let soc = ev.initialSoC.lowerBound + (ev.initialSoC.upperBound - ev.initialSoC.lowerBound) * rng.nextDouble()
                    out.append(origin: Int(od.origin[i]), destination: Int(od.destination[i]), departure: t,
                               ev: (ev.batteryKWh, ev.consumptionKWhPerKm, soc))
                } else {
                    out.append(origin: Int(od.origin[i]), destination: Int(od.destination[i]), departure: t)
                }
            }
        }
        return out
    }

    /// Reads an explicit trip list, CSV `origin,destination,departure_s` (node external ids),
    /// EV attributes drawn per trip from stream "mobility.ev" child trip index.
    public static func readTripsCSV(path: String, network: RoadNetwork, ev: EVParameters = EVParameters(),
                                    seed: UInt64, replication: UInt64 = 0) throws -> TripList {
        var out = TripList()
        let base = StreamID.named("mobility.ev")
        try DemandCSV.rows(path: path, columns: 3, network: network) { line, o, d, t in
            guard t >= 0, t.isFinite else { throw MobilityError("\(DemandCSV.name(path)):\(line): departure must be seconds ≥ 0") }
            var rng = RandomStream(seed: seed, replication: replication, stream: base.child(UInt64(out.count)))
            if ev.share > 0, rng.nextDouble() < ev.share {
                let soc = ev.initialSoC.lowerBound + (ev.initialSoC.upperBound - ev.initialSoC.lowerBound) * rng.nextDouble()
                out.append(origin: o, destination: d, departure: t, ev: (ev.batteryKWh, ev.consumptionKWhPerKm, soc))
            } else {
                out.append(origin: o, destination: d, departure: t)
            }
        }
        return out
    }
}

enum DemandCSV {
    static func name(_ path: String) -> String { (path as NSString).lastPathComponent }

    /// Calls `body(line, originIndex, destinationIndex, value)` per data row.
    static func rows(path: String, columns: Int, network: RoadNetwork,
                     _ body: (Int, Int, Int, Double) throws -> Void) throws {
        let file = name(path)
        guard let data = FileManager.default.contents(atPath: path) else { throw MobilityError("\(file): cannot read file") }
        let text = String(decoding: data, as: UTF8.self)
        var index = [Int64: Int](minimumCapacity: network.nodeCount)
        for (i, id) in network.nodeExternalID.enumerated() where index[id] == nil { index[id] = i }
        for (li, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if li == 0, Int64(f[0]) == nil { continue } // header
            guard f.count == columns else {
                throw MobilityError("\(file):\(li + 1): expected \(columns) comma-separated columns, found \(f.count)")
            }
            guard let o = Int64(f[0]), let d = Int64(f[1]), let v = Double(f[2]) else {
                throw MobilityError("\(file):\(li + 1): expected integer node ids and a number")
            }
            guard let oi = index[o] else { throw MobilityError("\(file):\(li + 1): origin node \(o) is not in network \(network.name)") }
            guard let di = index[d] else { throw MobilityError("\(file):\(li + 1): destination node \(d) is not in network \(network.name)") }
            try body(li + 1, oi, di, v)
        }
    }
}
