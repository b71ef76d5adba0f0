// Shortest paths by travel time: A* point-to-point and a one-to-many Dijkstra tree.
// Search state is preallocated and reset lazily with a generation stamp, so a query allocates
// nothing beyond its result.

/// A route: link indices in travel order and the travel time (seconds) under the router's costs.
public struct Route: Sendable, Equatable {
    public var links: [Int32]
    public var time: Double
}

@usableFromInline struct HeapEntry: Sendable {
    @usableFromInline var key: Double
    @usableFromInline var g: Double
    @usableFromInline var node: Int32
    @usableFromInline init(key: Double, g: Double, node: Int32) { self.key = key; self.g = g; self.node = node }
    /// Order by key, ties by node index (deterministic).
    @inline(__always) @usableFromInline func precedes(_ o: HeapEntry) -> Bool { key < o.key || (key == o.key && node < o.node) }
}

/// Shortest-path engine over one network. Not thread-safe (owns mutable search state): use one
/// per thread. Ties are broken by node index (heap key (cost, node)), so results are deterministic.
public struct Router: Sendable {
    public let network: RoadNetwork
    /// Cost (seconds) per link used by queries.
    public private(set) var cost: [Double]
    /// Seconds per metre lower bound: min over links of cost / straight-line length. Makes the
    /// A* heuristic `scale × distance(node, target)` admissible and consistent for any costs.
    public private(set) var heuristicScale: Double
    // Copies of the arrays the search touches: reading `network.x` from a mutating method
    // copies the whole RoadNetwork value in debug builds.
    @usableFromInline var outStart: [Int32]
    @usableFromInline var linkTo: [Int32]
    @usableFromInline var linkFrom: [Int32]
    @usableFromInline var nodeX: [Double]
    @usableFromInline var nodeY: [Double]
    @usableFromInline var firstThrough: Int
    @usableFromInline var dist: [Double]
    @usableFromInline var parentLink: [Int32]
    @usableFromInline var stamp: [UInt32]
    @usableFromInline var generation: UInt32 = 0
    /// Binary heap of (key, g, node) with lazy deletion; one array of small structs.
    @usableFromInline var heap: [HeapEntry] = []
    /// Nodes settled by the last query (diagnostics).
    public private(set) var lastSettled = 0
    var treeSource = -1

    /// Creates a router with free-flow costs (length / free speed).
    public init(network: RoadNetwork) {
        self.network = network
        let n = network.nodeCount
        outStart = network.outStart; linkTo = network.linkTo; linkFrom = network.linkFrom
        nodeX = network.nodeX; nodeY = network.nodeY; firstThrough = Int(network.firstThroughNode)
        self.cost = (0..<network.linkCount).map { network.freeFlowTime($0) }
        self.heuristicScale = 0
        self.dist = [Double](repeating: .infinity, count: n)
        self.parentLink = [Int32](repeating: -1, count: n)
        self.stamp = [UInt32](repeating: 0, count: n)
        heap.reserveCapacity(1024)
        self.heuristicScale = Router.scale(network, cost)
    }

    /// Replaces the link costs (e.g. congested travel times for re-routing). Costs must be
    /// positive and finite. O(L).
    public mutating func setCosts(_ costs: [Double]) throws {
        guard costs.count == network.linkCount else {
            throw MobilityError("Router.setCosts: expected \(network.linkCount) link costs, got \(costs.count)")
        }
        for (l, c) in costs.enumerated() where !(c > 0 && c.isFinite) {
            throw MobilityError("Router.setCosts: cost of link \(l) must be positive and finite, got \(c)")
        }
        cost = costs
        heuristicScale = Router.scale(network, costs)
        treeSource = -1
    }

    static func scale(_ net: RoadNetwork, _ cost: [Double]) -> Double {
        var k = Double.infinity
        for l in 0..<net.linkCount {
            let a = Int(net.linkFrom[l]), b = Int(net.linkTo[l])
            let dx = net.nodeX[a] - net.nodeX[b], dy = net.nodeY[a] - net.nodeY[b]
            let d = (dx * dx + dy * dy).squareRoot()
            if d > 1e-9 { k = min(k, cost[l] / d) }
        }
        return k.isFinite ? k * (1 - 1e-12) : 0 // tiny margin against rounding
    }

    @inline(__always) mutating func beginQuery() {
        generation &+= 1
        if generation == 0 { // wrapped: clear stamps once every 2^32 queries
            for i in 0..<stamp.count { stamp[i] = 0 }
            generation = 1
        }
        heap.removeAll(keepingCapacity: true)
    }

    // Sift with a hole instead of swaps: one move per level.
    @inline(__always) mutating func push(_ key: Double, _ g: Double, _ node: Int32) {
        let e = HeapEntry(key: key, g: g, node: node)
        heap.append(e)
        var i = heap.count - 1
        while i > 0 {
            let p = (i - 1) >> 1
            if e.precedes(heap[p]) { heap[i] = heap[p]; i = p } else { break }
        }
        heap[i] = e
    }

