import Foundation
import Numerics

/// Result of a DC power flow, in the case's order (branches: every `mpc.branch` row,
/// out-of-service ones zero; generators: every `mpc.gen` row).
public struct DCPowerFlowResult: Sendable {
    /// Bus voltage angles in degrees (magnitudes are 1 p.u. by assumption).
    public var va: [Double]
    /// Active flow at the from end of each branch in MW (the to end is its negative).
    public var pFrom: [Double]
    /// Generator outputs in MW; the first generator at the slack bus balances the system.
    public var pg: [Double]
    /// Loading in % of rateA (0 where rateA is 0 = unlimited).
    public var loadingPercent: [Double]
}

/// DC (linearised) power flow with MATPOWER's `makeBdc` model: branch susceptance 1/(x·tap),
/// phase shifters as equivalent injections, bus shunt conductance Gs as load.
///
/// B'·θ = P is solved on the non-slack buses with KLU; the symbolic and numeric factorisations
/// are done once at construction (B' does not depend on the loads), so each `solve` is one
/// pair of triangular solves, O(nnz(L+U)).
public final class DCPowerFlow {
    public let grid: PowerGrid
    /// Bus → position among the unknown angles, or -1 (slack and isolated buses).
    let unknownIndex: [Int]
    let unknownBuses: [Int]
    let klu: KLUFactorization
    /// Per in-service branch: 1/(x·tap), and the phase-shift injection b·(−shift) in p.u.
    let bBranch: [Double]
    let pShift: [Double]
    /// Bus injections caused by phase shifters (p.u.).
    let pBusShift: [Double]
    /// Full B' (for the slack balance) as CSC.
    let bbus: SparseMatrixCSC

    /// Builds and factorises B'. Throws `NumericsError.singular` when the network is not connected
    /// (a bus island without a slack) or a branch has x = 0.
    public init(grid: PowerGrid) throws {
        self.grid = grid
        let nb = grid.busCount, nl = grid.branchCount
        var bb = [Double](repeating: 0, count: nl), ps = bb
        var pbs = [Double](repeating: 0, count: nb)
        var ri: [Int] = [], ci: [Int] = [], v: [Double] = []
        for k in 0..<nl {
            guard grid.x[k] != 0 else {
                throw PowerGridError("DC power flow: branch row \(grid.branchSourceRow[k] + 1) has x = 0 (expected a non-zero reactance)")
            }
            let bk = 1 / (grid.x[k] * grid.tap[k])
            bb[k] = bk
            ps[k] = -bk * grid.shift[k] * .pi / 180
            let f = grid.branchFrom[k], t = grid.branchTo[k]
            pbs[f] += ps[k]; pbs[t] -= ps[k]
            ri += [f, f, t, t]; ci += [f, t, f, t]; v += [bk, -bk, -bk, bk]
        }
        bbus = try SparseMatrixCSC(rows: nb, columns: nb, rowIndices: ri, columnIndices: ci, values: v)
        bBranch = bb; pShift = ps; pBusShift = pbs
        var idx = [Int](repeating: -1, count: nb), buses: [Int] = []
        let slack = grid.slackBus
        for i in 0..<nb where i != slack && grid.busType[i] != .isolated { idx[i] = buses.count; buses.append(i) }
        unknownIndex = idx; unknownBuses = buses
        // Reduced B' (unknown rows and columns only).
        var rr: [Int] = [], rc: [Int] = [], rv: [Double] = []
        for j in 0..<nb where idx[j] >= 0 {
            for p in Int(bbus.columnPointers[j])..<Int(bbus.columnPointers[j + 1]) {
                let i = Int(bbus.rowIndices[p])
                if idx[i] >= 0 { rr.append(idx[i]); rc.append(idx[j]); rv.append(bbus.values[p]) }
            }
        }
        let reduced = try SparseMatrixCSC(rows: buses.count, columns: buses.count, rowIndices: rr, columnIndices: rc, values: rv)
        klu = try KLUFactorization(pattern: reduced)
        try klu.factor(values: reduced.values)
    }

    /// Net bus injections P = Pg − Pd − Gs in MW for the grid's current dispatch and loads.
    public func netInjectionsMW() -> [Double] { grid.netInjectionsMW() }

    /// Solves for the grid's current loads and dispatch. O(nnz(L+U) + branches).
    public func solve() throws -> DCPowerFlowResult {
        try solve(injectionsMW: netInjectionsMW())
    }

    /// Bus voltage angles in radians for given net bus injections (MW, generation − load − Gs,
    /// one per bus; the slack's entry is ignored since the slack balances). The slack keeps its
    /// case angle, isolated buses theirs. One pair of triangular solves, O(nnz(L+U) + buses);
    /// the AC solver starts from these angles (`PowerFlowOptions.dcAngleStart`).
    public func angles(injectionsMW p: [Double]) throws -> [Double] {
        let nb = grid.busCount, base = grid.baseMVA
        guard p.count == nb else { throw PowerGridError("DC power flow: expected \(nb) bus injections, found \(p.count)") }
        let slack = grid.slackBus
        let thetaRef = grid.va[slack] * .pi / 180
        var theta = [Double](repeating: 0, count: nb)
        for i in 0..<nb { theta[i] = grid.va[i] * .pi / 180 }
        // rhs = P/base − Pshift − B'[:, ref]·θref on the unknown buses.
        var rhs = [Double](repeating: 0, count: unknownBuses.count)
        for (k, i) in unknownBuses.enumerated() { rhs[k] = p[i] / base - pBusShift[i] }
        for q in Int(bbus.columnPointers[slack])..<Int(bbus.columnPointers[slack + 1]) {
            let i = Int(bbus.rowIndices[q])
            if unknownIndex[i] >= 0 { rhs[unknownIndex[i]] -= bbus.values[q] * thetaRef }
        }
        try klu.solve(&rhs)
        for (k, i) in unknownBuses.enumerated() { theta[i] = rhs[k] }
        return theta
    }

