import XCTest
@testable import TwinIO

final class HDF5TimeSeriesTests: XCTestCase {
    var dir: TemporaryDirectory!

    override func setUpWithError() throws { dir = try TemporaryDirectory() }
    override func tearDown() { dir = nil }

    /// Value of entity `c` at row `r`: unique per cell so any misplaced row or column shows.
    private func cell(_ r: Int, _ c: Int) -> Double { Double(r) * 1000 + Double(c) + 0.25 }

    func testAppendAcrossChunkBoundaries() throws {
        let path = dir.path("series.h5")
        let columns = 7, rows = 23, chunk = 5 // 23 = 4 full chunks + 3 rows: exercises the partial block
        do {
            let f = try HDF5File.create(path: path)
            let w = try f.createTimeSeries("/grid/bus_voltage", columns: columns, as: Double.self, chunkRows: chunk)
            XCTAssertEqual(w.chunkRows, chunk)
            var row = [Double](repeating: 0, count: columns)
            for r in 0..<13 {
                for c in 0..<columns { row[c] = cell(r, c) }
                try row.withUnsafeBufferPointer { try w.append(row: $0) }
            }
            // 13 rows appended: 10 written in two chunk blocks, 3 buffered.
            XCTAssertEqual(w.rowCount, 13)
            XCTAssertEqual(try f.shape(of: "/grid/bus_voltage"), [10, columns])
            // Several rows at once, crossing the next boundary.
            let block = (13..<rows).flatMap { r in (0..<columns).map { cell(r, $0) } }
            try block.withUnsafeBufferPointer { try w.append(rows: $0) }
            XCTAssertThrowsMessage(try w.append(row: [1.0, 2.0]), contains: ["/grid/bus_voltage", "row of 2 values, expected 7"])
            try w.finish()
            try w.finish() // idempotent
            XCTAssertThrowsMessage(try w.append(row: row), contains: ["already finished"])
            let scalar = try f.createTimeSeries("/grid/total_load", columns: nil, as: Float.self, chunkRows: 4)
            for r in 0..<9 { try scalar.append(Float(r) * 0.5) }
            // Not finished on purpose: close() must finish it.
            try f.close()
        }
        let f = try HDF5File.openReadOnly(path: path)
        XCTAssertEqual(try f.shape(of: "/grid/bus_voltage"), [rows, columns])
        let expected = (0..<rows).flatMap { r in (0..<columns).map { cell(r, $0) } }
        XCTAssertEqual(try f.readDoubles("/grid/bus_voltage"), expected)
        XCTAssertEqual(try f.read("/grid/total_load", as: Float.self), (0..<9).map { Float($0) * 0.5 })
        XCTAssertEqual(try f.shape(of: "/grid/total_load"), [9])
    }

    func testAutomaticChunkIsAboutTargetSizeAndZeroColumnsWork() throws {
        let f = try HDF5File.create(path: dir.path("chunks.h5"))
        // 1,000 doubles per row = 8,000 B: 131,072 / 8,000 = 16 rows per chunk (125 KiB).
        let w = try f.createTimeSeries("/traffic/link_flow", columns: 1000, as: Double.self)
        XCTAssertEqual(w.chunkRows, 16)
        // 10 Int32 per row: 3,276 rows per chunk (128 KiB).
        let small = try f.createTimeSeries("/traffic/count", columns: 10, as: Int32.self)
        XCTAssertEqual(small.chunkRows, 3276)
        XCTAssertEqual(try f.chunkShape(of: "/traffic/link_flow"), [16, 1000])
        // Wide rows (80,000 B): 16 rows per chunk, split into 1,024 columns = 128 KiB.
        let wide = try f.createTimeSeries("/traffic/wide", columns: 10_000, as: Double.self)
        XCTAssertEqual(wide.chunkShape, [16, 1024])
        XCTAssertEqual(try f.chunkShape(of: "/traffic/wide"), [16, 1024])
        let oneRow = (0..<10_000).map(Double.init)
        for _ in 0..<17 { try wide.append(row: oneRow) }
        try wide.finish()
        XCTAssertEqual(try f.read("/traffic/wide", as: Double.self, rows: 16..<17), oneRow)
        let none = try f.createTimeSeries("/ev/charger_power", columns: 0, as: Double.self)
        try none.append(row: [])
        try none.appendEmptyRows(2)
        try none.finish()
        XCTAssertEqual(try f.shape(of: "/ev/charger_power"), [3, 0])
        try f.close()
    }

