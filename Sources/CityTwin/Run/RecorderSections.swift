import Energy
import SimKernel
import TwinIO

/// `/grid`: bus voltages and loads, branch loadings and flows, and per-time totals, from the
/// latest power-flow solution at each snapshot.
final class GridRecorder {
    private let layout: TimeSeriesLayout
    private let vm, va, pLoad, qLoad: HDF5TimeSeriesWriter<Double>
    private let loading, pFrom: HDF5TimeSeriesWriter<Double>
    private let genP, genQ: HDF5TimeSeriesWriter<Double>
    private let totalLoad, losses, minVm, maxLoading: HDF5TimeSeriesWriter<Double>
    private let converged: HDF5TimeSeriesWriter<UInt8>
    private let iterations, violatingBuses, overloadedLines: HDF5TimeSeriesWriter<Int32>

    init(file: HDF5File, calendarStart: String, grid: GridSystem, deflate: Int?) throws {
        let l = try TimeSeriesLayout(file: file, group: "/grid", calendarStart: calendarStart)
        layout = l
        let g = grid.grid
        try l.addEntityAxis("bus", labels: .ids(g.busID.map(Int64.init)),
                                 metadata: VariableMetadata(units: "1", longName: "MATPOWER bus number"))
        try l.addEntityAxis("line", labels: .ids((0..<g.caseBranchCount).map { Int64($0 + 1) }),
                                 metadata: VariableMetadata(units: "1", longName: "branch row in the case file (1-based; out-of-service rows stay at 0)"))
        // Topology for one-line diagrams: branch ends (bus numbers) and case status of every row.
        let c = grid.caseRows
        try l.writeStatic("from_bus", axis: "line", values: c.map { Int64($0.from) },
                          metadata: VariableMetadata(units: "1", longName: "from-bus number"))
        try l.writeStatic("to_bus", axis: "line", values: c.map { Int64($0.to) },
                          metadata: VariableMetadata(units: "1", longName: "to-bus number"))
        try l.writeStatic("in_service", axis: "line", values: c.map { UInt8($0.inService ? 1 : 0) },
                          metadata: VariableMetadata(units: "1", longName: "1 if in service in the case file"))
        try l.writeStatic("rating", axis: "line", values: grid.ratingMVA,
                          metadata: VariableMetadata(units: "MVA", longName: "rating used for loading (0 = unrated)"))
        try l.addEntityAxis("gen", labels: .ids((0..<g.genCount).map { Int64(g.genSourceRow[$0] + 1) }),
                            metadata: VariableMetadata(units: "1", longName: "generator row in the case file (1-based)"))
        try l.writeStatic("gen_bus", axis: "gen", values: g.genBus.map { Int64(g.busID[$0]) },
                          metadata: VariableMetadata(units: "1", longName: "bus number of the generator"))
        genP = try l.addVariable("gen_p", axis: "gen", metadata: VariableMetadata(units: "MW", longName: "generator active output"),
                                 deflateLevel: deflate)
        genQ = try l.addVariable("gen_q", axis: "gen", metadata: VariableMetadata(units: "MVAr", longName: "generator reactive output"),
                                 deflateLevel: deflate)
        func bus(_ n: String, _ u: String, _ longName: String) throws -> HDF5TimeSeriesWriter<Double> {
            try l.addVariable(n, axis: "bus", metadata: VariableMetadata(units: u, longName: longName), deflateLevel: deflate)
        }
        func line(_ n: String, _ u: String, _ longName: String) throws -> HDF5TimeSeriesWriter<Double> {
            try l.addVariable(n, axis: "line", metadata: VariableMetadata(units: u, longName: longName), deflateLevel: deflate)
        }
        func total<T: HDF5Numeric>(_ n: String, _ u: String, _ longName: String, _ t: T.Type) throws -> HDF5TimeSeriesWriter<T> {
            try l.addVariable(n, axis: nil, as: T.self, metadata: VariableMetadata(units: u, longName: longName), deflateLevel: deflate)
        }
        vm = try bus("vm", "p.u.", "bus voltage magnitude")
        va = try bus("va", "degree", "bus voltage angle")
        pLoad = try bus("p_load", "MW", "net active load at the bus (case load + buildings + chargers - PV)")
        qLoad = try bus("q_load", "MVAr", "net reactive load at the bus")
        loading = try line("loading", "%", "branch loading, % of RATE_A (0 when unrated)")
        pFrom = try line("p_from", "MW", "active power flow at the from end")
        totalLoad = try total("total_load", "MW", "total net load", Double.self)
        losses = try total("losses", "MW", "active losses (AC only)", Double.self)
        minVm = try total("min_vm", "p.u.", "lowest bus voltage", Double.self)
        maxLoading = try total("max_loading", "%", "highest branch loading", Double.self)
        converged = try total("converged", "1", "1 if the latest power flow converged", UInt8.self)
        iterations = try total("iterations", "1", "Newton-Raphson iterations of the latest solve", Int32.self)
        violatingBuses = try total("violating_buses", "1", "buses outside the voltage band", Int32.self)
        overloadedLines = try total("overloaded_lines", "1", "branches above the loading limit", Int32.self)
        try file.setAttribute("case", .string(g.name), at: "/grid")
        try file.setAttribute("slack_bus", .int64(Int64(g.busID[g.slackBus])), at: "/grid")
        try file.setAttribute("base_mva", .double(g.baseMVA), at: "/grid")
        try file.setAttribute("voltage_min", .double(grid.settings.voltageMin), at: "/grid")
        try file.setAttribute("voltage_max", .double(grid.settings.voltageMax), at: "/grid")
        try file.setAttribute("method", .string(grid.settings.method.rawValue), at: "/grid")
    }

