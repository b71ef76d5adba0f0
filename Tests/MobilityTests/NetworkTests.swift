import Foundation
import XCTest
@testable import Mobility
import TwinIO

final class NetworkTests: XCTestCase {
    func testOSMWestOakland() throws {
        let imp = try RoadNetwork.importOSM(path: MobilityPaths.westOakland)
        let net = imp.network
        // After splitting at intersections and keeping the largest SCC (counted by this importer;
        // the tiny extract has many dead ends at its edge, which the SCC step drops).
        XCTAssertEqual(net.nodeCount, 26)
        XCTAssertEqual(net.linkCount, 59)
        XCTAssertEqual(net.stronglyConnectedComponents().count, 1)
        XCTAssertEqual(net.nodeSignalised.filter { $0 }.count, 2)
        XCTAssertTrue(imp.warnings.contains { $0.contains("largest strongly connected component") })
        // Lengths: haversine along the way geometry ≥ straight line between the end nodes.
        for l in 0..<net.linkCount {
            let a = Int(net.linkFrom[l]), b = Int(net.linkTo[l])
            let d = RoadNetwork.haversine(lat1: net.nodeLat[a], lon1: net.nodeLon[a], lat2: net.nodeLat[b], lon2: net.nodeLon[b])
            XCTAssertGreaterThanOrEqual(net.linkLength[l] + 1e-6, d)
        }
    }

    func testOSMAguascalientes() throws {
        let imp = try RoadNetwork.importOSM(path: MobilityPaths.aguascalientes)
        let net = imp.network
        XCTAssertEqual(net.nodeCount, 830)
        XCTAssertEqual(net.linkCount, 1678)
        XCTAssertEqual(net.nodeSignalised.filter { $0 }.count, 21)
        XCTAssertEqual(net.totalLengthKm, 99.5, accuracy: 0.05)
        XCTAssertEqual(net.stronglyConnectedComponents().count, 1)
        // maxspeed=50 tags exist on primaries; default residential 30 km/h.
        let speeds = Set(net.linkFreeSpeed.map { ($0 * 3.6).rounded() })
        XCTAssertTrue(speeds.contains(50)); XCTAssertTrue(speeds.contains(30))
        // Local metres: equirectangular projection agrees with haversine within 0.1 % at 2 km.
        let a = 0, b = net.nodeCount - 1
        let dxy = ((net.nodeX[a] - net.nodeX[b]) * (net.nodeX[a] - net.nodeX[b]) + (net.nodeY[a] - net.nodeY[b]) * (net.nodeY[a] - net.nodeY[b])).squareRoot()
        let hv = RoadNetwork.haversine(lat1: net.nodeLat[a], lon1: net.nodeLon[a], lat2: net.nodeLat[b], lon2: net.nodeLon[b])
        XCTAssertEqual(dxy, hv, accuracy: hv * 1e-3)
    }

    func testOSMTagRules() throws {
        let xml = """
        <osm>
         <node id="1" lat="0" lon="0"/><node id="2" lat="0" lon="0.001"/><node id="3" lat="0" lon="0.002"/>
         <node id="4" lat="0.001" lon="0.001"><tag k="highway" v="traffic_signals"/></node>
         <node id="5" lat="0.002" lon="0.001"/>
         <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="primary"/><tag k="lanes" v="3"/><tag k="maxspeed" v="30 mph"/></way>
         <way id="11"><nd ref="2"/><nd ref="4"/><nd ref="5"/><tag k="highway" v="residential"/><tag k="oneway" v="-1"/></way>
         <way id="12"><nd ref="3"/><nd ref="5"/><tag k="highway" v="motorway"/><tag k="maxspeed" v="none"/></way>
         <way id="13"><nd ref="5"/><nd ref="1"/><tag k="highway" v="footway"/></way>
        </osm>
        """
        let osm = try OSMData.parse(bytes: Array(xml.utf8), fileName: "t.osm")
        var opts = OSMNetworkOptions(); opts.keepLargestComponent = false
        let net = try RoadNetwork.fromOSM(osm, name: "t", options: opts).network
        // Intersections: 1 (end), 2 (shared), 3 (shared/end), 5 (ends); node 4 is interior.
        XCTAssertEqual(net.nodeExternalID, [1, 2, 3, 5])
        // Way 10 split at node 2: 2 segments × 2 directions; way 11 reversed oneway: 1 link 5→2; motorway implied oneway 3→5.
        XCTAssertEqual(net.linkCount, 6)
        let l12 = try XCTUnwrap(net.link(from: 0, to: 1))
        XCTAssertEqual(net.linkFreeSpeed[l12] * 3.6, 30 * 1.609344, accuracy: 1e-9)
        XCTAssertEqual(net.linkLanes[l12], 2) // lanes=3 two-way: 2 forward
        XCTAssertEqual(net.linkLanes[try XCTUnwrap(net.link(from: 1, to: 0))], 1)
        XCTAssertEqual(net.linkCapacity[l12], 2 * 1500)
        XCTAssertNil(net.link(from: 1, to: 3))
        let l52 = try XCTUnwrap(net.link(from: 3, to: 1))
        // Interior signal on the 5→2 link is attached to its downstream intersection (node 2).
        XCTAssertTrue(net.nodeSignalised[1]); XCTAssertFalse(net.nodeSignalised[3])
        XCTAssertEqual(net.linkLength[l52], 2 * RoadNetwork.haversine(lat1: 0, lon1: 0.001, lat2: 0.001, lon2: 0.001), accuracy: 1e-6)
        let m = try XCTUnwrap(net.link(from: 2, to: 3))
        XCTAssertEqual(net.linkFreeSpeed[m] * 3.6, 130, accuracy: 1e-9)
        XCTAssertNil(net.link(from: 3, to: 2))
        XCTAssertEqual(RoadNetwork.parseMaxspeed("50;30", unlimited: 130), 30)
        XCTAssertNil(RoadNetwork.parseMaxspeed("signals", unlimited: 130))
    }

