import Foundation
import TwinIO

/// Options for `solveCase(path:options:)` — the engine behind `citytwin powerflow`.
public struct PowerFlowCaseOptions: Sendable, Equatable {
    /// Solve the DC approximation instead of the AC Newton–Raphson.
    public var dc: Bool
    /// Number of timed solves (each from the same start point, reusing the factorisation
    /// structure); the report gives their median and minimum. At least 1.
    public var repeatCount: Int
    public var powerFlow: PowerFlowOptions
    /// AC only. 0: `repeatCount` cold solves. N > 0: a quasi-static time series instead — one
    /// untimed cold solve at nominal load, then N timed solves, each warm-started from the one
    /// before, with every bus load (P and Q) scaled by ``seriesLoadScale(step:)``: a ±3 % daily
    /// swing in 15-minute steps. Step 96 is back at nominal load, so a 96-step series ends on
    /// the case's own solution.
    public var seriesSteps: Int

    public init(dc: Bool = false, repeatCount: Int = 1, powerFlow: PowerFlowOptions = PowerFlowOptions(), seriesSteps: Int = 0) {
        self.dc = dc; self.repeatCount = repeatCount; self.powerFlow = powerFlow; self.seriesSteps = seriesSteps
    }

    /// Load scale of time-series step `step` (1-based): 1 + 0.03 · sin(2π · step / 96). The
    /// benchmark scripts apply the same factors to pandapower and lightsim2grid.
    public static func seriesLoadScale(step: Int) -> Double {
        1 + 0.03 * sin(2 * Double.pi * Double(step) / 96)
    }
}

/// Outcome of `solveCase`: the solution plus timings, renderable as JSON.
public struct PowerFlowReport: Sendable {
    public var caseName: String
    public var busIDs: [Int]
    /// AC result (nil in DC mode).
    public var ac: PowerFlowResult?
    /// DC result (nil in AC mode).
    public var dc: DCPowerFlowResult?
    /// Seconds spent reading + parsing the file, building the grid/solver (Ybus, Jacobian
    /// pattern, KLU analysis; DC: B' factorisation), and per solve (median and minimum over repeats).
    public var parseSeconds: Double
    public var setupSeconds: Double
    public var solveSeconds: Double
    public var solveSecondsMin: Double
    /// The first timed solve: for AC it includes KLU's first full numeric factorisation (with
    /// pivoting); later repeats reuse its pivot order (`klu_refactor`). With two or more
    /// repeats it is left out of `solveSeconds`/`solveSecondsMin`, which then describe the
    /// steady state (as peer benchmarks leave out their first call).
    public var firstSolveSeconds: Double
    public var repeats: Int
    /// Time-series mode (`seriesSteps > 0`): steps solved, and Newton iterations and Jacobian
    /// factorisations summed over them. Zero otherwise.
    public var seriesSteps = 0
    public var seriesIterations = 0
    public var seriesFactorizations = 0
    /// AC cold solves with two or more repeats: the median time of one KLU refactorisation
    /// (with the Jacobian fill) and of one pair of triangular solves for this grid's Jacobian
    /// (``PowerFlowSolver/linearAlgebraTimings(repeats:)``), and the non-zeros of the Jacobian
    /// and of its LU factors. A Newton solve costs at least its factorisations × the first plus
    /// its updates × the second. Zero when not measured.
    public var kluRefactorSeconds = 0.0
    public var kluSolveSeconds = 0.0
    public var jacobianNonZeros = 0
    public var factorNonZeros = 0

