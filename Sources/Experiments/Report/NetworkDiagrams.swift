import Foundation

/// A point marked on a map (charger station, ...).
public struct MapMarker: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public var label: String
    public var color: String
    public init(x: Double, y: Double, label: String, color: String) {
        self.x = x
        self.y = y
        self.label = label
        self.color = color
    }
}

/// The road network drawn from node coordinates, each directed link a line coloured by a
/// value in [0, 1] (green → red). Opposite directions of a two-way road are offset sideways
/// so both stay visible. Links with bad node indices or coordinates are skipped (counted in
/// `data-skipped`). O(links). Root: `<svg class="ct-map" data-links=...>`.
public struct RoadMapSVG: Sendable, Equatable {
    public var id: String
    public var title: String
    public var nodeX: [Double]
    public var nodeY: [Double]
    public var linkFrom: [Int]
    public var linkTo: [Int]
    /// Colour value per link in [0, 1]; NaN draws grey.
    public var linkValue: [Double]
    /// Tooltip per link (same count as links, or empty).
    public var linkTooltip: [String]
    public var markers: [MapMarker]
    /// Colour-bar caption and end labels.
    public var scaleCaption: String
    public var scaleLabels: (low: String, mid: String, high: String)
    public var width: Double = 660
    public var height: Double = 560

    public static func == (a: Self, b: Self) -> Bool { a.svg() == b.svg() }

    public init(id: String, title: String, nodeX: [Double], nodeY: [Double], linkFrom: [Int], linkTo: [Int],
                linkValue: [Double], linkTooltip: [String] = [], markers: [MapMarker] = [],
                scaleCaption: String, scaleLabels: (low: String, mid: String, high: String)) {
        self.id = id
        self.title = title
        self.nodeX = nodeX
        self.nodeY = nodeY
        self.linkFrom = linkFrom
        self.linkTo = linkTo
        self.linkValue = linkValue
        self.linkTooltip = linkTooltip
        self.markers = markers
        self.scaleCaption = scaleCaption
        self.scaleLabels = scaleLabels
    }

    public func svg() -> String {
        let f = SVGFormat.coordinate, e = SVGFormat.escape
        let n = min(nodeX.count, nodeY.count)
        var minX = Double.infinity, maxX = -Double.infinity, minY = Double.infinity, maxY = -Double.infinity
        for i in 0..<n where nodeX[i].isFinite && nodeY[i].isFinite {
            minX = min(minX, nodeX[i]); maxX = max(maxX, nodeX[i]); minY = min(minY, nodeY[i]); maxY = max(maxY, nodeY[i])
        }
        for m in markers where m.x.isFinite && m.y.isFinite {
            minX = min(minX, m.x); maxX = max(maxX, m.x); minY = min(minY, m.y); maxY = max(maxY, m.y)
        }
        let top = 34.0, bottom = height - 50, left = 16.0, right = width - 16
        var out = ""
        var drawn = 0, skipped = 0
        if minX.isFinite {
            // One scale for both axes (metres stay square); y grows north.
            let spanX = max(maxX - minX, 1e-9), spanY = max(maxY - minY, 1e-9)
            let s = min((right - left) / spanX, (bottom - top) / spanY)
            let ox = left + ((right - left) - spanX * s) / 2, oy = top + ((bottom - top) - spanY * s) / 2
            func px(_ x: Double) -> Double { ox + (x - minX) * s }
            func py(_ y: Double) -> Double { oy + (maxY - y) * s }
            let count = min(linkFrom.count, linkTo.count)
            out += "<g class=\"links\" stroke-width=\"3\" stroke-linecap=\"round\">"
            for l in 0..<count {
                let a = linkFrom[l], b = linkTo[l]
                guard a >= 0, b >= 0, a < n, b < n, nodeX[a].isFinite, nodeY[a].isFinite, nodeX[b].isFinite, nodeY[b].isFinite else {
                    skipped += 1; continue
                }
                var x1 = px(nodeX[a]), y1 = py(nodeY[a]), x2 = px(nodeX[b]), y2 = py(nodeY[b])
                let len = ((x2 - x1) * (x2 - x1) + (y2 - y1) * (y2 - y1)).squareRoot()
                if len > 0 {
                    // Offset 2 px to the right of the travel direction (screen coordinates).
                    let nx = -(y2 - y1) / len * 2, ny = (x2 - x1) / len * 2
                    x1 -= nx; y1 -= ny; x2 -= nx; y2 -= ny
                }
                let v = l < linkValue.count ? linkValue[l] : .nan
                let tip = l < linkTooltip.count ? "<title>\(e(linkTooltip[l]))</title>" : ""
                out += "<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" stroke=\"\(ColorScale.hex(v))\">\(tip)</line>"
                drawn += 1
            }
            out += "</g><g class=\"nodes\" fill=\"#444\">"
            for i in 0..<n where nodeX[i].isFinite && nodeY[i].isFinite {
                out += "<circle cx=\"\(f(px(nodeX[i])))\" cy=\"\(f(py(nodeY[i])))\" r=\"2\"/>"
            }
            out += "</g><g class=\"markers\" font-size=\"10\">"
            for m in markers where m.x.isFinite && m.y.isFinite {
                let x = px(m.x), y = py(m.y)
                out += "<rect x=\"\(f(x - 5))\" y=\"\(f(y - 5))\" width=\"10\" height=\"10\" fill=\"\(m.color)\" stroke=\"#000\"><title>\(e(m.label))</title></rect>"
            }
            out += "</g>"
        } else {
            out += "<text x=\"\(f(width / 2))\" y=\"\(f(height / 2))\" font-size=\"13\" text-anchor=\"middle\" fill=\"#888\">no node coordinates</text>"
        }
        out += ColorScale.legendBar(x: width / 2 - 120, y: height - 36, width: 240, caption: scaleCaption,
                                    lowLabel: scaleLabels.low, midLabel: scaleLabels.mid, highLabel: scaleLabels.high)
        let head = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ct-map\" id=\"\(e(id))\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\" data-links=\"\(drawn)\" data-skipped=\"\(skipped)\" role=\"img\" aria-label=\"\(e(title))\">"
            + "<text x=\"\(f(width / 2))\" y=\"20\" font-size=\"15\" font-weight=\"bold\" text-anchor=\"middle\">\(e(title))</text>"
        return head + out + "</svg>"
    }
}

