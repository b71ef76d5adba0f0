import XCTest
@testable import TwinIO

final class HDF5FileTests: XCTestCase {
    var dir: TemporaryDirectory!

    override func setUpWithError() throws { dir = try TemporaryDirectory() }
    override func tearDown() { dir = nil }

    // Exact equality is the right tolerance throughout: HDF5 stores the same IEEE/two's
    // complement bits it is given (little-endian file types = native on x86-64/arm64).

    func testRoundTripEveryNumericTypeAndRank() throws {
        let path = dir.path("types.h5")
        let doubles = (0..<24).map { Double($0) * 0.1 - 1.0 / 3.0 }
        let floats = (0..<6).map { Float($0) * 1.5 }
        let int64s: [Int64] = [Int64.min, -1, 0, 1, Int64.max, 42]
        let int32s: [Int32] = [Int32.min, -7, 0, 7, Int32.max, 3]
        let bytes: [UInt8] = [0, 1, 127, 128, 255, 9]
        do {
            let f = try HDF5File.create(path: path)
            try f.write(doubles, dims: [2, 3, 4], to: "/r3/doubles")
            try f.write(floats, dims: [3, 2], to: "r2/floats")
            try f.write(int64s, to: "/r1/int64s")
            try f.write(int32s, dims: [6, 1], to: "/r2/int32s")
            try f.write(bytes, dims: [1, 2, 3], to: "/r3/bytes", options: .compressed(level: 6))
            try f.write([3.5], dims: [], to: "/scalar")
            try f.write([Int](), dims: [0, 5], to: "/empty")
            try f.write(doubles, dims: [24], to: "/chunked", options: HDF5DatasetOptions(chunk: [5], deflateLevel: 9, shuffle: true))
            try f.close()
        }
        let f = try HDF5File.openReadOnly(path: path)
        XCTAssertEqual(try f.shape(of: "/r3/doubles"), [2, 3, 4])
        XCTAssertEqual(try f.readDoubles("/r3/doubles"), doubles)
        XCTAssertEqual(try f.elementType(of: "/r3/doubles"), .float64)
        XCTAssertEqual(try f.read("/r2/floats", as: Float.self), floats)
        XCTAssertEqual(try f.elementType(of: "/r2/floats"), .float32)
        XCTAssertEqual(try f.readInt64s("/r1/int64s"), int64s)
        XCTAssertEqual(try f.read("/r2/int32s", as: Int32.self), int32s)
        XCTAssertEqual(try f.shape(of: "/r2/int32s"), [6, 1])
        XCTAssertEqual(try f.read("/r3/bytes", as: UInt8.self), bytes)
        XCTAssertEqual(try f.elementType(of: "/r3/bytes"), .uint8)
        XCTAssertEqual(try f.shape(of: "/scalar"), [])
        XCTAssertEqual(try f.readDoubles("/scalar"), [3.5])
        XCTAssertEqual(try f.shape(of: "/empty"), [0, 5])
        XCTAssertEqual(try f.readInt64s("/empty"), [])
        XCTAssertEqual(try f.readDoubles("/chunked"), doubles)
        // Widening conversions are allowed, narrowing ones throw.
        XCTAssertEqual(try f.readDoubles("/r2/int32s"), int32s.map(Double.init))
        XCTAssertEqual(try f.readInt64s("/r3/bytes"), bytes.map(Int64.init))
        XCTAssertThrowsMessage(try f.read("/r1/int64s", as: Int32.self), contains: ["/r1/int64s", "int64", "int32"])
        XCTAssertThrowsMessage(try f.readInt64s("/r3/doubles"), contains: ["float64"])
        // Row slices of the first dimension.
        XCTAssertEqual(try f.read("/r3/doubles", as: Double.self, rows: 1..<2), Array(doubles[12..<24]))
        XCTAssertThrowsMessage(try f.read("/r3/doubles", as: Double.self, rows: 1..<3), contains: ["outside"])
    }

