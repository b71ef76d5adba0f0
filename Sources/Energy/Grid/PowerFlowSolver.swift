import Foundation
import Numerics

/// Options of the AC Newton–Raphson power flow.
public struct PowerFlowOptions: Sendable, Equatable {
    /// Convergence tolerance on the infinity norm of the mismatch vector, p.u. (MATPOWER default 1e-8).
    public var tolerance: Double
    /// Maximum Newton iterations, i.e. Jacobian factorisations per solve (MATPOWER default 10).
    /// With `reuseJacobian` a solve also stops after 4 × this many updates in all, chord
    /// steps included (each accepted one shrinks the mismatch at least fourfold).
    public var maxIterations: Int
    /// Start from Vm = 1, Va = 0 (generator buses at their setpoint) instead of the case's Vm/Va.
    public var flatStart: Bool
    /// Enforce generator reactive limits by PV→PQ switching (MATPOWER `pf.enforce_q_lims = 1`).
    public var enforceQLimits: Bool
    /// Lazy Jacobian updates: try each Newton step with the LU factors of the last Jacobian
    /// (also across solves of a time series) and refactorise only when that step fails to shrink
    /// the mismatch by `reuseContraction`. The converged answer meets the same tolerance; only
    /// the path differs. Off = classic Newton, one factorisation per iteration.
    public var reuseJacobian: Bool
    /// A step made with old factors is kept only if ‖F‖∞ falls to at most this fraction (0 < x < 1).
    public var reuseContraction: Double
    /// Cold starts also try bus angles from a DC power flow of the current injections (the
    /// magnitudes stay those of the case, or 1 with `flatStart`) and keep whichever start has
    /// the smaller mismatch — pandapower's `init="dc"` and powsybl's DC initializer seed the
    /// angles the same way. Off = MATPOWER's start point. On transmission cases whose stored
    /// angles do not fit their loads the DC angles halve the factorisations (case9241pegase
    /// 4 → 2); where the stored angles are a solution (case14) the case start is kept.
    public var dcAngleStart: Bool

    public init(tolerance: Double = 1e-8, maxIterations: Int = 10, flatStart: Bool = false, enforceQLimits: Bool = false,
                reuseJacobian: Bool = true, reuseContraction: Double = 0.25, dcAngleStart: Bool = true) {
        self.tolerance = tolerance; self.maxIterations = maxIterations
        self.flatStart = flatStart; self.enforceQLimits = enforceQLimits
        self.reuseJacobian = reuseJacobian; self.reuseContraction = reuseContraction
        self.dcAngleStart = dcAngleStart
    }
}

/// Result of an AC power flow, every array in the case's order (buses: `mpc.bus` rows;
/// branches: all `mpc.branch` rows, out-of-service ones reported as zero flow; generators:
/// all `mpc.gen` rows, out-of-service ones zero).
public struct PowerFlowResult: Sendable {
    /// True when the mismatch infinity norm fell below the tolerance. When false the voltages are
    /// the last iterate and must not be used as a solution.
    public var converged: Bool
    /// Newton updates kept (0 when the start point already satisfied the tolerance); with
    /// `reuseJacobian` some of them were made with an earlier Jacobian's factors.
    public var iterations: Int
    /// Jacobian factorisations done by this solve (equals `iterations` without reuse).
    public var factorizations: Int = 0
    /// Final mismatch infinity norm (p.u.) and the bus number where it occurs.
    public var maxMismatch: Double
    public var worstBusID: Int
    /// Bus voltage magnitude (p.u.) and angle (degrees).
    public var vm: [Double]
    public var va: [Double]
    /// Net bus injections (generation − load, shunts excluded) in MW / MVAr.
    public var pInjection: [Double]
    public var qInjection: [Double]
    /// Generator outputs in MW / MVAr (slack P and PV/slack Q from the solution; several
    /// generators on one bus share Q equally, the first takes the slack P balance).
    public var pg: [Double]
    public var qg: [Double]
    /// Branch flows at the from and to ends (MW, MVAr, into the branch).
    public var pFrom: [Double], qFrom: [Double], pTo: [Double], qTo: [Double]
    /// Loading in % of rateA (max of both ends' MVA); 0 when rateA is 0 (unlimited) or out of service.
    public var loadingPercent: [Double]
    /// Total active losses Σ(Pf + Pt) in MW and reactive Σ(Qf + Qt) in MVAr.
    public var lossesMW: Double
    public var lossesMVAr: Double
    /// Bus numbers switched PV→PQ by Q-limit enforcement (empty otherwise).
    public var qLimitedBuses: [Int]
}