    /// JSON text with a fixed key order: `case`, `mode`, `converged`, `iterations`,
    /// `max_mismatch`, `worst_bus`, `bus_i`, `vm_pu`, `va_degree` (case bus order), injections,
    /// branch flows and loadings (case branch order), generator outputs (case gen order),
    /// losses, the KLU kernel timings when measured (`jacobian_nonzeros`, `lu_nonzeros`,
    /// `klu_refactor_seconds`, `klu_solve_seconds`) and timings. Non-finite numbers are
    /// written as `null`.
    public var jsonString: String {
        var s = "{"
        var first = true
        func key(_ k: String) { s += first ? "" : ","; first = false; s += "\n  \"\(k)\": " }
        func num(_ v: Double) -> String { v.isFinite ? "\(v)" : "null" }
        func arr(_ a: [Double]) -> String { "[" + a.map(num).joined(separator: ", ") + "]" }
        key("case"); s += "\"\(caseName.replacingOccurrences(of: "\"", with: "\\\""))\""
        key("mode"); s += dc != nil ? "\"dc\"" : "\"ac\""
        key("bus_i"); s += "[" + busIDs.map(String.init).joined(separator: ", ") + "]"
        if let r = ac {
            key("converged"); s += r.converged ? "true" : "false"
            key("iterations"); s += "\(r.iterations)"
            key("factorizations"); s += "\(r.factorizations)"
            key("max_mismatch"); s += num(r.maxMismatch)
            key("worst_bus"); s += "\(r.worstBusID)"
            key("vm_pu"); s += arr(r.vm)
            key("va_degree"); s += arr(r.va)
            key("p_mw"); s += arr(r.pInjection)
            key("q_mvar"); s += arr(r.qInjection)
            key("gen_p_mw"); s += arr(r.pg)
            key("gen_q_mvar"); s += arr(r.qg)
            key("branch_p_from_mw"); s += arr(r.pFrom)
            key("branch_q_from_mvar"); s += arr(r.qFrom)
            key("branch_p_to_mw"); s += arr(r.pTo)
            key("branch_q_to_mvar"); s += arr(r.qTo)
            key("branch_loading_percent"); s += arr(r.loadingPercent)
            key("losses_mw"); s += num(r.lossesMW)
            key("losses_mvar"); s += num(r.lossesMVAr)
            key("q_limited_buses"); s += "[" + r.qLimitedBuses.map(String.init).joined(separator: ", ") + "]"
        }
        if let r = dc {
            key("converged"); s += "true"
            key("iterations"); s += "1"
            key("va_degree"); s += arr(r.va)
            key("gen_p_mw"); s += arr(r.pg)
            key("branch_p_from_mw"); s += arr(r.pFrom)
            key("branch_loading_percent"); s += arr(r.loadingPercent)
        }
        key("repeats"); s += "\(repeats)"
        if seriesSteps > 0 {
            key("series_steps"); s += "\(seriesSteps)"
            key("series_iterations"); s += "\(seriesIterations)"
            key("series_factorizations"); s += "\(seriesFactorizations)"
        }
        if jacobianNonZeros > 0 {
            key("jacobian_nonzeros"); s += "\(jacobianNonZeros)"
            key("lu_nonzeros"); s += "\(factorNonZeros)"
            key("klu_refactor_seconds"); s += num(kluRefactorSeconds)
            key("klu_solve_seconds"); s += num(kluSolveSeconds)
        }
        key("parse_seconds"); s += num(parseSeconds)
        key("setup_seconds"); s += num(setupSeconds)
        key("solve_seconds"); s += num(solveSeconds)
        key("solve_seconds_min"); s += num(solveSecondsMin)
        key("first_solve_seconds"); s += num(firstSolveSeconds)
        s += "\n}\n"
        return s
    }

    /// A short human-readable summary (for the CLI without `--json`).
    public var summary: String {
        func f(_ v: Double, _ d: Int = 6) -> String { String(format: "%.\(d)f", v) }
        if let r = ac {
            let vmin = r.vm.min() ?? 0, vmax = r.vm.max() ?? 0
            var s = "\(caseName): AC power flow \(r.converged ? "converged" : "DID NOT CONVERGE") in \(r.iterations) iterations, "
            s += "max mismatch \(r.maxMismatch) p.u. at bus \(r.worstBusID)\n"
            s += "Vm \(f(vmin, 5))–\(f(vmax, 5)) p.u., losses \(f(r.lossesMW, 3)) MW / \(f(r.lossesMVAr, 3)) MVAr\n"
            if seriesSteps > 0 {
                s += "time series of \(seriesSteps) warm-started solves: \(seriesIterations) iterations, \(seriesFactorizations) factorisations in all\n"
            }
            s += "solve \(f(solveSeconds * 1e3, 3)) ms (median of \(repeats), min \(f(solveSecondsMin * 1e3, 3)) ms), setup \(f(setupSeconds * 1e3, 3)) ms, parse \(f(parseSeconds * 1e3, 3)) ms"
            if jacobianNonZeros > 0 {
                s += "\nKLU: Jacobian \(jacobianNonZeros) non-zeros, LU \(factorNonZeros); refactorisation \(f(kluRefactorSeconds * 1e3, 4)) ms, "
                s += "triangular solves \(f(kluSolveSeconds * 1e3, 4)) ms (medians)"
            }
            return s
        }
        var s = "\(caseName): DC power flow\n"
        if let r = dc, let m = r.loadingPercent.max() { s += "max branch loading \(f(m, 1)) %\n" }
        s += "solve \(f(solveSeconds * 1e3, 3)) ms (median of \(repeats)), setup \(f(setupSeconds * 1e3, 3)) ms, parse \(f(parseSeconds * 1e3, 3)) ms"
        return s
    }
}