    func testTNTPNetworks() throws {
        let sf = try RoadNetwork.importTNTP(netPath: MobilityPaths.siouxFallsNet)
        XCTAssertEqual(sf.network.nodeCount, 24)
        XCTAssertEqual(sf.network.linkCount, 76)
        XCTAssertEqual(sf.warnings, [])
        // Link 1→2: fft 6 min; length = coordinate distance (≈ 4.8 km).
        let l = try XCTUnwrap(sf.network.link(from: 0, to: 1))
        XCTAssertEqual(sf.network.freeFlowTime(l), 360, accuracy: 1e-9)
        XCTAssertEqual(sf.network.linkLength[l], 4830, accuracy: 100)
        let an = try RoadNetwork.importTNTP(netPath: MobilityPaths.anaheimNet)
        XCTAssertEqual(an.network.nodeCount, 416)
        XCTAssertEqual(an.network.linkCount, 914)
        XCTAssertEqual(an.network.firstThroughNode, 38)
        XCTAssertEqual(an.warnings, [])
        // First link: 5280 ft = 1609.344 m in 1.090458488 min.
        XCTAssertEqual(an.network.linkLength[0], 1609.344, accuracy: 1e-9)
        XCTAssertEqual(an.network.freeFlowTime(0), 1.090458488 * 60, accuracy: 1e-9)
        XCTAssertEqual(an.network.linkCapacity[0], 9000)
        // Wrong units are flagged: reading Anaheim's feet as miles gives absurd speeds.
        let bad = try RoadNetwork.importTNTP(netPath: MobilityPaths.anaheimNet, units: TNTPUnits(length: .miles, time: .minutes))
        XCTAssertTrue(bad.warnings.contains { $0.contains("check TNTPUnits") })
    }

    func testBinaryRoundTrip() throws {
        let net = try RoadNetwork.importOSM(path: MobilityPaths.aguascalientes).network
        let path = NSTemporaryDirectory() + "/mob-\(UUID().uuidString).ctnet"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try net.write(to: path)
        let back = try RoadNetwork(contentsOf: path)
        XCTAssertEqual(back.nodeCount, net.nodeCount)
        XCTAssertEqual(back.linkFrom, net.linkFrom); XCTAssertEqual(back.linkTo, net.linkTo)
        XCTAssertEqual(back.linkLength, net.linkLength); XCTAssertEqual(back.nodeLat, net.nodeLat)
        XCTAssertEqual(back.nodeSignalised, net.nodeSignalised); XCTAssertEqual(back.classNames, net.classNames)
        XCTAssertEqual(back.outStart, net.outStart); XCTAssertEqual(back.inLinks, net.inLinks)
        XCTAssertEqual(back.describe(), net.describe())
        // Corruption is detected with a one-line message.
        var bytes = net.binaryData()
        bytes[100] ^= 0xFF
        XCTAssertThrowsError(try RoadNetwork(binary: bytes, fileName: "x.ctnet")) { XCTAssertTrue("\($0)".contains("x.ctnet: checksum mismatch")) }
        XCTAssertThrowsError(try RoadNetwork(binary: Array(bytes.prefix(40)), fileName: "x.ctnet"))
        XCTAssertThrowsError(try RoadNetwork(binary: [1, 2, 3], fileName: "x.ctnet")) { XCTAssertTrue("\($0)".contains("bad magic")) }
    }

    func testSCCIterativeOnLongChain() throws {
        // 50,000-node directed cycle plus a tail: recursion would overflow; iterative Tarjan must not.
        let n = 50_000
        var links: [(Int, Int, Double, Double, Double, Int)] = (0..<(n - 1)).map { ($0, $0 + 1, 10, 10, 1000, 1) }
        links.append((n - 2, 0, 10, 10, 1000, 1)) // cycle over 0...n-2; node n-1 only reachable
        let net = try makeNetwork(nodes: (0..<n).map { (Double($0), 0) }, links: links)
        let (_, count) = net.stronglyConnectedComponents()
        XCTAssertEqual(count, 2)
        let (big, _, warn) = try net.largestStronglyConnected()
        XCTAssertEqual(big.nodeCount, n - 1)
        XCTAssertNotNil(warn)
    }
}
