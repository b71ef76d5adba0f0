// TNTP (Transportation Networks for Research) importers: _net.tntp, _trips.tntp, _node.tntp
// and GeoJSON node coordinates. Values are returned in the file's own units; unit conversion
// is the caller's decision (Mobility's TNTPUnits), because TNTP units differ per network.
import Foundation

/// A one-line error from the TNTP importer: names the file, the line and what was expected.
public struct TNTPImportError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int
    public var message: String
    public init(file: String, line: Int, message: String) {
        self.file = file; self.line = line; self.message = message
    }
    public var description: String { "\(file):\(line): \(message)" }
}

/// Links of a `_net.tntp` file, struct-of-arrays in file order, in the file's units.
public struct TNTPNetworkFile: Sendable {
    public var zoneCount = 0
    public var nodeCount = 0
    /// Nodes numbered below this are zone centroids that paths must not pass through.
    public var firstThruNode = 1
    public var initNode: [Int32] = []
    public var termNode: [Int32] = []
    public var capacity: [Double] = []
    public var length: [Double] = []
    public var freeFlowTime: [Double] = []
    public var b: [Double] = []
    public var power: [Double] = []
    public var speed: [Double] = []
    public var toll: [Double] = []
    public var linkType: [Int32] = []
    /// Metadata header entries in file order (key without brackets, value).
    public var metadata: [(key: String, value: String)] = []
    public init() {}
    public var linkCount: Int { initNode.count }

    /// Reads a `_net.tntp` file. O(file size).
    public static func read(path: String) throws -> TNTPNetworkFile {
        let (name, lines) = try TNTPText.lines(path)
        return try parse(lines: lines, fileName: name)
    }

    /// Parses `_net.tntp` text given as lines; `fileName` is used in error messages.
    public static func parse(lines: [Substring], fileName: String) throws -> TNTPNetworkFile {
        var net = TNTPNetworkFile()
        let (meta, bodyStart) = try TNTPText.metadata(lines, fileName)
        net.metadata = meta
        func metaInt(_ key: String, required: Bool) throws -> Int? {
            guard let v = meta.first(where: { $0.key == key })?.value else {
                if required { throw TNTPImportError(file: fileName, line: 1, message: "missing <\(key)> in metadata header") }
                return nil
            }
            guard let i = Int(v) else {
                throw TNTPImportError(file: fileName, line: 1, message: "<\(key)> must be an integer, found '\(v)'")
            }
            return i
        }
        net.nodeCount = try metaInt("NUMBER OF NODES", required: true) ?? 0
        let declaredLinks = try metaInt("NUMBER OF LINKS", required: true) ?? 0
        net.zoneCount = try metaInt("NUMBER OF ZONES", required: false) ?? 0
        net.firstThruNode = try metaInt("FIRST THRU NODE", required: false) ?? 1
        guard net.nodeCount > 0, declaredLinks >= 0 else {
            throw TNTPImportError(file: fileName, line: 1, message: "<NUMBER OF NODES> must be positive")
        }
        var cols = [Double](repeating: 0, count: 10)
        for li in bodyStart..<lines.count {
            let line = lines[li]
            let t = line.drop(while: { $0 == " " || $0 == "\t" })
            if t.isEmpty || t.hasPrefix("~") { continue }
            var n = 0
            var tooMany = false
            for tok in t.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ";" }) {
                guard n < 10 else { tooMany = true; break }
                guard let v = Double(tok), v.isFinite, abs(v) < 1e15 else {
                    throw TNTPImportError(file: fileName, line: li + 1, message: "column \(n + 1) is not a finite number: '\(tok)'")
                }
                cols[n] = v; n += 1
            }
            guard n == 10, !tooMany else {
                throw TNTPImportError(file: fileName, line: li + 1, message: "expected 10 columns (init_node term_node capacity length free_flow_time b power speed toll link_type ;), found \(tooMany ? "more" : String(n))")
            }
            guard let from = Int(exactly: cols[0]), let to = Int(exactly: cols[1]),
                  from >= 1, from <= net.nodeCount, to >= 1, to <= net.nodeCount else {
                throw TNTPImportError(file: fileName, line: li + 1, message: "node numbers must be integers in 1...\(net.nodeCount), found \(cols[0]) \(cols[1])")
            }
            guard cols[2] >= 0, cols[3] >= 0, cols[4] >= 0 else {
                throw TNTPImportError(file: fileName, line: li + 1, message: "capacity, length and free_flow_time must be non-negative")
            }
            // A link with no capacity would hold every vehicle that enters it for ever.
            guard cols[2] > 0 else {
                throw TNTPImportError(file: fileName, line: li + 1, message: "capacity must be positive (veh/h), found \(cols[2])")
            }
            net.initNode.append(Int32(from)); net.termNode.append(Int32(to))
            net.capacity.append(cols[2]); net.length.append(cols[3]); net.freeFlowTime.append(cols[4])
            net.b.append(cols[5]); net.power.append(cols[6]); net.speed.append(cols[7]); net.toll.append(cols[8])
            net.linkType.append(Int32(clamping: Int(cols[9].rounded())))
        }
        guard net.linkCount == declaredLinks else {
            throw TNTPImportError(file: fileName, line: lines.count, message: "<NUMBER OF LINKS> says \(declaredLinks) but \(net.linkCount) link lines were found")
        }
        return net
    }
}

