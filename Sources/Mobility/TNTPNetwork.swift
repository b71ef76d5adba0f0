// Builds a RoadNetwork from TNTP records with explicit units (TNTP units differ per network).
import Foundation
import TwinIO

/// Units of a TNTP network's columns. Use the presets for the bundled networks.
public struct TNTPUnits: Sendable {
    public enum Length: Sendable, Equatable { case metres, kilometres, feet, miles
        /// Ignore the length column; use the great-circle distance between node coordinates.
        case fromCoordinates
        var metres: Double {
            switch self { case .metres: 1; case .kilometres: 1000; case .feet: 0.3048; case .miles: 1609.344; case .fromCoordinates: 1 }
        }
    }
    public enum Time: Sendable, Equatable { case seconds, minutes, hours
        var seconds: Double { switch self { case .seconds: 1; case .minutes: 60; case .hours: 3600 } }
    }
    public var length: Length
    public var time: Time
    /// Capacity column unit is vehicles per `capacityPeriodHours` hours (1 = veh/h).
    public var capacityPeriodHours: Double
    /// Per-lane capacity (veh/h) used to derive lanes = max(1, round(capacity / this)); TNTP has no lanes column.
    public var capacityPerLane: Double
    /// Plausible free-flow speed range in km/h; links outside it produce a warning.
    public var plausibleSpeedKmh: ClosedRange<Double>
    /// Metres per unit of planar node coordinates (used when coordinates are not lon/lat).
    public var planarCoordinateMetres: Double

    public init(length: Length, time: Time, capacityPeriodHours: Double = 1, capacityPerLane: Double = 1800,
                plausibleSpeedKmh: ClosedRange<Double> = 3...200, planarCoordinateMetres: Double = 1) {
        self.length = length; self.time = time; self.capacityPeriodHours = capacityPeriodHours
        self.capacityPerLane = capacityPerLane; self.plausibleSpeedKmh = plausibleSpeedKmh
        self.planarCoordinateMetres = planarCoordinateMetres
    }

    /// SiouxFalls: free-flow time in 0.01 h "read as minutes" (README); the length column merely
    /// repeats the time (arbitrary), so lengths are the great-circle distances between the node
    /// coordinates (≈ 2–5 km; speeds 25–75 km/h). Capacity veh/h (0.1 × daily, README).
    public static let siouxFalls = TNTPUnits(length: .fromCoordinates, time: .minutes)
    /// Anaheim: length feet, time minutes, capacity veh/h (README).
    public static let anaheim = TNTPUnits(length: .feet, time: .minutes)
    /// Chicago-Sketch: length miles, time minutes; node coordinates Illinois State Plane feet.
    public static let chicagoSketch = TNTPUnits(length: .miles, time: .minutes, planarCoordinateMetres: 0.3048)

    /// The preset for a bundled network, chosen from the file name; nil if unknown.
    public static func preset(forFile path: String) -> TNTPUnits? {
        let n = (path as NSString).lastPathComponent.lowercased()
        if n.hasPrefix("siouxfalls") { return .siouxFalls }
        if n.hasPrefix("anaheim") { return .anaheim }
        if n.hasPrefix("chicagosketch") { return .chicagoSketch }
        return nil
    }
}

extension RoadNetwork {
    /// One call for `citytwin import tntp NET`: reads `_net.tntp`, finds node coordinates next
    /// to it (`*_node.tntp`, else a `*.geojson` in the same folder) and converts with `units`
    /// (default: the preset for the file name; an error if there is none).
    public static func importTNTP(netPath: String, nodePath: String? = nil, units: TNTPUnits? = nil) throws -> NetworkImport {
        let name = (netPath as NSString).lastPathComponent
        guard let u = units ?? TNTPUnits.preset(forFile: netPath) else {
            throw MobilityError("\(name): unknown TNTP network; pass explicit TNTPUnits (length and time units of the columns)")
        }
        let net = try TNTPNetworkFile.read(path: netPath)
        var coords: TNTPNodeFile?
        if let p = nodePath { coords = try TNTPNodeFile.read(path: p) }
        else if let p = findNodeFile(netPath: netPath) { coords = try TNTPNodeFile.read(path: p) }
        return try fromTNTP(net, nodes: coords, name: name, units: u)
    }

