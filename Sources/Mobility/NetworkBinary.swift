// `.ctnet`: CityTwin's compact binary road network, so large networks load in milliseconds.
// Layout (all little-endian):
//   magic "CTNET\0\r\n" (8 bytes; the CR/LF catches text-mode mangling), UInt32 version = 1,
//   UInt8 source, UInt32 nodeCount, UInt32 linkCount, Int32 firstThroughNode,
//   String name, UInt32 classCount, classCount × String          (String = UInt32 byte count + UTF-8)
//   nodes: x, y, lon, lat (Float64 × N each), externalID (Int64 × N), signalised (UInt8 × N)
//   links: from, to (Int32 × L each), length, freeSpeed, capacity (Float64 × L each),
//          lanes, class (UInt8 × L each), externalID (Int64 × L)
//   UInt64 FNV-1a checksum of all preceding bytes.
// CSR indices are rebuilt on load (O(N + L)).
import Foundation

extension RoadNetwork {
    static let magic: [UInt8] = [0x43, 0x54, 0x4E, 0x45, 0x54, 0x00, 0x0D, 0x0A]
    public static let binaryVersion: UInt32 = 1

    /// Serialises to the `.ctnet` layout. O(N + L).
    public func binaryData() -> [UInt8] {
        var w = ByteWriter()
        w.bytes(RoadNetwork.magic)
        w.u32(RoadNetwork.binaryVersion)
        w.u8(source.rawValue)
        w.u32(UInt32(nodeCount)); w.u32(UInt32(linkCount)); w.i32(firstThroughNode)
        w.string(name)
        w.u32(UInt32(classNames.count)); for c in classNames { w.string(c) }
        for a in [nodeX, nodeY, nodeLon, nodeLat] { for v in a { w.u64(v.bitPattern) } }
        for v in nodeExternalID { w.u64(UInt64(bitPattern: v)) }
        for v in nodeSignalised { w.u8(v ? 1 : 0) }
        for v in linkFrom { w.i32(v) }
        for v in linkTo { w.i32(v) }
        for a in [linkLength, linkFreeSpeed, linkCapacity] { for v in a { w.u64(v.bitPattern) } }
        w.bytes(linkLanes); w.bytes(linkClass)
        for v in linkExternalID { w.u64(UInt64(bitPattern: v)) }
        w.u64(fnv1a(w.out))
        return w.out
    }

    /// Writes a `.ctnet` file (to a temporary name, then renamed, so readers never see a half file).
    public func write(to path: String) throws {
        let tmp = path + ".tmp"
        let data = Data(binaryData())
        guard FileManager.default.createFile(atPath: tmp, contents: data) else {
            throw MobilityError("\(path): cannot write file")
        }
        if FileManager.default.fileExists(atPath: path) { try? FileManager.default.removeItem(atPath: path) }
        do { try FileManager.default.moveItem(atPath: tmp, toPath: path) } catch {
            throw MobilityError("\(path): cannot rename temporary file: \(error)")
        }
    }

