import Foundation
import TwinIO

/// Builds the road map and feeder diagram of a run from its output file.
public enum ReportDiagrams {
    /// The road network coloured by mean link occupancy in the worst hour (the clock hour
    /// whose mean occupancy over all links and snapshots is highest), with charger stations
    /// when `/chargers` gives their node (`node`) or position (`x`, `y`). Nil (with a note on
    /// the run) when `/traffic` lacks geometry or occupancy. O(time × links).
    public static func roadMap(_ run: RunFile, id: String, label: String?) -> RoadMapSVG? {
        guard run.has("/traffic") else { return nil }
        guard let x = run.doubles("/traffic/nodes/x"), let y = run.doubles("/traffic/nodes/y"),
              let from = run.int64s("/traffic/from_node"), let to = run.int64s("/traffic/to_node") else {
            run.note("\(run.path): /traffic/nodes/x, y or /traffic/from_node, to_node missing: no road map")
            return nil
        }
        guard let occ = run.timeSeries("/traffic/occupancy"), occ.columns == from.count, !occ.hours.isEmpty else {
            run.note("\(run.path): /traffic/occupancy missing or not [time × link]: no road map")
            return nil
        }
        // Hour bins of the snapshots.
        var hourOf: [Int] = occ.hours.map { Int(($0 + 1e-9).rounded(.down)) }
        if hourOf.isEmpty { hourOf = [0] }
        let firstHour = hourOf.min() ?? 0, lastHour = hourOf.max() ?? 0
        var bestHour = firstHour, bestMean = -Double.infinity
        let rowMeans = occ.reduceRows(.mean)
        for h in firstHour...lastHour {
            let rows = hourOf.indices.filter { hourOf[$0] == h && rowMeans[$0].isFinite }
            guard !rows.isEmpty else { continue }
            let m = rows.reduce(0) { $0 + rowMeans[$1] } / Double(rows.count)
            if m > bestMean { bestMean = m; bestHour = h }
        }
        let rows = hourOf.indices.filter { hourOf[$0] == bestHour }
        let speed = run.timeSeries("/traffic/mean_speed")
        let free = run.doubles("/traffic/free_speed")
        var value = [Double](repeating: .nan, count: from.count)
        var tips = [String](repeating: "", count: from.count)
        for l in 0..<from.count {
            var s = 0.0, n = 0.0, sp = 0.0, spn = 0.0
            for r in rows {
                let v = occ.value(row: r, column: l)
                if v.isFinite { s += v; n += 1 }
                if let speed, speed.columns == from.count, r < speed.hours.count {
                    let u = speed.value(row: r, column: l)
                    if u.isFinite { sp += u; spn += 1 }
                }
            }
            value[l] = n > 0 ? s / n : .nan
            var tip = "link \(l) (\(from[l])→\(to[l])): occupancy \(String(format: "%.0f", value[l] * 100)) %"
            if spn > 0 { tip += ", speed \(String(format: "%.0f", sp / spn)) km/h" }
            if let free, l < free.count { tip += " (free \(String(format: "%.0f", free[l])) km/h)" }
            tips[l] = tip
        }
        var markers: [MapMarker] = []
        if run.has("/chargers") {
            let names = run.labels("/chargers/charger") ?? run.labels("/chargers/station") ?? []
            if let nodes = run.int64s("/chargers/node") {
                for (i, node) in nodes.enumerated() where node >= 0 && Int(node) < min(x.count, y.count) {
                    markers.append(MapMarker(x: x[Int(node)], y: y[Int(node)], label: "charger \(i < names.count ? names[i] : String(i))", color: "#1f77b4"))
                }
            } else if let cx = run.doubles("/chargers/x"), let cy = run.doubles("/chargers/y") {
                for i in 0..<min(cx.count, cy.count) {
                    markers.append(MapMarker(x: cx[i], y: cy[i], label: "charger \(i < names.count ? names[i] : String(i))", color: "#1f77b4"))
                }
            } else {
                run.note("\(run.path): /chargers has no node or x/y datasets: stations not marked on the map")
            }
        }
        let network = run.attributeString("network", at: "/traffic") ?? "road network"
        let title = "\(label.map { $0 + ": " } ?? "")\(network), worst hour \(KPIText.clock(run, hours: Double(bestHour)))–\(KPIText.clock(run, hours: Double(bestHour + 1)))"
        return RoadMapSVG(id: id, title: title, nodeX: x, nodeY: y, linkFrom: from.map { Int(clamping: $0) },
                          linkTo: to.map { Int(clamping: $0) }, linkValue: value, linkTooltip: tips, markers: markers,
                          scaleCaption: "link occupancy (vehicles / storage), mean over the hour" + (markers.isEmpty ? "" : "; ■ charger"),
                          scaleLabels: ("0 %", "50 %", "100 %"))
    }

