import XCTest
import Foundation
import TwinIO
import Numerics
@testable import Energy

/// Grid model, admittance matrix, AC Newton–Raphson solver, DC flow and PTDF.
final class PowerFlowTests: XCTestCase {
    func load(_ name: String) throws -> PowerGrid {
        try PowerGrid(matpower: MatpowerReader.read(path: PowerFlowTestPaths.grid(name)))
    }

    /// Two buses, one transformer branch r=0.01, x=0.1, b=0.02, tap 0.95, shift 30°; hand-computed
    /// MATPOWER formulas: ys = 1/(r+jx) = 0.990099 − 9.90099j.
    func testAdmittanceOfTapAndPhaseShifter() throws {
        let text = """
        mpc.baseMVA = 100;
        mpc.bus = [1 3 0 0 0 0 1 1 0 135 1 1.1 0.9; 2 1 0 0 5 10 1 1 0 135 1 1.1 0.9];
        mpc.gen = [1 0 0 0 0 1 100 1 100 0];
        mpc.branch = [1 2 0.01 0.1 0.02 0 0 0 0.95 30 1];
        """
        let g = try PowerGrid(matpower: MatpowerReader.parse(text: text))
        let y = try Admittance(grid: g)
        let ysr = 0.01 / 0.0101, ysi = -0.1 / 0.0101
        let t = 0.95, th = Double.pi / 6
        // Yff = (ys + j b/2)/t²
        XCTAssertEqual(y.real[0, 0], ysr / (t * t), accuracy: 1e-12)
        XCTAssertEqual(y.imag[Int(y.diagonalSlot[0])], (ysi + 0.01) / (t * t), accuracy: 1e-12)
        // Ytt = ys + j b/2 + (Gs + jBs)/baseMVA
        XCTAssertEqual(y.real[1, 1], ysr + 0.05, accuracy: 1e-12)
        XCTAssertEqual(y.imag[Int(y.diagonalSlot[1])], ysi + 0.01 + 0.1, accuracy: 1e-12)
        // Yft = −ys / (t e^{−jθ}) = −ys e^{jθ}/t
        let eRe = cos(th), eIm = sin(th)
        guard let sft = y.real.slot(row: 0, column: 1), let stf = y.real.slot(row: 1, column: 0) else { return XCTFail("pattern") }
        XCTAssertEqual(y.real.values[sft], -(ysr * eRe - ysi * eIm) / t, accuracy: 1e-12)
        XCTAssertEqual(y.imag[sft], -(ysr * eIm + ysi * eRe) / t, accuracy: 1e-12)
        // Ytf = −ys e^{−jθ}/t
        XCTAssertEqual(y.real.values[stf], -(ysr * eRe + ysi * eIm) / t, accuracy: 1e-12)
        XCTAssertEqual(y.imag[stf], -(ysi * eRe - ysr * eIm) / t, accuracy: 1e-12)
    }

    func testGridValidationErrors() throws {
        let head = "mpc.baseMVA = 100;\nmpc.bus = [1 3 0 0 0 0 1 1 0 135 1 1.1 0.9; 2 1 0 0 0 0 1 1 0 135 1 1.1 0.9];\n"
        let unknown = try MatpowerReader.parse(text: head + "mpc.gen = [1 0 0 0 0 1 100 1 100 0];\nmpc.branch = [1 7 0.01 0.1 0 0 0 0 0 0 1];\n", file: "u.m")
        XCTAssertThrowsError(try PowerGrid(matpower: unknown)) { e in
            XCTAssertEqual("\(e)", "u.m:4: branch row 1: to bus 7.0 is not a bus number in mpc.bus")
        }
        // The only slack bus has no generator and there is no PV bus: no slack.
        let noSlack = try MatpowerReader.parse(text: head + "mpc.gen = [2 0 0 0 0 1 100 0 100 0];\nmpc.branch = [1 2 0.01 0.1 0 0 0 0 0 0 1];\n", file: "n.m")
        XCTAssertThrowsError(try PowerGrid(matpower: noSlack)) { e in
            XCTAssertTrue("\(e)".hasPrefix("n.m: no slack bus"), "\(e)")
        }
        let badType = try MatpowerReader.parse(text: "mpc.baseMVA = 100;\nmpc.bus = [1 5 0 0 0 0 1 1 0 135 1 1.1 0.9];\nmpc.branch = [];\n", file: "t.m")
        XCTAssertThrowsError(try PowerGrid(matpower: badType)) { e in
            XCTAssertTrue("\(e)".hasPrefix("t.m:2: bus row 1: type must be"), "\(e)")
        }
    }