    func testAtomicOutputCommitAndDiscard() throws {
        let finalPath = dir.path("out/nested/run.h5")
        do {
            let output = try HDF5File.createAtomic(finalPath: finalPath)
            XCTAssertEqual(output.temporaryPath, dir.path("out/nested/.run.h5.tmp-\(getpid())"))
            try output.file.write([1.0, 2.0], to: "/meta/x")
            XCTAssertTrue(FileManager.default.fileExists(atPath: output.temporaryPath))
            XCTAssertFalse(FileManager.default.fileExists(atPath: finalPath))
            try output.commit()
            XCTAssertFalse(FileManager.default.fileExists(atPath: output.temporaryPath))
        }
        XCTAssertEqual(try HDF5File.openReadOnly(path: finalPath).readDoubles("/meta/x"), [1.0, 2.0])

        // Not committed (e.g. an error mid-run): the temporary file disappears, the old final file stays.
        do {
            let output = try HDF5File.createAtomic(finalPath: finalPath)
            try output.file.write([9.0], to: "/meta/x")
            let series = try output.file.createTimeSeries("/s", columns: 2, as: Double.self)
            try series.append(row: [1, 2])
        }
        XCTAssertEqual(try dir.contents(), ["out"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path("out/nested")), ["run.h5"])
        XCTAssertEqual(try HDF5File.openReadOnly(path: finalPath).readDoubles("/meta/x"), [1.0, 2.0])

        let other = dir.path("fresh.h5")
        do {
            let output = try HDF5File.createAtomic(finalPath: other)
            try output.file.write([1.0], to: "/x")
            output.discard()
            XCTAssertThrowsMessage(try output.commit(), contains: ["fresh.h5", "already discarded"])
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: other))
        XCTAssertEqual(try dir.contents(), ["out"])
    }

    func testErrorsForMissingNonHDF5AndTruncatedFiles() throws {
        XCTAssertThrowsMessage(try HDF5File.openReadOnly(path: dir.path("missing.h5")), contains: ["missing.h5", "open", "no such file"])
        let text = dir.path("notes.h5")
        try "this is not HDF5\n".write(toFile: text, atomically: true, encoding: .utf8)
        XCTAssertThrowsMessage(try HDF5File.openReadOnly(path: text), contains: ["notes.h5", "not an HDF5 file"])
        XCTAssertThrowsMessage(try HDF5File.openReadOnly(path: dir.path("")), contains: ["directory"])

        // A run cut short: write a real file, then keep only part of it.
        let full = dir.path("full.h5")
        do {
            let f = try HDF5File.create(path: full)
            try f.write((0..<50_000).map(Double.init), to: "/weather/temperature", options: .compressed())
            try f.setAttribute("units", "degC", at: "/weather/temperature")
            try f.close()
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: full))
        for fraction in [0.05, 0.5, 0.9] {
            let cut = dir.path("cut-\(fraction).h5")
            try data.prefix(Int(Double(data.count) * fraction)).write(to: URL(fileURLWithPath: cut))
            // Either opening or reading must fail with an error naming the file; never a crash.
            do {
                let f = try HDF5File.openReadOnly(path: cut)
                let values = try f.readDoubles("/weather/temperature")
                XCTFail("reading a file truncated to \(fraction) gave \(values.count) values")
            } catch let error as HDF5Error {
                XCTAssertTrue(error.description.contains("cut-\(fraction).h5"), error.description)
                XCTAssertFalse(error.description.contains("\n"))
            }
        }
        let f = try HDF5File.openReadOnly(path: full)
        XCTAssertThrowsMessage(try f.readDoubles("/weather/missing"), contains: ["full.h5", "/weather/missing", "no such dataset"])
        XCTAssertThrowsMessage(try f.readDoubles("/weather"), contains: ["/weather", "expected a dataset"])
        XCTAssertThrowsMessage(try f.readStrings("/weather/temperature"), contains: ["expected strings"])
        XCTAssertThrowsMessage(try f.write([1.0], to: "/x"), contains: ["read-only"])
    }

    func testTimeSeriesLayoutWritesScalesAndUnits() throws {
        let path = dir.path("layout.h5")
        do {
            let f = try HDF5File.create(path: path)
            let layout = try TimeSeriesLayout(file: f, group: "/weather", calendarStart: "2025-07-14T00:00:00")
            try layout.addEntityAxis("station", labels: .names(["north", "south", "east"]))
            let temperature = try layout.addVariable("temperature", axis: "station", as: Double.self,
                                                     metadata: VariableMetadata(units: "degC", longName: "air temperature"),
                                                     chunkRows: 2)
            let rain = try layout.addVariable("rain", axis: nil, as: Float.self, metadata: VariableMetadata(units: "mm/h"))
            for step in 0..<5 {
                try layout.appendTime(Double(step) * 900)
                try temperature.append(row: [20 + Double(step), 21, 22])
                try rain.append(Float(step))
            }
            try layout.writeStatic("elevation", axis: "station", values: [10.0, 20, 30], metadata: VariableMetadata(units: "m"))
            try layout.writeVariable("humidity", axis: "station", values: [Double](repeating: 0.5, count: 15),
                                     metadata: VariableMetadata(units: "1", description: "relative humidity"))
            XCTAssertThrowsMessage(try layout.addVariable("bad", axis: "link", metadata: VariableMetadata(units: "1")) as HDF5TimeSeriesWriter<Double>,
                                   contains: ["/weather/bad", "unknown entity axis link"])
            try layout.finish()
            try f.close()
        }
        let f = try HDF5File.openReadOnly(path: path)
        XCTAssertEqual(try f.readDoubles("/weather/time"), [0, 900, 1800, 2700, 3600])
        XCTAssertEqual(try f.attribute("units", at: "/weather/time"), .string("seconds since 2025-07-14T00:00:00"))
        XCTAssertEqual(try f.attribute("calendar_start", at: "/weather/time"), .string("2025-07-14T00:00:00"))
        XCTAssertEqual(try f.readStrings("/weather/station"), ["north", "south", "east"])
        XCTAssertEqual(try f.shape(of: "/weather/temperature"), [5, 3])
        XCTAssertEqual(try f.attribute("long_name", at: "/weather/temperature"), .string("air temperature"))
        XCTAssertEqual(try f.dimensionScales(of: "/weather/temperature"), ["/weather/time", "/weather/station"])
        XCTAssertEqual(try f.dimensionScales(of: "/weather/rain"), ["/weather/time"])
        XCTAssertEqual(try f.dimensionScales(of: "/weather/elevation"), ["/weather/station"])
        XCTAssertEqual(try f.dimensionScales(of: "/weather/humidity"), ["/weather/time", "/weather/station"])
        XCTAssertEqual(try f.attribute("units", at: "/weather/rain"), .string("mm/h"))
        XCTAssertEqual(try f.readDoubles("/weather/temperature").prefix(6), [20, 21, 22, 21, 21, 22])
    }

    func testLayoutRejectsRowCountMismatchAndBadStart() throws {
        let f = try HDF5File.create(path: dir.path("mismatch.h5"))
        XCTAssertThrowsMessage(try TimeSeriesLayout(file: f, group: "/x", calendarStart: "July 14"), contains: ["/x", "ISO-8601"])
        let layout = try TimeSeriesLayout(file: f, group: "/grid", calendarStart: "2025-07-14T00:00:00")
        try layout.addEntityAxis("bus", labels: .ids([1, 2]))
        let v = try layout.addVariable("vm", axis: "bus", metadata: VariableMetadata(units: "p.u."))
        try layout.appendTime(0)
        try layout.appendTime(60)
        try v.append(row: [1.0, 0.98])
        XCTAssertThrowsMessage(try layout.finish(), contains: ["/grid/vm", "1 rows but the time axis has 2 times"])
    }
}