    /// Reads a `.ctnet` file.
    public init(contentsOf path: String) throws {
        let name = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path) else { throw MobilityError("\(name): cannot read file") }
        try self.init(binary: [UInt8](data), fileName: name)
    }

    /// Decodes the `.ctnet` layout; errors name the file and the field. O(N + L).
    public init(binary b: [UInt8], fileName: String) throws {
        var r = ByteReader(b: b, file: fileName)
        guard b.count >= 16, Array(b[0..<8]) == RoadNetwork.magic else { throw MobilityError("\(fileName): not a .ctnet file (bad magic)") }
        r.p = 8
        let version = try r.u32("version")
        guard version == RoadNetwork.binaryVersion else { throw MobilityError("\(fileName): unsupported .ctnet version \(version), expected \(RoadNetwork.binaryVersion)") }
        guard b.count >= 8 else { throw MobilityError("\(fileName): truncated") }
        let stored = b[(b.count - 8)...].enumerated().reduce(UInt64(0)) { $0 | (UInt64($1.element) << (8 * UInt64($1.offset))) }
        guard stored == fnv1a(Array(b[0..<(b.count - 8)])) else { throw MobilityError("\(fileName): checksum mismatch (file corrupted or truncated)") }
        let src = NetworkSource(rawValue: try r.u8("source")) ?? .unknown
        let n = Int(try r.u32("nodeCount")), m = Int(try r.u32("linkCount"))
        let ftn = try r.i32("firstThroughNode")
        let nm = try r.string("name")
        let cc = Int(try r.u32("classCount"))
        guard cc <= 256 else { throw MobilityError("\(fileName): classCount \(cc) exceeds 256") }
        var classes: [String] = []
        for _ in 0..<cc { classes.append(try r.string("className")) }
        // Validate the size before allocating: 8*4+8+1 per node, 4*2+8*3+2+8 per link, + checksum.
        let need = r.p + n * 41 + m * 42 + 8
        guard b.count == need else { throw MobilityError("\(fileName): size \(b.count) bytes, expected \(need) for \(n) nodes and \(m) links") }
        let x = try r.f64s(n, "nodeX"), y = try r.f64s(n, "nodeY"), lon = try r.f64s(n, "nodeLon"), lat = try r.f64s(n, "nodeLat")
        let ext = try r.i64s(n, "nodeExternalID")
        let sig = try r.u8s(n, "nodeSignalised").map { $0 != 0 }
        let from = try r.i32s(m, "linkFrom"), to = try r.i32s(m, "linkTo")
        let len = try r.f64s(m, "linkLength"), spd = try r.f64s(m, "linkFreeSpeed"), cap = try r.f64s(m, "linkCapacity")
        let lanes = try r.u8s(m, "linkLanes"), cls = try r.u8s(m, "linkClass")
        let lext = try r.i64s(m, "linkExternalID")
        try self.init(source: src, name: nm, nodeX: x, nodeY: y, nodeLon: lon, nodeLat: lat, nodeExternalID: ext,
                      nodeSignalised: sig, firstThroughNode: ftn, linkFrom: from, linkTo: to, linkLength: len,
                      linkFreeSpeed: spd, linkLanes: lanes, linkCapacity: cap, linkClass: cls, linkExternalID: lext,
                      classNames: classes)
    }

    /// One call for `citytwin inspect NET` and scenario loading: `.ctnet`, `.osm`, or `*_net.tntp`
    /// chosen by extension.
    public static func load(path: String) throws -> NetworkImport {
        let lower = path.lowercased()
        if lower.hasSuffix(".ctnet") { return NetworkImport(network: try RoadNetwork(contentsOf: path), warnings: []) }
        if lower.hasSuffix(".osm") || lower.hasSuffix(".xml") { return try importOSM(path: path) }
        if lower.hasSuffix(".tntp") { return try importTNTP(netPath: path) }
        throw MobilityError("\(path): unknown network format; expected .ctnet, .osm or _net.tntp")
    }
}

func fnv1a(_ b: [UInt8]) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for x in b { h ^= UInt64(x); h = h &* 0x100_0000_01b3 }
    return h
}

struct ByteWriter {
    var out: [UInt8] = []
    mutating func bytes(_ a: [UInt8]) { out.append(contentsOf: a) }
    mutating func u8(_ v: UInt8) { out.append(v) }
    mutating func u32(_ v: UInt32) { for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(k)))) } }
    mutating func i32(_ v: Int32) { u32(UInt32(bitPattern: v)) }
    mutating func u64(_ v: UInt64) { for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(k)))) } }
    mutating func string(_ s: String) { let u = Array(s.utf8); u32(UInt32(u.count)); bytes(u) }
}

struct ByteReader {
    let b: [UInt8]
    let file: String
    var p = 0
    mutating func need(_ k: Int, _ field: String) throws {
        guard k >= 0, p + k <= b.count - 8 else { throw MobilityError("\(file): truncated while reading \(field)") }
    }
    mutating func u8(_ f: String) throws -> UInt8 { try need(1, f); defer { p += 1 }; return b[p] }
    mutating func u32(_ f: String) throws -> UInt32 {
        try need(4, f); var v: UInt32 = 0
        for k in 0..<4 { v |= UInt32(b[p + k]) << (8 * UInt32(k)) }
        p += 4; return v
    }
    mutating func i32(_ f: String) throws -> Int32 { Int32(bitPattern: try u32(f)) }
    mutating func u64(_ f: String) throws -> UInt64 {
        try need(8, f); var v: UInt64 = 0
        for k in 0..<8 { v |= UInt64(b[p + k]) << (8 * UInt64(k)) }
        p += 8; return v
    }
    mutating func string(_ f: String) throws -> String {
        let n = Int(try u32(f)); try need(n, f)
        defer { p += n }
        return String(decoding: b[p..<(p + n)], as: UTF8.self)
    }
    mutating func f64s(_ n: Int, _ f: String) throws -> [Double] { try need(8 * n, f); return try (0..<n).map { _ in Double(bitPattern: try u64(f)) } }
    mutating func i64s(_ n: Int, _ f: String) throws -> [Int64] { try need(8 * n, f); return try (0..<n).map { _ in Int64(bitPattern: try u64(f)) } }
    mutating func i32s(_ n: Int, _ f: String) throws -> [Int32] { try need(4 * n, f); return try (0..<n).map { _ in try i32(f) } }
    mutating func u8s(_ n: Int, _ f: String) throws -> [UInt8] { try need(n, f); defer { p += n }; return Array(b[p..<(p + n)]) }
}