/// An origin–destination matrix from `_trips.tntp`, sparse, in file order (zero and
/// self (o = d) entries kept as listed; consumers skip them).
public struct TNTPTripsFile: Sendable {
    public var zoneCount = 0
    /// `<TOTAL OD FLOW>` from the header, if given.
    public var declaredTotal: Double?
    public var origin: [Int32] = []
    public var destination: [Int32] = []
    public var flow: [Double] = []
    public init() {}
    /// Sum of all flows. O(entries).
    public var total: Double { flow.reduce(0, +) }

    public static func read(path: String) throws -> TNTPTripsFile {
        let (name, lines) = try TNTPText.lines(path)
        return try parse(lines: lines, fileName: name)
    }

    public static func parse(lines: [Substring], fileName: String) throws -> TNTPTripsFile {
        var out = TNTPTripsFile()
        let (meta, bodyStart) = try TNTPText.metadata(lines, fileName)
        guard let zs = meta.first(where: { $0.key == "NUMBER OF ZONES" })?.value, let z = Int(zs), z > 0 else {
            throw TNTPImportError(file: fileName, line: 1, message: "missing or invalid <NUMBER OF ZONES> in metadata header")
        }
        out.zoneCount = z
        if let t = meta.first(where: { $0.key == "TOTAL OD FLOW" })?.value { out.declaredTotal = Double(t) }
        var current: Int32 = 0
        for li in bodyStart..<lines.count {
            let line = lines[li].drop(while: { $0 == " " || $0 == "\t" })
            if line.isEmpty || line.hasPrefix("~") { continue }
            if line.hasPrefix("Origin") {
                let rest = line.dropFirst(6).trimmingCharacters(in: .whitespaces)
                guard let o = Int(rest), o >= 1, o <= z else {
                    throw TNTPImportError(file: fileName, line: li + 1, message: "expected 'Origin <zone 1...\(z)>', found '\(line.trimmingCharacters(in: .whitespaces))'")
                }
                current = Int32(o); continue
            }
            guard current > 0 else {
                throw TNTPImportError(file: fileName, line: li + 1, message: "destination entries before any 'Origin' line")
            }
            // Pairs "dest : flow;" separated by ';'.
            for entry in line.split(separator: ";") {
                let e = entry.trimmingCharacters(in: .whitespaces)
                if e.isEmpty { continue }
                let parts = e.split(separator: ":")
                guard parts.count == 2,
                      let d = Int(parts[0].trimmingCharacters(in: .whitespaces)),
                      let f = Double(parts[1].trimmingCharacters(in: .whitespaces)) else {
                    throw TNTPImportError(file: fileName, line: li + 1, message: "expected 'destination : flow;' pairs, found '\(e)'")
                }
                guard d >= 1, d <= z else {
                    throw TNTPImportError(file: fileName, line: li + 1, message: "destination zone \(d) outside 1...\(z)")
                }
                guard f >= 0, f.isFinite else {
                    throw TNTPImportError(file: fileName, line: li + 1, message: "flow must be a non-negative number, found \(f)")
                }
                out.origin.append(current); out.destination.append(Int32(d)); out.flow.append(f)
            }
        }
        return out
    }
}

/// Node coordinates (`_node.tntp` or GeoJSON points): node number, x (lon), y (lat), file order.
public struct TNTPNodeFile: Sendable {
    public var node: [Int32] = []
    public var x: [Double] = []
    public var y: [Double] = []
    public init() {}