final class HDF5DeterminismTests: XCTestCase {
    /// Same writes ⇒ byte-identical files (no timestamps stored), so runs can be compared by hash.
    func testSameContentGivesIdenticalBytes() throws {
        let dir = try TemporaryDirectory()
        func make(_ name: String) throws -> Data {
            let output = try HDF5File.createAtomic(finalPath: dir.path(name))
            let f = output.file
            try f.setAttribute("seed", .int64(7))
            let layout = try TimeSeriesLayout(file: f, group: "/grid/buses", calendarStart: "2025-07-14T00:00:00")
            try layout.addEntityAxis("bus", labels: .ids([1, 2, 3]))
            let vm = try layout.addVariable("vm", axis: "bus", metadata: VariableMetadata(units: "p.u."))
            for t in 0..<40 {
                try layout.appendTime(Double(t) * 60)
                try vm.append(row: [1.0, 0.99 - Double(t) * 1e-4, 0.98])
            }
            try layout.finish()
            try f.write(["a", "b"], to: "/meta/names")
            try output.commit()
            return try Data(contentsOf: URL(fileURLWithPath: dir.path(name)))
        }
        let first = try make("a.h5")
        Thread.sleep(forTimeInterval: 1.1) // a stored timestamp would differ after a second
        let second = try make("b.h5")
        XCTAssertEqual(first.count, second.count)
        XCTAssertTrue(first == second, "files differ although the same content was written")
    }
}