    static func findNodeFile(netPath: String) -> String? {
        let dir = (netPath as NSString).deletingLastPathComponent
        let base = (netPath as NSString).lastPathComponent
        let stem = base.hasSuffix("_net.tntp") ? String(base.dropLast(9)) : base
        let fm = FileManager.default
        let candidate = (dir as NSString).appendingPathComponent(stem + "_node.tntp")
        if fm.fileExists(atPath: candidate) { return candidate }
        let files = ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).sorted()
        if let g = files.first(where: { $0.lowercased().hasSuffix(".geojson") }) { return (dir as NSString).appendingPathComponent(g) }
        return nil
    }

    /// Builds the network from TNTP records. Node i (1-based) becomes index i−1; zones below
    /// FIRST THRU NODE are marked non-through. Coordinates, when given, are lon/lat degrees if
    /// they fit WGS84 ranges (projected equirectangularly around the bbox centre), else taken as
    /// planar units as is. O(N + L log L).
    public static func fromTNTP(_ f: TNTPNetworkFile, nodes: TNTPNodeFile?, name: String, units: TNTPUnits) throws -> NetworkImport {
        guard units.capacityPerLane > 0, units.capacityPerLane.isFinite, units.capacityPeriodHours > 0, units.capacityPeriodHours.isFinite else {
            throw MobilityError("\(name): TNTPUnits.capacityPerLane and capacityPeriodHours must be positive")
        }
        var warnings: [String] = []
        let n = f.nodeCount
        let m0 = f.initNode.count
        guard [f.termNode.count, f.capacity.count, f.length.count, f.freeFlowTime.count, f.speed.count, f.linkType.count].allSatisfy({ $0 == m0 }) else {
            throw MobilityError("\(name): TNTP link columns have different lengths")
        }
        for l in 0..<m0 where !(1...max(n, 1)).contains(Int(f.initNode[l])) || !(1...max(n, 1)).contains(Int(f.termNode[l])) {
            throw MobilityError("\(name): link \(l + 1) references a node outside 1...\(n)")
        }
        if let c = nodes, c.x.count != c.node.count || c.y.count != c.node.count {
            throw MobilityError("\(name): node coordinate columns have different lengths")
        }
        var lon = [Double](repeating: .nan, count: n), lat = [Double](repeating: .nan, count: n)
        var x = [Double](repeating: 0, count: n), y = [Double](repeating: 0, count: n)
        if let c = nodes {
            var isLonLat = true
            for i in 0..<c.node.count where abs(c.x[i]) > 180 || abs(c.y[i]) > 90 { isLonLat = false }
            var have = [Bool](repeating: false, count: n)
            for i in 0..<c.node.count {
                let k = Int(c.node[i]) - 1
                guard k >= 0, k < n else { throw MobilityError("\(name): coordinate for node \(c.node[i]) outside 1...\(n)") }
                if isLonLat { lon[k] = c.x[i]; lat[k] = c.y[i] } else {
                    x[k] = c.x[i] * units.planarCoordinateMetres; y[k] = c.y[i] * units.planarCoordinateMetres
                }
                have[k] = true
            }
            let missing = have.filter { !$0 }.count
            if missing > 0 { warnings.append("\(name): \(missing) nodes have no coordinates (placed at 0,0)") }
            if isLonLat {
                let known = (0..<n).filter { have[$0] }
                if let mnLat = known.map({ lat[$0] }).min(), let mxLat = known.map({ lat[$0] }).max(),
                   let mnLon = known.map({ lon[$0] }).min(), let mxLon = known.map({ lon[$0] }).max() {
                    let lat0 = (mnLat + mxLat) / 2, lon0 = (mnLon + mxLon) / 2
                    let kx = earthRadius * Double.pi / 180 * cos(lat0 * Double.pi / 180), ky = earthRadius * Double.pi / 180
                    for k in known { x[k] = (lon[k] - lon0) * kx; y[k] = (lat[k] - lat0) * ky }
                }
            }
        } else if units.length == .fromCoordinates {
            throw MobilityError("\(name): TNTPUnits.length = .fromCoordinates needs a node coordinate file")
        }
        let m = f.linkCount
        var len = [Double](repeating: 0, count: m), spd = [Double](repeating: 0, count: m)
        var cap = [Double](repeating: 0, count: m), lanes = [UInt8](repeating: 1, count: m), cls = [UInt8](repeating: 0, count: m)
        var implausible = 0
        var types: [Int32] = Array(Set(f.linkType)).sorted()
        if types.isEmpty { types = [0] }
        for l in 0..<m {
            let a = Int(f.initNode[l]) - 1, b = Int(f.termNode[l]) - 1
            var length: Double
            if units.length == .fromCoordinates {
                length = lat[a].isNaN ? ((x[a] - x[b]) * (x[a] - x[b]) + (y[a] - y[b]) * (y[a] - y[b])).squareRoot()
                    : haversine(lat1: lat[a], lon1: lon[a], lat2: lat[b], lon2: lon[b])
            } else { length = f.length[l] * units.length.metres }
            length = max(length, 1)
            var fft = f.freeFlowTime[l] * units.time.seconds
            if fft <= 0 {
                // Fall back to the speed column (same length unit per time unit) when time is zero.
                let v = f.speed[l] * units.length.metres / units.time.seconds
                fft = v > 0 ? length / v : length / (50 / 3.6)
            }
            let v = length / fft
            if !units.plausibleSpeedKmh.contains(v * 3.6) { implausible += 1 }
            len[l] = length; spd[l] = v
            let c = f.capacity[l] / units.capacityPeriodHours
            cap[l] = max(c, 1)
            lanes[l] = UInt8(clamping: max(1, Int((c / units.capacityPerLane).rounded())))
            cls[l] = UInt8(clamping: types.firstIndex(of: f.linkType[l]) ?? 0)
        }
        if implausible > 0 {
            warnings.append("\(name): \(implausible) of \(m) links have a free-flow speed (length / free_flow_time) outside \(units.plausibleSpeedKmh) km/h; check TNTPUnits")
        }
        let net = try RoadNetwork(source: .tntp, name: name, nodeX: x, nodeY: y, nodeLon: lon, nodeLat: lat,
                                  nodeExternalID: (1...max(n, 1)).prefix(n).map { Int64($0) },
                                  nodeSignalised: [Bool](repeating: false, count: n),
                                  firstThroughNode: Int32(max(0, f.firstThruNode - 1)),
                                  linkFrom: f.initNode.map { $0 - 1 }, linkTo: f.termNode.map { $0 - 1 },
                                  linkLength: len, linkFreeSpeed: spd, linkLanes: lanes, linkCapacity: cap,
                                  linkClass: cls, linkExternalID: (0..<m).map { Int64($0 + 1) },
                                  classNames: types.map { "type \($0)" })
        return NetworkImport(network: net, warnings: warnings)
    }
}
