// Cheap node-to-node travel-time estimates for dispatch: a dispatcher compares one pick-up node
// against every candidate vehicle, so the question asked is "time from each of many nodes to
// one target". Small networks answer it from a precomputed matrix; large ones from one
// reverse Dijkstra tree per target (on the reversed graph), which answers all vehicles at once.

/// Node-to-node travel times (s) for dispatch and rebalancing.
///
/// Two modes, chosen at init:
/// - **matrix** (node count ≤ `matrixNodeLimit`, default 2,000): all-pairs times precomputed by
///   one Dijkstra tree per node, O(N (N + L) log N) once, 4 N² bytes (Float32, ≤ 16 MB);
///   every query is O(1).
/// - **reverse trees**: `setTarget(_:)` builds one Dijkstra tree on the reversed network,
///   O((N + L) log N); then `timeToTarget(from:)` is O(1) for any node.
///
/// Costs are the free-flow times unless `costs` is given (e.g. `TrafficSystem.currentLinkCosts`
/// for congestion-aware estimates; rebuild when they change). Unreachable = `.infinity`.
public struct TravelTimeTable: Sendable {
    public let nodeCount: Int
    /// True when all pairs are precomputed.
    public let isMatrix: Bool
    @usableFromInline var matrix: [Float]           // row = origin, column = destination
    @usableFromInline var reverse: Router?
    @usableFromInline var forward: Router?
    @usableFromInline var target: Int = -1

    /// Builds the table on `costs` (seconds per link, positive and finite; default free-flow).
    public init(network: RoadNetwork, costs: [Double]? = nil, matrixNodeLimit: Int = 2000) throws {
        let n = network.nodeCount
        nodeCount = n
        var fwd = Router(network: network)
        if let costs { try fwd.setCosts(costs) }
        if n <= matrixNodeLimit {
            isMatrix = true
            var m = [Float](repeating: .infinity, count: n * n)
            for o in 0..<n {
                fwd.buildTree(from: o)
                for d in 0..<n { if let t = fwd.treeTime(to: d) { m[o * n + d] = Float(t) } }
            }
            matrix = m
            reverse = nil; forward = nil
        } else {
            isMatrix = false
            matrix = []
            // Reversed graph: the same links with from/to swapped (the CSR is rebuilt by init).
            let rev = try RoadNetwork(source: network.source, name: network.name + " (reversed)",
                                      nodeX: network.nodeX, nodeY: network.nodeY, nodeLon: network.nodeLon, nodeLat: network.nodeLat,
                                      nodeExternalID: network.nodeExternalID, nodeSignalised: network.nodeSignalised,
                                      firstThroughNode: network.firstThroughNode,
                                      linkFrom: network.linkTo, linkTo: network.linkFrom, linkLength: network.linkLength,
                                      linkFreeSpeed: network.linkFreeSpeed, linkLanes: network.linkLanes,
                                      linkCapacity: network.linkCapacity, linkClass: network.linkClass,
                                      linkExternalID: network.linkExternalID, classNames: network.classNames)
            var r = Router(network: rev)
            if let costs {
                // The reversed network keeps the stable order by new from node; map costs by
                // matching each reversed link to its original through the external-id-free key
                // (original index), rebuilt here from the permutation the CSR sort applied.
                var order = [Int](repeating: 0, count: network.linkCount)
                var fill = rev.outStart
                for l in 0..<network.linkCount { let f = Int(network.linkTo[l]); order[Int(fill[f])] = l; fill[f] += 1 }
                try r.setCosts(order.map { costs[$0] })
            }
            reverse = r; forward = fwd
        }
    }

    /// Prepares `timeToTarget(from:)` for one target node: O(1) in matrix mode, one reverse
    /// Dijkstra tree otherwise (skipped if the target did not change).
    public mutating func setTarget(_ node: Int) {
        guard node != target else { return }
        target = node
        if !isMatrix, node >= 0, node < nodeCount { reverse?.buildTree(from: node) }
    }

    /// Time (s) from `node` to the current target; `.infinity` if unreachable or out of range. O(1).
    @inlinable public func timeToTarget(from node: Int) -> Double {
        guard node >= 0, node < nodeCount, target >= 0, target < nodeCount else { return .infinity }
        if isMatrix { return Double(matrix[node * nodeCount + target]) }
        return reverse?.treeTime(to: node) ?? .infinity
    }

    /// Time (s) from `origin` to `destination`: O(1) in matrix mode, one A* otherwise.
    public mutating func time(from origin: Int, to destination: Int) -> Double {
        guard origin >= 0, origin < nodeCount, destination >= 0, destination < nodeCount else { return .infinity }
        if isMatrix { return Double(matrix[origin * nodeCount + destination]) }
        if origin == destination { return 0 }
        return forward?.route(from: origin, to: destination)?.time ?? .infinity
    }
}