    /// Branch end buses of the grid: `/grid/from_bus`, `/grid/to_bus` [line] when the output
    /// has them, else the MATPOWER case named in `/meta/scenario_resolved` (grid.case,
    /// relative to the scenario file). Also the slack bus (`/grid` attribute `slack_bus`, or
    /// the case's type-3 bus, or the first bus).
    static func branches(_ run: RunFile, buses: [Int64], lines: Int) -> (from: [Int64], to: [Int64], inService: [Bool], slack: Int64)? {
        var slack = run.attributeDouble("slack_bus", at: "/grid").map { Int64($0) }
        if let f = run.int64s("/grid/from_bus"), let t = run.int64s("/grid/to_bus"), f.count == lines, t.count == lines {
            let raw: [Int64] = run.int64s("/grid/in_service") ?? []
            let status: [Bool] = raw.map { v in v != 0 }
            return (f, t, status.count == lines ? status : [], slack ?? buses.first ?? 0)
        }
        guard let casePath = casePath(run) else {
            run.note("\(run.path): no /grid/from_bus, /grid/to_bus and the grid case file was not found: feeder diagram not drawn")
            return nil
        }
        let matpower: MatpowerCase
        do { matpower = try MatpowerReader.read(path: casePath) } catch {
            run.note("\(run.path): grid case \(casePath) unreadable: \(RunFile.oneLine(error))"); return nil
        }
        if slack == nil {
            slack = matpower.bus.first { $0.count > MatpowerCase.Bus.type && $0[MatpowerCase.Bus.type] == 3 }
                .map { Int64($0[MatpowerCase.Bus.busI]) }
        }
        let rows = run.int64s("/grid/line") ?? (1...max(1, lines)).map(Int64.init)
        var from = [Int64](repeating: -1, count: lines), to = [Int64](repeating: -1, count: lines)
        var inService = [Bool](repeating: true, count: lines)
        for l in 0..<min(lines, rows.count) {
            let r = Int(clamping: rows[l]) - 1
            guard r >= 0, r < matpower.branch.count, matpower.branch[r].count > MatpowerCase.Branch.tbus else { continue }
            from[l] = Int64(matpower.branch[r][MatpowerCase.Branch.fbus])
            to[l] = Int64(matpower.branch[r][MatpowerCase.Branch.tbus])
            let row = matpower.branch[r]
            if row.count > MatpowerCase.Branch.status { inService[l] = row[MatpowerCase.Branch.status] != 0 }
        }
        return (from, to, inService, slack ?? buses.first ?? 0)
    }

    /// The case file: grid.case of the resolved scenario, relative to the scenario file's
    /// folder (as the run resolved it), tried from the working directory and from the
    /// output file's folder; then `Models/grids/<case>.m` under the working directory.
    static func casePath(_ run: RunFile) -> String? {
        let fm = FileManager.default
        var candidates: [String] = []
        if let grid = run.resolvedScenario?["grid"] as? [String: Any], let c = grid["case"] as? String {
            if c.hasPrefix("/") { candidates.append(c) } else {
                let scenarioDir = ((run.attributeString("scenario_file", at: "/meta") ?? "") as NSString).deletingLastPathComponent
                let runDir = (run.path as NSString).deletingLastPathComponent
                candidates.append((scenarioDir as NSString).appendingPathComponent(c))
                candidates.append((((runDir as NSString).appendingPathComponent(scenarioDir)) as NSString).appendingPathComponent(c))
            }
        }
        if let name = run.attributeString("case", at: "/grid") {
            candidates.append("Models/grids/\(name).m")
        }
        return candidates.first { fm.fileExists(atPath: $0) }
    }

