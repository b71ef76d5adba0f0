import CityTwin
import Foundation

/// The planner's report: one self-contained HTML page (inline CSS and SVG, one tiny inline
/// script that only reports rendering status; no network) with the KPI table, time-series
/// charts (`ReportChartSpec.standard`), the road map at the worst hour and the feeder
/// one-line diagram at the lowest voltage. With a second run, both are overlaid (solid =
/// first run, dashed = second) and the KPI table becomes a comparison.
///
/// Deterministic: the same files give byte-identical HTML (no wall-clock values, fixed
/// number formats, no dictionary order). Cost: O(size of the time series read).
public enum RunReport {
    /// The page text. `comparison` (from `RunComparison.compare`) supplies replication
    /// statistics for the KPI table; when nil and `other` is given, `run` is compared with
    /// `other` directly.
    public static func html(run: RunFile, other: RunFile? = nil, comparison: RunComparison? = nil,
                            title: String? = nil, specs: [ReportChartSpec] = ReportChartSpec.standard) -> String {
        let e = SVGFormat.escape
        let cmp = comparison ?? other.map { RunComparison.compare(baseline: [run], variant: [$0]) }
        let labelA = cmp?.baselineLabel ?? run.scenarioName
        let labelB = cmp?.variantLabel ?? (other?.scenarioName ?? "")
        var runs = [ReportChartBuilder.Run(file: run, label: labelA, dashed: false)]
        if let other { runs.append(ReportChartBuilder.Run(file: other, label: labelB, dashed: true)) }
        let heading = title ?? (other == nil ? "CityTwin report: \(labelA)" : "CityTwin comparison: \(labelA) vs \(labelB)")

        var body = "<h1>\(e(heading))</h1>\n"
        body += "<div class=\"runs\">" + runs.map { runSummary($0.file, label: $0.label, dashed: $0.dashed, comparing: other != nil) }.joined() + "</div>\n"

        // KPI table.
        body += "<h2 id=\"kpis\">Key performance indicators</h2>\n"
        if let cmp { body += comparisonTable(cmp) } else { body += kpiTable(run.kpis) }

        // Charts.
        var missing: [String] = []
        var charts = ""
        for spec in specs {
            let (chart, why) = ReportChartBuilder.chart(spec, runs: runs)
            if let chart { charts += "<figure>\(chart.svg())</figure>\n" }
            if let why { missing.append(why) }
        }
        body += "<h2 id=\"charts\">Over time</h2>\n"
        if other != nil { body += "<p class=\"hint\">Solid lines: \(e(labelA)); dashed lines: \(e(labelB)).</p>\n" }
        body += "<div class=\"grid\">\n\(charts)</div>\n"

        // Maps.
        var maps = ""
        for (i, r) in runs.enumerated() {
            if let m = ReportDiagrams.roadMap(r.file, id: "map-\(i)", label: other == nil ? nil : r.label) { maps += "<figure>\(m.svg())</figure>\n" }
        }
        body += "<h2 id=\"map\">Road network</h2>\n"
        body += maps.isEmpty ? "<p class=\"missing\">No road network in \(other == nil ? "this run" : "these runs").</p>\n"
            : "<p class=\"hint\">Each directed link is a line, offset to the right of its direction of travel; colour: mean occupancy in the hour with the highest network-wide occupancy. Hover for values.</p>\n<div class=\"grid\">\n\(maps)</div>\n"
        var feeders = ""
        for (i, r) in runs.enumerated() {
            if let f = ReportDiagrams.feeder(r.file, id: "feeder-\(i)", label: other == nil ? nil : r.label) { feeders += "<figure>\(f.svg())</figure>\n" }
        }
        body += "<h2 id=\"feeder\">Power grid</h2>\n"
        body += feeders.isEmpty ? "<p class=\"missing\">No grid diagram (see notes).</p>\n"
            : "<p class=\"hint\">One-line diagram: buses left to right by distance (in branches) from the slack bus (bold ring); laterals drawn below the bus they leave from; dashed grey arcs are open branches (normally-open ties, faults), dashed coloured arcs close meshes. Colours at the snapshot with the lowest bus voltage. Grid buses have no coordinates in MATPOWER cases, so they are not placed on the road map.</p>\n<div class=\"grid\">\n\(feeders)</div>\n"

        // What is missing, and why.
        var notes = missing
        for r in runs { notes.append(contentsOf: r.file.notes) }
        if let cmp { for m in cmp.messages where !notes.contains(m) { notes.append(m) } }
        body += "<h2 id=\"notes\">Not shown</h2>\n"
        body += notes.isEmpty ? "<p>Everything in the report's chart list was found.</p>\n"
            : "<ul class=\"missing\">" + notes.map { "<li>\(e($0))</li>" }.joined() + "</ul>\n"

        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(e(heading))</title>
        <script>window.ctErrors=[];window.addEventListener('error',function(ev){window.ctErrors.push(String(ev.message));});</script>
        <style>
        body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 20px 28px; color: #222; max-width: 1380px; }
        h1 { font-size: 22px; margin: 0 0 8px; } h2 { font-size: 18px; margin: 22px 0 8px; border-bottom: 1px solid #ccc; }
        .runs { display: flex; flex-wrap: wrap; gap: 12px; font-size: 13px; }
        .run { border: 1px solid #ddd; padding: 6px 10px; border-radius: 4px; }
        .grid { display: flex; flex-wrap: wrap; gap: 12px; }
        figure { margin: 0; } svg { background: #fff; border: 1px solid #ddd; }
        table.kpi { border-collapse: collapse; font-size: 12.5px; }
        table.kpi td, table.kpi th { padding: 2px 8px; border-bottom: 1px solid #eee; text-align: right; }
        table.kpi td.l, table.kpi th.l { text-align: left; } table.kpi tr.domain td { text-align: left; font-weight: bold; background: #f4f4f4; }
        .better { color: #1a7f37; font-weight: bold; } .worse { color: #c62828; font-weight: bold; } .neutral { color: #555; }
        .hint { font-size: 12.5px; color: #555; } .missing { font-size: 12.5px; color: #8a5a00; }
        #ct-status { font-size: 11px; color: #999; }
        </style></head><body>
        \(body)<p id="ct-status" data-status="pending">CityTwin \(e(CityTwinVersion.string)) report.</p>
        <script>(function(){var q=function(s){return document.querySelectorAll(s);};var n=function(l,a){var k=0;for(var i=0;i<l.length;i++){if(+l[i].getAttribute(a)>0)k++;}return k;};var s=document.getElementById('ct-status');var c=n(q('svg.ct-chart'),'data-points'),m=n(q('svg.ct-map'),'data-links'),f=n(q('svg.ct-feeder'),'data-buses');s.setAttribute('data-charts',c);s.setAttribute('data-maps',m);s.setAttribute('data-feeders',f);s.setAttribute('data-status',window.ctErrors.length?'error: '+window.ctErrors.join('; '):'ok');s.textContent+=' Rendered '+c+' charts, '+m+' maps, '+f+' grid diagrams.';})();</script>
        </body></html>

        """
    }

    static func runSummary(_ run: RunFile, label: String, dashed: Bool, comparing: Bool) -> String {
        let e = SVGFormat.escape
        var parts: [String] = []
        if let d = run.attributeString("scenario_description", at: "/meta") { parts.append(e(d)) }
        var facts: [String] = []
        if let s = run.attributeString("calendar_start") { facts.append("start \(e(s))") }
        if let d = run.attributeDouble("duration_s") { facts.append("duration \(KPI.format(d / 3600)) h") }
        if let s = run.attributeString("seed") { facts.append("seed \(e(s))") }
        if let r = run.attributeString("replication") { facts.append("replication \(e(r))") }
        parts.append(facts.joined(separator: ", "))
        parts.append("groups: " + (run.groups.isEmpty ? "none" : run.groups.map { "/" + $0 }.joined(separator: " ")))
        let style = comparing ? (dashed ? " (dashed lines)" : " (solid lines)") : ""
        return "<div class=\"run\"><b>\(e(label))</b>\(style) — <code>\(e(run.path))</code><br>" + parts.joined(separator: "<br>") + "</div>"
    }

    static func kpiTable(_ kpis: [KPI]) -> String {
        let e = SVGFormat.escape
        guard !kpis.isEmpty else { return "<p class=\"missing\">This run has no KPI table (/kpi).</p>\n" }
        var s = "<table class=\"kpi\"><tr><th class=\"l\">KPI</th><th>value</th><th class=\"l\">units</th><th class=\"l\">good</th><th class=\"l\">definition</th></tr>"
        var domain = ""
        for k in kpis {
            if k.domain != domain { domain = k.domain; s += "<tr class=\"domain\"><td colspan=\"5\">\(e(domain))</td></tr>" }
            let good = k.better == .neutral ? "–" : (k.better == .higherIsBetter ? "higher" : "lower")
            s += "<tr><td class=\"l\"><code>\(e(k.name))</code></td><td>\(e(KPI.format(k.value)))</td><td class=\"l\">\(e(k.units))</td><td class=\"l\">\(good)</td><td class=\"l\">\(e(k.description))</td></tr>"
        }
        return s + "</table>\n"
    }

    static func comparisonTable(_ c: RunComparison) -> String {
        let e = SVGFormat.escape
        let replicated = c.rows.contains { $0.interval != nil }
        var s = "<table class=\"kpi\"><tr><th class=\"l\">KPI</th><th class=\"l\">units</th><th>\(e(c.baselineLabel))</th><th>\(e(c.variantLabel))</th><th>change</th><th>rel.</th><th class=\"l\">verdict</th>"
        if replicated { s += "<th>\(Int((c.level * 100).rounded())) % CI of change (Welch)</th>" }
        s += "</tr>"
        let columns = replicated ? 8 : 7
        var domain = ""
        for r in c.rows {
            if r.domain != domain { domain = r.domain; s += "<tr class=\"domain\"><td colspan=\"\(columns)\">\(e(domain))</td></tr>" }
            let a = r.baselineValues.isEmpty ? "–" : RunComparison.valueText(r.baselineValues)
            let b = r.variantValues.isEmpty ? "–" : RunComparison.valueText(r.variantValues)
            var change = "", rel = "", verdict = "", cls = "neutral"
            switch r.status {
            case .compared:
                change = RunComparison.signed(r.difference)
                rel = r.relativeChange.isFinite ? String(format: "%+.1f %%", r.relativeChange * 100) : "n/a"
                verdict = r.verdict
                cls = r.isImprovement ? "better" : (r.isDeterioration ? "worse" : "neutral")
            case .onlyBaseline: verdict = "only in \(c.baselineLabel)"
            case .onlyVariant: verdict = "only in \(c.variantLabel)"
            case let .incompatible(why): verdict = "not comparable: \(why)"
            }
            s += "<tr title=\"\(e(r.description))\"><td class=\"l\"><code>\(e(r.name))</code></td><td class=\"l\">\(e(r.units))</td><td>\(e(a))</td><td>\(e(b))</td><td>\(e(change))</td><td>\(e(rel))</td><td class=\"l \(cls)\">\(e(verdict))</td>"
            if replicated {
                if let i = r.interval {
                    s += "<td>[\(e(RunComparison.signed(i.lower))), \(e(RunComparison.signed(i.upper)))] \(i.significant ? "significant" : "not significant")</td>"
                } else { s += "<td></td>" }
            }
            s += "</tr>"
        }
        return s + "</table>\n<p class=\"hint\">change = \(e(c.variantLabel)) − \(e(c.baselineLabel)); ▲/▼ direction of change; better/worse from each KPI's good direction (hover a row for its definition).</p>\n"
    }
}
