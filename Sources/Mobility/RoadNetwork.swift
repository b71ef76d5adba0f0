// The road network: a compact directed graph in CSR form, struct-of-arrays per node and per
// link. Links are stored sorted by (from, to, input order) so the outgoing links of node n are
// the contiguous range `outStart[n] ..< outStart[n+1]`; incoming links are indexed separately.

/// Errors from building, reading or querying a road network: one line naming the source,
/// the field and what was expected.
public struct MobilityError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Where a network came from (determines the meaning of `linkClass`).
public enum NetworkSource: UInt8, Sendable {
    case unknown = 0, osm = 1, tntp = 2
}

/// A directed road network. Node coordinates are local metres (x east, y north) around a
/// reference point; lon/lat are kept when known (NaN otherwise).
public struct RoadNetwork: Sendable {
    public var source: NetworkSource
    /// Free text, e.g. the imported file name.
    public var name: String

    // MARK: Nodes
    public internal(set) var nodeX: [Double]
    public internal(set) var nodeY: [Double]
    public internal(set) var nodeLon: [Double]
    public internal(set) var nodeLat: [Double]
    /// OSM node id or TNTP node number.
    public internal(set) var nodeExternalID: [Int64]
    /// Node has a traffic signal controlling its incoming links.
    public var nodeSignalised: [Bool]
    /// Nodes with index < `firstThroughNode` are zone centroids: routes may start or end there
    /// but never pass through (TNTP `<FIRST THRU NODE>` − 1; 0 for OSM).
    public internal(set) var firstThroughNode: Int32

    // MARK: Links (sorted by from node)
    public internal(set) var linkFrom: [Int32]
    public internal(set) var linkTo: [Int32]
    /// Length in metres.
    public internal(set) var linkLength: [Double]
    /// Free-flow speed in m/s.
    public internal(set) var linkFreeSpeed: [Double]
    /// Lanes in this direction (≥ 1).
    public internal(set) var linkLanes: [UInt8]
    /// Flow capacity in vehicles per hour (all lanes).
    public internal(set) var linkCapacity: [Double]
    /// Road class code: index into `classNames` (OSM highway class, or TNTP link type).
    public internal(set) var linkClass: [UInt8]
    /// OSM way id or TNTP link line number (1-based) this link came from.
    public internal(set) var linkExternalID: [Int64]
    /// Names of the `linkClass` codes.
    public internal(set) var classNames: [String]

    // MARK: CSR adjacency
    /// Outgoing links of node n: `outStart[n] ..< outStart[n+1]` (count nodeCount + 1).
    public internal(set) var outStart: [Int32]
    /// Incoming links of node n: `inLinks[inStart[n] ..< inStart[n+1]]`, ascending link index.
    public internal(set) var inStart: [Int32]
    public internal(set) var inLinks: [Int32]

    public var nodeCount: Int { nodeX.count }
    public var linkCount: Int { linkFrom.count }

    /// Free-flow travel time of link `l` in seconds.
    @inlinable public func freeFlowTime(_ l: Int) -> Double { linkLength[l] / linkFreeSpeed[l] }