    /// Solves for given net bus injections (MW, generation − load − Gs, one per bus; the slack's
    /// entry is ignored since the slack balances).
    public func solve(injectionsMW p: [Double]) throws -> DCPowerFlowResult {
        let nb = grid.busCount, base = grid.baseMVA
        let slack = grid.slackBus
        let theta = try angles(injectionsMW: p)
        var pf = [Double](repeating: 0, count: grid.caseBranchCount), load = pf
        for k in 0..<grid.branchCount {
            let flow = (bBranch[k] * (theta[grid.branchFrom[k]] - theta[grid.branchTo[k]]) + pShift[k]) * base
            let row = grid.branchSourceRow[k]
            pf[row] = flow
            if grid.rateA[k] > 0 { load[row] = abs(flow) / grid.rateA[k] * 100 }
        }
        // Slack balance: P_slack = (B'θ)_ref + Pshift_ref (p.u.), then add back load and shunt.
        var bt = 0.0
        for j in 0..<nb {
            for q in Int(bbus.columnPointers[j])..<Int(bbus.columnPointers[j + 1]) where Int(bbus.rowIndices[q]) == slack {
                bt += bbus.values[q] * theta[j]
            }
        }
        let slackInjection = (bt + pBusShift[slack]) * base
        var pg = [Double](repeating: 0, count: grid.caseGenCount)
        var first = true, others = 0.0
        for k in 0..<grid.genCount where grid.genBus[k] == slack { if !first { others += grid.pg[k] }; first = false }
        first = true
        for k in 0..<grid.genCount {
            if grid.genBus[k] == slack && first {
                pg[grid.genSourceRow[k]] = slackInjection + grid.pd[slack] + grid.gs[slack] - others
                first = false
            } else {
                pg[grid.genSourceRow[k]] = grid.pg[k]
            }
        }
        return DCPowerFlowResult(va: theta.map { $0 * 180 / .pi }, pFrom: pf, pg: pg, loadingPercent: load)
    }

    /// The dense PTDF matrix (branches × buses, case branch order): ∂Pf/∂P_i with the slack
    /// absorbing the change. Built with one dense LAPACK LU of the reduced B' and n solves:
    /// O(n³) time and O(branches·buses) memory, so meant for small and medium grids (≲ 2,000 buses).
    public func ptdf() throws -> PTDFMatrix {
        let n = unknownBuses.count, nb = grid.busCount
        var dense = DenseMatrix(rows: n, columns: n)
        for (jj, j) in unknownBuses.enumerated() {
            for q in Int(bbus.columnPointers[j])..<Int(bbus.columnPointers[j + 1]) {
                let i = Int(bbus.rowIndices[q])
                if unknownIndex[i] >= 0 { dense[unknownIndex[i], jj] = bbus.values[q] }
            }
        }
        var inv = DenseMatrix.identity(n).values
        try dense.solve(&inv, nrhs: n)
        var m = DenseMatrix(rows: grid.caseBranchCount, columns: nb)
        for k in 0..<grid.branchCount {
            let fi = unknownIndex[grid.branchFrom[k]], ti = unknownIndex[grid.branchTo[k]]
            let row = grid.branchSourceRow[k]
            for (jj, j) in unknownBuses.enumerated() {
                // X is symmetric: X[f, j] = inv[f + jj*n].
                let xf = fi >= 0 ? inv[fi + jj * n] : 0
                let xt = ti >= 0 ? inv[ti + jj * n] : 0
                m[row, j] = bBranch[k] * (xf - xt)
            }
        }
        var offset = [Double](repeating: 0, count: grid.caseBranchCount)
        // Phase shifters act as fixed injections: their flow contribution is PTDF·(−Pshift) + Pshift.
        var shiftInj = [Double](repeating: 0, count: nb)
        for i in 0..<nb { shiftInj[i] = -pBusShift[i] * grid.baseMVA }
        let base = try m.multiply(shiftInj)
        for k in 0..<grid.branchCount {
            let row = grid.branchSourceRow[k]
            offset[row] = base[row] + pShift[k] * grid.baseMVA
        }
        return PTDFMatrix(matrix: m, offsetMW: offset)
    }
}

/// Power transfer distribution factors: branch flows (MW) = `matrix` · P (MW per bus) + `offsetMW`
/// (the phase shifters' contribution). The slack bus column is zero.
public struct PTDFMatrix: Sendable {
    /// caseBranchCount × busCount, column-major.
    public var matrix: DenseMatrix
    public var offsetMW: [Double]

    /// Branch flows for net bus injections `p` (MW). One `dgemv`, O(branches·buses).
    public func flows(injectionsMW p: [Double]) throws -> [Double] {
        var y = offsetMW
        try matrix.multiply(p, into: &y, alpha: 1, beta: 1)
        return y
    }
}
