import Energy
import Foundation
import SimKernel
import TwinIO

/// The power grid inside the world: the case's own loads plus the loads the other systems
/// publish (buildings, chargers) minus PV, solved at the scenario interval and whenever the
/// total net load moves by more than the threshold since the last solve.
///
/// Voltage and loading states hold from one solve to the next, so violation durations are
/// exact for that piecewise-constant picture. An event is a bus (line) entering violation.
struct GridSystem {
    private(set) var grid: PowerGrid
    let settings: GridSettings
    /// The case as read, for rebuilding the grid when branches change status.
    private let caseData: MatpowerCase
    /// Branch status overrides by case row (0-based), from interventions.
    private var statusOverride: [Int: Bool] = [:]
    private var solver: PowerFlowSolver
    private var dcSolver: DCPowerFlow?
    /// Case loads × case_load_scale, MW / MVAr per bus.
    let baseP: [Double], baseQ: [Double]
    /// Explicit loads published by the other systems, MW per bus (positive = consumption).
    var extraP: [Double], extraQ: [Double]
    /// Current net bus loads handed to the solver, MW / MVAr.
    private(set) var netP: [Double], netQ: [Double]
    private let tanPhi: Double
    /// MVA rating per case branch row (0 = unrated): RATE_A, or the scenario's default for unrated
    /// ones. A property of the branch, so it does not change when interventions switch branches.
    let ratingMVA: [Double]

    // Latest solution (case bus / branch order).
    private(set) var vm: [Double]
    private(set) var va: [Double]
    private(set) var loading: [Double]
    private(set) var pFrom: [Double]
    private(set) var lastConverged = true
    private(set) var lastIterations = 0
    private(set) var lastMismatch = 0.0
    private(set) var lossesMW = 0.0
    /// Generator outputs of the latest solution (case generator order), MW / MVAr.
    private(set) var genP: [Double] = []
    private(set) var genQ: [Double] = []
    private(set) var peakTime = SimTime.zero
    private(set) var lossesMWh = 0.0
    private(set) var slackMW = 0.0
    private var lastSolvedTotal = 0.0

    // Statistics for KPIs.
    private(set) var solves = 0
    private(set) var extraSolves = 0
    private(set) var nonConverged = 0
    private(set) var solveSeconds = 0.0
    private(set) var minVoltage = Double.infinity
    private(set) var maxLoading = 0.0
    private(set) var peakLoadMW = 0.0
    private(set) var voltageEvents = 0
    private(set) var overloadEvents = 0
    private(set) var voltageBusHours = 0.0
    private(set) var overloadLineHours = 0.0
    private var busViolating: [Bool]
    private var lineOverloaded: [Bool]
    private var stateSince: Int64 = 0
    private(set) var energyMWh = 0.0
    private var totalSince: Int64 = 0
    private var currentTotal = 0.0

    init(settings: GridSettings, source: String) throws {
        let grid: PowerGrid
        do {
            caseData = try MatpowerReader.read(path: settings.casePath)
            grid = try PowerGrid(matpower: caseData)
        } catch {
            throw ScenarioError(file: source, path: "grid.case", message: "\(error)")
        }
        self.grid = grid
        self.settings = settings
        solver = try PowerFlowSolver(grid: grid, options: Self.options(settings))
        dcSolver = settings.method == .dc ? try DCPowerFlow(grid: grid) : nil
        baseP = grid.pd.map { $0 * settings.caseLoadScale }
        baseQ = grid.qd.map { $0 * settings.caseLoadScale }
        let n = grid.busCount
        extraP = Array(repeating: 0, count: n)
        extraQ = extraP
        netP = baseP
        netQ = baseQ
        tanPhi = tan(acos(settings.powerFactor))
        ratingMVA = caseData.branch.map { row in
            let rate = row[MatpowerCase.Branch.rateA]
            return rate > 0 ? rate : (settings.defaultRatingMVA ?? 0)
        }
        vm = grid.vm
        va = grid.va
        loading = Array(repeating: 0, count: grid.caseBranchCount)
        pFrom = loading
        busViolating = Array(repeating: false, count: n)
        lineOverloaded = Array(repeating: false, count: grid.caseBranchCount)
    }

    var busCount: Int { grid.busCount }

    static func options(_ s: GridSettings) -> PowerFlowOptions {
        PowerFlowOptions(tolerance: s.tolerance, maxIterations: s.maxIterations, enforceQLimits: s.enforceQLimits,
                         reuseJacobian: s.reuseJacobian, dcAngleStart: s.dcStart)
    }

