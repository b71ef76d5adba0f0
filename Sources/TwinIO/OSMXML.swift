// OpenStreetMap XML 0.6 importer: a byte-level scanner for the subset a road graph needs
// (<node id lat lon>, <way> with <nd ref> and <tag k v>). Relations are skipped.
// Returns plain records; building a road network from them is the Mobility module's job.
import Foundation

/// A one-line error from the OSM importer: names the file, the line and what was expected.
public struct OSMImportError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int
    public var message: String
    public init(file: String, line: Int, message: String) {
        self.file = file; self.line = line; self.message = message
    }
    public var description: String { "\(file):\(line): \(message)" }
}

/// Options for `OSMData.read`.
public struct OSMReadOptions: Sendable {
    /// Keep only ways that carry this tag key (e.g. "highway"); nil keeps every way.
    public var wayKeyFilter: String?
    /// When true, `<nd ref>` pointing at nodes absent from the file are dropped (counted in
    /// `OSMData.missingNodeRefs`); when false (default) they are an error.
    public var allowMissingNodes: Bool
    public init(wayKeyFilter: String? = "highway", allowMissingNodes: Bool = false) {
        self.wayKeyFilter = wayKeyFilter; self.allowMissingNodes = allowMissingNodes
    }
}

/// Parsed OSM records in struct-of-arrays form. Way node references are resolved to node
/// indices. Node tags are stored sparsely (most nodes have none), grouped by node in file order.
public struct OSMData: Sendable {
    // Nodes
    public var nodeIDs: [Int64] = []
    public var nodeLat: [Double] = []
    public var nodeLon: [Double] = []
    /// Node index owning each node tag (non-decreasing).
    public var nodeTagOwner: [Int32] = []
    public var nodeTagKeys: [String] = []
    public var nodeTagValues: [String] = []
    // Ways
    public var wayIDs: [Int64] = []
    /// Way `w` has node indices `wayNodes[wayNodeStart[w] ..< wayNodeStart[w+1]]`.
    public var wayNodeStart: [Int32] = [0]
    public var wayNodes: [Int32] = []
    /// Way `w` has tags `wayTagKeys[wayTagStart[w] ..< wayTagStart[w+1]]` (and values).
    public var wayTagStart: [Int32] = [0]
    public var wayTagKeys: [String] = []
    public var wayTagValues: [String] = []
    /// `<bounds>` if present: (minLat, minLon, maxLat, maxLon).
    public var bounds: (minLat: Double, minLon: Double, maxLat: Double, maxLon: Double)?
    /// Counts of skipped content.
    public var relationCount = 0
    public var skippedWayCount = 0
    public var missingNodeRefs = 0

    public init() {}

    public var nodeCount: Int { nodeIDs.count }
    public var wayCount: Int { wayIDs.count }

    /// Value of tag `key` on way `w`, or nil. O(tags of the way).
    public func wayTag(_ w: Int, _ key: String) -> String? {
        var i = Int(wayTagStart[w])
        let end = Int(wayTagStart[w + 1])
        while i < end {
            if wayTagKeys[i] == key { return wayTagValues[i] }
            i += 1
        }
        return nil
    }

    /// Reads and parses an OSM XML file. O(file size).
    public static func read(path: String, options: OSMReadOptions = OSMReadOptions()) throws -> OSMData {
        let name = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path) else {
            throw OSMImportError(file: name, line: 0, message: "cannot read file")
        }
        return try parse(bytes: [UInt8](data), fileName: name, options: options)
    }

    /// Parses OSM XML from memory; `fileName` is used in error messages. O(bytes).
    public static func parse(bytes: [UInt8], fileName: String, options: OSMReadOptions = OSMReadOptions()) throws -> OSMData {
        var scanner = OSMScanner(bytes: bytes, fileName: fileName, options: options)
        try scanner.run()
        return scanner.out
    }
}

