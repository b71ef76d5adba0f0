import Foundation
import SimKernel
import TwinIO

/// Writes `/meta` (what ran, with which seed and version, when) and `/kpi`.
enum OutputMetadata {
    static func write(file: HDF5File, scenario: Scenario, calendarStart: String, wallStart: Date, wallEnd: Date,
                      stats: RunStatistics, warnings: [String] = []) throws {
        try file.createGroup("/meta")
        try file.write([scenario.sourceText], to: "/meta/scenario_text")
        try file.write([scenario.resolvedText], to: "/meta/scenario_resolved")
        let attrs: [(String, HDF5AttributeValue)] = [
            ("scenario_name", .string(scenario.name)),
            ("scenario_description", .string(scenario.description)),
            ("scenario_file", .string(scenario.sourceFile)),
            ("seed", .int64(Int64(bitPattern: scenario.seed))),
            ("replication", .int64(Int64(scenario.replication))),
            ("citytwin_version", .string(CityTwinVersion.string)),
            ("calendar_start", .string(calendarStart)),
            ("duration_s", .double(Double(scenario.durationMs) / 1000)),
            ("snapshot_interval_s", .double(Double(scenario.snapshotIntervalMs) / 1000)),
            ("wall_start_utc", .string(iso(wallStart))),
            ("wall_end_utc", .string(iso(wallEnd))),
            ("wall_seconds", .double(wallEnd.timeIntervalSince(wallStart))),
            ("events_executed", .int64(Int64(stats.eventsExecuted))),
        ]
        for (name, value) in attrs { try file.setAttribute(name, value, at: "/meta") }
        try file.write(scenario.overrides.isEmpty ? [""] : scenario.overrides, to: "/meta/overrides")
        try file.write(warnings.isEmpty ? [""] : warnings, to: "/meta/warnings")
        // Root attributes: what a reader needs to identify the run without opening groups.
        let root: [(String, HDF5AttributeValue)] = [
            ("format_version", .string(formatVersion)),
            ("citytwin_version", .string(CityTwinVersion.string)),
            ("scenario_name", .string(scenario.name)),
            ("seed", .int64(Int64(bitPattern: scenario.seed))),
            ("replication", .int64(Int64(scenario.replication))),
            ("calendar_start", .string(calendarStart)),
            ("duration_s", .double(Double(scenario.durationMs) / 1000)),
        ]
        for (name, value) in root { try file.setAttribute(name, value, at: "/") }
    }

    /// Version of docs/output-format.md that the writer follows.
    static let formatVersion = "1.0"

    static func iso(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: d)
    }

    /// `/kpi`: 1-D datasets over a `kpi` dimension (name, value, units, better, domain,
    /// description) so pandas/xarray read it as a table, plus one attribute per KPI on the group.
    static func write(kpis: [KPI], file: HDF5File) throws {
        try file.createGroup("/kpi")
        try file.write(kpis.map(\.name), to: "/kpi/kpi")
        try file.makeDimensionScale("/kpi/kpi")
        let columns: [(String, [String])] = [
            ("units", kpis.map(\.units)), ("better", kpis.map(\.better.rawValue)),
            ("domain", kpis.map(\.domain)), ("description", kpis.map(\.description)),
        ]
        try file.write(kpis.map(\.value), to: "/kpi/value")
        try file.attachDimensionScale("/kpi/kpi", to: "/kpi/value", dimension: 0)
        try file.setAttribute("units", .string("see /kpi/units"), at: "/kpi/value")
        for (name, values) in columns {
            try file.write(values, to: "/kpi/\(name)")
            try file.attachDimensionScale("/kpi/kpi", to: "/kpi/\(name)", dimension: 0)
        }
        for k in kpis { try file.setAttribute(k.name, .double(k.value), at: "/kpi") }
    }

    /// Reads `/kpi` back (for inspect, compare and reports).
    static func readKPIs(_ file: HDF5File) throws -> [KPI] {
        let names = try file.readStrings("/kpi/kpi")
        let values = try file.readDoubles("/kpi/value")
        let units = try file.readStrings("/kpi/units")
        let better = try file.readStrings("/kpi/better")
        let domain = try file.readStrings("/kpi/domain")
        let description = try file.readStrings("/kpi/description")
        guard [values.count, units.count, better.count, domain.count, description.count].allSatisfy({ $0 == names.count }) else {
            throw RunError.output("\(file.path): /kpi columns have different lengths")
        }
        return names.indices.map {
            KPI(names[$0], values[$0], units: units[$0], domain: domain[$0],
                better: KPI.Direction(rawValue: better[$0]) ?? .neutral, description: description[$0])
        }
    }
}

extension KPI {
    /// Reads the KPIs of a CityTwin output file.
    public static func read(from file: HDF5File) throws -> [KPI] { try OutputMetadata.readKPIs(file) }
}