    /// Every branch row of the case file: end bus numbers and case status.
    var caseRows: [(from: Int, to: Int, inService: Bool)] {
        caseData.branch.map { (Int($0[MatpowerCase.Branch.fbus]), Int($0[MatpowerCase.Branch.tbus]), $0[MatpowerCase.Branch.status] != 0) }
    }

    /// Number of branch rows in the case file.
    var caseBranchCount: Int { caseData.branch.count }

    /// Puts branch `row` (0-based case row) in or out of service, or back to its case status
    /// (`inService == nil`), and rebuilds the grid model and solvers for the new topology.
    /// The bus set is unchanged, so outputs keep their shape; buses left without a path to the
    /// slack become isolated (de-energised, `PowerGrid` notes it) and show 0 p.u.
    mutating func setBranchStatus(row: Int, inService: Bool?) throws {
        statusOverride[row] = inService
        var c = caseData
        for (r, on) in statusOverride.sorted(by: { $0.key < $1.key }) {
            c.branch[r][MatpowerCase.Branch.status] = on ? 1 : 0
        }
        grid = try PowerGrid(matpower: c)
        solver = try PowerFlowSolver(grid: grid, options: Self.options(settings))
        dcSolver = settings.method == .dc ? try DCPowerFlow(grid: grid) : nil
    }

    /// Sets the explicit loads from per-bus watt arrays (consumption and local generation).
    mutating func setExplicitLoads(consumptionW: [Double], generationW: [Double]) {
        for i in 0..<busCount {
            let c = i < consumptionW.count ? consumptionW[i] : 0
            let g = i < generationW.count ? generationW[i] : 0
            extraP[i] = (c - g) / 1e6
            extraQ[i] = c / 1e6 * tanPhi
        }
    }

    /// Total net load (MW) with the current explicit loads.
    var totalNetLoadMW: Double {
        var s = 0.0
        for i in 0..<busCount { s += baseP[i] + extraP[i] }
        return s
    }

    /// True when the net load moved by more than the threshold since the last solve.
    func loadJumped() -> Bool {
        guard solves > 0 else { return false } // the first periodic solve is at t = 0 anyway
        let total = totalNetLoadMW
        let reference = max(abs(lastSolvedTotal), 1e-6)
        return abs(total - lastSolvedTotal) / reference > settings.loadChangeThreshold
    }

    /// Solves the power flow for the current loads at `time`. Non-convergence is recorded,
    /// and the previous voltages are kept for the violation statistics (never silently used as
    /// a new solution: `lastConverged` is false and the snapshot marks it).
    mutating func solve(at time: SimTime, extra: Bool) throws {
        let now = time.milliseconds
        accrue(until: now)
        for i in 0..<busCount {
            netP[i] = baseP[i] + extraP[i]
            netQ[i] = baseQ[i] + extraQ[i]
        }
        let total = netP.reduce(0, +)
        lastSolvedTotal = total
        if total > peakLoadMW || solves == 0 { peakLoadMW = total; peakTime = time }
        solves += 1
        if extra { extraSolves += 1 }
        if let dc = dcSolver {
            var injection = netP.map { -$0 }
            for k in 0..<grid.genCount { injection[grid.genBus[k]] += grid.pg[k] }
            let t0 = Date()
            let r = try dc.solve(injectionsMW: injection)
            solveSeconds += Date().timeIntervalSince(t0)
            va = r.va
            for i in 0..<busCount { vm[i] = grid.busType[i] == .isolated ? 0 : 1 }
            pFrom = r.pFrom
            genP = r.pg
            genQ = r.pg.map { _ in 0 }
            for k in 0..<loading.count { loading[k] = ratingMVA[k] > 0 ? 100 * abs(r.pFrom[k]) / ratingMVA[k] : 0 }
            lastConverged = true
            lastIterations = 1
            lastMismatch = 0
            lossesMW = 0
        } else {
            let r: PowerFlowResult
            do {
                r = try solver.solve(loadsP: netP, loadsQ: netQ)
            } catch {
                // A singular Jacobian (e.g. islanded buses after an outage) is a failed solve.
                lastConverged = false
                lastIterations = 0
                nonConverged += 1
                try? solver.reset()
                return
            }
            solveSeconds += solver.lastSolveSeconds
            lastIterations = r.iterations
            lastMismatch = r.maxMismatch
            lastConverged = r.converged
            if !r.converged {
                nonConverged += 1
                // Start the next solve from the case voltages, not from a diverged iterate.
                try solver.reset()
                return
            }
            vm = r.vm
            va = r.va
            // Isolated (islanded) buses are de-energised.
            for i in 0..<busCount where grid.busType[i] == .isolated { vm[i] = 0; va[i] = 0 }
            pFrom = r.pFrom
            // Loading = the larger end's apparent power over the rating (MVA).
            for k in 0..<loading.count {
                let s = max((r.pFrom[k] * r.pFrom[k] + r.qFrom[k] * r.qFrom[k]).squareRoot(),
                            (r.pTo[k] * r.pTo[k] + r.qTo[k] * r.qTo[k]).squareRoot())
                loading[k] = ratingMVA[k] > 0 ? 100 * s / ratingMVA[k] : 0
            }
            lossesMW = r.lossesMW
            genP = r.pg
            genQ = r.qg
        }
        currentTotal = total
        updateViolations()
    }

