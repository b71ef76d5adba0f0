// Builds a RoadNetwork from parsed OSM records: drivable highway classes with a default
// table, oneway rules, maxspeed/lanes tags, intersection splitting, signals, largest SCC.
import Foundation
import TwinIO

/// Defaults per OSM `highway` class, used when a way has no `maxspeed`/`lanes` tag.
public struct HighwayClassDefaults: Sendable {
    public var name: String
    /// Free speed in km/h.
    public var speedKmh: Double
    /// Lanes per direction.
    public var lanes: Int
    /// Capacity per lane, vehicles per hour.
    public var capacityPerLane: Double
    /// Implied oneway (motorway and motorway_link by OSM convention).
    public var impliedOneway: Bool
    public init(_ name: String, _ speedKmh: Double, _ lanes: Int, _ capacityPerLane: Double, impliedOneway: Bool = false) {
        self.name = name; self.speedKmh = speedKmh; self.lanes = lanes
        self.capacityPerLane = capacityPerLane; self.impliedOneway = impliedOneway
    }

    /// The default drivable classes (index = `linkClass` code). Urban-European/US-style values
    /// in the range SUMO's and MATSim's OSM converters use.
    public static let table: [HighwayClassDefaults] = [
        .init("motorway", 110, 2, 2000, impliedOneway: true),
        .init("motorway_link", 60, 1, 1500, impliedOneway: true),
        .init("trunk", 90, 2, 1900),
        .init("trunk_link", 50, 1, 1500),
        .init("primary", 60, 1, 1500),
        .init("primary_link", 40, 1, 1500),
        .init("secondary", 50, 1, 1200),
        .init("secondary_link", 40, 1, 1200),
        .init("tertiary", 40, 1, 1000),
        .init("tertiary_link", 30, 1, 1000),
        .init("unclassified", 40, 1, 800),
        .init("residential", 30, 1, 700),
        .init("living_street", 10, 1, 300),
        .init("service", 20, 1, 400),
        .init("road", 40, 1, 800),
    ]
}

/// Options for building a network from OSM.
public struct OSMNetworkOptions: Sendable {
    public var classes: [HighwayClassDefaults] = HighwayClassDefaults.table
    /// Keep only the largest strongly connected component (recommended for simulation).
    public var keepLargestComponent = true
    /// Speed used for `maxspeed=none` (km/h).
    public var unlimitedSpeedKmh = 130.0
    /// Drop ways with `access`/`motor_vehicle`/`motorcar` = no or private.
    public var respectAccess = true
    public init() {}
}

/// A built network with warnings for the caller to log (the library never prints).
public struct NetworkImport: Sendable {
    public var network: RoadNetwork
    public var warnings: [String]
}

extension RoadNetwork {
    /// Mean Earth radius (IUGG), metres.
    public static let earthRadius = 6_371_008.8

    /// Great-circle distance in metres between two WGS84 points (haversine).
    @inlinable public static func haversine(lat1: Double, lon1: Double, lat2: Double, lon2: Double) -> Double {
        let r = Double.pi / 180
        let dlat = (lat2 - lat1) * r, dlon = (lon2 - lon1) * r
        let a = sin(dlat / 2) * sin(dlat / 2) + cos(lat1 * r) * cos(lat2 * r) * sin(dlon / 2) * sin(dlon / 2)
        return 2 * earthRadius * asin(min(1, a.squareRoot()))
    }

    /// One call for `citytwin import osm FILE`: read the XML and build the network.
    public static func importOSM(path: String, options: OSMNetworkOptions = OSMNetworkOptions()) throws -> NetworkImport {
        let data = try OSMData.read(path: path, options: OSMReadOptions(wayKeyFilter: "highway"))
        return try fromOSM(data, name: (path as NSString).lastPathComponent, options: options)
    }