    @inline(__always) mutating func pop() -> (g: Double, node: Int) {
        let top = heap[0]
        let e = heap.removeLast()
        let n = heap.count
        if n > 0 {
            var i = 0
            while true {
                let l = 2 * i + 1
                if l >= n { break }
                var c = l
                if l + 1 < n && heap[l + 1].precedes(heap[l]) { c = l + 1 }
                if heap[c].precedes(e) { heap[i] = heap[c]; i = c } else { break }
            }
            heap[i] = e
        }
        return (top.g, Int(top.node))
    }


    /// Travel time of the best route from `origin` to `destination` (node indices), appending the
    /// links to `path` (cleared first). Returns nil if unreachable or an index is out of range.
    /// A* with the straight-line heuristic. O((N + L) log N) worst case; typically far less.
    public mutating func route(from origin: Int, to destination: Int, into path: inout [Int32]) -> Double? {
        path.removeAll(keepingCapacity: true)
        let n = nodeX.count
        guard origin >= 0, origin < n, destination >= 0, destination < n else { return nil }
        treeSource = -1
        if origin == destination { return 0 }
        beginQuery()
        let tx = nodeX[destination], ty = nodeY[destination]
        let k = heuristicScale
        stamp[origin] = generation; dist[origin] = 0; parentLink[origin] = -1
        var dx0 = nodeX[origin] - tx, dy0 = nodeY[origin] - ty
        push(k * (dx0 * dx0 + dy0 * dy0).squareRoot(), 0, Int32(origin))
        var settled = 0
        var found = false
        while !heap.isEmpty {
            let (g, u) = pop()
            if g > dist[u] { continue } // stale entry
            settled += 1
            if u == destination { found = true; break }
            if u < firstThrough && u != origin { continue } // zone centroid: no through traffic
            for l in Int(outStart[u])..<Int(outStart[u + 1]) {
                let v = Int(linkTo[l])
                let nd = g + cost[l]
                if stamp[v] != generation || nd < dist[v] {
                    stamp[v] = generation; dist[v] = nd; parentLink[v] = Int32(l)
                    dx0 = nodeX[v] - tx; dy0 = nodeY[v] - ty
                    push(nd + k * (dx0 * dx0 + dy0 * dy0).squareRoot(), nd, Int32(v))
                }
            }
        }
        lastSettled = settled
        guard found else { return nil }
        var v = destination
        while v != origin {
            let l = parentLink[v]
            path.append(l)
            v = Int(linkFrom[Int(l)])
        }
        path.reverse()
        return dist[destination]
    }

    /// Convenience wrapper returning a `Route` (allocates the result).
    public mutating func route(from origin: Int, to destination: Int) -> Route? {
        var p: [Int32] = []
        guard let t = route(from: origin, to: destination, into: &p) else { return nil }
        return Route(links: p, time: t)
    }

    /// One-to-many Dijkstra: settles every node reachable from `origin`; then query with
    /// `treeTime(to:)` and `treePath(to:into:)` until the next search. O((N + L) log N).
    public mutating func buildTree(from origin: Int) {
        guard origin >= 0, origin < nodeX.count else { treeSource = -1; return }
        beginQuery()
        stamp[origin] = generation; dist[origin] = 0; parentLink[origin] = -1
        push(0, 0, Int32(origin))
        var settled = 0
        while !heap.isEmpty {
            let (g, u) = pop()
            if g > dist[u] { continue }
            settled += 1
            if u < firstThrough && u != origin { continue }
            for l in Int(outStart[u])..<Int(outStart[u + 1]) {
                let v = Int(linkTo[l])
                let nd = g + cost[l]
                if stamp[v] != generation || nd < dist[v] {
                    stamp[v] = generation; dist[v] = nd; parentLink[v] = Int32(l)
                    push(nd, nd, Int32(v))
                }
            }
        }
        lastSettled = settled
        treeSource = origin
    }

    /// Travel time from the tree's origin to `node`, or nil if unreachable / no tree.
    public func treeTime(to node: Int) -> Double? {
        guard treeSource >= 0, node >= 0, node < network.nodeCount, stamp[node] == generation else { return nil }
        return dist[node]
    }

    /// Appends the tree path (links, travel order) from the tree's origin to `node` to `path`
    /// (cleared first). Returns false if unreachable.
    public func treePath(to node: Int, into path: inout [Int32]) -> Bool {
        path.removeAll(keepingCapacity: true)
        guard treeTime(to: node) != nil else { return false }
        var v = node
        while v != treeSource {
            let l = parentLink[v]
            path.append(l)
            v = Int(linkFrom[Int(l)])
        }
        path.reverse()
        return true
    }

    /// Travel-time matrix between `nodes` (row = origin), one tree per origin; NaN = unreachable.
    public mutating func travelTimeMatrix(_ nodes: [Int]) -> [Double] {
        var out = [Double](repeating: .nan, count: nodes.count * nodes.count)
        for (i, o) in nodes.enumerated() {
            buildTree(from: o)
            for (j, d) in nodes.enumerated() { out[i * nodes.count + j] = treeTime(to: d) ?? .nan }
        }
        return out
    }
}