    func testDescribeCase33bwCountsOpenTieSwitches() throws {
        let g = try load("case33bw")
        XCTAssertEqual(g.branchCount, 32)          // 37 rows, 5 open tie switches
        XCTAssertEqual(g.caseBranchCount, 37)
        let d = g.describe()
        XCTAssertTrue(d.contains("buses: 33 (PQ 32, PV 0, slack 1, isolated 0)"), d)
        XCTAssertTrue(d.contains("branches: 32 in service of 37; transformers 0"), d)
        XCTAssertTrue(d.contains("load: 3.72 MW, 2.30 MVAr"), d)   // Baran–Wu: 3715 kW, 2300 kVAr
    }

    /// case14 against the PYPOWER reference (bus 14 row: Vm 1.035530, losses 13.393 MW).
    func testCase14ACAndWarmResolve() throws {
        let s = try PowerFlowSolver(grid: try load("case14"))
        let r = try s.solve()
        XCTAssertTrue(r.converged)
        // Classic Newton needs 2 iterations (3 at the reference's 1e-10 tolerance); the first
        // one already contracts 10-fold, so the rest are chord steps with its factors.
        XCTAssertEqual(r.factorizations, 1)
        XCTAssertEqual(r.iterations, 3)
        XCTAssertLessThan(r.maxMismatch, 1e-8)
        XCTAssertEqual(r.lossesMW, 13.393, accuracy: 5e-4)   // MATPOWER prints 3 decimals
        XCTAssertEqual(r.vm[13], 1.0355, accuracy: 1e-4)
        // Slack P = losses + load − other generation (MATPOWER: 232.39 MW).
        XCTAssertEqual(r.pg[0], 232.393, accuracy: 1e-3)
        // Power balance: Σ injections = losses + shunt consumption (case14 has Gs = 0).
        XCTAssertEqual(r.pInjection.reduce(0, +), r.lossesMW, accuracy: 1e-6)
        // Same loads again: warm start is already converged.
        let again = try s.solve()
        XCTAssertTrue(again.converged)
        XCTAssertEqual(again.iterations, 0)
        // +10 % load everywhere: converges from the warm start, voltages drop.
        let g = s.grid
        let r2 = try s.solve(loadsP: g.pd.map { $0 * 1.1 }, loadsQ: g.qd.map { $0 * 1.1 })
        XCTAssertTrue(r2.converged)
        XCTAssertLessThanOrEqual(r2.factorizations, 3)
        XCTAssertLessThan(r2.vm[13], r.vm[13])
        XCTAssertGreaterThan(r2.lossesMW, r.lossesMW)
        XCTAssertThrowsError(try s.solve(loadsP: [1], loadsQ: [1]))
        // One-bus update in O(1) equals the full-array update.
        let s2 = try PowerFlowSolver(grid: g)
        for i in 0..<g.busCount { try s2.setLoad(bus: i, p: g.pd[i] * 1.1, q: g.qd[i] * 1.1) }
        let r3 = try s2.solve()
        for (a, b) in zip(r3.vm, r2.vm) { XCTAssertEqual(a, b, accuracy: 1e-9) }
        XCTAssertThrowsError(try s2.setLoad(bus: 14, p: 1, q: 1))
    }