    func snapshot(_ g: GridSystem, at time: SimTime) throws {
        try layout.appendTime(milliseconds: time.milliseconds)
        try vm.append(row: g.vm)
        try va.append(row: g.va)
        try pLoad.append(row: g.netP)
        try qLoad.append(row: g.netQ)
        try loading.append(row: g.loading)
        try pFrom.append(row: g.pFrom)
        try genP.append(row: g.genP.count == g.grid.genCount ? g.genP : g.grid.pg)
        try genQ.append(row: g.genQ.count == g.grid.genCount ? g.genQ : g.grid.qg)
        try totalLoad.append(g.netP.reduce(0, +))
        try losses.append(g.lossesMW)
        try minVm.append(g.vm.min() ?? .nan)
        try maxLoading.append(g.loading.filter(\.isFinite).max() ?? 0)
        try converged.append(g.lastConverged ? 1 : 0)
        try iterations.append(Int32(g.lastIterations))
        try violatingBuses.append(Int32(g.violatingBusCount))
        try overloadedLines.append(Int32(g.overloadedLineCount))
    }

    func finish() throws { try layout.finish() }
}

/// `/buildings`: per building class mean indoor temperature and electric power; totals.
final class BuildingsRecorder {
    private let layout: TimeSeriesLayout
    private let airTemperature, power: HDF5TimeSeriesWriter<Double>
    private let totalPower: HDF5TimeSeriesWriter<Double>
    private let hvacOn: HDF5TimeSeriesWriter<Int32>
    private let hvacPower: HDF5TimeSeriesWriter<Double>
    private let uncomfortable: HDF5TimeSeriesWriter<Int32>
    /// Comfort band per class (heating − d/2, cooling + d/2), °C.
    private let comfort: [(low: Double, high: Double)]
    private let interval: Double
    /// Σ over snapshots of uncomfortable buildings × interval (building-hours).
    private(set) var uncomfortableBuildingHours = 0.0
    private var classPower: [Double] = []
    private var modes: [Double] = []
    private var temperatures: [Double] = []
    private(set) var peakKW = 0.0

