import CityTwin
import Foundation

/// One line of a report chart: where its data is and how a `[time × entity]` dataset becomes
/// lines. Table-driven so a new output group (e.g. `/fleet`) needs only new table rows.
public struct ReportLineSpec: Sendable, Equatable {
    public enum Mode: Sendable, Equatable {
        /// A `[time]` dataset as one line (a `[time × entity]` one is summed).
        case single
        /// One line per entity column, labelled by the entity scale.
        case perEntity
        /// The columns reduced to one line.
        case reduce(RowReduction, weights: String?)
    }

    /// Candidate dataset paths; the first that exists is used (tolerates renames).
    public var datasets: [String]
    public var mode: Mode
    /// Legend label (per-entity lines prefix it to the entity name, when not empty).
    public var label: String

    public init(_ datasets: [String], _ mode: Mode = .single, label: String) {
        self.datasets = datasets
        self.mode = mode
        self.label = label
    }
}

/// A reference line taken from an attribute (e.g. `/grid` `voltage_min`) or a constant.
public struct ReportReferenceSpec: Sendable, Equatable {
    public var attribute: (object: String, name: String)?
    public var constant: Double?
    public var label: String
    public static func == (a: Self, b: Self) -> Bool {
        a.attribute?.object == b.attribute?.object && a.attribute?.name == b.attribute?.name && a.constant == b.constant && a.label == b.label
    }
    public static func attribute(_ object: String, _ name: String, label: String) -> Self {
        Self(attribute: (object, name), constant: nil, label: label)
    }
    public static func constant(_ v: Double, label: String) -> Self { Self(attribute: nil, constant: v, label: label) }
}

/// A time-series chart of the report.
public struct ReportChartSpec: Sendable, Equatable {
    public var id: String
    public var title: String
    /// Y-axis quantity; units are appended from the first dataset's `units` attribute,
    /// else `units` here.
    public var quantity: String
    public var units: String
    public var lines: [ReportLineSpec]
    public var references: [ReportReferenceSpec]

    public init(id: String, title: String, quantity: String, units: String, lines: [ReportLineSpec],
                references: [ReportReferenceSpec] = []) {
        self.id = id
        self.title = title
        self.quantity = quantity
        self.units = units
        self.lines = lines
        self.references = references
    }

    /// The report's charts, in page order. `/chargers` and `/fleet` rows use the dataset names
    /// planned in issue 5 (with alternatives); charts whose data is absent are listed as
    /// missing, never drawn empty.
    public static let standard: [ReportChartSpec] = [
        ReportChartSpec(id: "grid-load", title: "Grid total load", quantity: "net load", units: "MW",
                        lines: [ReportLineSpec(["/grid/total_load"], label: "total load")]),
        ReportChartSpec(id: "grid-voltage", title: "Minimum bus voltage", quantity: "voltage", units: "p.u.",
                        lines: [ReportLineSpec(["/grid/min_vm"], label: "min voltage")],
                        references: [.attribute("/grid", "voltage_min", label: "voltage_min")]),
        ReportChartSpec(id: "grid-loading", title: "Maximum line loading", quantity: "loading", units: "%",
                        lines: [ReportLineSpec(["/grid/max_loading"], label: "max loading")],
                        references: [.constant(100, label: "100 % of rating")]),
        ReportChartSpec(id: "charger-queue", title: "Charger queues", quantity: "vehicles", units: "veh",
                        lines: [ReportLineSpec(["/chargers/queued", "/chargers/queue"], .reduce(.sum, weights: nil), label: "queued"),
                                ReportLineSpec(["/chargers/plugged"], .reduce(.sum, weights: nil), label: "plugged in")]),
        ReportChartSpec(id: "charger-power", title: "Charging power", quantity: "power", units: "kW",
                        lines: [ReportLineSpec(["/chargers/power"], .reduce(.sum, weights: nil), label: "delivered"),
                                ReportLineSpec(["/chargers/cap"], .reduce(.sum, weights: nil), label: "station caps")]),
        ReportChartSpec(id: "fleet-states", title: "Robotaxi fleet states", quantity: "vehicles", units: "veh",
                        lines: [ReportLineSpec(["/fleet/idle"], label: "idle"),
                                ReportLineSpec(["/fleet/to_pickup"], label: "to pick-up"),
                                ReportLineSpec(["/fleet/occupied"], label: "occupied"),
                                ReportLineSpec(["/fleet/rebalancing"], label: "rebalancing"),
                                ReportLineSpec(["/fleet/to_charger"], label: "to charger"),
                                ReportLineSpec(["/fleet/charging"], label: "charging")]),
        ReportChartSpec(id: "fleet-wait", title: "Passenger waits", quantity: "wait", units: "s",
                        lines: [ReportLineSpec(["/fleet/mean_wait", "/fleet/wait"], label: "mean wait"),
                                ReportLineSpec(["/fleet/waiting", "/fleet/pending_requests"], label: "waiting requests")]),
        ReportChartSpec(id: "traffic-speed", title: "Network mean speed (flow-weighted)", quantity: "speed", units: "km/h",
                        lines: [ReportLineSpec(["/traffic/mean_speed"], .reduce(.weightedMean, weights: "/traffic/flow"), label: "mean speed")]),
        ReportChartSpec(id: "traffic-vehicles", title: "Vehicles on the road network", quantity: "vehicles", units: "veh",
                        lines: [ReportLineSpec(["/traffic/vehicles_on_network"], label: "on network")]),
        ReportChartSpec(id: "temperature", title: "Outdoor and indoor temperature", quantity: "temperature", units: "degC",
                        lines: [ReportLineSpec(["/weather/temperature"], .reduce(.mean, weights: nil), label: "outdoor"),
                                ReportLineSpec(["/buildings/air_temperature"], .perEntity, label: "indoor")]),
        ReportChartSpec(id: "building-power", title: "Building load and PV output", quantity: "power", units: "kW",
                        lines: [ReportLineSpec(["/buildings/total_electric_power"], label: "buildings"),
                                ReportLineSpec(["/pv/total_power"], label: "PV")]),
    ]
}