    /// Flat start on case118 converges to the same solution (1e-9 p.u., far below the 1e-8 mismatch).
    func testFlatStartReachesSameSolution() throws {
        let g = try load("case118")
        let warm = try PowerFlowSolver(grid: g).solve()
        let flat = try PowerFlowSolver(grid: g, options: PowerFlowOptions(flatStart: true)).solve()
        XCTAssertTrue(flat.converged)
        for (a, b) in zip(warm.vm, flat.vm) { XCTAssertEqual(a, b, accuracy: 1e-9) }
    }

    /// 30× the case33bw load is beyond the feeder's loadability: the solver must say so.
    func testNonConvergenceIsAResultNotACrash() throws {
        let s = try PowerFlowSolver(grid: try load("case33bw"), options: PowerFlowOptions(maxIterations: 10))
        let g = s.grid
        let r = try s.solve(loadsP: g.pd.map { $0 * 30 }, loadsQ: g.qd.map { $0 * 30 })
        XCTAssertFalse(r.converged)
        XCTAssertTrue(r.maxMismatch > 1e-8 || r.maxMismatch.isNaN)
        XCTAssertTrue(g.busID.contains(r.worstBusID))
        // Back to the nominal load: the solver recovers (cold start since the last run failed).
        let ok = try s.solve(loadsP: g.pd, loadsQ: g.qd)
        XCTAssertTrue(ok.converged)
        XCTAssertEqual(ok.vm[17], 0.91309, accuracy: 1e-5)   // Baran–Wu minimum voltage, bus 18
    }

    func testQLimitEnforcementKeepsGeneratorsWithinLimits() throws {
        let g = try load("case14")
        let free = try PowerFlowSolver(grid: g).solve()
        let s = try PowerFlowSolver(grid: g, options: PowerFlowOptions(enforceQLimits: true))
        let r = try s.solve()
        XCTAssertTrue(r.converged)
        // Enforcement switches buses exactly when the unconstrained solution violates a PV
        // generator's Q range, and afterwards every PV generator is within its range.
        var violated = false
        for k in 0..<g.genCount where g.busType[g.genBus[k]] == .pv {
            if free.qg[k] > g.qmax[k] + 1e-6 || free.qg[k] < g.qmin[k] - 1e-6 { violated = true }
        }
        XCTAssertEqual(!r.qLimitedBuses.isEmpty, violated)
        for k in 0..<g.genCount where g.busType[g.genBus[k]] == .pv {
            XCTAssertLessThanOrEqual(r.qg[k], g.qmax[k] + 1e-6)
            XCTAssertGreaterThanOrEqual(r.qg[k], g.qmin[k] - 1e-6)
        }
        try s.reset()
        XCTAssertTrue(try s.solve().converged)
    }

    /// PTDF·P must reproduce the DC flows (linear algebra identity; 1e-8 MW covers round-off of
    /// the dense inverse on these well-conditioned B' matrices). case1354pegase has phase shifters.
    func testPTDFReproducesDCFlows() throws {
        for name in ["case14", "case118", "case1354pegase"] {
            let dc = try DCPowerFlow(grid: try load(name))
            let r = try dc.solve()
            let p = dc.netInjectionsMW()
            let ptdf = try dc.ptdf()
            let flows = try ptdf.flows(injectionsMW: p)
            for (a, b) in zip(flows, r.pFrom) { XCTAssertEqual(a, b, accuracy: 1e-8, name) }
            // DC is lossless: total generation = load + shunt conductance.
            let g = dc.grid
            XCTAssertEqual(r.pg.reduce(0, +), g.pd.reduce(0, +) + g.gs.reduce(0, +), accuracy: 1e-6, name)
        }
    }