/// A reusable AC Newton–Raphson power-flow solver for one grid.
///
/// Built once per grid: the Jacobian's CSC pattern and the map from Ybus entries to Jacobian
/// slots are computed at construction, and KLU's symbolic analysis is done once and reused by
/// every iteration and every later `solve` (the pattern depends only on the PV/PQ sets, which
/// change only under Q-limit enforcement). Each iteration costs one O(nnz) Jacobian fill, one
/// KLU numeric refactorisation and one solve; no allocation happens inside the Newton loop.
///
/// Repeated solves warm-start from the last converged voltages, so a city simulation that
/// nudges bus loads every few minutes typically needs 1–3 iterations.
///
/// Not thread-safe (owns C memory); use one solver per thread.
public final class PowerFlowSolver {
    /// The grid being solved; loads can be changed through `solve(loadsP:loadsQ:)` or `setLoads`.
    public private(set) var grid: PowerGrid
    public var options: PowerFlowOptions
    let y: Admittance

    // Classification (bus index lists) and the Jacobian structure for it.
    var types: [BusType]
    var pvpq: [Int32] = [], pq: [Int32] = []
    var jac: SparseMatrixCSC
    var klu: KLUFactorization
    /// For each Ybus slot p: Jacobian slot of (P_i, θ_k), (Q_i, θ_k), (P_i, Vm_k), (Q_i, Vm_k), or -1.
    var slotPT: [Int32] = [], slotQT: [Int32] = [], slotPV: [Int32] = [], slotQV: [Int32] = []
    /// Row (column) of bus i among the θ unknowns and among the Vm unknowns (offset included), or -1.
    var thetaIndex: [Int32] = [], vmIndex: [Int32] = []
    /// Ybus row index of every slot's column (CSC gives rows; we also need each slot's column).
    let slotColumn: [Int32]
    /// Ybus by rows (the transpose of `y.real`'s column layout, built once): the mismatch
    /// gathers each bus's current from its row instead of scattering column by column. Entries
    /// of a row are in column order, so the sums are the same as the scatter's, bit for bit.
    let rowStart: [Int32], rowColumn: [Int32], rowG: [Double], rowB: [Double]

    // State and work arrays (preallocated).
    // Raw buffers (allocated once, freed in deinit) so the Newton loops run without
    // copy-on-write uniqueness or exclusivity checks; hot functions copy them to locals.
    typealias Buffer = UnsafeMutableBufferPointer<Double>
    let vmag: Buffer, vang: Buffer, vr: Buffer, vi: Buffer
    /// cos and sin of `vang`, kept up to date by rotating them with each Newton update (see
    /// `applyUpdate`) so the mismatch needs no `sincos` per bus.
    let cosAng: Buffer, sinAng: Buffer
    let pcalc: Buffer, qcalc: Buffer
    /// 1/|V| per bus, computed once per Jacobian fill instead of once per Ybus entry.
    let inverseVmag: Buffer
    let sP: Buffer, sQ: Buffer
    /// State before a step made with old factors, restored if the step is rejected.
    let vmagSaved: Buffer, vangSaved: Buffer, cosSaved: Buffer, sinSaved: Buffer
    var f: Buffer, dx: Buffer
    /// The KLU factors hold some earlier Jacobian of the current structure (usable for reuse).
    var factorsUsable = false
    var factorizationsInSolve = 0
    var hasSolution = false
    var qFixedGen: [Bool]
    let originalQg: [Double]
    /// No row scaling (and no input re-checks) in KLU: the per-unit Jacobian is well scaled and its
    /// pattern is valid by construction; measured 20 % faster per solve on the PEGASE cases.
    let kluOptions = KLUFactorization.Options(scale: -1)
    /// Non-zeros of the Jacobian and of its current LU factors (diagnostics for benchmarks).
    public var jacobianNonZeroCount: Int { jac.nonZeroCount }
    public var factorNonZeroCount: Int { klu.factorNonZeroCount }