/// Builds the `LineChart`s of a report from specs. O(size of the datasets read).
public enum ReportChartBuilder {
    /// A run drawn in a chart: its file and how its lines look.
    public struct Run {
        public var file: RunFile
        public var label: String
        public var dashed: Bool
        public init(file: RunFile, label: String, dashed: Bool) {
            self.file = file
            self.label = label
            self.dashed = dashed
        }
    }

    /// The chart for `spec` over `runs` (one run, or two overlaid), or nil with the reason when
    /// no run holds any of its data. Colours: per line; in a comparison with one line per run,
    /// per run.
    public static func chart(_ spec: ReportChartSpec, runs: [Run]) -> (chart: LineChart?, missing: String?) {
        var series: [ChartSeries] = []
        var units: String?
        var perRunLines: [[(String, [Double], [Double])]] = []
        for run in runs {
            var lines: [(String, [Double], [Double])] = []
            for line in spec.lines {
                guard let dataset = line.datasets.first(where: { run.file.has($0) }),
                      let table = run.file.timeSeries(dataset) else { continue }
                if units == nil, !table.units.isEmpty { units = table.units }
                switch line.mode {
                case .single:
                    lines.append((line.label, table.hours, table.columns == 1 ? table.values : table.reduceRows(.sum)))
                case .perEntity:
                    for c in 0..<table.columns {
                        let name = line.label.isEmpty ? table.entity[c] : "\(line.label) \(table.entity[c])"
                        lines.append((name, table.hours, table.column(c)))
                    }
                case let .reduce(kind, weights):
                    let w = weights.flatMap { run.file.timeSeries($0) }
                    if weights != nil && w == nil {
                        run.file.note("\(run.file.path): \(weights ?? "") missing: \(spec.title) drawn as a plain mean")
                    }
                    lines.append((line.label, table.hours, table.reduceRows(w == nil && kind == .weightedMean ? .mean : kind, weights: w)))
                }
            }
            perRunLines.append(lines)
        }
        let total = perRunLines.reduce(0) { $0 + $1.count }
        guard total > 0 else {
            let wanted = spec.lines.map { $0.datasets.joined(separator: " or ") }.joined(separator: ", ")
            return (nil, "\(spec.title): not in \(runs.count > 1 ? "either run" : "this run") (needs \(wanted))")
        }
        let maxLines = perRunLines.map(\.count).max() ?? 0
        let comparing = runs.count > 1
        for (r, lines) in perRunLines.enumerated() {
            for (i, line) in lines.enumerated() {
                let color = comparing && maxLines == 1 ? ReportPalette.color(r) : ReportPalette.color(i)
                let name = comparing ? "\(line.0) (\(runs[r].label))" : line.0
                series.append(ChartSeries(name: name, x: line.1, y: line.2, color: color, dashed: runs[r].dashed))
            }
        }
        var references: [ReferenceLine] = []
        for ref in spec.references {
            if let c = ref.constant { references.append(ReferenceLine(value: c, label: ref.label)) }
            if let a = ref.attribute, let v = runs.lazy.compactMap({ $0.file.attributeDouble(a.name, at: a.object) }).first {
                references.append(ReferenceLine(value: v, label: "\(ref.label) \(KPI.format(v))"))
            }
        }
        let u = units ?? spec.units
        let chart = LineChart(id: "chart-\(spec.id)", title: spec.title, xLabel: "time since start [h]",
                              yLabel: u.isEmpty || u == "1" ? spec.quantity : "\(spec.quantity) [\(u)]",
                              series: series, references: references)
        return (chart, nil)
    }
}