    /// DC angles of case14 are close to the AC ones (a few degrees): sanity of the B' model.
    func testDCCloseToACOnCase14() throws {
        let g = try load("case14")
        let ac = try PowerFlowSolver(grid: g).solve()
        let dc = try DCPowerFlow(grid: g).solve()
        for (a, b) in zip(ac.va, dc.va) { XCTAssertEqual(a, b, accuracy: 2.0) }
    }

    /// Lazy Jacobian updates change the path, not the answer: over a warm-started series both
    /// modes converge at every step (‖F‖∞ < 1e-8) to voltages that agree within 1e-7 p.u.
    /// (two points within the tolerance differ by at most ~‖J⁻¹‖·2e-8; measured ≤ 3e-9), and the
    /// lazy mode factorises far less often.
    func testLazyJacobianMatchesClassicNewtonOverASeries() throws {
        for name in ["case118", "case1354pegase"] {
            let g = try load(name)
            let lazy = try PowerFlowSolver(grid: g)
            let classic = try PowerFlowSolver(grid: g, options: PowerFlowOptions(reuseJacobian: false))
            var lazyFactorizations = 0, classicFactorizations = 0
            for step in 0...24 {
                let f = PowerFlowCaseOptions.seriesLoadScale(step: step)
                let a = try lazy.solve(loadsP: g.pd.map { $0 * f }, loadsQ: g.qd.map { $0 * f })
                let b = try classic.solve(loadsP: g.pd.map { $0 * f }, loadsQ: g.qd.map { $0 * f })
                XCTAssertTrue(a.converged && b.converged, "\(name) step \(step)")
                XCTAssertLessThan(a.maxMismatch, 1e-8)
                XCTAssertEqual(b.factorizations, b.iterations)
                for (x, y) in zip(a.vm, b.vm) { XCTAssertEqual(x, y, accuracy: 1e-7) }
                for (x, y) in zip(a.va, b.va) { XCTAssertEqual(x, y, accuracy: 1e-5) }
                if step > 0 { lazyFactorizations += a.factorizations; classicFactorizations += b.factorizations }
            }
            XCTAssertLessThan(lazyFactorizations * 2, classicFactorizations, name)
        }
    }

    /// Cold solves (first, or after reset) start as classic Newton and switch to chord steps
    /// only in the quadratic phase: fewer factorisations than Newton's iterations, same answer
    /// within the tolerance, repeatably after a reset. A warm solve after a load jump too large
    /// for the old factors refactorises and still converges to the classic answer.
    func testColdSolveSavesFactorisationsAndLargeJumpFallsBackToNewton() throws {
        let g = try load("case300")
        let lazy = try PowerFlowSolver(grid: g)
        let classic = try PowerFlowSolver(grid: g, options: PowerFlowOptions(reuseJacobian: false))
        var first: PowerFlowResult?
        for _ in 0..<2 {
            let a = try lazy.solve(), b = try classic.solve()
            XCTAssertTrue(a.converged && b.converged)
            XCTAssertLessThan(a.maxMismatch, 1e-8)
            XCTAssertEqual(b.factorizations, b.iterations)
            XCTAssertLessThan(a.factorizations, b.iterations, "chord steps replace the last Newton step(s)")
            for (x, y) in zip(a.vm, b.vm) { XCTAssertEqual(x, y, accuracy: 1e-7) }
            for (x, y) in zip(a.va, b.va) { XCTAssertEqual(x, y, accuracy: 1e-5) }
            if let f = first { XCTAssertEqual(a.vm, f.vm, "a reset solve repeats the first one exactly") }
            first = a
            try lazy.reset(); try classic.reset()
        }
        _ = try lazy.solve(); _ = try classic.solve()
        let a = try lazy.solve(loadsP: g.pd.map { $0 * 1.03 }, loadsQ: g.qd.map { $0 * 1.03 })
        let b = try classic.solve(loadsP: g.pd.map { $0 * 1.03 }, loadsQ: g.qd.map { $0 * 1.03 })
        XCTAssertTrue(a.converged && b.converged)
        XCTAssertGreaterThanOrEqual(a.factorizations, 1, "a 3 % jump on case300 rejects the old factors")
        for (x, y) in zip(a.vm, b.vm) { XCTAssertEqual(x, y, accuracy: 1e-7) }
    }

