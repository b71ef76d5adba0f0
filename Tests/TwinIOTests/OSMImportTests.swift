import Foundation
import XCTest
@testable import TwinIO

/// Repository path from this file (walks up to Package.swift; no machine paths).
private func repoFile(_ relative: String) -> String {
    var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while url.path != "/" {
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { break }
        url.deleteLastPathComponent()
    }
    return url.appendingPathComponent(relative).path
}

final class OSMImportTests: XCTestCase {
    // Counts from Models/roads/osm/SOURCES.md (a plain XML parse).
    func testWestOaklandCounts() throws {
        let all = try OSMData.read(path: repoFile("Models/roads/osm/West-Oakland.osm"), options: OSMReadOptions(wayKeyFilter: nil))
        XCTAssertEqual(all.nodeCount, 446)
        XCTAssertEqual(all.wayCount, 66)
        XCTAssertEqual(all.relationCount, 23)
        let hw = try OSMData.read(path: repoFile("Models/roads/osm/West-Oakland.osm"))
        XCTAssertEqual(hw.wayCount, 31)
        XCTAssertEqual(hw.skippedWayCount, 35)
        let signals = zip(hw.nodeTagKeys, hw.nodeTagValues).filter { $0.0 == "highway" && $0.1 == "traffic_signals" }.count
        XCTAssertEqual(signals, 4)
        XCTAssertEqual(hw.wayNodes.count, Int(hw.wayNodeStart.last ?? 0))
        // Bounds as in SOURCES.md (to 5 decimals).
        let b = try XCTUnwrap(hw.bounds)
        XCTAssertEqual(b.minLat, 37.80615, accuracy: 1e-5)
        XCTAssertEqual(b.maxLon, -122.29825, accuracy: 1e-5)
    }

    func testAguascalientesCounts() throws {
        let all = try OSMData.read(path: repoFile("Models/roads/osm/aguascalientes.osm"), options: OSMReadOptions(wayKeyFilter: nil))
        XCTAssertEqual(all.nodeCount, 3083)
        XCTAssertEqual(all.wayCount, 733)
        XCTAssertEqual(all.relationCount, 10)
        let hw = try OSMData.read(path: repoFile("Models/roads/osm/aguascalientes.osm"))
        XCTAssertEqual(hw.wayCount, 674)
        let residential = (0..<hw.wayCount).filter { hw.wayTag($0, "highway") == "residential" }.count
        XCTAssertEqual(residential, 350)
        let signals = zip(hw.nodeTagKeys, hw.nodeTagValues).filter { $0.0 == "highway" && $0.1 == "traffic_signals" }.count
        XCTAssertEqual(signals, 33)
    }

    func testCoordinatesAndEntities() throws {
        let xml = """
        <?xml version="1.0"?>
        <!-- comment with <tags> inside -->
        <osm version="0.6">
         <node id="1" lat="21.8625812" lon="-102.2799100"/>
         <node id="2" lat='-0.5' lon="10"><tag k="name" v="A &amp; B &#233;"/></node>
         <way id="7"><nd ref="1"/><nd ref="2"/><tag k="highway" v="primary"/></way>
        </osm>
        """
        let d = try OSMData.parse(bytes: Array(xml.utf8), fileName: "t.osm")
        XCTAssertEqual(d.nodeLat[0], 21.8625812) // exact decimal parse (correctly rounded)
        XCTAssertEqual(d.nodeLon[0], -102.27991)
        XCTAssertEqual(d.nodeLat[1], -0.5)
        XCTAssertEqual(d.nodeTagValues, ["A & B é"])
        XCTAssertEqual(d.wayNodes, [0, 1])
        XCTAssertEqual(d.wayTag(0, "highway"), "primary")
    }

    /// Malformed inputs: each error is one line naming the file and the line.
    func testMalformedCorpus() {
        let cases: [(String, Int, String)] = [
            ("<osm>\n<node id=\"1\" lat=\"1\" lon=\"2\"/>\n<way id=\"5\">\n<nd ref=\"9\"/>\n<tag k=\"highway\" v=\"primary\"/></way></osm>", 4, "references node 9"),
            ("<osm>\n<node id=\"1\" lat=\"abc\" lon=\"2\"/>\n</osm>", 2, "expected a number"),
            ("<osm>\n<node id=\"1\" lon=\"2\"/>\n</osm>", 2, "without lat"),
            ("<osm>\n<way id=\"1\">\n<nd ref=\"1\"/>\n", 4, "unexpected end of file inside <way>"),
            ("<osm>\n<node id=\"1\" lat=\"1\" lon=\"2\n", 2, "unterminated attribute value"),
            ("<osm>\n<nd ref=\"1\"/>\n</osm>", 2, "<nd> outside a <way>"),
            ("<html><body/></html>", 1, "not an OSM XML file"),
            ("<osm>\n<node id=\"1\" lat=\"95\" lon=\"2\"/>\n</osm>", 2, "out of range"),
        ]
        for (text, line, fragment) in cases {
            XCTAssertThrowsError(try OSMData.parse(bytes: Array(text.utf8), fileName: "bad.osm")) { error in
                let msg = "\(error)"
                XCTAssertTrue(msg.hasPrefix("bad.osm:\(line): "), "got: \(msg)")
                XCTAssertTrue(msg.contains(fragment), "got: \(msg)")
                XCTAssertFalse(msg.contains("\n"))
            }
        }
        // Missing nodes may be tolerated explicitly.
        let text = "<osm><node id=\"1\" lat=\"1\" lon=\"2\"/><way id=\"5\"><nd ref=\"1\"/><nd ref=\"9\"/><tag k=\"highway\" v=\"x\"/></way></osm>"
        let d = try? OSMData.parse(bytes: Array(text.utf8), fileName: "ok.osm", options: OSMReadOptions(allowMissingNodes: true))
        XCTAssertEqual(d?.missingNodeRefs, 1)
        XCTAssertEqual(d?.wayNodes, [0])
    }
}
