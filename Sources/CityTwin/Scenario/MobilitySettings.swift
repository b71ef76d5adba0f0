import Foundation

/// The road network, the traffic model's parameters and the travel demand of a scenario.
public struct MobilitySettings: Sendable {
    /// Road network: `.osm`, TNTP `_net.tntp` or the project's `.ctnet` (absolute path).
    public var networkPath: String
    /// TNTP node coordinates (optional; found next to the network file when absent).
    public var nodesPath: String?
    public var traffic: TrafficSettings
    public var demand: DemandSettings?
}

public struct TrafficSettings: Sendable {
    public var stuckTimeS: Double
    public var flowCapacityFactor: Double
    public var storageCapacityFactor: Double
    public var signalCycleS: Double
    public var intergreenS: Double
    public var actuated: Bool
    public var minGreenS: Double
    public var maxGreenS: Double
    public var rerouteIntervalS: Double
    /// Precipitation (mm/h) at which the rain speed factor reaches its minimum.
    public var heavyRainMmPerHour: Double
    /// Free-speed factor in heavy rain (1 = rain has no effect).
    public var rainSpeedFactor: Double
    /// Explicit fixed-time plans for signalised nodes (by node external id).
    public var signals: [SignalSettings]
}

public struct SignalSettings: Sendable {
    /// OSM node id or TNTP node number.
    public var node: Int64
    public var cycleS: Double
    public var offsetS: Double
    /// Green time (s) per phase; phases split the node's incoming links in order.
    public var greensS: [Double]
    public var actuated: Bool
}

public struct DemandSettings: Sendable {
    /// OD matrix (`_trips.tntp` or CSV origin,destination,trips).
    public var odPath: String?
    /// Explicit trips (CSV origin,destination,departure_s).
    public var tripsPath: String?
    public var scale: Double
    /// 24 hourly weights, or nil for the standard profile with AM/PM peaks.
    public var profile: [Double]?
    public var poisson: Bool
    public var evShare: Double
    public var evBatteryKWh: Double
    public var evConsumptionKWhPerKm: Double
    public var evInitialSoC: ClosedRange<Double>
}

extension MobilitySettings {
    static func decode(_ roads: FieldReader?, traffic: FieldReader?, demand: FieldReader?, file: String) throws -> MobilitySettings? {
        guard let roads else {
            for (key, reader) in [("traffic", traffic), ("demand", demand)] where reader != nil {
                throw ScenarioError(file: file, path: key, line: reader?.line,
                                    message: "needs a road network; add a roads: section with a network file")
            }
            return nil
        }
        guard let network = try roads.existingFile("network") else {
            throw ScenarioError(file: file, path: roads.fieldPath("network"), line: roads.line,
                                message: "missing required field; expected a road network file (.osm, _net.tntp or .ctnet)")
        }
        let lower = network.lowercased()
        guard lower.hasSuffix(".osm") || lower.hasSuffix(".xml") || lower.hasSuffix(".tntp") || lower.hasSuffix(".ctnet") else {
            throw ScenarioError(file: file, path: roads.fieldPath("network"), line: roads.node("network")?.line,
                                message: "expected an .osm, _net.tntp or .ctnet file, found '\((network as NSString).lastPathComponent)'")
        }
        let nodes = try roads.existingFile("nodes")
        try roads.finish()
        return MobilitySettings(networkPath: network, nodesPath: nodes,
                                traffic: try TrafficSettings.decode(traffic),
                                demand: try DemandSettings.decode(demand))
    }
}