    /// Times the two linear-algebra kernels a Newton update is built on, for the grid's
    /// Jacobian at the current voltages: one KLU numeric refactorisation (after a fill) and one
    /// pair of triangular solves, medians of `repeats` runs each (seconds). Their sum is the
    /// least any KLU-based Newton iteration can cost on this grid; benchmarks report it next to
    /// the peers' times. Leaves the voltages as they are; the LU factors afterwards are those
    /// of the current Jacobian, still valid for chord steps. O(repeats × LU flops).
    public func linearAlgebraTimings(repeats: Int) throws -> (refactorSeconds: Double, solveSeconds: Double) {
        let count = max(1, repeats)
        _ = mismatch()
        var refactor: [Double] = [], solve: [Double] = []
        refactor.reserveCapacity(count); solve.reserveCapacity(count)
        for _ in 0..<count {
            let t0 = DispatchTime.now().uptimeNanoseconds
            fillJacobian()
            try klu.refactor(values: jac.values)
            refactor.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        factorsUsable = true
        let n = unknownCount
        for _ in 0..<count {
            for k in 0..<n { dx[k] = f[k] }
            let t0 = DispatchTime.now().uptimeNanoseconds
            try klu.solve(UnsafeMutableBufferPointer(rebasing: dx[0..<n]))
            solve.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        refactor.sort(); solve.sort()
        return (refactor[count / 2], solve[count / 2])
    }

    /// Number of unknowns (the buffers f and dx may be longer by one when empty).
    var unknownCount = 0

    deinit {
        for b in [vmag, vang, vr, vi, cosAng, sinAng, pcalc, qcalc, inverseVmag, sP, sQ, vmagSaved, vangSaved, cosSaved, sinSaved,
                  f, dx] { b.deallocate() }
    }

    /// Wall time of the last `solve` (seconds), for benchmarks.
    public private(set) var lastSolveSeconds: Double = 0

    /// Builds Ybus, the Jacobian pattern and the KLU symbolic analysis. O(nnz(Ybus)) plus KLU analyze.
    public init(grid: PowerGrid, options: PowerFlowOptions = PowerFlowOptions()) throws {
        self.grid = grid
        self.options = options
        y = try Admittance(grid: grid)
        let nb = grid.busCount
        var col = [Int32](repeating: 0, count: y.real.nonZeroCount)
        for j in 0..<nb {
            for p in Int(y.real.columnPointers[j])..<Int(y.real.columnPointers[j + 1]) { col[p] = Int32(j) }
        }
        slotColumn = col
        // Counting-sort transpose of the CSC pattern (rows in column order).
        let nnz = y.real.nonZeroCount
        var start = [Int32](repeating: 0, count: nb + 1)
        for p in 0..<nnz { start[Int(y.real.rowIndices[p]) + 1] += 1 }
        for i in 0..<nb { start[i + 1] += start[i] }
        var next = start, rc = [Int32](repeating: 0, count: nnz)
        var rg = [Double](repeating: 0, count: nnz), rb = rg
        for p in 0..<nnz {
            let i = Int(y.real.rowIndices[p]), q = Int(next[i])
            rc[q] = col[p]; rg[q] = y.real.values[p]; rb[q] = y.imag[p]
            next[i] += 1
        }
        rowStart = start; rowColumn = rc; rowG = rg; rowB = rb
        types = grid.busType
        func buffer(_ n: Int) -> Buffer {
            let b = Buffer.allocate(capacity: max(1, n))
            b.initialize(repeating: 0)
            return b
        }
        vmag = buffer(nb); vang = buffer(nb); vr = buffer(nb); vi = buffer(nb); cosAng = buffer(nb); sinAng = buffer(nb)
        pcalc = buffer(nb); inverseVmag = buffer(nb); qcalc = buffer(nb); sP = buffer(nb); sQ = buffer(nb)
        vmagSaved = buffer(nb); vangSaved = buffer(nb); cosSaved = buffer(nb); sinSaved = buffer(nb)
        f = buffer(0); dx = buffer(0)
        qFixedGen = [Bool](repeating: false, count: grid.genCount)
        originalQg = grid.qg
        // Placeholders replaced by buildStructure().
        jac = try SparseMatrixCSC(rows: 0, columns: 0, rowIndices: [], columnIndices: [], values: [])
        klu = try KLUFactorization(pattern: jac)
        try buildStructure()
        initialiseVoltages(flat: options.flatStart)
        computeInjectionTargets()
    }

    /// (Re)computes the unknown ordering, the Jacobian pattern and KLU's symbolic analysis for
    /// the current bus types. Done once, and again only when Q limits switch a bus.
    func buildStructure() throws {
        let nb = grid.busCount
        pvpq = []; pq = []
        for i in 0..<nb where types[i] == .pv { pvpq.append(Int32(i)) }
        for i in 0..<nb where types[i] == .pq { pvpq.append(Int32(i)); pq.append(Int32(i)) }
        thetaIndex = [Int32](repeating: -1, count: nb)
        vmIndex = [Int32](repeating: -1, count: nb)
        for (k, i) in pvpq.enumerated() { thetaIndex[Int(i)] = Int32(k) }
        for (k, i) in pq.enumerated() { vmIndex[Int(i)] = Int32(pvpq.count + k) }
        let n = pvpq.count + pq.count
        var ri: [Int] = [], ci: [Int] = [], kind: [(Int, Int)] = []
        let nnz = y.real.nonZeroCount
        ri.reserveCapacity(4 * nnz); ci.reserveCapacity(4 * nnz); kind.reserveCapacity(4 * nnz)
        for p in 0..<nnz {
            let i = Int(y.real.rowIndices[p]), k = Int(slotColumn[p])
            let ti = Int(thetaIndex[i]), tk = Int(thetaIndex[k]), vi_ = Int(vmIndex[i]), vk = Int(vmIndex[k])
            // P rows use θ index of i, Q rows use Vm index of i; θ columns θ index of k, Vm columns Vm index of k.
            if ti >= 0 && tk >= 0 { ri.append(ti); ci.append(tk); kind.append((p, 0)) }
            if vi_ >= 0 && tk >= 0 { ri.append(vi_); ci.append(tk); kind.append((p, 1)) }
            if ti >= 0 && vk >= 0 { ri.append(ti); ci.append(vk); kind.append((p, 2)) }
            if vi_ >= 0 && vk >= 0 { ri.append(vi_); ci.append(vk); kind.append((p, 3)) }
        }
        let (pattern, slots) = try SparseMatrixCSC.pattern(rows: n, columns: n, rowIndices: ri, columnIndices: ci)
        slotPT = [Int32](repeating: -1, count: nnz); slotQT = slotPT; slotPV = slotPT; slotQV = slotPT
        for (t, (p, kd)) in kind.enumerated() {
            switch kd {
            case 0: slotPT[p] = slots[t]
            case 1: slotQT[p] = slots[t]
            case 2: slotPV[p] = slots[t]
            default: slotQV[p] = slots[t]
            }
        }
        jac = pattern
        klu = try KLUFactorization(pattern: jac, options: kluOptions)
        factorsUsable = false
        f.deallocate(); dx.deallocate()
        f = Buffer.allocate(capacity: max(1, n)); f.initialize(repeating: 0)
        dx = Buffer.allocate(capacity: max(1, n)); dx.initialize(repeating: 0)
        unknownCount = n
    }

    /// Case voltages (or flat), then generator buses at their setpoints (MATPOWER: V0(gbus) = Vg·V0/|V0|).
    func initialiseVoltages(flat: Bool) {
        let nb = grid.busCount
        for i in 0..<nb {
            if flat && grid.busType[i] != .isolated { vmag[i] = 1; vang[i] = 0 } else {
                vmag[i] = grid.vm[i]; vang[i] = grid.va[i] * .pi / 180
            }
        }
        for k in 0..<grid.genCount where !qFixedGen[k] {
            let i = grid.genBus[k]
            if types[i] == .pv || types[i] == .ref { vmag[i] = grid.vg[k] }
        }
        caseStartTrig.apply(angles: vang, sin: sinAng, cos: cosAng)
        hasSolution = false
    }

    /// Sines and cosines of the last case (or flat) start angles and of the last DC start
    /// angles: a later cold start from the same angles (after `reset()`, or after a
    /// non-converged solve) copies them instead of calling `sincos` per bus.
    var caseStartTrig = StartAngleTrigonometry(), dcStartTrig = StartAngleTrigonometry()

    /// The DC power flow that supplies start angles (`dcAngleStart`), built on the first cold
    /// start that wants it; nil until then, and when the grid has no DC model (a branch with
    /// x = 0), in which case `dcUnavailable` is set and cold starts use the case angles.
    var dcFlow: DCPowerFlow?
    var dcUnavailable = false

    /// The start of a cold solve, after `initialiseVoltages`: with `dcAngleStart`, the angles of
    /// a DC power flow for the current injections replace the case angles if they give a smaller
    /// ‖F‖∞. Returns ‖F‖∞ at the chosen start (F, P and Q computed for it). O(buses + nnz).
    func chooseStart() -> Double {
        let caseNorm = mismatch()
        guard options.dcAngleStart, !dcUnavailable, caseNorm.isFinite else { return caseNorm }
        if dcFlow == nil {
            dcFlow = try? DCPowerFlow(grid: grid)
            dcUnavailable = dcFlow == nil
        }
        // The solver's grid holds the current loads; the DC model's copy, those it was built with.
        guard let dc = dcFlow, let theta = try? dc.angles(injectionsMW: grid.netInjectionsMW()) else { return caseNorm }
        copyState(toSaved: true)
        for i in 0..<grid.busCount where types[i] == .pv || types[i] == .pq { vang[i] = theta[i] }
        dcStartTrig.apply(angles: vang, sin: sinAng, cos: cosAng)
        let dcNorm = mismatch()
        if dcNorm < caseNorm { return dcNorm }
        copyState(toSaved: false)
        return mismatch()
    }

    /// Sbus = (Σ gens − load)/baseMVA. Generators whose Q was fixed by a limit inject their Q.
    func computeInjectionTargets() {
        let nb = grid.busCount, base = grid.baseMVA
        for i in 0..<nb { sP[i] = -grid.pd[i] / base; sQ[i] = -grid.qd[i] / base }
        for k in 0..<grid.genCount {
            let i = grid.genBus[k]
            sP[i] += grid.pg[k] / base
            sQ[i] += grid.qg[k] / base
        }
    }

    /// Replaces bus loads (MW, MVAr, one entry per bus in case order). O(buses).
    public func setLoads(p: [Double], q: [Double]) throws {
        guard p.count == grid.busCount, q.count == grid.busCount else {
            throw PowerGridError("PowerFlowSolver.setLoads: expected \(grid.busCount) bus loads, found P \(p.count), Q \(q.count)")
        }
        for i in 0..<grid.busCount where !p[i].isFinite || !q[i].isFinite {
            throw PowerGridError("PowerFlowSolver.setLoads: bus \(grid.busID[i]) load is not finite (P \(p[i]), Q \(q[i]))")
        }
        grid.pd = p; grid.qd = q
        computeInjectionTargets()
    }

    /// Changes one bus's load (MW, MVAr) in O(1), for event-driven updates (a charger plugging in).
    /// `bus` is the bus index (case row), not the bus number; see `PowerGrid.busIndex(ofID:)`.
    public func setLoad(bus: Int, p: Double, q: Double) throws {
        guard bus >= 0, bus < grid.busCount else {
            throw PowerGridError("PowerFlowSolver.setLoad: bus index \(bus) outside 0..<\(grid.busCount)")
        }
        guard p.isFinite, q.isFinite else {
            throw PowerGridError("PowerFlowSolver.setLoad: bus \(grid.busID[bus]) load is not finite (P \(p), Q \(q))")
        }
        let base = grid.baseMVA
        sP[bus] += (grid.pd[bus] - p) / base
        sQ[bus] += (grid.qd[bus] - q) / base
        grid.pd[bus] = p; grid.qd[bus] = q
    }

    /// Sets generator active outputs (MW, one per in-service generator). The slack still balances.
    public func setGeneration(p: [Double]) throws {
        guard p.count == grid.genCount, p.allSatisfy({ $0.isFinite }) else {
            throw PowerGridError("PowerFlowSolver.setGeneration: expected \(grid.genCount) finite generator outputs, found \(p.count)")
        }
        grid.pg = p
        computeInjectionTargets()
    }

    /// Forgets the last solution: the next solve starts from the case voltages (or flat), with
    /// a fresh Jacobian (no factors carried over), and buses switched to PQ by Q-limit
    /// enforcement get their original type back. KLU's symbolic analysis and pivot order are kept.
    public func reset() throws {
        factorsUsable = false
        if qFixedGen.contains(true) || types != grid.busType {
            for k in 0..<grid.genCount where qFixedGen[k] { grid.qg[k] = originalQg[k] }
            qFixedGen = [Bool](repeating: false, count: grid.genCount)
            types = grid.busType
            try buildStructure()
            computeInjectionTargets()
        }
        initialiseVoltages(flat: options.flatStart)
    }

    /// Solves with new bus loads (MW, MVAr per bus), warm-starting from the last converged solution.
    public func solve(loadsP: [Double], loadsQ: [Double]) throws -> PowerFlowResult {
        try setLoads(p: loadsP, q: loadsQ)
        return try solve()
    }

    /// Solves the power flow for the current loads. Non-convergence is reported in the result
    /// (`converged == false`), not thrown; throws only if KLU fails structurally (singular Jacobian).
    public func solve() throws -> PowerFlowResult {
        let t0 = DispatchTime.now().uptimeNanoseconds
        var startNorm: Double?
        if !hasSolution {
            initialiseVoltages(flat: options.flatStart)
            startNorm = chooseStart()
        }
        factorizationsInSolve = 0
        var (converged, iterations) = try newton(startNorm: startNorm)
        var limited: [Int] = []
        if options.enforceQLimits && converged {
            // MATPOWER enforce_q_lims = 1: fix every violating generator at its limit, turn its
            // bus into PQ, re-solve; repeat until no violation (or no PV bus is left).
            while true {
                let q = generatorQ()
                var changed = false
                for k in 0..<grid.genCount where !qFixedGen[k] && types[grid.genBus[k]] == .pv {
                    let lim: Double? = q[k] > grid.qmax[k] + 1e-9 ? grid.qmax[k] : (q[k] < grid.qmin[k] - 1e-9 ? grid.qmin[k] : nil)
                    if let l = lim {
                        let bus = grid.genBus[k]
                        // Fix all gens of that bus at their current share clipped to limits.
                        for g in 0..<grid.genCount where grid.genBus[g] == bus {
                            qFixedGen[g] = true
                            grid.qg[g] = g == k ? l : min(max(q[g], grid.qmin[g]), grid.qmax[g])
                        }
                        types[bus] = .pq
                        limited.append(grid.busID[bus])
                        changed = true
                    }
                }
                if !changed { break }
                try buildStructure()
                computeInjectionTargets()
                let (c, it) = try newton()
                converged = c; iterations += it
                if !c { break }
            }
        }
        hasSolution = converged
        var result = makeResult(converged: converged, iterations: iterations)
        result.qLimitedBuses = limited
        result.factorizations = factorizationsInSolve
        lastSolveSeconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        return result
    }

    // MARK: Newton–Raphson core


    /// Updates vr/vi from polar state, I = Y·V, S = V·conj(I), and the mismatch vector F. Returns ‖F‖∞.
    @inline(__always)
    func mismatch() -> Double {
        let nb = grid.busCount
        let vr = self.vr, vi = self.vi, vmag = self.vmag
        let cosAng = self.cosAng, sinAng = self.sinAng
        let pcalc = self.pcalc, qcalc = self.qcalc, sP = self.sP, sQ = self.sQ, f = self.f
        for i in 0..<nb {
            vr[i] = vmag[i] * cosAng[i]; vi[i] = vmag[i] * sinAng[i]
        }
        // I_i = Σ_k Y_ik V_k by rows, then S_i = V_i · conj(I_i).
        rowStart.withUnsafeBufferPointer { start in
        rowColumn.withUnsafeBufferPointer { column in
        rowG.withUnsafeBufferPointer { g in
        rowB.withUnsafeBufferPointer { b in
            for i in 0..<nb {
                var ir = 0.0, ii = 0.0
                for p in Int(start[i])..<Int(start[i + 1]) {
                    let k = Int(column[p])
                    ir += g[p] * vr[k] - b[p] * vi[k]
                    ii += g[p] * vi[k] + b[p] * vr[k]
                }
                pcalc[i] = vr[i] * ir + vi[i] * ii
                qcalc[i] = vi[i] * ir - vr[i] * ii
            }
        }}}}
        var norm = 0.0
        let npvpq = pvpq.count
        pvpq.withUnsafeBufferPointer { pvpq in
        for k in 0..<npvpq {
            let i = Int(pvpq[k])
            let m = pcalc[i] - sP[i]
            f[k] = m
            norm = max(norm, abs(m))
            if m.isNaN { norm = .nan }
        }
        }
        pq.withUnsafeBufferPointer { pq in
        for k in 0..<pq.count {
            let i = Int(pq[k])
            let m = qcalc[i] - sQ[i]
            f[npvpq + k] = m
            norm = max(norm, abs(m))
            if m.isNaN { norm = .nan }
        }
        }
        return norm
    }

    /// Fills the Jacobian values for the current state (after `mismatch()`). O(nnz(Ybus)).
    @inline(__always)
    func fillJacobian() {
        let nb = grid.busCount
        let nnz = y.real.nonZeroCount
        let vr = self.vr, vi = self.vi, vmag = self.vmag, pcalc = self.pcalc, qcalc = self.qcalc
        let inverseVmag = self.inverseVmag
        for i in 0..<nb { inverseVmag[i] = 1 / vmag[i] }
        slotPT.withUnsafeBufferPointer { slotPT in
        slotQT.withUnsafeBufferPointer { slotQT in
        slotPV.withUnsafeBufferPointer { slotPV in
        slotQV.withUnsafeBufferPointer { slotQV in
        slotColumn.withUnsafeBufferPointer { slotColumn in
        y.diagonalSlot.withUnsafeBufferPointer { diagonalSlot in
        jac.values.withUnsafeMutableBufferPointer { jv in
        y.real.rowIndices.withUnsafeBufferPointer { rows in
        y.real.values.withUnsafeBufferPointer { g in
        y.imag.withUnsafeBufferPointer { b in
            for p in 0..<nnz {
                let i = Int(rows[p]), k = Int(slotColumn[p])
                // t = V_i · conj(Y_ik · V_k)
                let yvr = g[p] * vr[k] - b[p] * vi[k]
                let yvi = g[p] * vi[k] + b[p] * vr[k]
                let tr = vr[i] * yvr + vi[i] * yvi
                let ti = vi[i] * yvr - vr[i] * yvi
                // dS_i/dθ_k = −j·t (+ j·S_i on the diagonal); dS_i/d|V_k| = t/|V_k| (+ S_i/|V_i|).
                let s0 = slotPT[p], s1 = slotQT[p], s2 = slotPV[p], s3 = slotQV[p]
                if s0 >= 0 { jv[Int(s0)] = ti }
                if s1 >= 0 { jv[Int(s1)] = -tr }
                let inv = inverseVmag[k]
                if s2 >= 0 { jv[Int(s2)] = tr * inv }
                if s3 >= 0 { jv[Int(s3)] = ti * inv }
            }
            for i in 0..<nb {
                let p = Int(diagonalSlot[i])
                let s0 = slotPT[p], s1 = slotQT[p], s2 = slotPV[p], s3 = slotQV[p]
                if s0 >= 0 { jv[Int(s0)] -= qcalc[i] }
                if s1 >= 0 { jv[Int(s1)] += pcalc[i] }
                let inv = inverseVmag[i]
                if s2 >= 0 { jv[Int(s2)] += pcalc[i] * inv }
                if s3 >= 0 { jv[Int(s3)] += qcalc[i] * inv }
            }
        }}}}}}}}}}
    }

    /// Copies the voltage state (|V|, θ and θ's cos/sin) into the saved buffers before a chord
    /// step, or back when the step is undone. O(buses), no allocation.
    @inline(__always)
    func copyState(toSaved: Bool) {
        let nb = grid.busCount
        func copy(_ live: Buffer, _ saved: Buffer) {
            if toSaved { saved.baseAddress!.update(from: live.baseAddress!, count: nb) } else {
                live.baseAddress!.update(from: saved.baseAddress!, count: nb)
            }
        }
        copy(vmag, vmagSaved); copy(vang, vangSaved); copy(cosAng, cosSaved); copy(sinAng, sinSaved)
    }

    /// Applies the Newton step `dx` (angles of PV and PQ buses, then magnitudes of PQ buses) and
    /// rotates each changed angle's stored cos/sin by the increment: near convergence the
    /// increments are tiny and `sinCosOfIncrement` is a short polynomial, not a libm call.
    /// (Rounding makes the stored pair drift from cos/sin of `vang` by about an ulp per update:
    /// ~10^-13 after 10^6 updates, far inside every tolerance.)
    @inline(__always)
    func applyUpdate() {
        let npvpq = pvpq.count
        let vang = self.vang, vmag = self.vmag, cosAng = self.cosAng, sinAng = self.sinAng, dx = self.dx
        pvpq.withUnsafeBufferPointer { pvpq in
            for k in 0..<npvpq {
                let i = Int(pvpq[k])
                let d = -dx[k]
                vang[i] += d
                let (sd, cd) = sinCosOfIncrement(d)
                let c = cosAng[i], s = sinAng[i]
                cosAng[i] = c * cd - s * sd
                sinAng[i] = s * cd + c * sd
            }
        }
        pq.withUnsafeBufferPointer { pq in
            for k in 0..<pq.count { vmag[Int(pq[k])] -= dx[npvpq + k] }
        }
    }

    /// A Newton step that shrank ‖F‖∞ to this fraction or less counts as quadratic convergence.
    /// (Measured on case118 to case9241pegase cold: 0.1 beat 0.01 and 0.03 on every case but
    /// the largest, where all three were within 2 %.)
    static var quadraticPhaseRatio: Double { 0.1 }

    /// Runs Newton iterations from the current state (`startNorm`: ‖F‖∞ there, when F was just
    /// computed for it). Returns (converged, iterations).
    ///
    /// With `reuseJacobian`, steps are made with the factors KLU already holds (chord steps:
    /// two triangular solves instead of a Jacobian fill and a factorisation) whenever they are
    /// likely to pay: from the start of a warm solve (factors from the previous solve of a time
    /// series) and after each factorisation in it, and in a cold solve once a Newton step has
    /// shrunk ‖F‖∞ at least tenfold (the quadratic phase; earlier, far from the solution, chord
    /// steps were rejected too often on the PEGASE cases). A chord step is accepted if it
    /// shrinks ‖F‖∞ to `reuseContraction` of its value (or below the tolerance); otherwise the
    /// next step refactorises, and the chord step is kept if it reduced ‖F‖∞ at all, undone
    /// if not.
    func newton(startNorm: Double? = nil) throws -> (Bool, Int) {
        var norm = startNorm ?? mismatch()
        var it = 0
        let tol = options.tolerance
        // Warm solves try the old factors first; cold ones only from the quadratic phase (below).
        let warm = options.reuseJacobian && factorsUsable
        var useChord = warm
        // Newton iterations (factorisations) are capped at maxIterations; chord steps, which
        // each shrink the mismatch at least 4-fold, at 4 * maxIterations in all.
        let factorizationsBefore = factorizationsInSolve
        while !(norm < tol) && norm.isFinite && it < 4 * options.maxIterations
                && (useChord || factorizationsInSolve - factorizationsBefore < options.maxIterations) {
            let chord = useChord
            if chord {
                copyState(toSaved: true)
            } else {
                fillJacobian()
                do {
                    try klu.refactor(values: jac.values)
                } catch NumericsError.singular {
                    factorsUsable = false
                    return (false, it + 1)   // singular Jacobian: report non-convergence
                }
                factorsUsable = true
                factorizationsInSolve += 1
            }
            let n = unknownCount
            for k in 0..<n { dx[k] = f[k] }
            try klu.solve(UnsafeMutableBufferPointer(rebasing: dx[0..<n]))
            applyUpdate()
            let newNorm = mismatch()
            if chord && !(newNorm < tol || newNorm <= options.reuseContraction * norm) {
                // The old factors did not contract enough: a fresh factorisation next. A step
                // that still reduced the mismatch is kept (progress made); one that did not is
                // undone.
                useChord = false
                if !(newNorm < norm) {
                    copyState(toSaved: false)
                    norm = mismatch()
                    continue
                }
            }
            it += 1
            if !chord {
                // After a fresh factorisation: chord steps next in a warm solve, and in a cold
                // one once Newton has reached its quadratic phase, where the factors just made
                // stay good enough for the remaining steps (PEGASE cold solves: the last
                // factorisation is replaced by one or two chord steps).
                useChord = options.reuseJacobian && (warm || newNorm <= Self.quadraticPhaseRatio * norm)
            }
            norm = newNorm
        }
        return (norm < tol, it)
    }

    /// Generator reactive outputs (MVAr) from the current state, in the grid's in-service order.
    func generatorQ() -> [Double] {
        let base = grid.baseMVA
        var q = [Double](repeating: 0, count: grid.genCount)
        var count = [Int](repeating: 0, count: grid.busCount)
        var fixedQ = [Double](repeating: 0, count: grid.busCount)
        for k in 0..<grid.genCount {
            if qFixedGen[k] { fixedQ[grid.genBus[k]] += grid.qg[k] } else { count[grid.genBus[k]] += 1 }
        }
        for k in 0..<grid.genCount {
            let i = grid.genBus[k]
            if qFixedGen[k] { q[k] = grid.qg[k]; continue }
            let total = qcalc[i] * base + grid.qd[i] - fixedQ[i]
            q[k] = total / Double(max(1, count[i]))
        }
        return q
    }

    func makeResult(converged: Bool, iterations: Int) -> PowerFlowResult {
        let nb = grid.busCount, base = grid.baseMVA
        // Worst mismatch and its bus.
        var worst = 0.0, worstBus = nb > 0 ? grid.busID[0] : 0
        let npvpq = pvpq.count
        for k in 0..<unknownCount {
            let a = abs(f[k])
            if a > worst || a.isNaN {
                worst = a
                worstBus = grid.busID[Int(k < npvpq ? pvpq[k] : pq[k - npvpq])]
                if a.isNaN { break }
            }
        }
        var pInj = [Double](repeating: 0, count: nb), qInj = pInj
        for i in 0..<nb { pInj[i] = pcalc[i] * base; qInj[i] = qcalc[i] * base }
        // Generators (case order).
        var pgOut = [Double](repeating: 0, count: grid.caseGenCount), qgOut = pgOut
        let qIn = generatorQ()
        var firstAtSlack = true
        var otherSlackP = 0.0
        let slack = grid.slackBus
        for k in 0..<grid.genCount where grid.genBus[k] == slack { if !firstAtSlack { otherSlackP += grid.pg[k] }; firstAtSlack = false }
        firstAtSlack = true
        for k in 0..<grid.genCount {
            let row = grid.genSourceRow[k], i = grid.genBus[k]
            if i == slack && firstAtSlack {
                pgOut[row] = pInj[i] + grid.pd[i] - otherSlackP
                firstAtSlack = false
            } else {
                pgOut[row] = grid.pg[k]
            }
            qgOut[row] = (types[i] == .pq && !qFixedGen[k]) ? grid.qg[k] : qIn[k]
        }
        // Branches (case order).
        let nc = grid.caseBranchCount
        var pf = [Double](repeating: 0, count: nc), qf = pf, pt = pf, qt = pf, load = pf
        var lossP = 0.0, lossQ = 0.0
        for k in 0..<grid.branchCount {
            let fb = grid.branchFrom[k], tb = grid.branchTo[k]
            // I_f = yff V_f + yft V_t ; S_f = V_f conj(I_f)
            let ifr = y.yffRe[k] * vr[fb] - y.yffIm[k] * vi[fb] + y.yftRe[k] * vr[tb] - y.yftIm[k] * vi[tb]
            let ifi = y.yffRe[k] * vi[fb] + y.yffIm[k] * vr[fb] + y.yftRe[k] * vi[tb] + y.yftIm[k] * vr[tb]
            let itr = y.ytfRe[k] * vr[fb] - y.ytfIm[k] * vi[fb] + y.yttRe[k] * vr[tb] - y.yttIm[k] * vi[tb]
            let iti = y.ytfRe[k] * vi[fb] + y.ytfIm[k] * vr[fb] + y.yttRe[k] * vi[tb] + y.yttIm[k] * vr[tb]
            let sfp = (vr[fb] * ifr + vi[fb] * ifi) * base, sfq = (vi[fb] * ifr - vr[fb] * ifi) * base
            let stp = (vr[tb] * itr + vi[tb] * iti) * base, stq = (vi[tb] * itr - vr[tb] * iti) * base
            let row = grid.branchSourceRow[k]
            pf[row] = sfp; qf[row] = sfq; pt[row] = stp; qt[row] = stq
            lossP += sfp + stp; lossQ += sfq + stq
            let rate = grid.rateA[k]
            if rate > 0 {
                load[row] = max((sfp * sfp + sfq * sfq).squareRoot(), (stp * stp + stq * stq).squareRoot()) / rate * 100
            }
        }
        return PowerFlowResult(converged: converged, iterations: iterations, maxMismatch: worst, worstBusID: worstBus,
                               vm: Array(vmag[0..<nb]), va: vang[0..<nb].map { $0 * 180 / .pi }, pInjection: pInj, qInjection: qInj,
                               pg: pgOut, qg: qgOut, pFrom: pf, qFrom: qf, pTo: pt, qTo: qt, loadingPercent: load,
                               lossesMW: lossP, lossesMVAr: lossQ, qLimitedBuses: [])
    }
}

/// sin and cos of a set of start angles, kept so that a cold start from the same angles copies
/// them instead of calling `sincos` per bus.
struct StartAngleTrigonometry {
    var angles: [Double] = [], sin: [Double] = [], cos: [Double] = []

    /// Writes sin and cos of every entry of `current` into `s` and `c`: copied from the cache
    /// when `current` holds the cached angles, else computed with `sinCos` (and cached). O(n).
    mutating func apply(angles current: UnsafeMutableBufferPointer<Double>, sin s: UnsafeMutableBufferPointer<Double>,
                        cos c: UnsafeMutableBufferPointer<Double>) {
        let n = angles.count
        if n > 0 && n == current.count && (0..<n).allSatisfy({ angles[$0] == current[$0] }) {
            for i in 0..<n { s[i] = sin[i]; c[i] = cos[i] }
            return
        }
        for i in 0..<current.count { (s[i], c[i]) = sinCos(current[i]) }
        angles = Array(current); sin = Array(s); cos = Array(c)
    }
}