/// A radial feeder (or any grid) drawn as a one-line diagram: buses placed by breadth-first
/// depth from the slack bus (x) and in depth-first order of the spanning tree (y), so each
/// lateral sits beside the bus it leaves from. Buses are coloured by a value in [0, 1], tree
/// branches by another; branches that close a loop are dashed arcs. Branches naming unknown
/// buses are skipped. O(buses + branches · log). Root: `<svg class="ct-feeder" data-buses=...>`.
public struct FeederDiagramSVG: Sendable, Equatable {
    public var id: String
    public var title: String
    /// Bus numbers (as in the case).
    public var buses: [Int64]
    public var slackBus: Int64
    public var branchFrom: [Int64]
    public var branchTo: [Int64]
    /// False for open branches (normally-open ties, faults): drawn dashed, not used for the layout.
    public var branchInService: [Bool]
    public var busValue: [Double]
    public var busTooltip: [String]
    public var branchValue: [Double]
    public var branchTooltip: [String]
    public var scaleCaption: String
    public var scaleLabels: [String]
    public var width: Double = 660

    public static func == (a: Self, b: Self) -> Bool { a.svg() == b.svg() }

    public init(id: String, title: String, buses: [Int64], slackBus: Int64, branchFrom: [Int64], branchTo: [Int64],
                branchInService: [Bool] = [], busValue: [Double], busTooltip: [String], branchValue: [Double], branchTooltip: [String],
                scaleCaption: String, scaleLabels: [String]) {
        self.id = id
        self.title = title
        self.buses = buses
        self.slackBus = slackBus
        self.branchFrom = branchFrom
        self.branchTo = branchTo
        self.branchInService = branchInService
        self.busValue = busValue
        self.busTooltip = busTooltip
        self.branchValue = branchValue
        self.branchTooltip = branchTooltip
        self.scaleCaption = scaleCaption
        self.scaleLabels = scaleLabels
    }

    /// Layout: (depth, row) per bus index; unreachable buses get depth -1. Deterministic:
    /// neighbours are visited in ascending bus number.
    public func layout() -> (depth: [Int], row: [Double], parentBranch: [Int]) {
        let n = buses.count
        var index: [Int64: Int] = [:]
        for (i, b) in buses.enumerated() where index[b] == nil { index[b] = i }
        var adjacency = [[(bus: Int, branch: Int)]](repeating: [], count: n)
        for k in 0..<min(branchFrom.count, branchTo.count) {
            guard let a = index[branchFrom[k]], let b = index[branchTo[k]], a != b,
                  k >= branchInService.count || branchInService[k] else { continue }
            adjacency[a].append((b, k)); adjacency[b].append((a, k))
        }
        for i in 0..<n { adjacency[i].sort { (buses[$0.bus], $0.branch) < (buses[$1.bus], $1.branch) } }
        var depth = [Int](repeating: -1, count: n), parent = [Int](repeating: -1, count: n)
        var children = [[Int]](repeating: [], count: n)
        let root = index[slackBus] ?? 0
        guard n > 0 else { return ([], [], []) }
        depth[root] = 0
        var queue = [root], head = 0
        while head < queue.count {
            let u = queue[head]; head += 1
            for (v, k) in adjacency[u] where depth[v] < 0 {
                depth[v] = depth[u] + 1; parent[v] = k; children[u].append(v); queue.append(v)
            }
        }
        // Rows: the child with the deepest subtree continues its parent's row (the main
        // feeder stays straight); other children open new rows below, allocated in
        // depth-first order so a lateral's own laterals sit under it.
        var height = [Int](repeating: 0, count: n)
        for u in queue.reversed() where parent[u] >= 0 || u == root {
            for c in children[u] { height[u] = max(height[u], height[c] + 1) }
        }
        for u in 0..<n { children[u].sort { (-height[$0], buses[$0]) < (-height[$1], buses[$1]) } }
        var row = [Double](repeating: 0, count: n)
        var nextRow = 0.0
        var stack: [(node: Int, first: Bool, parentRow: Double)] = [(root, true, 0)]
        while let (u, first, parentRow) = stack.popLast() {
            if first { row[u] = parentRow } else { nextRow += 1; row[u] = nextRow }
            for (j, c) in children[u].enumerated().reversed() { stack.append((c, j == 0, row[u])) }
        }
        var extra = nextRow
        for i in 0..<n where depth[i] < 0 { extra += 1; row[i] = extra }
        return (depth, row, parent)
    }

