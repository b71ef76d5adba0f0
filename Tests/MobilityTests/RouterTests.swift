import Foundation
import XCTest
@testable import Mobility

final class RouterTests: XCTestCase {
    /// A* must match the Dijkstra tree exactly (same costs, so equal sums up to float order:
    /// tolerance 1e-9 s) for many pairs, and paths must be connected.
    func checkAStarMatchesTree(_ net: RoadNetwork, pairs: Int) {
        var r = Router(network: net)
        var rng = SplitMix(seed: 42)
        var path: [Int32] = []
        var tpath: [Int32] = []
        for _ in 0..<pairs {
            let o = Int(rng.next() % UInt64(net.nodeCount)), d = Int(rng.next() % UInt64(net.nodeCount))
            let t = r.route(from: o, to: d, into: &path)
            var astarPath = path
            r.buildTree(from: o)
            let tt = r.treeTime(to: d)
            XCTAssertEqual(t == nil, tt == nil)
            guard let t, let tt else { continue }
            XCTAssertEqual(t, tt, accuracy: 1e-9)
            XCTAssertTrue(r.treePath(to: d, into: &tpath))
            // Path is connected from o to d and its cost equals the reported time.
            var at = o, sum = 0.0
            for l in astarPath { XCTAssertEqual(Int(net.linkFrom[Int(l)]), at); at = Int(net.linkTo[Int(l)]); sum += net.freeFlowTime(Int(l)) }
            XCTAssertEqual(at, d)
            XCTAssertEqual(sum, t, accuracy: 1e-9)
            // Zones are never passed through.
            for l in astarPath.dropLast() { XCTAssertGreaterThanOrEqual(net.linkTo[Int(l)], net.firstThroughNode) }
            astarPath.removeAll()
        }
    }

    func testAStarAguascalientes() throws {
        let net = try RoadNetwork.importOSM(path: MobilityPaths.aguascalientes).network
        checkAStarMatchesTree(net, pairs: 60)
    }

    func testAStarAnaheimZonesNotThrough() throws {
        let net = try RoadNetwork.importTNTP(netPath: MobilityPaths.anaheimNet).network
        checkAStarMatchesTree(net, pairs: 60)
        // Zone 1 → zone 2 must leave zone 1 and enter zone 2 via through nodes only.
        var r = Router(network: net)
        let route = try XCTUnwrap(r.route(from: 0, to: 1))
        XCTAssertEqual(net.linkFrom[Int(route.links[0])], 0)
        XCTAssertEqual(net.linkTo[Int(try XCTUnwrap(route.links.last))], 1)
        XCTAssertGreaterThan(route.links.count, 2)
    }

    func testDeterministicTieBreak() throws {
        // Diamond 0→1→3 and 0→2→3 with equal costs: the path via the lower node index (1) wins.
        let net = try makeNetwork(nodes: [(0, 0), (1, 1), (1, -1), (2, 0)],
                                  links: [(0, 2, 100, 10, 1800, 1), (0, 1, 100, 10, 1800, 1), (2, 3, 100, 10, 1800, 1), (1, 3, 100, 10, 1800, 1)])
        var r = Router(network: net)
        let route = try XCTUnwrap(r.route(from: 0, to: 3))
        XCTAssertEqual(net.linkTo[Int(route.links[0])], 1)
        XCTAssertEqual(route.time, 20, accuracy: 1e-12)
        // Congested costs re-route.
        var c = r.cost
        c[Int(route.links[0])] = 100
        try r.setCosts(c)
        XCTAssertEqual(net.linkTo[Int(try XCTUnwrap(r.route(from: 0, to: 3)).links[0])], 2)
        XCTAssertThrowsError(try r.setCosts([1]))
    }
}

/// Small deterministic generator for test sampling.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