    /// Reads `_node.tntp` (header line `Node X Y ;`, then `id x y ;` lines) or, when the path
    /// ends in `.geojson`/`.json`, a GeoJSON FeatureCollection of Points with an `id` property.
    public static func read(path: String) throws -> TNTPNodeFile {
        let lower = path.lowercased()
        if lower.hasSuffix(".geojson") || lower.hasSuffix(".json") { return try readGeoJSON(path: path) }
        let (name, lines) = try TNTPText.lines(path)
        var out = TNTPNodeFile()
        for (li, line) in lines.enumerated() {
            let toks = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ";" })
            if toks.isEmpty { continue }
            if Int(toks[0]) == nil, out.node.isEmpty { continue } // header
            guard toks.count == 3, let id = Int32(toks[0]), let x = Double(toks[1]), let y = Double(toks[2]), x.isFinite, y.isFinite else {
                throw TNTPImportError(file: name, line: li + 1, message: "expected 'node x y ;' with 3 numeric columns")
            }
            out.node.append(id); out.x.append(x); out.y.append(y)
        }
        return out
    }

    /// Minimal GeoJSON point reader: each Feature's `"id"` property (or its ordinal) and its
    /// `"coordinates": [x, y]`. Not a general JSON parser.
    public static func readGeoJSON(path: String) throws -> TNTPNodeFile {
        let name = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TNTPImportError(file: name, line: 0, message: "cannot read file")
        }
        let text = String(decoding: data, as: UTF8.self)
        var out = TNTPNodeFile()
        let features = text.components(separatedBy: "\"Feature\"").dropFirst()
        var ordinal: Int32 = 0
        var line = 1 + (text.components(separatedBy: "\"Feature\"").first?.filter { $0 == "\n" }.count ?? 0)
        for f in features {
            ordinal += 1
            var id = ordinal
            if let r = f.range(of: "\"id\"") {
                let tail = f[r.upperBound...].drop(while: { $0 == " " || $0 == ":" || $0 == "\t" })
                let num = tail.prefix(while: { $0.isNumber || $0 == "-" })
                guard let v = Int32(num) else {
                    throw TNTPImportError(file: name, line: line, message: "feature \(ordinal): expected an integer \"id\" property")
                }
                id = v
            }
            guard let c = f.range(of: "\"coordinates\"") else {
                throw TNTPImportError(file: name, line: line, message: "feature \(ordinal): missing \"coordinates\"")
            }
            let tail = f[c.upperBound...]
            guard let open = tail.firstIndex(of: "["), let close = tail.firstIndex(of: "]") else {
                throw TNTPImportError(file: name, line: line, message: "feature \(ordinal): expected \"coordinates\": [x, y]")
            }
            let nums = tail[tail.index(after: open)..<close].split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }.filter(\.isFinite)
            guard nums.count >= 2 else {
                throw TNTPImportError(file: name, line: line, message: "feature \(ordinal): expected \"coordinates\": [x, y] with two numbers")
            }
            out.node.append(id); out.x.append(nums[0]); out.y.append(nums[1])
            line += f.filter { $0 == "\n" }.count
        }
        return out
    }
}

/// Shared line/metadata helpers.
enum TNTPText {
    static func lines(_ path: String) throws -> (String, [Substring]) {
        let name = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TNTPImportError(file: name, line: 0, message: "cannot read file")
        }
        let text = String(decoding: data, as: UTF8.self)
        // Keep empty lines so that indices are line numbers; strip '\r' of CRLF files.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { l -> Substring in
            l.hasSuffix("\r") ? l.dropLast() : l
        }
        return (name, lines)
    }

    /// Parses `<KEY> value` lines up to `<END OF METADATA>`; returns entries and the body start.
    static func metadata(_ lines: [Substring], _ fileName: String) throws -> ([(key: String, value: String)], Int) {
        var meta: [(key: String, value: String)] = []
        for (i, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            guard line.hasPrefix("<"), let close = line.firstIndex(of: ">") else {
                throw TNTPImportError(file: fileName, line: i + 1, message: "expected a metadata line '<KEY> value' or '<END OF METADATA>', found '\(line.prefix(40))'")
            }
            let key = String(line[line.index(after: line.startIndex)..<close])
            if key == "END OF METADATA" { return (meta, i + 1) }
            let value = line[line.index(after: close)...].trimmingCharacters(in: .whitespaces)
            meta.append((key, value))
        }
        throw TNTPImportError(file: fileName, line: lines.count, message: "missing <END OF METADATA>")
    }
}
