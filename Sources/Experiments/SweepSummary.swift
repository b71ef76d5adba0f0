import CityTwin
import Foundation
import TwinIO

/// The results of a sweep: one row per run and, per design point and KPI, the mean, sample
/// standard deviation and 95 % Student-t confidence interval across replications.
///
/// 2-D tables are row-major flat arrays (`runValues[run * kpiCount + k]`). Values of failed or
/// pending runs and KPIs a run did not report are NaN and are left out of the statistics.
/// Nothing here depends on wall times, so a local, an MPI and a sharded run of one sweep give
/// identical summaries.
public struct SweepSummary: Sendable {
    public struct ParameterInfo: Sendable, Equatable {
        public var path: String
        public var label: String
        public var units: String
    }

    public var sweepName: String
    public var sweepHash: String
    public var replications: Int
    public var parameters: [ParameterInfo]
    public var kpiNames: [String]
    public var kpiUnits: [String]

    // Runs (in run order).
    public var runIDs: [String]
    public var runPoints: [Int]
    public var runReplications: [Int]
    public var runSeeds: [UInt64]
    public var runStatus: [String]
    /// run × parameter labels / numbers (NaN when not numeric).
    public var runParameterLabels: [String]
    public var runParameterNumbers: [Double]
    /// run × KPI.
    public var runValues: [Double]

    // Design points.
    public var pointParameterLabels: [String]
    public var pointParameterNumbers: [Double]
    /// point × KPI.
    public var pointCount: [Int]
    public var pointMean: [Double]
    public var pointStd: [Double]
    public var pointLower: [Double]
    public var pointUpper: [Double]

    public var runCount: Int { runIDs.count }
    public var designPointCount: Int { pointParameterLabels.count / max(parameters.count, 1) }

    /// Builds the summary. `entries` are manifest entries covering the runs (any order; runs
    /// without an entry count as pending); `kpis(i)` returns the KPIs of done run i.
    /// KPI columns: `definition.kpis` if given, else every name in order of first appearance
    /// (runs in index order). O(runs × KPIs).
    public static func build(plan: SweepPlan, entries: [ManifestEntry], kpis: (Int) -> [KPI]?) -> SweepSummary {
        let d = plan.definition
        var status = Array(repeating: RunStatus.pending.rawValue, count: plan.runs.count)
        for e in entries where e.index >= 0 && e.index < status.count { status[e.index] = e.status.rawValue }
        var perRun: [[KPI]?] = Array(repeating: nil, count: plan.runs.count)
        for i in plan.runs.indices where status[i] == RunStatus.done.rawValue { perRun[i] = kpis(i) }
        var names = d.kpis ?? []
        var units = Array(repeating: "", count: names.count)
        if d.kpis == nil {
            for list in perRun { for k in list ?? [] where !names.contains(k.name) { names.append(k.name); units.append(k.units) } }
        } else {
            for (j, n) in names.enumerated() {
                units[j] = perRun.lazy.compactMap { $0?.first(where: { $0.name == n })?.units }.first ?? ""
            }
        }
        let nk = names.count
        var values = Array(repeating: Double.nan, count: plan.runs.count * nk)
        for (i, list) in perRun.enumerated() {
            for k in list ?? [] { if let j = names.firstIndex(of: k.name) { values[i * nk + j] = k.value } }
        }
        var s = SweepSummary(
            sweepName: d.name, sweepHash: plan.hashText, replications: d.replications,
            parameters: d.parameters.map { ParameterInfo(path: $0.path, label: $0.label, units: $0.units) },
            kpiNames: names, kpiUnits: units,
            runIDs: plan.runs.map(\.id), runPoints: plan.runs.map(\.point), runReplications: plan.runs.map(\.replication),
            runSeeds: Array(repeating: plan.seed, count: plan.runs.count), runStatus: status,
            runParameterLabels: plan.runs.flatMap { r in plan.points[r.point].map(\.label) },
            runParameterNumbers: plan.runs.flatMap { r in plan.points[r.point].map { $0.number ?? .nan } },
            runValues: values,
            pointParameterLabels: plan.points.flatMap { $0.map(\.label) },
            pointParameterNumbers: plan.points.flatMap { $0.map { $0.number ?? .nan } },
            pointCount: [], pointMean: [], pointStd: [], pointLower: [], pointUpper: [])
        // Runs are point-major, so point p's replications are rows p*R ..< (p+1)*R.
        let r = d.replications
        for p in plan.points.indices {
            for j in 0..<nk {
                let st = SampleStatistics((0..<r).lazy.map { values[(p * r + $0) * nk + j] })
                s.pointCount.append(st.count)
                s.pointMean.append(st.mean)
                s.pointStd.append(st.standardDeviation)
                s.pointLower.append(st.lower)
                s.pointUpper.append(st.upper)
            }
        }
        return s
    }

