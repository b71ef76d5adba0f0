import CityTwin
import Foundation

/// What makes two runs comparable: the grid case and bus count, the road network and link
/// count (nil when the run has no such group).
public struct RunSignature: Sendable, Equatable {
    public var grid: String?
    public var network: String?

    /// KPI domains that cannot be compared when the grid, resp. the network, differ.
    public static let gridDomains = ["grid"]
    public static let networkDomains = ["traffic", "fleet", "chargers"]

    public init(grid: String?, network: String?) {
        self.grid = grid
        self.network = network
    }

    public init(_ run: RunFile) {
        if run.has("/grid") {
            let buses = run.shape("/grid/bus")?.first.map(String.init) ?? "?"
            grid = "case \(run.attributeString("case", at: "/grid") ?? "?"), \(buses) buses"
        } else { grid = nil }
        if run.has("/traffic") {
            let links = run.shape("/traffic/link")?.first.map(String.init) ?? "?"
            network = "network \(run.attributeString("network", at: "/traffic") ?? "?"), \(links) links"
        } else { network = nil }
    }
}

/// One KPI of a comparison.
public struct KPIComparisonRow: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
        case compared
        case onlyBaseline
        case onlyVariant
        /// Present on both sides but from incompatible models (the reason names them).
        case incompatible(String)
    }

    public var name: String
    public var units: String
    public var domain: String
    public var description: String
    public var better: KPI.Direction
    /// Finite values per side (one per replication).
    public var baselineValues: [Double]
    public var variantValues: [Double]
    public var status: Status
    /// 95 % Welch interval of the difference when replications allow (see `WelchInterval`).
    public var interval: DifferenceInterval?

    public var baselineMean: Double { SampleStatistics(baselineValues).mean }
    public var variantMean: Double { SampleStatistics(variantValues).mean }
    /// variant − baseline (NaN unless compared).
    public var difference: Double { status == .compared ? variantMean - baselineMean : .nan }
    /// difference / |baseline| (NaN when the baseline is 0 or not compared).
    public var relativeChange: Double {
        let b = baselineMean
        return b != 0 && b.isFinite ? difference / abs(b) : .nan
    }

    /// Direction and meaning of the change, e.g. `▲ worse`, `▼ better`, `= same`, `▲ higher`
    /// (neutral KPI); `(n.s.)` is appended when a confidence interval includes 0.
    public var verdict: String {
        guard status == .compared else { return "" }
        let d = difference
        let scale = max(abs(baselineMean), abs(variantMean), 1e-300)
        guard d.isFinite else { return "n/a" }
        if abs(d) <= 1e-9 * scale { return "= same" }
        let up = d > 0
        var word: String
        switch better {
        case .higherIsBetter: word = up ? "better" : "worse"
        case .lowerIsBetter: word = up ? "worse" : "better"
        case .neutral: word = up ? "higher" : "lower"
        }
        if let i = interval, !i.significant { word += " (n.s.)" }
        return (up ? "▲ " : "▼ ") + word
    }

    /// True for a significant or (without replications) any change in a good direction.
    public var isImprovement: Bool { verdict.hasSuffix("better") }
    public var isDeterioration: Bool { verdict.hasSuffix("worse") }
}

/// The KPI comparison of a baseline and a variant, each one run or several replications.
///
/// Built without throwing: unreadable files, incompatible models and missing KPIs become
/// `messages`, and whatever can be compared is. `comparedCount == 0` means nothing could be
/// compared (the CLI exits 2).
public struct RunComparison: Sendable {
    public var baselineLabel: String
    public var variantLabel: String
    public var baselineFiles: [String]
    public var variantFiles: [String]
    public var rows: [KPIComparisonRow]
    /// What could not be compared and why, one line each, in a fixed order.
    public var messages: [String]
    public var level: Double = 0.95

    public var comparedCount: Int { rows.filter { $0.status == .compared }.count }