    func testStringsVariableAndFixed() throws {
        let path = dir.path("strings.h5")
        let names = ["Nord", "Süd-Ost ⚡", "", "a much longer station name"]
        do {
            let f = try HDF5File.create(path: path)
            try f.write(names, to: "/variable")
            try f.write(names, dims: [2, 2], to: "/fixed", storage: .fixed(length: nil))
            try f.write(["ab", "c"], to: "/fixed8", storage: .fixed(length: 8), options: .compressed())
            XCTAssertThrowsMessage(try f.write(["toolong"], to: "/bad", storage: .fixed(length: 3)),
                                   contains: ["/bad", "7 bytes", "fixed length 3"])
            XCTAssertThrowsMessage(try f.write(["a\u{0}b"], to: "/nul"), contains: ["NUL"])
            try f.close()
        }
        let f = try HDF5File.openReadOnly(path: path)
        XCTAssertEqual(try f.readStrings("/variable"), names)
        XCTAssertEqual(try f.elementType(of: "/variable"), .variableString)
        XCTAssertEqual(try f.readStrings("/fixed"), names)
        XCTAssertEqual(try f.shape(of: "/fixed"), [2, 2])
        // Longest UTF-8 byte count: "a much longer station name" is 26 bytes.
        XCTAssertEqual(try f.elementType(of: "/fixed"), .fixedString(length: 26))
        XCTAssertEqual(try f.readStrings("/fixed8"), ["ab", "c"])
        XCTAssertThrowsMessage(try f.readStrings("/fixed8/x"), contains: ["no such dataset"])
        XCTAssertFalse(f.exists("/bad"))
    }

    func testAttributesOnRootGroupsAndDatasets() throws {
        let path = dir.path("attrs.h5")
        do {
            let f = try HDF5File.create(path: path)
            try f.createGroup("/traffic/links")
            try f.write([1.0, 2.0], to: "/traffic/links/flow")
            try f.setAttribute("version", "0.1.0")
            try f.setAttribute("seed", .int64(-42))
            try f.setAttribute("scale", .double(2.5), at: "/traffic")
            try f.setAttribute("bounds", .doubles([1.5, -2.25]), at: "/traffic/links")
            try f.setAttribute("ids", .int64s([7]), at: "/traffic/links/flow")
            try f.setAttribute("units", "veh/h", at: "/traffic/links/flow")
            try f.setAttribute("units", "veh/s", at: "/traffic/links/flow") // replaces
            try f.setAttribute("empty", .doubles([]), at: "/traffic/links/flow")
            try f.setAttribute("tags", .strings(["a", "ß"]), at: "/traffic")
            XCTAssertThrowsMessage(try f.setAttribute("x", 1, at: "/nowhere"), contains: ["/nowhere", "no such object"])
            try f.close()
        }
        let f = try HDF5File.openReadOnly(path: path)
        XCTAssertEqual(try f.attribute("version"), .string("0.1.0"))
        XCTAssertEqual(try f.attribute("seed", at: "/"), .int64(-42))
        XCTAssertEqual(try f.attribute("scale", at: "/traffic"), .double(2.5))
        XCTAssertEqual(try f.attribute("bounds", at: "/traffic/links"), .doubles([1.5, -2.25]))
        // A one-element array stays an array (1-D dataspace), unlike a scalar.
        XCTAssertEqual(try f.attribute("ids", at: "/traffic/links/flow"), .int64s([7]))
        XCTAssertEqual(try f.attribute("units", at: "/traffic/links/flow").stringValue, "veh/s")
        XCTAssertEqual(try f.attribute("empty", at: "/traffic/links/flow"), .doubles([]))
        XCTAssertEqual(try f.attribute("tags", at: "/traffic"), .strings(["a", "ß"]))
        XCTAssertEqual(try f.attributeNames(at: "/traffic/links/flow"), ["empty", "ids", "units"])
        XCTAssertEqual(try f.attributes(at: "/").map(\.name), ["seed", "version"])
        XCTAssertTrue(try f.hasAttribute("seed"))
        XCTAssertFalse(try f.hasAttribute("nope"))
        XCTAssertThrowsMessage(try f.attribute("nope", at: "/traffic"), contains: ["/traffic", "nope", "no such attribute"])
        XCTAssertThrowsMessage(try f.setAttribute("x", 1), contains: ["read-only"])
    }

