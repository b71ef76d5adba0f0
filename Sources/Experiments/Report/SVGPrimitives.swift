import Foundation

/// Text helpers shared by the SVG and HTML writers. Every number goes through `SVGFormat`
/// so output is byte-identical for identical inputs (fixed decimals, no locale).
public enum SVGFormat {
    /// A coordinate with one decimal (0.1 px is below what a screen shows). `-0.0` prints `0.0`.
    @inlinable
    public static func coordinate(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let r = (v * 10).rounded() / 10
        return String(format: "%.1f", r == 0 ? 0 : r)
    }

    /// Escapes text for HTML/SVG element content and attribute values.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// A tick label with as many decimals as the tick step needs (step 0.25 → 2 decimals).
    public static func tick(_ v: Double, step: Double) -> String {
        guard v.isFinite else { return "" }
        let decimals = step > 0 ? max(0, min(6, Int((-log10(step)).rounded(.up) + (isRoundPower(step) ? 0 : 1)))) : 2
        let s = String(format: "%.\(decimals)f", v)
        return s.hasPrefix("-") && Double(s) == 0 ? String(s.dropFirst()) : s
    }

    /// True when `step` is 1, 2 or 5 times a power of ten whose decimals suffice (e.g. 0.1, 20),
    /// false for e.g. 0.25 or 2.5 which need one more decimal than the power.
    static func isRoundPower(_ step: Double) -> Bool {
        let p = pow(10, (log10(step)).rounded(.down))
        let m = (step / p * 1000).rounded() / 1000
        return m == 1 || m == 2 || m == 5
    }
}

/// "Nice" axis ticks: steps of 1, 2 or 5 times a power of ten covering [lo, hi].
public struct AxisTicks: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    public var step: Double
    /// The tick values, from `lower` to `upper` inclusive.
    public var values: [Double] {
        guard step > 0, upper >= lower else { return [lower] }
        let n = Int(((upper - lower) / step).rounded())
        return (0...max(0, n)).map { lower + Double($0) * step }
    }

    /// Ticks for data in [lo, hi], about `target` intervals. A degenerate range is widened
    /// around its value; non-finite input gives [0, 1]. O(1).
    public init(dataMin lo: Double, dataMax hi: Double, target: Int = 5) {
        var a = lo, b = hi
        if !a.isFinite || !b.isFinite { a = 0; b = 1 }
        if a > b { swap(&a, &b) }
        if b - a < 1e-12 * max(1, abs(a)) {
            let pad = abs(a) > 0 ? abs(a) * 0.05 : 1
            a -= pad; b += pad
        }
        let raw = (b - a) / Double(max(1, target))
        let p = pow(10, log10(raw).rounded(.down))
        let m = raw / p
        let nice: Double = m <= 1 ? 1 : (m <= 2 ? 2 : (m <= 5 ? 5 : 10))
        step = nice * p
        lower = (a / step).rounded(.down) * step
        upper = (b / step).rounded(.up) * step
    }
}

/// A sequential colour scale from green (0, good) through yellow to red (1, bad), used for
/// congestion, voltage deviation and loading.
public enum ColorScale {
    static let stops: [(Double, Double, Double)] = [(26, 152, 80), (254, 224, 139), (215, 48, 39)]

    /// `#rrggbb` for t in [0, 1] (clamped); grey for NaN.
    public static func hex(_ t: Double) -> String {
        guard t.isFinite else { return "#999999" }
        let x = min(1, max(0, t)) * Double(stops.count - 1)
        let i = min(stops.count - 2, Int(x))
        let f = x - Double(i)
        let a = stops[i], b = stops[i + 1]
        func c(_ u: Double, _ v: Double) -> Int { Int((u + (v - u) * f).rounded()) }
        return String(format: "#%02x%02x%02x", c(a.0, b.0), c(a.1, b.1), c(a.2, b.2))
    }

    /// A horizontal colour bar (SVG group) at (x, y), `width` wide, labelled with the values at
    /// its ends and middle, and a caption.
    public static func legendBar(x: Double, y: Double, width: Double, caption: String,
                                 lowLabel: String, midLabel: String, highLabel: String) -> String {
        let f = SVGFormat.coordinate
        var s = "<g class=\"colorbar\">"
        let n = 20
        for k in 0..<n {
            let x0 = x + width * Double(k) / Double(n)
            s += "<rect x=\"\(f(x0))\" y=\"\(f(y))\" width=\"\(f(width / Double(n) + 0.5))\" height=\"10\" fill=\"\(hex((Double(k) + 0.5) / Double(n)))\"/>"
        }
        s += "<text x=\"\(f(x))\" y=\"\(f(y + 22))\" font-size=\"11\">\(SVGFormat.escape(lowLabel))</text>"
        s += "<text x=\"\(f(x + width / 2))\" y=\"\(f(y + 22))\" font-size=\"11\" text-anchor=\"middle\">\(SVGFormat.escape(midLabel))</text>"
        s += "<text x=\"\(f(x + width))\" y=\"\(f(y + 22))\" font-size=\"11\" text-anchor=\"end\">\(SVGFormat.escape(highLabel))</text>"
        s += "<text x=\"\(f(x + width / 2))\" y=\"\(f(y - 4))\" font-size=\"11\" text-anchor=\"middle\">\(SVGFormat.escape(caption))</text>"
        return s + "</g>"
    }
}

/// Colours for series: run A/B in comparisons, or one per entity.
public enum ReportPalette {
    public static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#e377c2", "#7f7f7f", "#bcbd22"]
    /// The i-th colour, cycling.
    public static func color(_ i: Int) -> String { colors[((i % colors.count) + colors.count) % colors.count] }
}