    /// Expands directories into their `*.h5` files (sorted by name; hidden and temporary
    /// files skipped) and opens each. Unreadable paths become messages. O(files).
    public static func open(_ paths: [String]) -> (runs: [RunFile], messages: [String]) {
        var runs: [RunFile] = [], messages: [String] = []
        for p in paths {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: p, isDirectory: &isDirectory), isDirectory.boolValue {
                let names = ((try? FileManager.default.contentsOfDirectory(atPath: p)) ?? [])
                    .filter { $0.hasSuffix(".h5") && !$0.hasPrefix(".") }
                    .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                if names.isEmpty { messages.append("\(p): directory holds no .h5 files") }
                for n in names {
                    do { runs.append(try RunFile(path: (p as NSString).appendingPathComponent(n))) } catch {
                        messages.append(String(describing: error) + " (skipped)")
                    }
                }
            } else {
                do { runs.append(try RunFile(path: p)) } catch { messages.append(String(describing: error) + " (skipped)") }
            }
        }
        return (runs, messages)
    }

    /// Compares opened runs. Replications on one side must share the first file's signature
    /// (others are dropped with a message). O(files × KPIs).
    public static func compare(baseline: [RunFile], variant: [RunFile], messages initial: [String] = [],
                               level: Double = 0.95) -> RunComparison {
        var messages = initial
        func consistent(_ runs: [RunFile], side: String) -> [RunFile] {
            guard let first = runs.first else { return [] }
            let sig = RunSignature(first)
            var kept = [first]
            for r in runs.dropFirst() {
                let s = RunSignature(r)
                if s != sig {
                    messages.append("\(r.path): \(side) replication from a different model (\(s.grid ?? "no grid"); \(s.network ?? "no roads")) than \(first.path) (skipped)")
                } else { kept.append(r) }
            }
            return kept
        }
        let a = consistent(baseline, side: "baseline"), b = consistent(variant, side: "variant")
        for r in a + b {
            for n in r.notes where n.contains("/kpi") { messages.append(n) }
        }
        if a.isEmpty { messages.append("baseline: no readable run") }
        if b.isEmpty { messages.append("variant: no readable run") }

        // Domains that cannot be compared because the models differ.
        var blocked: [String: String] = [:]
        if let ra = a.first, let rb = b.first {
            let sa = RunSignature(ra), sb = RunSignature(rb)
            if let ga = sa.grid, let gb = sb.grid, ga != gb {
                let why = "different grids (\(ga) vs \(gb))"
                messages.append("grid KPIs not compared: \(why)")
                for d in RunSignature.gridDomains { blocked[d] = why }
            }
            if let na = sa.network, let nb = sb.network, na != nb {
                let why = "different road networks (\(na) vs \(nb))"
                messages.append("traffic, fleet and charger KPIs not compared: \(why)")
                for d in RunSignature.networkDomains { blocked[d] = why }
            }
            for g in ["grid", "traffic", "buildings", "pv", "weather", "fleet", "chargers"] {
                let inA = ra.groups.contains(g), inB = rb.groups.contains(g)
                if inA != inB {
                    messages.append("/\(g) only in the \(inA ? "baseline" : "variant") (\(inA ? rb.path : ra.path) has none): its KPIs cannot be compared")
                }
            }
        }

        // KPI rows in the order of the baseline's first file, then new ones of the variant.
        var order: [String] = []
        var meta: [String: KPI] = [:]
        var valuesA: [String: [Double]] = [:], valuesB: [String: [Double]] = [:]
        for r in a { for k in r.kpis {
            if meta[k.name] == nil { meta[k.name] = k; order.append(k.name) }
            if k.value.isFinite { valuesA[k.name, default: []].append(k.value) }
        } }
        for r in b { for k in r.kpis {
            if meta[k.name] == nil { meta[k.name] = k; order.append(k.name) }
            if k.value.isFinite { valuesB[k.name, default: []].append(k.value) }
        } }
        var rows: [KPIComparisonRow] = []
        for name in order {
            guard let k = meta[name] else { continue }
            let va = valuesA[name] ?? [], vb = valuesB[name] ?? []
            let status: KPIComparisonRow.Status
            if let why = blocked[k.domain], !va.isEmpty, !vb.isEmpty { status = .incompatible(why) }
            else if va.isEmpty && vb.isEmpty { continue }
            else if vb.isEmpty { status = .onlyBaseline }
            else if va.isEmpty { status = .onlyVariant }
            else { status = .compared }
            let interval = status == .compared && (va.count > 1 || vb.count > 1)
                ? WelchInterval.interval(baseline: va, variant: vb, level: level) : nil
            rows.append(KPIComparisonRow(name: name, units: k.units, domain: k.domain, description: k.description,
                                         better: k.better, baselineValues: va, variantValues: vb, status: status,
                                         interval: interval))
        }
        let onlyA = rows.filter { $0.status == .onlyBaseline }.map(\.name)
        let onlyB = rows.filter { $0.status == .onlyVariant }.map(\.name)
        if !onlyA.isEmpty { messages.append("only in the baseline: \(onlyA.joined(separator: ", "))") }
        if !onlyB.isEmpty { messages.append("only in the variant: \(onlyB.joined(separator: ", "))") }
        func label(_ runs: [RunFile], _ fallback: String) -> String {
            guard let f = runs.first else { return fallback }
            return runs.count > 1 ? "\(f.scenarioName) (\(runs.count) runs)" : f.scenarioName
        }
        var la = label(a, "baseline"), lb = label(b, "variant")
        if la == lb { la = "A: " + la; lb = "B: " + lb }
        return RunComparison(baselineLabel: la, variantLabel: lb, baselineFiles: a.map(\.path),
                             variantFiles: b.map(\.path), rows: rows, messages: messages, level: level)
    }

    /// The comparison as a fixed-width terminal table, followed by the messages.
    public func terminalTable() -> String {
        let replicated = rows.contains { $0.interval != nil }
        var header = ["KPI", "units", baselineLabel, variantLabel, "change", "rel.", "verdict"]
        if replicated { header.append("95 % CI of change") }
        var table: [[String]] = [header]
        for r in rows {
            let a = r.baselineValues.isEmpty ? "–" : Self.valueText(r.baselineValues)
            let b = r.variantValues.isEmpty ? "–" : Self.valueText(r.variantValues)
            var line: [String]
            switch r.status {
            case .compared:
                let rel = r.relativeChange
                line = [r.name, r.units, a, b, Self.signed(r.difference),
                        rel.isFinite ? String(format: "%+.1f %%", rel * 100) : "n/a", r.verdict]
            case .onlyBaseline: line = [r.name, r.units, a, b, "", "", "only in baseline"]
            case .onlyVariant: line = [r.name, r.units, a, b, "", "", "only in variant"]
            case .incompatible: line = [r.name, r.units, a, b, "", "", "not comparable"]
            }
            if replicated {
                if let i = r.interval {
                    line.append("[\(Self.signed(i.lower)), \(Self.signed(i.upper))] \(i.significant ? "significant" : "not significant")")
                } else { line.append("") }
            }
            table.append(line)
        }
        var widths = [Int](repeating: 0, count: header.count)
        for row in table { for (c, cell) in row.enumerated() { widths[c] = max(widths[c], cell.count) } }
        var out = ""
        for (i, row) in table.enumerated() {
            let cells = row.enumerated().map { c, cell -> String in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return (c == 0 || c == 1 || c == 6 || c == 7) ? cell + pad : pad + cell
            }
            out += cells.joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
            if i == 0 { out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n" }
        }
        let n = rows.count
        out += "\n\(comparedCount) of \(n) KPIs compared (variant − baseline; ▲/▼ direction of change, better/worse from each KPI's good direction"
        out += replicated ? "; CI: Welch t, \(Int((level * 100).rounded())) %)." : ")."
        out += "\n"
        for m in messages { out += "note: \(m)\n" }
        return out
    }

    /// One value, or the mean ± half-width notation "mean (n=k)" for replications.
    static func valueText(_ values: [Double]) -> String {
        if values.count == 1 { return KPI.format(values[0]) }
        let s = SampleStatistics(values)
        return "\(KPI.format(s.mean)) (n=\(s.count))"
    }

    static func signed(_ v: Double) -> String {
        let t = KPI.format(v)
        return v > 0 ? "+" + t : t
    }
}
