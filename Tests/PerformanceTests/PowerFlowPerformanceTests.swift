import XCTest
import Foundation
import TwinIO
import Energy

/// Repeated warm AC solves on case1354pegase, the city-simulation pattern: the same grid
/// re-solved with slightly different bus loads, reusing the Jacobian pattern and KLU analysis.
/// Release build: ~1 ms per cold solve (4 iterations); warm solves need 1–2 iterations.
final class PowerFlowPerformanceTests: XCTestCase {
    static var root: URL {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        return url
    }

    func testWarmResolveCase1354pegase() throws {
        let path = Self.root.appendingPathComponent("Models/grids/case1354pegase.m").path
        let grid = try PowerGrid(matpower: MatpowerReader.read(path: path))
        let solver = try PowerFlowSolver(grid: grid)
        XCTAssertTrue(try solver.solve().converged)
        let basePd = grid.pd, baseQd = grid.qd
        var pd = basePd, qd = baseQd
        var step = 0
        var maxIterations = 0   // most factorisations in one solve
        measure {
            // 10 load updates of ±2 % (deterministic pattern), each a warm solve.
            for _ in 0..<10 {
                step += 1
                let f = 1 + 0.02 * sin(Double(step))
                for i in 0..<pd.count { pd[i] = basePd[i] * f; qd[i] = baseQd[i] * f }
                guard let r = try? solver.solve(loadsP: pd, loadsQ: qd) else { return XCTFail("solve threw") }
                XCTAssertTrue(r.converged)
                maxIterations = max(maxIterations, r.factorizations)
            }
        }
        XCTAssertLessThanOrEqual(maxIterations, 3, "warm starts should need at most 3 Jacobian factorisations")
    }
}