/// The scanner state. Works on the byte array directly; strings are created only for tag
/// keys/values of kept elements.
struct OSMScanner {
    let b: [UInt8]
    let fileName: String
    let options: OSMReadOptions
    var out = OSMData()
    var p = 0
    // Current element context.
    enum Context { case none, node, way, relation }
    var ctx = Context.none
    // Pending way (refs kept as ids + byte offsets until resolution).
    var pendingRefs: [Int64] = []
    var pendingRefOffsets: [Int] = []
    var pendingWayID: Int64 = 0
    var pendingTagKeys: [String] = []
    var pendingTagValues: [String] = []
    // All kept ways' refs before resolution.
    var refIDs: [Int64] = []
    var refOffsets: [Int] = []
    var elementStart = 0
    var sawRoot = false

    init(bytes: [UInt8], fileName: String, options: OSMReadOptions) {
        self.b = bytes; self.fileName = fileName; self.options = options
    }

    func lineOf(_ offset: Int) -> Int {
        var line = 1
        var i = 0
        let end = min(offset, b.count)
        while i < end { if b[i] == 10 { line += 1 }; i += 1 }
        return line
    }

    func fail(_ offset: Int, _ message: String) -> OSMImportError {
        OSMImportError(file: fileName, line: lineOf(offset), message: message)
    }

    mutating func run() throws {
        let n = b.count
        while p < n {
            // Find next '<'
            guard let lt = indexOf(60, from: p) else { break }
            p = lt + 1
            guard p < n else { throw fail(lt, "unterminated '<' at end of file") }
            let c = b[p]
            if c == 63 { // <? ... ?>
                guard let e = find([63, 62], from: p) else { throw fail(lt, "unterminated processing instruction, expected '?>'") }
                p = e + 2; continue
            }
            if c == 33 { // <!-- --> or <!DOCTYPE ...>
                if p + 2 < n, b[p + 1] == 45, b[p + 2] == 45 {
                    guard let e = find([45, 45, 62], from: p + 3) else { throw fail(lt, "unterminated comment, expected '-->'") }
                    p = e + 3
                } else {
                    guard let e = indexOf(62, from: p) else { throw fail(lt, "unterminated declaration, expected '>'") }
                    p = e + 1
                }
                continue
            }
            elementStart = lt
            if c == 47 { // closing tag
                let nameStart = p + 1
                var q = nameStart
                while q < n, isNameByte(b[q]) { q += 1 }
                guard let e = indexOf(62, from: q) else { throw fail(lt, "unterminated closing tag, expected '>'") }
                try closeElement(nameStart, q)
                p = e + 1
                continue
            }
            let nameStart = p
            var q = p
            while q < n, isNameByte(b[q]) { q += 1 }
            guard q > nameStart else { throw fail(lt, "expected an element name after '<'") }
            p = q
            try openElement(nameStart, q)
        }
        if ctx != .none { throw fail(b.count, "unexpected end of file inside <\(ctxName)> starting at line \(lineOf(elementStart))") }
        if !sawRoot { throw fail(0, "not an OSM XML file: expected an <osm> root element") }
        try resolve()
    }

    var ctxName: String {
        switch ctx { case .none: return "osm"; case .node: return "node"; case .way: return "way"; case .relation: return "relation" }
    }