    func testGroupsListingIsSortedAndWalkIsPreOrder() throws {
        let path = dir.path("tree.h5")
        let f = try HDF5File.create(path: path)
        // Created out of order on purpose.
        for g in ["/weather", "/traffic/nodes", "/grid", "/traffic/links", "/kpi"] { try f.createGroup(g) }
        try f.createGroup("/traffic") // existing group: no-op
        try f.write([1, 2, 3] as [Int32], to: "/traffic/count")
        try f.write([0.5], to: "/a_first")
        XCTAssertThrowsMessage(try f.createGroup("/traffic/count"), contains: ["/traffic/count", "dataset already exists"])
        XCTAssertThrowsMessage(try f.write([1.0], to: "/grid"), contains: ["/grid", "already exists"])
        XCTAssertEqual(try f.children().map(\.name), ["a_first", "grid", "kpi", "traffic", "weather"])
        XCTAssertEqual(try f.children(of: "traffic"), [
            HDF5Entry(name: "count", path: "/traffic/count", kind: .dataset),
            HDF5Entry(name: "links", path: "/traffic/links", kind: .group),
            HDF5Entry(name: "nodes", path: "/traffic/nodes", kind: .group),
        ])
        XCTAssertEqual(try f.walk().map(\.path), [
            "/a_first", "/grid", "/kpi", "/traffic", "/traffic/count", "/traffic/links", "/traffic/nodes", "/weather",
        ])
        XCTAssertTrue(f.exists("/traffic/links"))
        XCTAssertTrue(f.exists("traffic/count/"))
        XCTAssertFalse(f.exists("/traffic/missing/deeper"))
        XCTAssertEqual(try f.kind(of: "/traffic/count"), .dataset)
        XCTAssertEqual(try f.kind(of: "/"), .group)
        try f.remove("/kpi")
        XCTAssertFalse(f.exists("/kpi"))
        try f.close()
        XCTAssertFalse(f.isOpen)
        XCTAssertThrowsMessage(try f.children(), contains: ["file is closed"])
    }

    func testDimensionScalesAreAttached() throws {
        let path = dir.path("scales.h5")
        do {
            let f = try HDF5File.create(path: path)
            try f.write([0.0, 60, 120], to: "/weather/time")
            try f.write(["n", "s"], to: "/weather/station")
            try f.write([Double](repeating: 1, count: 6), dims: [3, 2], to: "/weather/temperature")
            try f.makeDimensionScale("/weather/time")
            try f.makeDimensionScale("/weather/station")
            try f.attachDimensionScale("/weather/time", to: "/weather/temperature", dimension: 0)
            try f.attachDimensionScale("/weather/station", to: "/weather/temperature", dimension: 1)
            try f.setDimensionLabel("time", dimension: 0, of: "/weather/temperature")
            XCTAssertThrowsMessage(try f.attachDimensionScale("/weather/station", to: "/weather/temperature", dimension: 0),
                                   contains: ["/weather/temperature", "does not match dimension 0 of size 3"])
            XCTAssertThrowsMessage(try f.attachDimensionScale("/weather/time", to: "/weather/temperature", dimension: 2),
                                   contains: ["out of range"])
            XCTAssertThrowsMessage(try f.makeDimensionScale("/weather/temperature"), contains: ["rank 2"])
            try f.close()
        }
        let f = try HDF5File.openReadOnly(path: path)
        XCTAssertTrue(try f.isDimensionScale("/weather/time"))
        XCTAssertFalse(try f.isDimensionScale("/weather/temperature"))
        XCTAssertTrue(try f.isDimensionScaleAttached("/weather/time", to: "/weather/temperature", dimension: 0))
        XCTAssertTrue(try f.isDimensionScaleAttached("/weather/station", to: "/weather/temperature", dimension: 1))
        XCTAssertFalse(try f.isDimensionScaleAttached("/weather/time", to: "/weather/temperature", dimension: 1))
        XCTAssertEqual(try f.dimensionScales(of: "/weather/temperature"), ["/weather/time", "/weather/station"])
        XCTAssertEqual(try f.dimensionScales(of: "/weather/time"), [nil])
        XCTAssertEqual(try f.attributeNames(at: "/weather/temperature"), ["DIMENSION_LABELS", "DIMENSION_LIST"])
        XCTAssertEqual(try f.attribute("NAME", at: "/weather/time"), .string("time"))
    }
}