    // MARK: Files

    /// Writes `summary.h5`: `/runs` (run × …), `/points` (point × …), dimension scales `run`,
    /// `point`, `parameter`, `kpi`, and `units` attributes. Atomic (temporary name + rename).
    public func writeHDF5(path: String) throws {
        let out = try HDF5File.createAtomic(finalPath: path)
        let f = out.file
        let nk = kpiNames.count, np = parameters.count, nr = runCount, npt = designPointCount
        try f.setAttribute("sweep_name", .string(sweepName), at: "/")
        try f.setAttribute("sweep_hash", .string(sweepHash), at: "/")
        try f.setAttribute("replications", .int64(Int64(replications)), at: "/")
        try f.setAttribute("confidence_level", .double(0.95), at: "/")
        try f.setAttribute("citytwin_version", .string(CityTwinVersion.string), at: "/")
        try f.write(kpiNames, to: "/kpi")
        try f.makeDimensionScale("/kpi")
        try f.write(kpiUnits, to: "/kpi_units")
        try f.attachDimensionScale("/kpi", to: "/kpi_units", dimension: 0)
        try f.write(parameters.map(\.path), to: "/parameter")
        try f.makeDimensionScale("/parameter")
        try f.write(parameters.map(\.label), to: "/parameter_label")
        try f.write(parameters.map(\.units), to: "/parameter_units")
        for n in ["/parameter_label", "/parameter_units"] { try f.attachDimensionScale("/parameter", to: n, dimension: 0) }

        try f.createGroup("/runs")
        try f.write(runIDs, to: "/runs/run")
        try f.makeDimensionScale("/runs/run")
        let runColumns: [(String, () throws -> Void)] = [
            ("point", { try f.write(runPoints.map(Int64.init), to: "/runs/point") }),
            ("replication", { try f.write(runReplications.map(Int64.init), to: "/runs/replication") }),
            ("seed", { try f.write(runSeeds, to: "/runs/seed") }),
            ("status", { try f.write(runStatus, to: "/runs/status") }),
        ]
        for (name, write) in runColumns {
            try write()
            try f.attachDimensionScale("/runs/run", to: "/runs/\(name)", dimension: 0)
        }
        try f.write(runParameterLabels, dims: [nr, np], to: "/runs/parameter_label")
        try f.write(runParameterNumbers, dims: [nr, np], to: "/runs/parameter_value")
        try f.write(runValues, dims: [nr, nk], to: "/runs/kpi_value")
        for n in ["parameter_label", "parameter_value"] {
            try f.attachDimensionScale("/runs/run", to: "/runs/\(n)", dimension: 0)
            try f.attachDimensionScale("/parameter", to: "/runs/\(n)", dimension: 1)
        }
        try f.attachDimensionScale("/runs/run", to: "/runs/kpi_value", dimension: 0)
        try f.attachDimensionScale("/kpi", to: "/runs/kpi_value", dimension: 1)

        try f.createGroup("/points")
        try f.write((0..<npt).map(Int64.init), to: "/points/point")
        try f.makeDimensionScale("/points/point")
        try f.write(pointParameterLabels, dims: [npt, np], to: "/points/parameter_label")
        try f.write(pointParameterNumbers, dims: [npt, np], to: "/points/parameter_value")
        for n in ["parameter_label", "parameter_value"] {
            try f.attachDimensionScale("/points/point", to: "/points/\(n)", dimension: 0)
            try f.attachDimensionScale("/parameter", to: "/points/\(n)", dimension: 1)
        }
        let stats: [(String, [Double], String)] = [
            ("mean", pointMean, "mean across replications"),
            ("std", pointStd, "sample standard deviation across replications (n-1)"),
            ("ci_low", pointLower, "lower end of the 95 % Student-t confidence interval of the mean"),
            ("ci_high", pointUpper, "upper end of the 95 % Student-t confidence interval of the mean"),
        ]
        for (name, data, description) in stats {
            try f.write(data, dims: [npt, nk], to: "/points/\(name)")
            try f.setAttribute("description", .string(description), at: "/points/\(name)")
            try f.setAttribute("units", .string("see /kpi_units"), at: "/points/\(name)")
            try f.attachDimensionScale("/points/point", to: "/points/\(name)", dimension: 0)
            try f.attachDimensionScale("/kpi", to: "/points/\(name)", dimension: 1)
        }
        try f.write(pointCount.map(Int64.init), dims: [npt, nk], to: "/points/n")
        try f.attachDimensionScale("/points/point", to: "/points/n", dimension: 0)
        try f.attachDimensionScale("/kpi", to: "/points/n", dimension: 1)
        try out.commit()
    }