    /// Parses `maxspeed` values: "50", "30 mph", "50 km/h", "none", lists "50;30" (lowest
    /// taken, conservative). Returns km/h or nil for unusable values ("signals", "RU:urban").
    public static func parseMaxspeed(_ raw: String, unlimited: Double) -> Double? {
        var best: Double?
        for part in raw.split(separator: ";") {
            let s = part.trimmingCharacters(in: .whitespaces).lowercased()
            var v: Double?
            if s == "none" { v = unlimited }
            else if s.hasSuffix("mph") { v = Double(s.dropLast(3).trimmingCharacters(in: .whitespaces)).map { $0 * 1.609344 } }
            else if s.hasSuffix("km/h") { v = Double(s.dropLast(4).trimmingCharacters(in: .whitespaces)) }
            else if s.hasSuffix("kmh") { v = Double(s.dropLast(3).trimmingCharacters(in: .whitespaces)) }
            else if s.hasSuffix("knots") { v = Double(s.dropLast(5).trimmingCharacters(in: .whitespaces)).map { $0 * 1.852 } }
            else { v = Double(s) }
            if let x = v, x > 0, x.isFinite { best = min(best ?? x, x) }
        }
        return best
    }

    /// Builds the network from OSM records (see docs/mobility.md for the rules). O(nodes + way nodes).
    public static func fromOSM(_ osm: OSMData, name: String, options: OSMNetworkOptions = OSMNetworkOptions()) throws -> NetworkImport {
        var warnings: [String] = []
        // Records may be built by hand: check their internal consistency before indexing.
        let nn = osm.nodeIDs.count, nw = osm.wayIDs.count
        guard osm.nodeLat.count == nn, osm.nodeLon.count == nn, osm.wayNodeStart.count == nw + 1, osm.wayTagStart.count == nw + 1,
              osm.wayTagKeys.count == osm.wayTagValues.count, Int(osm.wayTagStart.last ?? 0) == osm.wayTagKeys.count,
              Int(osm.wayNodeStart.last ?? 0) == osm.wayNodes.count,
              osm.nodeTagOwner.count == osm.nodeTagKeys.count, osm.nodeTagKeys.count == osm.nodeTagValues.count,
              zip(osm.wayNodeStart, osm.wayNodeStart.dropFirst()).allSatisfy({ $0 >= 0 && $0 <= $1 }),
              zip(osm.wayTagStart, osm.wayTagStart.dropFirst()).allSatisfy({ $0 >= 0 && $0 <= $1 }),
              osm.wayNodes.allSatisfy({ $0 >= 0 && Int($0) < nn }), osm.nodeTagOwner.allSatisfy({ $0 >= 0 && Int($0) < nn }) else {
            throw MobilityError("\(name): inconsistent OSM records (array lengths or indices)")
        }
        let classIndex = Dictionary(uniqueKeysWithValues: options.classes.enumerated().map { ($0.element.name, $0.offset) })
        // 1. Select drivable ways and their direction.
        struct Way { var w: Int; var cls: Int; var forward: Bool; var backward: Bool; var speed: Double; var lanesF: Int; var lanesB: Int }
        var ways: [Way] = []
        var unknownClasses = 0
        let denied: Set<String> = ["no", "private"] // membership test only
        for w in 0..<osm.wayCount {
            guard let hw = osm.wayTag(w, "highway") else { continue }
            guard let cls = classIndex[hw] else { unknownClasses += 1; continue }
            if osm.wayTag(w, "area") == "yes" { continue }
            if options.respectAccess {
                if let a = osm.wayTag(w, "motor_vehicle") ?? osm.wayTag(w, "motorcar") ?? osm.wayTag(w, "access"), denied.contains(a) { continue }
            }
            let d = options.classes[cls]
            var fwd = true, bwd = true
            let ow = osm.wayTag(w, "oneway")?.lowercased()
            let junction = osm.wayTag(w, "junction")
            switch ow {
            case "yes", "1", "true": bwd = false
            case "-1", "reverse": fwd = false
            case "no", "false", "0", "reversible", "alternating": break
            default:
                if d.impliedOneway || junction == "roundabout" || junction == "circular" { bwd = false }
            }
            var speed = d.speedKmh
            if let ms = osm.wayTag(w, "maxspeed"), let v = parseMaxspeed(ms, unlimited: options.unlimitedSpeedKmh) { speed = v }
            var lf = d.lanes, lb = d.lanes
            let total = osm.wayTag(w, "lanes").flatMap { Int($0.split(separator: ";").first.map(String.init) ?? "") }
            if fwd && bwd {
                if let t = total, t > 0 { lf = max(1, (t + 1) / 2); lb = max(1, t / 2) }
                if let f = osm.wayTag(w, "lanes:forward").flatMap({ Int($0) }), f > 0 { lf = f }
                if let b = osm.wayTag(w, "lanes:backward").flatMap({ Int($0) }), b > 0 { lb = b }
            } else if let t = total, t > 0 { lf = t; lb = t }
            ways.append(Way(w: w, cls: cls, forward: fwd, backward: bwd, speed: speed, lanesF: min(lf, 255), lanesB: min(lb, 255)))
        }
        if unknownClasses > 0 {
            warnings.append("\(name): ignored \(unknownClasses) non-drivable highway ways (footway, path, pedestrian, ...)")
        }
        // 2. Intersections: nodes used by 2+ drivable way occurrences, and way endpoints.
        var uses = [UInt8](repeating: 0, count: osm.nodeCount)
        for way in ways {
            let s = Int(osm.wayNodeStart[way.w]), e = Int(osm.wayNodeStart[way.w + 1])
            guard e - s >= 2 else { continue }
            for k in s..<e { let n = Int(osm.wayNodes[k]); if uses[n] < 200 { uses[n] += 1 } }
            let a = Int(osm.wayNodes[s]), b = Int(osm.wayNodes[e - 1])
            uses[a] = max(uses[a], 2); uses[b] = max(uses[b], 2)
        }
        // Signal nodes: highway=traffic_signals (with optional traffic_signals:direction).
        var signalDir = [UInt8](repeating: 0, count: osm.nodeCount) // 0 none, 1 both, 2 forward, 3 backward
        for t in 0..<osm.nodeTagKeys.count where osm.nodeTagKeys[t] == "highway" && osm.nodeTagValues[t] == "traffic_signals" {
            signalDir[Int(osm.nodeTagOwner[t])] = 1
        }
        for t in 0..<osm.nodeTagKeys.count where osm.nodeTagKeys[t] == "traffic_signals:direction" {
            let n = Int(osm.nodeTagOwner[t])
            if signalDir[n] != 0 { signalDir[n] = osm.nodeTagValues[t] == "forward" ? 2 : (osm.nodeTagValues[t] == "backward" ? 3 : 1) }
        }
        // 3. Node numbering: intersections in OSM file order.
        var newIndex = [Int32](repeating: -1, count: osm.nodeCount)
        var keptOSM: [Int] = []
        for n in 0..<osm.nodeCount where uses[n] >= 2 { newIndex[n] = Int32(keptOSM.count); keptOSM.append(n) }
        // Local projection: equirectangular around the centre of the kept nodes' bounding box.
        var minLat = 90.0, maxLat = -90.0, minLon = 180.0, maxLon = -180.0
        for n in keptOSM {
            minLat = min(minLat, osm.nodeLat[n]); maxLat = max(maxLat, osm.nodeLat[n])
            minLon = min(minLon, osm.nodeLon[n]); maxLon = max(maxLon, osm.nodeLon[n])
        }
        let lat0 = (minLat + maxLat) / 2, lon0 = (minLon + maxLon) / 2
        let kx = earthRadius * Double.pi / 180 * cos(lat0 * Double.pi / 180), ky = earthRadius * Double.pi / 180
        var signalised = [Bool](repeating: false, count: keptOSM.count)
        for (i, n) in keptOSM.enumerated() where signalDir[n] != 0 { signalised[i] = true }
        // 4. Split ways into segments between intersections.
        var lf: [Int32] = [], lt: [Int32] = [], len: [Double] = [], spd: [Double] = [], lanes: [UInt8] = []
        var cap: [Double] = [], cls: [UInt8] = [], ext: [Int64] = []
        var selfLoops = 0
        for way in ways {
            let s = Int(osm.wayNodeStart[way.w]), e = Int(osm.wayNodeStart[way.w + 1])
            guard e - s >= 2 else { continue }
            var segStart = s
            var acc = 0.0
            var midSignalF = false, midSignalB = false
            for k in (s + 1)..<e {
                let a = Int(osm.wayNodes[k - 1]), b = Int(osm.wayNodes[k])
                acc += haversine(lat1: osm.nodeLat[a], lon1: osm.nodeLon[a], lat2: osm.nodeLat[b], lon2: osm.nodeLon[b])
                if uses[b] < 2 {
                    // Interior signal: attach to the downstream intersection of each direction.
                    if signalDir[b] == 1 || signalDir[b] == 2 { midSignalF = true }
                    if signalDir[b] == 1 || signalDir[b] == 3 { midSignalB = true }
                    continue
                }
                let from = newIndex[Int(osm.wayNodes[segStart])], to = newIndex[b]
                if from == to { selfLoops += 1 } else {
                    let d = options.classes[way.cls]
                    let length = max(acc, 1.0) // guard zero-length duplicates
                    if way.forward {
                        lf.append(from); lt.append(to); len.append(length); spd.append(way.speed / 3.6)
                        lanes.append(UInt8(way.lanesF)); cap.append(Double(way.lanesF) * d.capacityPerLane)
                        cls.append(UInt8(way.cls)); ext.append(osm.wayIDs[way.w])
                        if midSignalF { signalised[Int(to)] = true }
                    }
                    if way.backward {
                        lf.append(to); lt.append(from); len.append(length); spd.append(way.speed / 3.6)
                        lanes.append(UInt8(way.lanesB)); cap.append(Double(way.lanesB) * d.capacityPerLane)
                        cls.append(UInt8(way.cls)); ext.append(osm.wayIDs[way.w])
                        if midSignalB { signalised[Int(from)] = true }
                    }
                }
                segStart = k; acc = 0; midSignalF = false; midSignalB = false
            }
        }
        if selfLoops > 0 { warnings.append("\(name): dropped \(selfLoops) closed-loop segments that start and end at the same intersection") }
        let xs = keptOSM.map { (osm.nodeLon[$0] - lon0) * kx }, ys = keptOSM.map { (osm.nodeLat[$0] - lat0) * ky }
        var net = try RoadNetwork(source: .osm, name: name, nodeX: xs, nodeY: ys,
                                  nodeLon: keptOSM.map { osm.nodeLon[$0] }, nodeLat: keptOSM.map { osm.nodeLat[$0] },
                                  nodeExternalID: keptOSM.map { osm.nodeIDs[$0] }, nodeSignalised: signalised,
                                  firstThroughNode: 0, linkFrom: lf, linkTo: lt, linkLength: len, linkFreeSpeed: spd,
                                  linkLanes: lanes, linkCapacity: cap, linkClass: cls, linkExternalID: ext,
                                  classNames: options.classes.map(\.name))
        // Drop isolated nodes (possible when all incident links were self loops).
        var deg = [Int](repeating: 0, count: net.nodeCount)
        for l in 0..<net.linkCount { deg[Int(net.linkFrom[l])] += 1; deg[Int(net.linkTo[l])] += 1 }
        if deg.contains(0) { net = try net.subnetwork(keeping: deg.map { $0 > 0 }).0 }
        if options.keepLargestComponent {
            let (pruned, _, warning) = try net.largestStronglyConnected()
            if let w = warning { warnings.append(w) }
            net = pruned
        }
        return NetworkImport(network: net, warnings: warnings)
    }
}