    /// The feeder one-line diagram at the snapshot with the lowest voltage, buses coloured by
    /// voltage deviation from 1 p.u. (red at the band limit), branches by loading. Nil (with
    /// a note) when `/grid` lacks what is needed.
    public static func feeder(_ run: RunFile, id: String, label: String?) -> FeederDiagramSVG? {
        guard run.has("/grid") else { return nil }
        guard let buses = run.int64s("/grid/bus"), let vm = run.timeSeries("/grid/vm"), vm.columns == buses.count,
              !vm.hours.isEmpty else {
            run.note("\(run.path): /grid/bus or /grid/vm missing or inconsistent: no feeder diagram")
            return nil
        }
        let minRow = vm.reduceRows(.min)
        var worst = 0
        for r in minRow.indices where minRow[r].isFinite && !(minRow[worst] <= minRow[r]) { worst = r }
        let loading = run.timeSeries("/grid/loading")
        let lines = loading?.columns ?? (run.shape("/grid/line")?.first ?? 0)
        guard let (from, to, inService, slack) = branches(run, buses: buses, lines: lines) else { return nil }
        let vmin = run.attributeDouble("voltage_min", at: "/grid") ?? 0.95
        let vmax = run.attributeDouble("voltage_max", at: "/grid") ?? 1.05
        var busValue: [Double] = [], busTip: [String] = []
        for (i, b) in buses.enumerated() {
            let v = vm.value(row: worst, column: i)
            let t = v < 1 ? (1 - v) / max(1e-9, 1 - vmin) : (v - 1) / max(1e-9, vmax - 1)
            busValue.append(v.isFinite ? t : .nan)
            busTip.append("bus \(b): \(String(format: "%.4f", v)) p.u.")
        }
        var branchValue: [Double] = [], branchTip: [String] = []
        for l in 0..<lines {
            let v = (loading.map { worst < $0.hours.count ? $0.value(row: worst, column: l) : .nan }) ?? .nan
            branchValue.append(v / 100)
            branchTip.append("line \(l + 1) (\(from[l])–\(to[l])): loading \(String(format: "%.1f", v)) %")
        }
        let hours = vm.hours[worst]
        let clock = KPIText.clock(run, hours: hours)
        let title = "\(label.map { $0 + ": " } ?? "")feeder at its lowest voltage, \(String(format: "%.4f", minRow[worst])) p.u. at \(clock)"
        return FeederDiagramSVG(id: id, title: title, buses: buses, slackBus: slack, branchFrom: from, branchTo: to, branchInService: inService,
                                busValue: busValue, busTooltip: busTip, branchValue: branchValue, branchTooltip: branchTip,
                                scaleCaption: "bus: |V − 1| relative to the band (\(KPIText.p(vmin))–\(KPIText.p(vmax)) p.u.); line: loading",
                                scaleLabels: ["nominal / 0 %", "half / 50 %", "limit / 100 %"])
    }
}

enum KPIText {
    static func p(_ v: Double) -> String { String(format: "%.2f", v) }

    /// Local clock time `HH:MM` of `hours` after the run's `calendar_start` (hours since
    /// start as `+h` when the start is unknown).
    static func clock(_ run: RunFile, hours: Double) -> String {
        let start = run.attributeString("calendar_start") ?? ""
        let parts = start.split(separator: "T")
        guard parts.count == 2 else { return String(format: "+%.2f h", hours) }
        let hm = parts[1].split(separator: ":").compactMap { Int($0) }
        guard hm.count >= 2 else { return String(format: "+%.2f h", hours) }
        let minutes = Int((Double(hm[0] * 60 + hm[1]) + hours * 60).rounded())
        let m = ((minutes % 1440) + 1440) % 1440
        return String(format: "%02d:%02d", m / 60, m % 60)
    }
}