    init(file: HDF5File, calendarStart: String, stock: BuildingStock, classNames: [String],
         comfort: [(low: Double, high: Double)], snapshotHours: Double, deflate: Int?) throws {
        self.comfort = comfort
        self.interval = snapshotHours
        let l = try TimeSeriesLayout(file: file, group: "/buildings", calendarStart: calendarStart)
        layout = l
        try l.addEntityAxis("building_class", labels: .names(classNames),
                                 metadata: VariableMetadata(units: "1", longName: "building class"))
        try l.writeStatic("count", axis: "building_class",
                               values: (0..<stock.classCount).map { Int64(stock.classRange($0).count) },
                               metadata: VariableMetadata(units: "1", longName: "buildings in the class"))
        airTemperature = try l.addVariable("air_temperature", axis: "building_class",
                                                metadata: VariableMetadata(units: "degC", longName: "mean indoor air temperature"),
                                                deflateLevel: deflate)
        hvacPower = try l.addVariable("hvac_power", axis: "building_class",
                                      metadata: VariableMetadata(units: "kW", longName: "HVAC electric power (heating, cooling, fans)"),
                                      deflateLevel: deflate)
        uncomfortable = try l.addVariable("uncomfortable", axis: "building_class", as: Int32.self,
                                          metadata: VariableMetadata(units: "1", longName: "buildings more than 0.5 K outside their comfort band"),
                                          deflateLevel: deflate)
        power = try l.addVariable("electric_power", axis: "building_class",
                                       metadata: VariableMetadata(units: "kW", longName: "electric power (HVAC + base load)"),
                                       deflateLevel: deflate)
        totalPower = try l.addVariable("total_electric_power", axis: nil,
                                            metadata: VariableMetadata(units: "kW", longName: "electric power of all buildings"),
                                            deflateLevel: deflate)
        hvacOn = try l.addVariable("hvac_running", axis: nil, as: Int32.self,
                                        metadata: VariableMetadata(units: "1", longName: "buildings heating or cooling"),
                                        deflateLevel: deflate)
    }

    func snapshot(_ b: BuildingStock, at time: SimTime) throws {
        try layout.appendTime(milliseconds: time.milliseconds)
        b.snapshotAirTemperature(at: time, into: &temperatures)
        try airTemperature.append(row: (0..<b.classCount).map { c in
            let r = b.classRange(c)
            return r.isEmpty ? .nan : temperatures[r].reduce(0, +) / Double(r.count)
        })
        b.classElectricPower(into: &classPower)
        let kw = classPower.map { $0 / 1000 }
        try power.append(row: kw)
        var hvac = [Double](repeating: 0, count: b.classCount)
        var bad = [Int32](repeating: 0, count: b.classCount)
        for c in 0..<b.classCount {
            let band = c < comfort.count ? comfort[c] : (low: -Double.infinity, high: Double.infinity)
            for i in b.classRange(c) {
                hvac[c] += b.hvacElectric[i] / 1000
                let t = temperatures[i], offset = b.setpointOffset[i]
                if t > band.high + offset + 0.5 || t < band.low + offset - 0.5 { bad[c] += 1 }
            }
        }
        try hvacPower.append(row: hvac)
        try uncomfortable.append(row: bad)
        if time.milliseconds > 0 { uncomfortableBuildingHours += Double(bad.reduce(0, +)) * interval }
        let total = kw.reduce(0, +)
        peakKW = max(peakKW, total)
        try totalPower.append(total)
        b.snapshotMode(into: &modes)
        try hvacOn.append(Int32(modes.lazy.filter { $0 != 0 }.count))
    }

    func finish() throws { try layout.finish() }
}

/// `/pv`: AC power per grid bus and in total.
final class PVRecorder {
    private let layout: TimeSeriesLayout
    private let busPower: HDF5TimeSeriesWriter<Double>
    private let total: HDF5TimeSeriesWriter<Double>
    private var buffer: [Double] = []

    init(file: HDF5File, calendarStart: String, busIDs: [Int], deflate: Int?) throws {
        let l = try TimeSeriesLayout(file: file, group: "/pv", calendarStart: calendarStart)
        layout = l
        try l.addEntityAxis("bus", labels: .ids(busIDs.map(Int64.init)),
                                 metadata: VariableMetadata(units: "1", longName: "MATPOWER bus number"))
        busPower = try l.addVariable("power", axis: "bus",
                                          metadata: VariableMetadata(units: "kW", longName: "PV AC power at the bus"),
                                          deflateLevel: deflate)
        total = try l.addVariable("total_power", axis: nil,
                                       metadata: VariableMetadata(units: "kW", longName: "PV AC power of all systems"),
                                       deflateLevel: deflate)
    }

    func snapshot(_ p: PVFleet, at time: SimTime) throws {
        try layout.appendTime(milliseconds: time.milliseconds)
        p.busGeneration(into: &buffer)
        try busPower.append(row: buffer.map { $0 / 1000 })
        try total.append(p.totalPower / 1000)
    }

    func finish() throws { try layout.finish() }
}