    @inline(__always) func isNameByte(_ c: UInt8) -> Bool {
        (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 95 || c == 58 || c == 45 || c == 46
    }

    func indexOf(_ c: UInt8, from: Int) -> Int? {
        var i = from
        let n = b.count
        while i < n { if b[i] == c { return i }; i += 1 }
        return nil
    }

    func find(_ pat: [UInt8], from: Int) -> Int? {
        var i = from
        let n = b.count - pat.count
        while i <= n {
            if b[i] == pat[0] {
                var ok = true
                for k in 1..<pat.count where b[i + k] != pat[k] { ok = false; break }
                if ok { return i }
            }
            i += 1
        }
        return nil
    }

    func nameIs(_ s: Int, _ e: Int, _ lit: StaticString) -> Bool {
        let len = lit.utf8CodeUnitCount
        guard e - s == len else { return false }
        return lit.withUTF8Buffer { buf in
            for k in 0..<len where b[s + k] != buf[k] { return false }
            return true
        }
    }

    /// Attribute ranges of the current start tag, parsed up to '>' or '/>'.
    struct Attr { var nameStart: Int; var nameEnd: Int; var valStart: Int; var valEnd: Int }

    /// Parses attributes until the end of the start tag; returns (attributes, selfClosing).
    mutating func attributes(into attrs: inout [Attr]) throws -> Bool {
        attrs.removeAll(keepingCapacity: true)
        let n = b.count
        while true {
            while p < n, b[p] == 32 || b[p] == 9 || b[p] == 10 || b[p] == 13 { p += 1 }
            guard p < n else { throw fail(elementStart, "unterminated start tag, expected '>'") }
            if b[p] == 62 { p += 1; return false }
            if b[p] == 47 {
                guard p + 1 < n, b[p + 1] == 62 else { throw fail(p, "expected '/>'") }
                p += 2; return true
            }
            let ns = p
            while p < n, isNameByte(b[p]) { p += 1 }
            guard p > ns else { throw fail(p, "malformed attribute in start tag, expected name=\"value\"") }
            let ne = p
            while p < n, b[p] == 32 || b[p] == 9 { p += 1 }
            guard p < n, b[p] == 61 else { throw fail(p, "expected '=' after attribute name") }
            p += 1
            while p < n, b[p] == 32 || b[p] == 9 { p += 1 }
            guard p < n, b[p] == 34 || b[p] == 39 else { throw fail(p, "expected a quoted attribute value") }
            let quote = b[p]
            p += 1
            let vs = p
            guard let ve = indexOf(quote, from: p) else { throw fail(vs, "unterminated attribute value") }
            p = ve + 1
            attrs.append(Attr(nameStart: ns, nameEnd: ne, valStart: vs, valEnd: ve))
        }
    }

    func attr(_ attrs: [Attr], _ name: StaticString) -> Attr? {
        for a in attrs where nameIs(a.nameStart, a.nameEnd, name) { return a }
        return nil
    }

    func intValue(_ a: Attr, _ what: String) throws -> Int64 {
        var i = a.valStart
        var neg = false
        if i < a.valEnd, b[i] == 45 { neg = true; i += 1 }
        guard i < a.valEnd else { throw fail(a.valStart, "expected an integer \(what)") }
        var v: Int64 = 0
        while i < a.valEnd {
            let d = b[i]
            guard d >= 48, d <= 57 else { throw fail(a.valStart, "expected an integer \(what), found '\(string(a.valStart, a.valEnd))'") }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(d - 48))
            guard !o1, !o2 else { throw fail(a.valStart, "integer \(what) out of range") }
            v = s
            i += 1
        }
        return neg ? -v : v
    }

    static let pow10: [Double] = (0...22).map { e in var x = 1.0; for _ in 0..<e { x *= 10 }; return x }

    /// Decimal parser: exact (correctly rounded) for ≤ 15 significant digits without exponent,
    /// which covers OSM coordinates; otherwise falls back to the standard library.
    func doubleValue(_ a: Attr, _ what: String) throws -> Double {
        var i = a.valStart
        let e = a.valEnd
        var neg = false
        if i < e, b[i] == 45 || b[i] == 43 { neg = b[i] == 45; i += 1 }
        var mant: Int64 = 0
        var digits = 0
        var frac = 0
        var seenDot = false
        var simple = true
        while i < e {
            let c = b[i]
            if c >= 48 && c <= 57 {
                if digits < 15 { mant = mant * 10 + Int64(c - 48); digits += 1; if seenDot { frac += 1 } } else { simple = false; break }
            } else if c == 46 && !seenDot { seenDot = true } else { simple = false; break }
            i += 1
        }
        if simple && digits > 0 {
            let v = Double(mant) / OSMScanner.pow10[frac]
            return neg ? -v : v
        }
        if let v = Double(string(a.valStart, a.valEnd)), v.isFinite { return v }
        throw fail(a.valStart, "expected a number for \(what), found '\(string(a.valStart, a.valEnd))'")
    }

