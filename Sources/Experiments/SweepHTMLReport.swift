import Foundation

/// A self-contained HTML page (inline SVG and CSS; no scripts, no network) with one chart
/// per KPI and parameter: the KPI's mean across replications versus the parameter, with its
/// 95 % confidence band.
///
/// Series: with one parameter, one line. With several (grid design), one line per
/// combination of the other parameters when there are at most `maxSeries`, otherwise the
/// marginal line (all runs at each parameter value pooled). Latin-hypercube points are drawn
/// as markers with confidence whiskers (no line: their other coordinates differ).
/// Non-numeric parameter values are placed at equal spacing in order of first appearance.
public enum SweepHTMLReport {
    public static let maxSeries = 6
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"]

    struct Series {
        var name: String
        var x: [Double]
        var mean: [Double]
        var lower: [Double]
        var upper: [Double]
    }

    /// The HTML text of the report. O(KPIs × parameters × runs).
    public static func html(_ s: SweepSummary) -> String {
        var body = ""
        let np = s.parameters.count
        let lhsLike = isScattered(s)
        for (k, kpi) in s.kpiNames.enumerated() {
            body += "<h2>\(escape(kpi))\(s.kpiUnits[k].isEmpty ? "" : " [\(escape(s.kpiUnits[k]))]")</h2>\n<div class=\"row\">\n"
            for p in 0..<np {
                body += chart(s, kpi: k, parameter: p, scattered: lhsLike) + "\n"
            }
            body += "</div>\n"
        }
        let done = s.runStatus.filter { $0 == "done" }.count
        let params = s.parameters.map { "<code>\(escape($0.path))</code>" }.joined(separator: ", ")
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Sweep \(escape(s.sweepName))</title>
        <style>
        body { font-family: sans-serif; margin: 24px; color: #222; }
        .row { display: flex; flex-wrap: wrap; gap: 16px; }
        svg { background: #fff; border: 1px solid #ddd; }
        svg text { font-family: sans-serif; }
        table { border-collapse: collapse; } td, th { padding: 2px 8px; border-bottom: 1px solid #eee; text-align: right; }
        </style></head><body>
        <h1>Sweep \(escape(s.sweepName))</h1>
        <p>\(s.designPointCount) design points × \(s.replications) replications = \(s.runCount) runs (\(done) done); parameters: \(params).
        Lines: mean across replications; shaded band / whiskers: 95 % Student-t confidence interval of the mean (none with fewer than 2 replications).
        Sweep hash \(escape(s.sweepHash)).</p>
        \(body)
        </body></html>

        """
    }

    /// True when no two points share a value of any parameter (Latin hypercube).
    static func isScattered(_ s: SweepSummary) -> Bool {
        let np = s.parameters.count, n = s.designPointCount
        guard n > 2, np > 1 else { return false }
        for p in 0..<np {
            let labels = (0..<n).map { s.pointParameterLabels[$0 * np + p] }
            if Set(labels).count != n { return false }
        }
        return true
    }

    static func chart(_ s: SweepSummary, kpi k: Int, parameter p: Int, scattered: Bool) -> String {
        let np = s.parameters.count, nk = s.kpiNames.count, n = s.designPointCount
        // x positions: numbers, or category indices in order of first appearance.
        let labels = (0..<n).map { s.pointParameterLabels[$0 * np + p] }
        let numeric = (0..<n).allSatisfy { s.pointParameterNumbers[$0 * np + p].isFinite }
        var categories: [String] = []
        for l in labels where !categories.contains(l) { categories.append(l) }
        let xOf: (Int) -> Double = { i in numeric ? s.pointParameterNumbers[i * np + p] : Double(categories.firstIndex(of: labels[i]) ?? 0) }

        var series: [Series] = []
        let others = (0..<np).filter { $0 != p }
        let groupKey: (Int) -> String = { i in others.map { "\(s.parameters[$0].label)=\(s.pointParameterLabels[i * np + $0])" }.joined(separator: ", ") }
        var groups: [String] = []
        for i in 0..<n where !groups.contains(groupKey(i)) { groups.append(groupKey(i)) }
        if scattered || groups.count <= maxSeries {
            for g in (scattered ? [""] : groups) {
                var pts = (0..<n).filter { scattered || groupKey($0) == g }
                pts.sort { xOf($0) < xOf($1) }
                series.append(Series(name: scattered ? "design points" : (g.isEmpty ? "mean" : g),
                                     x: pts.map(xOf), mean: pts.map { s.pointMean[$0 * nk + k] },
                                     lower: pts.map { s.pointLower[$0 * nk + k] }, upper: pts.map { s.pointUpper[$0 * nk + k] }))
            }
        } else {
            // Marginal: pool every run whose point has this parameter value.
            var xs: [Double] = []
            for i in 0..<n where !xs.contains(xOf(i)) { xs.append(xOf(i)) }
            xs.sort()
            var m = Series(name: "all other parameters pooled", x: xs, mean: [], lower: [], upper: [])
            for x in xs {
                let values = (0..<s.runCount).filter { xOf(s.runPoints[$0]) == x }.map { s.runValues[$0 * nk + k] }
                let st = SampleStatistics(values)
                m.mean.append(st.mean); m.lower.append(st.lower); m.upper.append(st.upper)
            }
            series.append(m)
        }

        let w = 520.0, h = 340.0, left = 70.0, right = 16.0, top = 34.0, bottom = 52.0
        let legendHeight = Double(series.count) * 16 + 20
        let plotH = h - top - bottom
        let allX = series.flatMap(\.x).filter(\.isFinite)
        let allY = series.flatMap { $0.mean + $0.lower + $0.upper }.filter(\.isFinite)
        var (x0, x1) = (allX.min() ?? 0, allX.max() ?? 1)
        var (y0, y1) = (allY.min() ?? 0, allY.max() ?? 1)
        if x0 == x1 { x0 -= 0.5; x1 += 0.5 }
        if y0 == y1 { let d = max(abs(y0) * 0.05, 0.5); y0 -= d; y1 += d }
        let xTicks = numeric ? niceTicks(x0, x1) : categories.indices.map(Double.init)
        let yTicks = niceTicks(y0, y1)
        x0 = min(x0, xTicks.first ?? x0); x1 = max(x1, xTicks.last ?? x1)
        y0 = min(y0, yTicks.first ?? y0); y1 = max(y1, yTicks.last ?? y1)
        if !numeric { x0 -= 0.5; x1 += 0.5 }
        let sx: (Double) -> Double = { left + ($0 - x0) / (x1 - x0) * (w - left - right) }
        let sy: (Double) -> Double = { top + (1 - ($0 - y0) / (y1 - y0)) * plotH }
        let param = s.parameters[p]
        let kpiLabel = s.kpiNames[k] + (s.kpiUnits[k].isEmpty ? "" : " [\(s.kpiUnits[k])]")
        let xLabel = param.label + (param.units.isEmpty ? "" : " [\(param.units)]")
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h + legendHeight))\" viewBox=\"0 0 \(Int(w)) \(Int(h + legendHeight))\" role=\"img\">"
        svg += "<title>\(escape(s.kpiNames[k])) versus \(escape(param.label))</title>"
        svg += text(w / 2, 20, "\(s.kpiNames[k]) vs \(param.label)", anchor: "middle", size: 14, bold: true)
        // Grid and ticks.
        for t in yTicks {
            svg += line(left, sy(t), w - right, sy(t), color: "#eee")
            svg += text(left - 6, sy(t) + 4, fmt(t), anchor: "end", size: 11)
        }
        for t in xTicks {
            svg += line(sx(t), top, sx(t), top + plotH, color: "#f3f3f3")
            let label = numeric ? fmt(t) : categories[Int(t)]
            svg += text(sx(t), top + plotH + 16, label, anchor: "middle", size: 11)
        }
        svg += line(left, top + plotH, w - right, top + plotH, color: "#333") + line(left, top, left, top + plotH, color: "#333")
        svg += text((left + w - right) / 2, h - 12, xLabel, anchor: "middle", size: 12)
        svg += "<text x=\"16\" y=\"\(f(top + plotH / 2))\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(f(top + plotH / 2)))\">\(escape(kpiLabel))</text>"
        for (j, se) in series.enumerated() {
            let color = palette[j % palette.count]
            let idx = se.x.indices.filter { se.lower[$0].isFinite && se.upper[$0].isFinite }
            if scattered {
                for i in idx { svg += line(sx(se.x[i]), sy(se.lower[i]), sx(se.x[i]), sy(se.upper[i]), color: color, opacity: 0.6) }
            } else if idx.count >= 2 {
                let upper = idx.map { "\(f(sx(se.x[$0]))),\(f(sy(se.upper[$0])))" }
                let lower = idx.reversed().map { "\(f(sx(se.x[$0]))),\(f(sy(se.lower[$0])))" }
                svg += "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(color)\" fill-opacity=\"0.18\" stroke=\"none\"/>"
            } else {
                for i in idx { svg += line(sx(se.x[i]), sy(se.lower[i]), sx(se.x[i]), sy(se.upper[i]), color: color, opacity: 0.6) }
            }
            let finite = se.x.indices.filter { se.mean[$0].isFinite }
            if !scattered && finite.count >= 2 {
                svg += "<polyline points=\"\(finite.map { "\(f(sx(se.x[$0]))),\(f(sy(se.mean[$0])))" }.joined(separator: " "))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            }
            for i in finite { svg += "<circle cx=\"\(f(sx(se.x[i])))\" cy=\"\(f(sy(se.mean[i])))\" r=\"3\" fill=\"\(color)\"/>" }
            // Legend entry.
            let ly = h + 8 + Double(j) * 16
            svg += "<rect x=\"\(f(left))\" y=\"\(f(ly))\" width=\"18\" height=\"10\" fill=\"\(color)\" fill-opacity=\"0.25\" stroke=\"\(color)\"/>"
            svg += text(left + 24, ly + 9, "\(se.name): mean\(scattered ? " and 95 % CI whiskers" : " line, 95 % CI band")", anchor: "start", size: 11)
        }
        return svg + "</svg>"
    }

    /// About five round tick values covering [lo, hi] (1, 2, 5 × 10^k steps).
    static func niceTicks(_ lo: Double, _ hi: Double) -> [Double] {
        guard lo.isFinite, hi.isFinite, hi > lo else { return [lo] }
        let raw = (hi - lo) / 5
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        var t = floor(lo / step) * step
        var result: [Double] = []
        while t < hi - step * 1e-9 && result.count < 20 {
            result.append(abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        result.append(t)  // first tick at or above hi
        return result
    }

    static func fmt(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1e5 || a < 1e-3 { return String(format: "%.2e", v) }
        var s = String(format: "%.4f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, color: String, opacity: Double = 1) -> String {
        "<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" stroke=\"\(color)\" stroke-opacity=\"\(opacity)\"/>"
    }

    static func text(_ x: Double, _ y: Double, _ s: String, anchor: String, size: Int, bold: Bool = false) -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(size)\" text-anchor=\"\(anchor)\"\(bold ? " font-weight=\"bold\"" : "")>\(escape(s))</text>"
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