    /// Builds a network from unsorted link records. Links are stably sorted by from node and
    /// the CSR indices built. O(N + L log L). Throws if a link references a missing node or has
    /// a non-positive length/speed/capacity.
    public init(source: NetworkSource, name: String,
                nodeX: [Double], nodeY: [Double], nodeLon: [Double], nodeLat: [Double],
                nodeExternalID: [Int64], nodeSignalised: [Bool], firstThroughNode: Int32 = 0,
                linkFrom: [Int32], linkTo: [Int32], linkLength: [Double], linkFreeSpeed: [Double],
                linkLanes: [UInt8], linkCapacity: [Double], linkClass: [UInt8], linkExternalID: [Int64],
                classNames: [String]) throws {
        let n = nodeX.count, m = linkFrom.count
        guard nodeY.count == n, nodeLon.count == n, nodeLat.count == n, nodeExternalID.count == n, nodeSignalised.count == n else {
            throw MobilityError("\(name): node arrays have different lengths (expected \(n) each)")
        }
        guard linkTo.count == m, linkLength.count == m, linkFreeSpeed.count == m, linkLanes.count == m,
              linkCapacity.count == m, linkClass.count == m, linkExternalID.count == m else {
            throw MobilityError("\(name): link arrays have different lengths (expected \(m) each)")
        }
        for l in 0..<m {
            guard linkFrom[l] >= 0, Int(linkFrom[l]) < n, linkTo[l] >= 0, Int(linkTo[l]) < n else {
                throw MobilityError("\(name): link \(l) (external \(linkExternalID[l])) references node outside 0..<\(n)")
            }
            guard linkLength[l] > 0, linkLength[l].isFinite, linkFreeSpeed[l] > 0, linkFreeSpeed[l].isFinite,
                  linkCapacity[l] > 0, linkCapacity[l].isFinite, linkLanes[l] >= 1 else {
                throw MobilityError("\(name): link \(l) (external \(linkExternalID[l])): length, free speed, capacity and lanes must be positive")
            }
        }
        // Stable counting sort by from node (keeps input order among equal from; deterministic).
        var start = [Int32](repeating: 0, count: n + 1)
        for l in 0..<m { start[Int(linkFrom[l]) + 1] += 1 }
        for i in 0..<n { start[i + 1] += start[i] }
        var fill = start
        var order = [Int](repeating: 0, count: m)
        for l in 0..<m { let f = Int(linkFrom[l]); order[Int(fill[f])] = l; fill[f] += 1 }
        func perm<T>(_ a: [T]) -> [T] { order.map { a[$0] } }
        self.source = source; self.name = name
        self.nodeX = nodeX; self.nodeY = nodeY; self.nodeLon = nodeLon; self.nodeLat = nodeLat
        self.nodeExternalID = nodeExternalID; self.nodeSignalised = nodeSignalised
        self.firstThroughNode = firstThroughNode
        self.linkFrom = perm(linkFrom); self.linkTo = perm(linkTo); self.linkLength = perm(linkLength)
        self.linkFreeSpeed = perm(linkFreeSpeed); self.linkLanes = perm(linkLanes); self.linkCapacity = perm(linkCapacity)
        self.linkClass = perm(linkClass); self.linkExternalID = perm(linkExternalID); self.classNames = classNames
        self.outStart = start
        // Incoming CSR (ascending link index within each node).
        var istart = [Int32](repeating: 0, count: n + 1)
        for l in 0..<m { istart[Int(self.linkTo[l]) + 1] += 1 }
        for i in 0..<n { istart[i + 1] += istart[i] }
        var ifill = istart
        var ins = [Int32](repeating: 0, count: m)
        for l in 0..<m { let t = Int(self.linkTo[l]); ins[Int(ifill[t])] = Int32(l); ifill[t] += 1 }
        self.inStart = istart; self.inLinks = ins
    }

    /// Link from `a` to `b` (the first by index if parallel links exist), or nil. O(out-degree).
    public func link(from a: Int, to b: Int) -> Int? {
        guard a >= 0, a < nodeCount else { return nil }
        for l in Int(outStart[a])..<Int(outStart[a + 1]) where Int(linkTo[l]) == b { return l }
        return nil
    }

    /// Node index of an external id (OSM node id / TNTP node number), or nil. O(N).
    public func node(externalID: Int64) -> Int? { nodeExternalID.firstIndex(of: externalID) }

    /// Total road length in km (sum over directed links).
    public var totalLengthKm: Double { linkLength.reduce(0, +) / 1000 }

    /// Strongly connected components (iterative Tarjan, no recursion). Returns the component
    /// id per node (ids in order of completion) and the component count. O(N + L).
    public func stronglyConnectedComponents() -> (component: [Int32], count: Int) {
        let n = nodeCount
        var index = [Int32](repeating: -1, count: n)
        var low = [Int32](repeating: 0, count: n)
        var onStack = [Bool](repeating: false, count: n)
        var comp = [Int32](repeating: -1, count: n)
        var stack: [Int32] = []
        var call: [(node: Int32, next: Int32)] = [] // explicit DFS stack: node, next out-link
        var counter: Int32 = 0
        var compCount: Int32 = 0
        for root in 0..<n where index[root] < 0 {
            call.append((Int32(root), outStart[root]))
            index[root] = counter; low[root] = counter; counter += 1
            stack.append(Int32(root)); onStack[root] = true
            while let top = call.last {
                let v = Int(top.node)
                let e = Int(top.next)
                if e < Int(outStart[v + 1]) {
                    call[call.count - 1].next += 1
                    let w = Int(linkTo[e])
                    if index[w] < 0 {
                        index[w] = counter; low[w] = counter; counter += 1
                        stack.append(Int32(w)); onStack[w] = true
                        call.append((Int32(w), outStart[w]))
                    } else if onStack[w] {
                        low[v] = min(low[v], index[w])
                    }
                } else {
                    call.removeLast()
                    if let parent = call.last { low[Int(parent.node)] = min(low[Int(parent.node)], low[v]) }
                    if low[v] == index[v] {
                        while let w = stack.popLast() {
                            onStack[Int(w)] = false
                            comp[Int(w)] = compCount
                            if Int(w) == v { break }
                        }
                        compCount += 1
                    }
                }
            }
        }
        return (comp, Int(compCount))
    }