    /// `--series`: 96 warm solves; step 96 is back at nominal load, so the last solution is the
    /// case's own.
    func testSolveCaseSeriesEndsOnTheNominalSolution() throws {
        let path = PowerFlowTestPaths.grid("case118")
        let rep = try solveCase(path: path, options: PowerFlowCaseOptions(seriesSteps: 96))
        XCTAssertEqual(rep.seriesSteps, 96)
        XCTAssertEqual(PowerFlowCaseOptions.seriesLoadScale(step: 96), 1)
        XCTAssertEqual(PowerFlowCaseOptions.seriesLoadScale(step: 24), 1.03, accuracy: 1e-15)
        let cold = try solveCase(path: path)
        guard let last = rep.ac, let nominal = cold.ac else { return XCTFail("AC results expected") }
        XCTAssertTrue(last.converged)
        for (x, y) in zip(last.vm, nominal.vm) { XCTAssertEqual(x, y, accuracy: 1e-7) }
        XCTAssertGreaterThanOrEqual(rep.seriesIterations, 96)
        XCTAssertLessThan(rep.seriesFactorizations, rep.seriesIterations)
        let obj = try JSONSerialization.jsonObject(with: Data(rep.jsonString.utf8)) as? [String: Any]
        XCTAssertEqual(obj?["series_steps"] as? Int, 96)
        XCTAssertNotNil(obj?["factorizations"] as? Int)
    }

    func testSolveCaseJSON() throws {
        let rep = try solveCase(path: PowerFlowTestPaths.grid("case14"), options: PowerFlowCaseOptions(repeatCount: 3))
        let obj = try JSONSerialization.jsonObject(with: Data(rep.jsonString.utf8)) as? [String: Any]
        XCTAssertEqual(obj?["converged"] as? Bool, true)
        XCTAssertEqual((obj?["vm_pu"] as? [Double])?.count, 14)
        XCTAssertEqual((obj?["va_degree"] as? [Double])?.count, 14)
        XCTAssertEqual(obj?["iterations"] as? Int, 3)      // 1 Newton step + 2 chord steps
        XCTAssertEqual(obj?["factorizations"] as? Int, 1)
        XCTAssertEqual(obj?["repeats"] as? Int, 3)
        XCTAssertNotNil(obj?["solve_seconds"] as? Double)
        XCTAssertNotNil(obj?["worst_bus"] as? Int)
        let dc = try solveCase(path: PowerFlowTestPaths.grid("case14"), options: PowerFlowCaseOptions(dc: true))
        let dobj = try JSONSerialization.jsonObject(with: Data(dc.jsonString.utf8)) as? [String: Any]
        XCTAssertEqual(dobj?["mode"] as? String, "dc")
        XCTAssertFalse(rep.summary.isEmpty)
    }

    /// The DC start: on case300 (stored angles far from its loads' solution) the DC angles
    /// give a smaller start mismatch and fewer factorisations; on case14 (stored angles are a
    /// solution) the case start is kept. Either way the answer is the case's solution.
    func testDCAngleStartIsUsedOnlyWhereItFitsBetter() throws {
        for (name, dcHelps) in [("case300", true), ("case14", false)] {
            let grid = try load(name)
            let plain = try PowerFlowSolver(grid: grid, options: PowerFlowOptions(dcAngleStart: false))
            let dc = try PowerFlowSolver(grid: grid)
            let caseNorm = plain.chooseStart()
            let chosenNorm = dc.chooseStart()
            XCTAssertEqual(chosenNorm < caseNorm, dcHelps, name)
            XCTAssertLessThanOrEqual(chosenNorm, caseNorm, name)
            let a = try plain.solve(), b = try dc.solve()
            XCTAssertTrue(a.converged && b.converged, name)
            if dcHelps { XCTAssertLessThan(b.factorizations, a.factorizations, name) }
            else { XCTAssertEqual(b.iterations, a.iterations, name) }
            for (x, y) in zip(a.vm, b.vm) { XCTAssertEqual(x, y, accuracy: 1e-8, name) }
            for (x, y) in zip(a.va, b.va) { XCTAssertEqual(x, y, accuracy: 1e-6, name) }
        }
    }

