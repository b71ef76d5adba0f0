import Foundation
import XCTest
@testable import Energy
@testable import TwinIO

/// Bad grid input: islanded buses are repaired (isolated, reported); bad ratings are errors.
final class GridRepairTests: XCTestCase {
    private func case14(_ edit: (String) -> String) throws -> MatpowerCase {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("Models/grids/case14.m"), encoding: .utf8)
        return try MatpowerReader.parse(text: edit(text), file: "case14-edited.m")
    }

    func testIslandedBusIsIsolatedAndReported() throws {
        // Branch 7–8 is bus 8's only connection.
        let c = try case14 { $0.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("\t7\t8\t") }.joined(separator: "\n") }
        let grid = try PowerGrid(matpower: c)
        let i = try XCTUnwrap(grid.busIndex(ofID: 8))
        XCTAssertEqual(grid.busType[i], .isolated)
        XCTAssertTrue(grid.notes.contains { $0.contains("not connected to the slack bus") && $0.contains("(8)") }, "\(grid.notes)")
        XCTAssertFalse(grid.genBus.contains(i), "its generator is out")
        let r = try PowerFlowSolver(grid: grid).solve()
        XCTAssertTrue(r.converged, "the rest of the grid solves")
        XCTAssertTrue(r.vm.allSatisfy(\.isFinite))
    }

    func testNegativeRatingIsAnErrorNamingRowAndColumn() throws {
        let c = try case14 { $0.replacingOccurrences(of: "\t1\t2\t0.01938\t0.05917\t0.0528\t0", with: "\t1\t2\t0.01938\t0.05917\t0.0528\t-5") }
        XCTAssertThrowsError(try PowerGrid(matpower: c)) {
            XCTAssertTrue("\($0)".contains("branch row 1 column 6 (RATE_A): expected a rating ≥ 0 MVA"), "\($0)")
        }
    }

    func testNoSlackBusUsesTheFirstPVBusWithANote() throws {
        let c = try case14 { $0.replacingOccurrences(of: "\t1\t3\t0\t0\t", with: "\t1\t2\t0\t0\t") }
        let grid = try PowerGrid(matpower: c)
        XCTAssertEqual(grid.busType[grid.slackBus], .ref)
        XCTAssertTrue(grid.notes.contains { $0.contains("no slack bus in the case") }, "\(grid.notes)")
    }
}