@inline(__always) private func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// Reads a MATPOWER case, builds the grid and solves it (AC Newton–Raphson or DC), timing the
/// parse, the setup and `repeatCount` solves separately. Throws parse/validation errors (one
/// line naming file, line and field); AC non-convergence is reported in the result, not thrown.
public func solveCase(path: String, options: PowerFlowCaseOptions = PowerFlowCaseOptions()) throws -> PowerFlowReport {
    let t0 = now()
    let mc = try MatpowerReader.read(path: path)
    let grid = try PowerGrid(matpower: mc)
    let t1 = now()
    let repeats = max(1, options.repeatCount)
    var times: [Double] = []
    times.reserveCapacity(repeats)
    var report = PowerFlowReport(caseName: mc.name.isEmpty ? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent : mc.name,
                                 busIDs: grid.busID, ac: nil, dc: nil, parseSeconds: Double(t1 - t0) / 1e9,
                                 setupSeconds: 0, solveSeconds: 0, solveSecondsMin: 0, firstSolveSeconds: 0, repeats: repeats)
    if options.dc {
        let solver = try DCPowerFlow(grid: grid)
        let t2 = now()
        report.setupSeconds = Double(t2 - t1) / 1e9
        for _ in 0..<repeats {
            let a = now()
            report.dc = try solver.solve()
            times.append(Double(now() - a) / 1e9)
        }
    } else {
        let solver = try PowerFlowSolver(grid: grid, options: options.powerFlow)
        report.setupSeconds = Double(now() - t1) / 1e9
        if options.seriesSteps > 0 {
            let baseP = grid.pd, baseQ = grid.qd
            var p = baseP, q = baseQ
            report.ac = try solver.solve()
            report.firstSolveSeconds = solver.lastSolveSeconds
            for step in 1...options.seriesSteps {
                let a = now()
                let scale = PowerFlowCaseOptions.seriesLoadScale(step: step)
                for i in 0..<p.count { p[i] = baseP[i] * scale; q[i] = baseQ[i] * scale }
                let r = try solver.solve(loadsP: p, loadsQ: q)
                times.append(Double(now() - a) / 1e9)
                report.seriesIterations += r.iterations
                report.seriesFactorizations += r.factorizations
                report.ac = r
                if !r.converged { break }
            }
            report.seriesSteps = times.count
            report.repeats = times.count
        } else {
            for _ in 0..<repeats {
                try solver.reset()
                report.ac = try solver.solve()
                times.append(solver.lastSolveSeconds)
            }
            if repeats > 1 {
                // The kernels' own cost, for benchmarks: what one Newton iteration cannot go below.
                (report.kluRefactorSeconds, report.kluSolveSeconds) = try solver.linearAlgebraTimings(repeats: min(repeats, 50))
                report.jacobianNonZeros = solver.jacobianNonZeroCount
                report.factorNonZeros = solver.factorNonZeroCount
            }
        }
    }
    // A series' first (cold, untimed) solve was recorded above; otherwise the first timed one,
    // which the median and minimum then leave out when there are others.
    if report.seriesSteps == 0 {
        report.firstSolveSeconds = times[0]
        if times.count > 1 { times.removeFirst() }
    }
    times.sort()
    report.solveSeconds = times[times.count / 2]
    report.solveSecondsMin = times[0]
    return report
}
