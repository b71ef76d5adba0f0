/// A key performance indicator of a run, stored under `/kpi` and shown in summaries and
/// comparisons.
public struct KPI: Sendable, Equatable {
    /// Which direction of change is an improvement, for comparisons.
    public enum Direction: String, Sendable {
        case higherIsBetter = "higher"
        case lowerIsBetter = "lower"
        case neutral = "neutral"
    }

    /// Identifier, `snake_case`, unique in a run (also the HDF5 dataset name).
    public var name: String
    public var value: Double
    public var units: String
    public var description: String
    public var better: Direction
    /// The domain the KPI belongs to (`weather`, `traffic`, `grid`, ...), for grouping.
    public var domain: String

    public init(_ name: String, _ value: Double, units: String, domain: String, better: Direction = .neutral,
                description: String) {
        self.name = name
        self.value = value
        self.units = units
        self.description = description
        self.better = better
        self.domain = domain
    }
}

extension KPI {
    /// The KPIs a run summary shows by default, in this order (those the run has).
    public static let headline = [
        "max_outdoor_temperature", "grid_peak_load", "min_voltage", "max_line_loading",
        "voltage_violation_bus_hours", "overload_line_hours", "building_cooling_energy", "unmet_comfort_hours",
        "pv_energy", "trips_completed_share", "mean_delay", "passenger_wait_mean", "rejection_rate",
        "charging_queue_wait_mean", "charging_unserved_energy",
    ]
}

extension Array where Element == KPI {
    /// The headline KPIs (see `KPI.headline`) present in this list, in headline order.
    public var headline: [KPI] { KPI.headline.compactMap { name in first { $0.name == name } } }

    /// A fixed-width table for terminals.
    public func formattedTable() -> String {
        let width = map(\.name.count).max() ?? 10
        return map { k in
            let name = k.name.padding(toLength: width, withPad: " ", startingAt: 0)
            return "  \(name)  \(KPI.format(k.value))" + (k.units == "1" ? "" : " \(k.units)")
        }.joined(separator: "\n")
    }
}

extension KPI {
    /// Formats a value with a sensible number of significant digits.
    public static func format(_ v: Double) -> String {
        if v.isNaN { return "n/a" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        let a = abs(v)
        if a == 0 { return "0" }
        if a >= 1e6 || a < 1e-3 { return String(format: "%.4g", v) }
        if v == v.rounded() { return String(format: "%.0f", v) }
        if a >= 100 { return String(format: "%.1f", v) }
        if a >= 1 { return String(format: "%.3f", v) }
        return String(format: "%.4f", v)
    }
}

import Foundation