    /// A grid without a DC model (a branch with x = 0, fine for AC) still solves: the cold
    /// start falls back to the case angles.
    func testDCAngleStartFallsBackWithoutADCModel() throws {
        var grid = try load("case14")
        grid.x[18] = 0   // branch 12–13 (r = 0.22 p.u.), lightly loaded: the AC flow still converges
        XCTAssertThrowsError(try DCPowerFlow(grid: grid))
        let solver = try PowerFlowSolver(grid: grid)
        let r = try solver.solve()
        XCTAssertTrue(r.converged)
        XCTAssertTrue(solver.dcUnavailable)
    }

    /// `--repeat N ≥ 2` also times the KLU kernels alone; a single solve does not.
    func testSolveCaseReportsKLUKernelTimesWithRepeats() throws {
        let path = PowerFlowTestPaths.grid("case118")
        let rep = try solveCase(path: path, options: PowerFlowCaseOptions(repeatCount: 3))
        XCTAssertGreaterThan(rep.kluRefactorSeconds, 0)
        XCTAssertGreaterThan(rep.kluSolveSeconds, 0)
        // L and U hold at least the Jacobian's pattern plus the diagonal of both.
        let grid = try load("case118")
        let unknowns = grid.busType.filter { $0 == .pv }.count + 2 * grid.busType.filter { $0 == .pq }.count
        XCTAssertGreaterThanOrEqual(rep.factorNonZeros, rep.jacobianNonZeros + unknowns)
        let obj = try JSONSerialization.jsonObject(with: Data(rep.jsonString.utf8)) as? [String: Any]
        XCTAssertEqual(obj?["lu_nonzeros"] as? Int, rep.factorNonZeros)
        XCTAssertNotNil(obj?["klu_refactor_seconds"] as? Double)
        XCTAssertTrue(rep.summary.contains("KLU:"))
        let single = try solveCase(path: path)
        XCTAssertEqual(single.jacobianNonZeros, 0)
        let sobj = try JSONSerialization.jsonObject(with: Data(single.jsonString.utf8)) as? [String: Any]
        XCTAssertNil(sobj?["klu_refactor_seconds"])
    }

    /// Timing the kernels leaves the solution alone, and the factors it leaves serve the next
    /// warm solve's chord steps.
    func testLinearAlgebraTimingsKeepTheSolution() throws {
        let grid = try PowerGrid(matpower: MatpowerReader.read(path: PowerFlowTestPaths.grid("case118")))
        let solver = try PowerFlowSolver(grid: grid)
        let before = try solver.solve()
        let (refactor, solve) = try solver.linearAlgebraTimings(repeats: 5)
        XCTAssertGreaterThan(refactor, 0); XCTAssertGreaterThan(solve, 0)
        let again = try solver.solve()
        XCTAssertEqual(again.iterations, 0)
        XCTAssertEqual(again.vm, before.vm)
        let warm = try solver.solve(loadsP: grid.pd.map { $0 * 1.01 }, loadsQ: grid.qd.map { $0 * 1.01 })
        XCTAssertTrue(warm.converged)
        XCTAssertEqual(warm.factorizations, 0)
    }
}

/// Locates repository files from the test source (no machine paths).
enum PowerFlowTestPaths {
    static var packageRoot: URL {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    }
    static func grid(_ name: String) -> String {
        packageRoot.appendingPathComponent("Models/grids/\(name).m").path
    }
}