    private mutating func updateViolations() {
        for i in 0..<busCount {
            let v = vm[i]
            minVoltage = min(minVoltage, v)
            let bad = v < settings.voltageMin || v > settings.voltageMax
            if bad && !busViolating[i] { voltageEvents += 1 }
            busViolating[i] = bad
        }
        for k in 0..<loading.count {
            let l = loading[k]
            if l.isFinite { maxLoading = max(maxLoading, l) }
            let bad = l.isFinite && l > settings.loadingLimitPercent
            if bad && !lineOverloaded[k] { overloadEvents += 1 }
            lineOverloaded[k] = bad
        }
    }

    /// Books violation durations and energy from the last state change up to `now`.
    mutating func accrue(until now: Int64) {
        let hours = Double(now - stateSince) / 3_600_000
        if hours > 0 {
            voltageBusHours += Double(busViolating.lazy.filter { $0 }.count) * hours
            overloadLineHours += Double(lineOverloaded.lazy.filter { $0 }.count) * hours
            energyMWh += currentTotal * hours
            lossesMWh += lossesMW * hours
            stateSince = now
        }
    }

    var violatingBusCount: Int { busViolating.lazy.filter { $0 }.count }
    var overloadedLineCount: Int { lineOverloaded.lazy.filter { $0 }.count }

    func kpis() -> [KPI] {
        [
            KPI("grid_peak_load", peakLoadMW, units: "MW", domain: "grid", better: .lowerIsBetter,
                description: "Highest total net bus load among the power-flow solves"),
            KPI("grid_peak_load_time", peakTime.seconds / 3600, units: "h", domain: "grid",
                description: "Time of the peak load, hours since the start"),
            KPI("grid_losses_energy", lossesMWh, units: "MWh", domain: "grid", better: .lowerIsBetter,
                description: "Active losses integrated over the run (AC power flow)"),
            KPI("grid_energy", energyMWh, units: "MWh", domain: "grid", better: .lowerIsBetter,
                description: "Net energy drawn at the grid's buses (loads minus PV), between solves held constant"),
            KPI("min_voltage", minVoltage.isFinite ? minVoltage : .nan, units: "p.u.", domain: "grid", better: .higherIsBetter,
                description: "Lowest bus voltage magnitude among converged solves"),
            KPI("max_line_loading", maxLoading, units: "%", domain: "grid", better: .lowerIsBetter,
                description: "Highest branch loading, % of the branch rating (RATE_A, or grid.default_rating_mva for unrated branches)"),
            KPI("voltage_violation_events", Double(voltageEvents), units: "1", domain: "grid", better: .lowerIsBetter,
                description: "Times a bus voltage left [voltage_min, voltage_max]"),
            KPI("voltage_violation_bus_hours", voltageBusHours, units: "h", domain: "grid", better: .lowerIsBetter,
                description: "Sum over buses of the time spent outside the voltage band"),
            KPI("overload_events", Double(overloadEvents), units: "1", domain: "grid", better: .lowerIsBetter,
                description: "Times a branch's loading rose above loading_limit_percent"),
            KPI("overload_line_hours", overloadLineHours, units: "h", domain: "grid", better: .lowerIsBetter,
                description: "Sum over branches of the time spent overloaded"),
            KPI("power_flow_solves", Double(solves), units: "1", domain: "grid",
                description: "Power flows solved (periodic and load-jump triggered)"),
            KPI("power_flow_nonconverged", Double(nonConverged), units: "1", domain: "grid", better: .lowerIsBetter,
                description: "Power flows that did not converge (their results were not used)"),
        ]
    }
}