extension TrafficSettings {
    static func decode(_ r: FieldReader?) throws -> TrafficSettings {
        func seconds(_ key: String, _ def: Int64, min: Int64 = 0) throws -> Double {
            Double(try r?.duration(key, default: def, minimum: min) ?? def) / 1000
        }
        let s = TrafficSettings(
            stuckTimeS: try seconds("stuck_time", 10_000, min: 1000),
            flowCapacityFactor: try r?.double("flow_capacity_factor", default: 1, in: 0.001...100) ?? 1,
            storageCapacityFactor: try r?.double("storage_capacity_factor", default: 1, in: 0.001...100) ?? 1,
            signalCycleS: try seconds("signal_cycle", 90_000, min: 10_000),
            intergreenS: try seconds("intergreen", 4000),
            actuated: try r?.bool("actuated", default: false) ?? false,
            minGreenS: try seconds("min_green", 10_000, min: 1000),
            maxGreenS: try seconds("max_green", 60_000, min: 1000),
            rerouteIntervalS: try seconds("reroute_interval", 0),
            heavyRainMmPerHour: try r?.double("heavy_rain_mm_per_h", default: 7.6, in: 0.1...300) ?? 7.6,
            rainSpeedFactor: try r?.double("rain_speed_factor", default: 0.85, in: 0.1...1) ?? 0.85,
            signals: try r.map { try $0.objects("signals").map(SignalSettings.decode) } ?? [])
        if s.minGreenS > s.maxGreenS, let r {
            throw ScenarioError(file: r.file, path: r.fieldPath("max_green"), line: r.node("max_green")?.line ?? r.line,
                                message: "expected at least min_green (\(s.minGreenS) s)")
        }
        try r?.finish()
        return s
    }
}

extension SignalSettings {
    static func decode(_ r: FieldReader) throws -> SignalSettings {
        let cycle = Double(try r.duration("cycle", minimum: 10_000)) / 1000
        let greens = try r.doubles("greens", in: 1...600)
        guard !greens.isEmpty else {
            throw ScenarioError(file: r.file, path: r.fieldPath("greens"), line: r.line,
                                message: "missing required field; expected green seconds per phase, e.g. [40, 40]")
        }
        guard greens.reduce(0, +) <= cycle else {
            throw ScenarioError(file: r.file, path: r.fieldPath("greens"), line: r.node("greens")?.line,
                                message: "expected greens adding up to at most the cycle (\(cycle) s), found \(greens.reduce(0, +)) s")
        }
        let s = SignalSettings(node: Int64(try r.int("node")), cycleS: cycle,
                               offsetS: Double(try r.duration("offset", default: 0)) / 1000,
                               greensS: greens, actuated: try r.bool("actuated", default: false))
        try r.finish()
        return s
    }
}

extension DemandSettings {
    static func decode(_ r: FieldReader?) throws -> DemandSettings? {
        guard let r else { return nil }
        let od = try r.existingFile("od")
        let trips = try r.existingFile("trips")
        if od == nil && trips == nil {
            throw ScenarioError(file: r.file, path: r.fieldPath("od"), line: r.line,
                                message: "missing required field; expected an OD matrix (od:) or a trip list (trips:)")
        }
        if od != nil && trips != nil {
            throw ScenarioError(file: r.file, path: r.fieldPath("trips"), line: r.node("trips")?.line,
                                message: "give either od: or trips:, not both")
        }
        let profile = try r.doubles("profile", in: 0...1e9)
        if !profile.isEmpty && profile.count != 24 {
            throw ScenarioError(file: r.file, path: r.fieldPath("profile"), line: r.node("profile")?.line,
                                message: "expected 24 hourly weights, found \(profile.count)")
        }
        let ev = try r.object("ev")
        let socLow = try ev?.double("initial_soc_min", default: 0.3, in: 0...1) ?? 0.3
        let socHigh = try ev?.double("initial_soc_max", default: 0.9, in: 0...1) ?? 0.9
        if socLow > socHigh, let ev {
            throw ScenarioError(file: r.file, path: ev.fieldPath("initial_soc_max"), line: ev.line,
                                message: "expected at least initial_soc_min (\(socLow))")
        }
        let s = DemandSettings(odPath: od, tripsPath: trips,
                               scale: try r.double("scale", default: 1, in: 0...1000),
                               profile: profile.isEmpty ? nil : profile,
                               poisson: try r.choice("counts", default: CountMode.round) == .poisson,
                               evShare: try r.double("ev_share", default: 0, in: 0...1),
                               evBatteryKWh: try ev?.double("battery_kwh", default: 60, in: 1...500) ?? 60,
                               evConsumptionKWhPerKm: try ev?.double("consumption_kwh_per_km", default: 0.18, in: 0...5) ?? 0.18,
                               evInitialSoC: socLow...socHigh)
        try ev?.finish()
        try r.finish()
        return s
    }

    enum CountMode: String, CaseIterable { case round, poisson }
}
