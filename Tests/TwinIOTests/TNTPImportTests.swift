import Foundation
import XCTest
@testable import TwinIO

private func repoFile(_ relative: String) -> String {
    var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while url.path != "/" {
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { break }
        url.deleteLastPathComponent()
    }
    return url.appendingPathComponent(relative).path
}

final class TNTPImportTests: XCTestCase {
    func testSiouxFalls() throws {
        let net = try TNTPNetworkFile.read(path: repoFile("Models/roads/SiouxFalls/SiouxFalls_net.tntp"))
        XCTAssertEqual(net.nodeCount, 24)
        XCTAssertEqual(net.linkCount, 76)
        XCTAssertEqual(net.firstThruNode, 1)
        XCTAssertEqual(net.initNode[0], 1); XCTAssertEqual(net.termNode[0], 2)
        XCTAssertEqual(net.capacity[0], 25900.20064, accuracy: 1e-9)
        XCTAssertEqual(net.freeFlowTime[0], 6)
        let trips = try TNTPTripsFile.read(path: repoFile("Models/roads/SiouxFalls/SiouxFalls_trips.tntp"))
        XCTAssertEqual(trips.zoneCount, 24)
        XCTAssertEqual(trips.origin.count, 24 * 24)
        XCTAssertEqual(trips.total, 360_600, accuracy: 1e-6) // integers: exact
        XCTAssertEqual(trips.declaredTotal, 360_600)
        let nodes = try TNTPNodeFile.read(path: repoFile("Models/roads/SiouxFalls/SiouxFalls_node.tntp"))
        XCTAssertEqual(nodes.node.count, 24)
        XCTAssertEqual(nodes.x[0], -96.77041974, accuracy: 1e-12)
        let geo = try TNTPNodeFile.read(path: repoFile("Models/roads/SiouxFalls/SiouxFallsCoordinates.geojson"))
        XCTAssertEqual(geo.node, nodes.node)
        for i in 0..<24 { XCTAssertEqual(geo.y[i], nodes.y[i], accuracy: 1e-8) } // files round to 8 decimals
    }

    func testAnaheim() throws {
        let net = try TNTPNetworkFile.read(path: repoFile("Models/roads/Anaheim/Anaheim_net.tntp"))
        XCTAssertEqual(net.nodeCount, 416)
        XCTAssertEqual(net.linkCount, 914)
        XCTAssertEqual(net.zoneCount, 38)
        XCTAssertEqual(net.firstThruNode, 39)
        let trips = try TNTPTripsFile.read(path: repoFile("Models/roads/Anaheim/Anaheim_trips.tntp"))
        XCTAssertEqual(trips.zoneCount, 38)
        // Sum of 2-decimal values; summation error far below 1e-6.
        XCTAssertEqual(trips.total, 104_694.40, accuracy: 1e-6)
        let geo = try TNTPNodeFile.read(path: repoFile("Models/roads/Anaheim/anaheim_nodes.geojson"))
        XCTAssertEqual(geo.node.count, 416)
        XCTAssertEqual(geo.node[0], 1)
        XCTAssertEqual(geo.x[0], -117.880141713707729, accuracy: 1e-12)
    }

    private func lines(_ s: String) -> [Substring] { s.split(separator: "\n", omittingEmptySubsequences: false) }

    func testMalformedCorpus() {
        let header = "<NUMBER OF NODES> 3\n<NUMBER OF LINKS> 1\n<END OF METADATA>\n~ init term ;\n"
        let cases: [(String, Int, String)] = [
            ("<NUMBER OF NODES> 3\n<END OF METADATA>\n", 1, "missing <NUMBER OF LINKS>"),
            ("NUMBER OF NODES 3\n", 1, "expected a metadata line"),
            ("<NUMBER OF NODES> x\n<NUMBER OF LINKS> 1\n<END OF METADATA>\n", 1, "must be an integer"),
            ("<NUMBER OF NODES> 3\n<NUMBER OF LINKS> 1\n", 3, "missing <END OF METADATA>"),
            (header + "\t1\t2\t100\t5\t1\t0.15\t4\t0\t0\t;\n", 5, "expected 10 columns"),
            (header + "\t1\t2\t100\t5\t1\t0.15\t4\t0\t0\t1\t7\t;\n", 5, "expected 10 columns"),
            (header + "\t1\t9\t100\t5\t1\t0.15\t4\t0\t0\t1\t;\n", 5, "node numbers must be integers in 1...3"),
            (header + "\t1\tx\t100\t5\t1\t0.15\t4\t0\t0\t1\t;\n", 5, "column 2 is not a finite number"),
            (header + "\t1\t2\t0\t5\t1\t0.15\t4\t0\t0\t1\t;\n", 5, "capacity must be positive"),
            (header + "\t1\t2\t100\t-5\t1\t0.15\t4\t0\t0\t1\t;\n", 5, "must be non-negative"),
            (header + "\t1\t2\t100\t5\t1\t0.15\t4\t0\t0\t1\t;\n\t2\t3\t100\t5\t1\t0.15\t4\t0\t0\t1\t;\n", 7, "says 1 but 2"),
        ]
        for (text, line, fragment) in cases {
            XCTAssertThrowsError(try TNTPNetworkFile.parse(lines: lines(text), fileName: "bad_net.tntp")) { error in
                let msg = "\(error)"
                XCTAssertTrue(msg.hasPrefix("bad_net.tntp:\(line): "), "got: \(msg)")
                XCTAssertTrue(msg.contains(fragment), "got: \(msg)")
                XCTAssertFalse(msg.contains("\n"))
            }
        }
        let tripCases: [(String, Int, String)] = [
            ("<NUMBER OF ZONES> 2\n<END OF METADATA>\n1 : 5;\n", 3, "before any 'Origin'"),
            ("<NUMBER OF ZONES> 2\n<END OF METADATA>\nOrigin 1\n 2 : abc;\n", 4, "expected 'destination : flow;'"),
            ("<NUMBER OF ZONES> 2\n<END OF METADATA>\nOrigin 3\n", 3, "expected 'Origin <zone 1...2>'"),
            ("<END OF METADATA>\n", 1, "<NUMBER OF ZONES>"),
        ]
        for (text, line, fragment) in tripCases {
            XCTAssertThrowsError(try TNTPTripsFile.parse(lines: lines(text), fileName: "bad_trips.tntp")) { error in
                let msg = "\(error)"
                XCTAssertTrue(msg.hasPrefix("bad_trips.tntp:\(line): "), "got: \(msg)")
                XCTAssertTrue(msg.contains(fragment), "got: \(msg)")
            }
        }
    }
}
