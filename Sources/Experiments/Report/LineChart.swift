import Foundation

/// One line of a chart. Non-finite y values break the line (missing data is not drawn as 0).
public struct ChartSeries: Sendable, Equatable {
    public var name: String
    public var x: [Double]
    public var y: [Double]
    public var color: String
    /// Dashed lines mark the second run of a comparison.
    public var dashed: Bool

    public init(name: String, x: [Double], y: [Double], color: String, dashed: Bool = false) {
        self.name = name
        self.x = x
        self.y = y
        self.color = color
        self.dashed = dashed
    }

    /// Points where both coordinates are finite.
    public var finitePointCount: Int {
        zip(x, y).reduce(0) { $0 + (($1.0.isFinite && $1.1.isFinite) ? 1 : 0) }
    }
}

/// A horizontal reference line (a limit), drawn grey and labelled.
public struct ReferenceLine: Sendable, Equatable {
    public var value: Double
    public var label: String
    public init(value: Double, label: String) { self.value = value; self.label = label }
}

/// A line chart rendered as a standalone inline `<svg>`: title, axes with ticks, axis labels
/// with units, legend on the right, optional reference lines. Rendering is O(total points);
/// output is deterministic.
///
/// The root element carries `class="ct-chart"` and `data-series`/`data-points` attributes
/// (counts of drawn series and finite points) so tests and scripts can check a page.
public struct LineChart: Sendable, Equatable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [ChartSeries]
    public var references: [ReferenceLine]
    public var width: Double
    public var height: Double
    /// Identifier for the `id` attribute (letters, digits, `-`, `_`).
    public var id: String

    public init(id: String, title: String, xLabel: String, yLabel: String, series: [ChartSeries],
                references: [ReferenceLine] = [], width: Double = 660, height: Double = 300) {
        self.id = id
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.references = references
        self.width = width
        self.height = height
    }

    static let legendWidth = 195.0

    /// The `<svg>` text.
    public func svg() -> String {
        let f = SVGFormat.coordinate, e = SVGFormat.escape
        let left = 62.0, right = width - Self.legendWidth, top = 34.0, bottom = height - 44
        var xs: [Double] = [], ys: [Double] = references.map(\.value)
        var points = 0
        for s in series {
            for (a, b) in zip(s.x, s.y) where a.isFinite && b.isFinite {
                xs.append(a); ys.append(b); points += 1
            }
        }
        let drawn = series.filter { $0.finitePointCount > 0 }.count
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ct-chart\" id=\"\(e(id))\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\" data-series=\"\(drawn)\" data-points=\"\(points)\" role=\"img\" aria-label=\"\(e(title))\">"
        out += "<text x=\"\(f(width / 2 - Self.legendWidth / 2))\" y=\"20\" font-size=\"15\" font-weight=\"bold\" text-anchor=\"middle\">\(e(title))</text>"
        guard points > 0 else {
            out += "<text x=\"\(f(width / 2))\" y=\"\(f(height / 2))\" font-size=\"13\" text-anchor=\"middle\" fill=\"#888\">no data</text></svg>"
            return out
        }
        let xt = AxisTicks(dataMin: xs.min() ?? 0, dataMax: xs.max() ?? 1, target: 6)
        let yt = AxisTicks(dataMin: ys.min() ?? 0, dataMax: ys.max() ?? 1, target: 5)
        func px(_ v: Double) -> Double { left + (v - xt.lower) / (xt.upper - xt.lower) * (right - left) }
        func py(_ v: Double) -> Double { bottom - (v - yt.lower) / (yt.upper - yt.lower) * (bottom - top) }

        // Grid, ticks and tick labels.
        out += "<g class=\"axes\" font-size=\"11\" fill=\"#333\">"
        for v in yt.values {
            let y = f(py(v))
            out += "<line x1=\"\(f(left))\" y1=\"\(y)\" x2=\"\(f(right))\" y2=\"\(y)\" stroke=\"#eee\"/>"
            out += "<line x1=\"\(f(left - 4))\" y1=\"\(y)\" x2=\"\(f(left))\" y2=\"\(y)\" stroke=\"#333\"/>"
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(py(v) + 4))\" text-anchor=\"end\">\(SVGFormat.tick(v, step: yt.step))</text>"
        }
        for v in xt.values {
            let x = f(px(v))
            out += "<line x1=\"\(x)\" y1=\"\(f(bottom))\" x2=\"\(x)\" y2=\"\(f(bottom + 4))\" stroke=\"#333\"/>"
            out += "<text x=\"\(x)\" y=\"\(f(bottom + 16))\" text-anchor=\"middle\">\(SVGFormat.tick(v, step: xt.step))</text>"
        }
        out += "<line x1=\"\(f(left))\" y1=\"\(f(bottom))\" x2=\"\(f(right))\" y2=\"\(f(bottom))\" stroke=\"#333\"/>"
        out += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(bottom))\" stroke=\"#333\"/>"
        out += "<text x=\"\(f((left + right) / 2))\" y=\"\(f(height - 8))\" text-anchor=\"middle\" font-size=\"12\">\(e(xLabel))</text>"
        out += "<text transform=\"translate(14 \(f((top + bottom) / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">\(e(yLabel))</text>"
        out += "</g>"

        for r in references {
            let y = f(py(r.value))
            out += "<line x1=\"\(f(left))\" y1=\"\(y)\" x2=\"\(f(right))\" y2=\"\(y)\" stroke=\"#777\" stroke-dasharray=\"2 3\"/>"
            out += "<text x=\"\(f(right - 2))\" y=\"\(f(py(r.value) - 3))\" font-size=\"10\" fill=\"#555\" text-anchor=\"end\">\(e(r.label))</text>"
        }

        // Lines: one polyline per run of finite points.
        for s in series {
            let dash = s.dashed ? " stroke-dasharray=\"6 4\"" : ""
            var segment = ""
            var segmentPoints = 0
            func flush() {
                if segmentPoints == 1 {
                    // A lone point between gaps: a dot, so it stays visible.
                    let xy = segment.split(separator: ",")
                    if xy.count == 2 { out += "<circle cx=\"\(xy[0])\" cy=\"\(xy[1])\" r=\"2\" fill=\"\(s.color)\"/>" }
                } else if segmentPoints > 1 {
                    out += "<polyline fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"1.8\"\(dash) points=\"\(segment)\"><title>\(e(s.name))</title></polyline>"
                }
                segment = ""; segmentPoints = 0
            }
            for (a, b) in zip(s.x, s.y) {
                if a.isFinite && b.isFinite {
                    if segmentPoints > 0 { segment += " " }
                    segment += "\(f(px(a))),\(f(py(b)))"
                    segmentPoints += 1
                } else {
                    flush()
                }
            }
            flush()
        }

        // Legend.
        out += "<g class=\"legend\" font-size=\"10.5\">"
        var ly = top + 4
        for s in series {
            let lx = right + 14
            let dash = s.dashed ? " stroke-dasharray=\"6 4\"" : ""
            out += "<line x1=\"\(f(lx))\" y1=\"\(f(ly))\" x2=\"\(f(lx + 22))\" y2=\"\(f(ly))\" stroke=\"\(s.color)\" stroke-width=\"2.5\"\(dash)/>"
            let name = s.name.count > 29 ? String(s.name.prefix(28)) + "…" : s.name
            let suffix = s.finitePointCount == 0 ? " (no data)" : ""
            out += "<text x=\"\(f(lx + 27))\" y=\"\(f(ly + 4))\">\(e(name + suffix))</text>"
            ly += 16
            if ly > bottom { break }
        }
        out += "</g></svg>"
        return out
    }
}