    func string(_ s: Int, _ e: Int) -> String {
        let raw = String(decoding: b[s..<e], as: UTF8.self)
        var hasAmp = false
        for i in s..<e where b[i] == 38 { hasAmp = true; break }
        return hasAmp ? OSMScanner.decodeEntities(raw) : raw
    }

    static func decodeEntities(_ s: String) -> String {
        var out = ""
        var i = s.startIndex
        while i < s.endIndex {
            let ch = s[i]
            if ch == "&", let semi = s[i...].firstIndex(of: ";") {
                let ent = s[s.index(after: i)..<semi]
                var rep: String?
                switch ent {
                case "amp": rep = "&"
                case "lt": rep = "<"
                case "gt": rep = ">"
                case "quot": rep = "\""
                case "apos": rep = "'"
                default:
                    if ent.hasPrefix("#x"), let v = UInt32(ent.dropFirst(2), radix: 16), let u = Unicode.Scalar(v) { rep = String(Character(u)) }
                    else if ent.hasPrefix("#"), let v = UInt32(ent.dropFirst()), let u = Unicode.Scalar(v) { rep = String(Character(u)) }
                }
                if let r = rep { out += r; i = s.index(after: semi); continue }
            }
            out.append(ch)
            i = s.index(after: i)
        }
        return out
    }

    mutating func openElement(_ ns: Int, _ ne: Int) throws {
        var attrs: [Attr] = []
        attrs.reserveCapacity(8)
        let selfClosing = try attributes(into: &attrs)
        if nameIs(ns, ne, "node") {
            guard ctx == .none else { throw fail(elementStart, "<node> nested inside <\(ctxName)>") }
            guard let ida = attr(attrs, "id") else { throw fail(elementStart, "<node> without id attribute") }
            guard let la = attr(attrs, "lat") else { throw fail(elementStart, "<node> without lat attribute") }
            guard let lo = attr(attrs, "lon") else { throw fail(elementStart, "<node> without lon attribute") }
            let lat = try doubleValue(la, "node lat")
            let lon = try doubleValue(lo, "node lon")
            guard lat >= -90, lat <= 90, lon >= -180, lon <= 180 else {
                throw fail(elementStart, "node lat/lon out of range (lat \(lat), lon \(lon)); expected WGS84 degrees")
            }
            out.nodeIDs.append(try intValue(ida, "node id"))
            out.nodeLat.append(lat)
            out.nodeLon.append(lon)
            if !selfClosing { ctx = .node }
        } else if nameIs(ns, ne, "way") {
            guard ctx == .none else { throw fail(elementStart, "<way> nested inside <\(ctxName)>") }
            guard let ida = attr(attrs, "id") else { throw fail(elementStart, "<way> without id attribute") }
            pendingWayID = try intValue(ida, "way id")
            pendingRefs.removeAll(keepingCapacity: true)
            pendingRefOffsets.removeAll(keepingCapacity: true)
            pendingTagKeys.removeAll(keepingCapacity: true)
            pendingTagValues.removeAll(keepingCapacity: true)
            if selfClosing { finishWay() } else { ctx = .way }
        } else if nameIs(ns, ne, "nd") {
            guard ctx == .way || ctx == .relation else { throw fail(elementStart, "<nd> outside a <way>") }
            if ctx == .way {
                guard let r = attr(attrs, "ref") else { throw fail(elementStart, "<nd> without ref attribute") }
                pendingRefs.append(try intValue(r, "nd ref"))
                pendingRefOffsets.append(elementStart)
            }
        } else if nameIs(ns, ne, "tag") {
            guard let k = attr(attrs, "k"), let v = attr(attrs, "v") else { throw fail(elementStart, "<tag> needs k and v attributes") }
            switch ctx {
            case .node:
                out.nodeTagOwner.append(Int32(out.nodeIDs.count - 1))
                out.nodeTagKeys.append(string(k.valStart, k.valEnd))
                out.nodeTagValues.append(string(v.valStart, v.valEnd))
            case .way:
                pendingTagKeys.append(string(k.valStart, k.valEnd))
                pendingTagValues.append(string(v.valStart, v.valEnd))
            case .relation: break
            case .none: throw fail(elementStart, "<tag> outside a node, way or relation")
            }
        } else if nameIs(ns, ne, "relation") {
            guard ctx == .none else { throw fail(elementStart, "<relation> nested inside <\(ctxName)>") }
            out.relationCount += 1
            if !selfClosing { ctx = .relation }
        } else if nameIs(ns, ne, "bounds") {
            if let a = attr(attrs, "minlat"), let b1 = attr(attrs, "minlon"), let c = attr(attrs, "maxlat"), let d = attr(attrs, "maxlon") {
                out.bounds = (try doubleValue(a, "minlat"), try doubleValue(b1, "minlon"), try doubleValue(c, "maxlat"), try doubleValue(d, "maxlon"))
            }
        } else if nameIs(ns, ne, "osm") {
            sawRoot = true
        }
        // Other elements (member, note, meta, ...) are ignored.
    }