    public func svg() -> String {
        let f = SVGFormat.coordinate, e = SVGFormat.escape
        let (depth, row, parent) = layout()
        let n = buses.count
        let maxDepth = max(1, depth.max() ?? 1)
        let rows = max(1, Int((row.max() ?? 0).rounded()) + 1)
        let rowHeight = 26.0, top = 44.0, left = 30.0, right = width - 30
        let height = top + Double(rows) * rowHeight + 60
        let step = (right - left) / Double(maxDepth + (depth.contains(-1) ? 1 : 0))
        func px(_ i: Int) -> Double { left + Double(depth[i] < 0 ? maxDepth + 1 : depth[i]) * step }
        func py(_ i: Int) -> Double { top + row[i] * rowHeight }
        var index: [Int64: Int] = [:]
        for (i, b) in buses.enumerated() where index[b] == nil { index[b] = i }
        var out = "<g class=\"branches\" stroke-width=\"3\" fill=\"none\">"
        var treeBranch = Set<Int>()
        for i in 0..<n where parent[i] >= 0 { treeBranch.insert(parent[i]) }
        for k in 0..<min(branchFrom.count, branchTo.count) {
            guard let a = index[branchFrom[k]], let b = index[branchTo[k]], a != b else { continue }
            let v = k < branchValue.count ? branchValue[k] : .nan
            let tip = k < branchTooltip.count ? "<title>\(e(branchTooltip[k]))</title>" : ""
            if treeBranch.contains(k) {
                // Elbow: down from the parent, then across to the child.
                let (p, c) = depth[a] < depth[b] ? (a, b) : (b, a)
                out += "<path d=\"M\(f(px(p))),\(f(py(p))) L\(f(px(p))),\(f(py(c))) L\(f(px(c))),\(f(py(c)))\" stroke=\"\(ColorScale.hex(v))\">\(tip)</path>"
            } else {
                let mx = (px(a) + px(b)) / 2 + 20, my = (py(a) + py(b)) / 2
                let open = k < branchInService.count && !branchInService[k]
                let color = open ? "#888" : ColorScale.hex(v)
                out += "<path d=\"M\(f(px(a))),\(f(py(a))) Q\(f(mx)),\(f(my)) \(f(px(b))),\(f(py(b)))\" stroke=\"\(color)\" stroke-width=\"\(open ? "1.2" : "2")\" stroke-dasharray=\"4 3\">\(tip)</path>"
            }
        }
        out += "</g><g class=\"buses\" font-size=\"9\" text-anchor=\"middle\">"
        for i in 0..<n {
            let v = i < busValue.count ? busValue[i] : .nan
            let tip = i < busTooltip.count ? "<title>\(e(busTooltip[i]))</title>" : ""
            let isSlack = buses[i] == slackBus
            out += "<circle cx=\"\(f(px(i)))\" cy=\"\(f(py(i)))\" r=\"\(isSlack ? "7" : "5")\" fill=\"\(ColorScale.hex(v))\" stroke=\"#000\" stroke-width=\"\(isSlack ? "2" : "0.8")\">\(tip)</circle>"
            out += "<text x=\"\(f(px(i)))\" y=\"\(f(py(i) - 8))\">\(buses[i])</text>"
        }
        out += "</g>"
        let labels = scaleLabels + ["", "", ""]
        out += ColorScale.legendBar(x: width / 2 - 120, y: height - 36, width: 240, caption: scaleCaption,
                                    lowLabel: labels[0], midLabel: labels[1], highLabel: labels[2])
        let head = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ct-feeder\" id=\"\(e(id))\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\" data-buses=\"\(n)\" role=\"img\" aria-label=\"\(e(title))\">"
            + "<text x=\"\(f(width / 2))\" y=\"20\" font-size=\"15\" font-weight=\"bold\" text-anchor=\"middle\">\(e(title))</text>"
        return head + out + "</svg>"
    }
}