    /// The sub-network induced by the nodes with `keep[node] == true` (order preserved).
    /// Returns the network and the old→new node map (−1 for dropped nodes). O(N + L).
    public func subnetwork(keeping keep: [Bool]) throws -> (RoadNetwork, [Int32]) {
        guard keep.count == nodeCount else { throw MobilityError("\(name): subnetwork mask has \(keep.count) entries, expected \(nodeCount)") }
        var map = [Int32](repeating: -1, count: nodeCount)
        var next: Int32 = 0
        var zonesKept: Int32 = 0
        for i in 0..<nodeCount where keep[i] {
            map[i] = next; next += 1
            if Int32(i) < firstThroughNode { zonesKept += 1 }
        }
        let nodes = (0..<nodeCount).filter { keep[$0] }
        let links = (0..<linkCount).filter { keep[Int(linkFrom[$0])] && keep[Int(linkTo[$0])] }
        return (try RoadNetwork(source: source, name: name,
                                nodeX: nodes.map { nodeX[$0] }, nodeY: nodes.map { nodeY[$0] },
                                nodeLon: nodes.map { nodeLon[$0] }, nodeLat: nodes.map { nodeLat[$0] },
                                nodeExternalID: nodes.map { nodeExternalID[$0] }, nodeSignalised: nodes.map { nodeSignalised[$0] },
                                firstThroughNode: zonesKept,
                                linkFrom: links.map { map[Int(linkFrom[$0])] }, linkTo: links.map { map[Int(linkTo[$0])] },
                                linkLength: links.map { linkLength[$0] }, linkFreeSpeed: links.map { linkFreeSpeed[$0] },
                                linkLanes: links.map { linkLanes[$0] }, linkCapacity: links.map { linkCapacity[$0] },
                                linkClass: links.map { linkClass[$0] }, linkExternalID: links.map { linkExternalID[$0] },
                                classNames: classNames), map)
    }

    /// Keeps the largest strongly connected component (ties: the one containing the lowest node
    /// index). Returns the pruned network, the old→new node map and a warning (nil if nothing
    /// was dropped). Zone centroids (TNTP) are never dropped by this function's callers.
    public func largestStronglyConnected() throws -> (RoadNetwork, [Int32], String?) {
        let (comp, count) = stronglyConnectedComponents()
        if count <= 1 { return (self, (0..<Int32(nodeCount)).map { $0 }, nil) }
        var size = [Int](repeating: 0, count: count)
        var firstNode = [Int](repeating: Int.max, count: count)
        for i in 0..<nodeCount { let c = Int(comp[i]); size[c] += 1; firstNode[c] = min(firstNode[c], i) }
        var best = 0
        for c in 1..<count where size[c] > size[best] || (size[c] == size[best] && firstNode[c] < firstNode[best]) { best = c }
        let keep = comp.map { Int($0) == best }
        let (net, map) = try subnetwork(keeping: keep)
        let warning = "\(name): kept the largest strongly connected component (\(net.nodeCount) of \(nodeCount) nodes, \(net.linkCount) of \(linkCount) links); dropped \(count - 1) smaller components"
        return (net, map, warning)
    }

    /// Multi-line summary for `citytwin inspect`: nodes, links, km of road, components, signals,
    /// link classes.
    public func describe() -> String {
        let (_, comps) = stronglyConnectedComponents()
        let signals = nodeSignalised.filter { $0 }.count
        var classCount = [Int](repeating: 0, count: max(classNames.count, 1 + Int(linkClass.max() ?? 0)))
        var classKm = [Double](repeating: 0, count: classCount.count)
        for l in 0..<linkCount { classCount[Int(linkClass[l])] += 1; classKm[Int(linkClass[l])] += linkLength[l] / 1000 }
        var minX = Double.infinity, maxX = -Double.infinity, minY = Double.infinity, maxY = -Double.infinity
        for i in 0..<nodeCount { minX = min(minX, nodeX[i]); maxX = max(maxX, nodeX[i]); minY = min(minY, nodeY[i]); maxY = max(maxY, nodeY[i]) }
        var s = "network \(name) (source \(source))\n"
        s += "  nodes \(nodeCount), links \(linkCount), road \(fmt(totalLengthKm)) km (directed), strongly connected components \(comps), signalised nodes \(signals)\n"
        if firstThroughNode > 0 { s += "  zone centroids (not through-nodes): \(firstThroughNode)\n" }
        if nodeCount > 0 { s += "  extent \(fmt((maxX - minX) / 1000)) km × \(fmt((maxY - minY) / 1000)) km\n" }
        for c in 0..<classCount.count where classCount[c] > 0 {
            let nm = c < classNames.count ? classNames[c] : "class \(c)"
            s += "  \(nm): \(classCount[c]) links, \(fmt(classKm[c])) km\n"
        }
        return s
    }
}

@usableFromInline func fmt(_ x: Double, _ digits: Int = 2) -> String {
    guard x.isFinite else { return "\(x)" }
    var p = 1.0
    for _ in 0..<digits { p *= 10 }
    return "\((x * p).rounded() / p)"
}