    mutating func closeElement(_ ns: Int, _ ne: Int) throws {
        if nameIs(ns, ne, "node") {
            guard ctx == .node else { throw fail(elementStart, "unexpected </node>") }
            ctx = .none
        } else if nameIs(ns, ne, "way") {
            guard ctx == .way else { throw fail(elementStart, "unexpected </way>") }
            finishWay()
            ctx = .none
        } else if nameIs(ns, ne, "relation") {
            guard ctx == .relation else { throw fail(elementStart, "unexpected </relation>") }
            ctx = .none
        } else if nameIs(ns, ne, "osm") {
            guard ctx == .none else { throw fail(elementStart, "</osm> inside an open <\(ctxName)>") }
        }
    }

    mutating func finishWay() {
        if let key = options.wayKeyFilter, !pendingTagKeys.contains(key) {
            out.skippedWayCount += 1
            return
        }
        out.wayIDs.append(pendingWayID)
        refIDs.append(contentsOf: pendingRefs)
        refOffsets.append(contentsOf: pendingRefOffsets)
        out.wayNodeStart.append(Int32(refIDs.count))
        out.wayTagKeys.append(contentsOf: pendingTagKeys)
        out.wayTagValues.append(contentsOf: pendingTagValues)
        out.wayTagStart.append(Int32(out.wayTagKeys.count))
    }

    /// Resolves way node ids to node indices (hash lookup only; no iteration order leaks).
    mutating func resolve() throws {
        var index = [Int64: Int32](minimumCapacity: out.nodeIDs.count)
        for (i, id) in out.nodeIDs.enumerated() {
            if index.updateValue(Int32(i), forKey: id) != nil {
                throw OSMImportError(file: fileName, line: 0, message: "duplicate node id \(id)")
            }
        }
        var nodes: [Int32] = []
        nodes.reserveCapacity(refIDs.count)
        var starts: [Int32] = [0]
        starts.reserveCapacity(out.wayIDs.count + 1)
        for w in 0..<out.wayIDs.count {
            for r in Int(out.wayNodeStart[w])..<Int(out.wayNodeStart[w + 1]) {
                if let idx = index[refIDs[r]] {
                    nodes.append(idx)
                } else if options.allowMissingNodes {
                    out.missingNodeRefs += 1
                } else {
                    throw fail(refOffsets[r], "way \(out.wayIDs[w]) references node \(refIDs[r]) which is not in the file")
                }
            }
            starts.append(Int32(nodes.count))
        }
        out.wayNodes = nodes
        out.wayNodeStart = starts
    }
}