    /// Reads a `summary.h5` back (for reports).
    public static func read(path: String) throws -> SweepSummary {
        let f: HDF5File
        do { f = try HDF5File.openReadOnly(path: path) } catch {
            throw SweepError(file: path, message: "not a readable sweep summary (\(oneLine(error))); run the sweep first")
        }
        defer { try? f.close() }
        do {
            let paths = try f.readStrings("/parameter")
            let labels = try f.readStrings("/parameter_label"), units = try f.readStrings("/parameter_units")
            let name = (try? f.attribute("sweep_name"))?.stringValue ?? ""
            let hash = (try? f.attribute("sweep_hash"))?.stringValue ?? ""
            let reps = Int((try? f.attribute("replications"))?.int64Value ?? 1)
            return SweepSummary(
                sweepName: name, sweepHash: hash, replications: reps,
                parameters: paths.indices.map { ParameterInfo(path: paths[$0], label: labels[$0], units: units[$0]) },
                kpiNames: try f.readStrings("/kpi"), kpiUnits: try f.readStrings("/kpi_units"),
                runIDs: try f.readStrings("/runs/run"), runPoints: try f.readInt64s("/runs/point").map { Int($0) },
                runReplications: try f.readInt64s("/runs/replication").map { Int($0) },
                runSeeds: try f.read("/runs/seed", as: UInt64.self), runStatus: try f.readStrings("/runs/status"),
                runParameterLabels: try f.readStrings("/runs/parameter_label"),
                runParameterNumbers: try f.readDoubles("/runs/parameter_value"),
                runValues: try f.readDoubles("/runs/kpi_value"),
                pointParameterLabels: try f.readStrings("/points/parameter_label"),
                pointParameterNumbers: try f.readDoubles("/points/parameter_value"),
                pointCount: try f.readInt64s("/points/n").map { Int($0) },
                pointMean: try f.readDoubles("/points/mean"), pointStd: try f.readDoubles("/points/std"),
                pointLower: try f.readDoubles("/points/ci_low"), pointUpper: try f.readDoubles("/points/ci_high"))
        } catch let e as SweepError { throw e } catch {
            throw SweepError(file: path, message: "not a CityTwin sweep summary: \(oneLine(error))")
        }
    }

    /// `summary.csv`: one row per run — run, point, replication, seed, status, one column per
    /// parameter (its path), one per KPI (its name); empty cells for missing values.
    public func runsCSV() -> String {
        var out = (["run", "point", "replication", "seed", "status"] + parameters.map(\.path) + kpiNames).map(csvField).joined(separator: ",") + "\n"
        let np = parameters.count, nk = kpiNames.count
        for i in 0..<runCount {
            var row = [runIDs[i], String(runPoints[i]), String(runReplications[i]), String(runSeeds[i]), runStatus[i]]
            row += (0..<np).map { runParameterLabels[i * np + $0] }
            row += (0..<nk).map { Self.number(runValues[i * nk + $0]) }
            out += row.map(csvField).joined(separator: ",") + "\n"
        }
        return out
    }

    /// `summary-points.csv`: one row per design point — point, parameters, then per KPI
    /// `<kpi>_n`, `_mean`, `_std`, `_ci_low`, `_ci_high`.
    public func pointsCSV() -> String {
        let np = parameters.count, nk = kpiNames.count
        var header = ["point"] + parameters.map(\.path)
        for k in kpiNames { header += ["_n", "_mean", "_std", "_ci_low", "_ci_high"].map { k + $0 } }
        var out = header.map(csvField).joined(separator: ",") + "\n"
        for p in 0..<designPointCount {
            var row = [String(p)] + (0..<np).map { pointParameterLabels[p * np + $0] }
            for j in 0..<nk {
                let i = p * nk + j
                row += [String(pointCount[i]), Self.number(pointMean[i]), Self.number(pointStd[i]),
                        Self.number(pointLower[i]), Self.number(pointUpper[i])]
            }
            out += row.map(csvField).joined(separator: ",") + "\n"
        }
        return out
    }

    /// Shortest text that reads back to the same Double; empty for NaN.
    static func number(_ v: Double) -> String { v.isNaN ? "" : "\(v)" }

    private func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// Writes summary.h5, summary.csv and summary-points.csv into `directory` (each atomically).
    public func write(directory: String) throws {
        try writeHDF5(path: (directory as NSString).appendingPathComponent("summary.h5"))
        try SweepManifest.writeAtomically(runsCSV(), to: (directory as NSString).appendingPathComponent("summary.csv"))
        try SweepManifest.writeAtomically(pointsCSV(), to: (directory as NSString).appendingPathComponent("summary-points.csv"))
    }
}
