import Energy

/// Charging stations: where they are on the roads and on the grid, and what they offer.
public struct ChargerStationSettings: Sendable {
    public var name: String
    /// Road node (OSM node id or TNTP node number) where vehicles charge.
    public var node: Int64
    /// MATPOWER bus number the station draws from.
    public var bus: Int
    public var plugs: Int
    public var powerKW: Double
    public var dc: Bool
    /// Static station cap (kW); nil = plugs × power.
    public var capKW: Double?
}

public struct ChargerSettings: Sendable {
    public var stations: [ChargerStationSettings]
    /// A queued vehicle gives up after this long (ms); nil = waits until served.
    public var maxWaitMs: Int64?
    /// SoC above which the power tapers (CC-CV), and the power fraction reached at 100 %.
    public var taperStartSoC: Double
    public var taperEndFraction: Double
    /// Real charging sessions replayed at one station.
    public var sessions: SessionReplaySettings?
}

/// Replays recorded sessions (CSV as in Models/ev) at a station, shifted so that the first
/// session arrives at `start`; each session brings its energy and leaves at its recorded
/// departure, charged or not.
public struct SessionReplaySettings: Sendable {
    public var path: String
    public var station: String
    public var start: String
    /// Vehicle power limit (kW); nil = the plug's power.
    public var maxPowerKW: Double?
}

/// How charging responds to the grid, and when private EVs charge.
public struct ChargingSettings: Sendable {
    public enum Policy: String, Sendable, CaseIterable { case smart, uncontrolled }
    public var policy: Policy
    public var controlIntervalMs: Int64
    /// Thresholds and steps of the smart controller (scenario keys `voltage_low` … `minimum_fraction`).
    public var smart: SmartChargingSettings
    /// Private EVs whose SoC is below this at the end of a trip detour to a station.
    public var privateSoCThreshold: Double
    public var privateTargetSoC: Double
    /// How a private EV picks a station.
    public var stationChoice: StationChoice

    public enum StationChoice: String, Sendable, CaseIterable { case nearest, score }
}

/// A robotaxi fleet.
public struct FleetSettings: Sendable {
    public var vehicles: Int
    public var dispatch: Dispatch
    public var batchIntervalS: Double
    public var maxWaitS: Double
    public var rebalanceIntervalS: Double
    public var batteryKWh: Double
    public var consumptionKWhPerKm: Double
    public var initialSoC: Double
    public var chargeThreshold: Double
    public var chargeTarget: Double
    /// Share of the OD demand requested from the fleet, or a CSV of requests.
    public var odShare: Double?
    public var requestsPath: String?

    public enum Dispatch: String, Sendable, CaseIterable { case nearest, batched }
}

extension ChargerSettings {
    static func decode(_ r: FieldReader?) throws -> ChargerSettings? {
        guard let r else { return nil }
        var names: [String] = []
        let stations = try r.objects("stations").map { c -> ChargerStationSettings in
            let name = try c.string("name")
            if names.contains(name) {
                throw ScenarioError(file: c.file, path: c.fieldPath("name"), line: c.node("name")?.line, message: "duplicate station name '\(name)'")
            }
            names.append(name)
            let s = ChargerStationSettings(name: name, node: Int64(try c.int("node")), bus: try c.int("bus", in: 1...Int(Int32.max)),
                                           plugs: try c.int("plugs", in: 1...10_000),
                                           powerKW: try c.double("power_kw", in: 1...2000),
                                           dc: try c.choice("kind", default: Kind.ac) == .dc,
                                           capKW: try c.optionalDouble("cap_kw", in: 0...1_000_000))
            try c.finish()
            return s
        }
        if stations.isEmpty {
            throw ScenarioError(file: r.file, path: r.fieldPath("stations"), line: r.line,
                                message: "expected at least one station {name, node, bus, plugs, power_kw}")
        }
        let s = ChargerSettings(stations: stations,
                                maxWaitMs: r.has("max_wait") ? try r.duration("max_wait", minimum: 1000) : nil,
                                taperStartSoC: try r.double("taper_start_soc", default: 0.8, in: 0.05...1),
                                taperEndFraction: try r.double("taper_end_fraction", default: 0.1, in: 0.01...1),
                                sessions: try SessionReplaySettings.decode(r.object("sessions"), stations: names))
        try r.finish()
        return s
    }

    enum Kind: String, CaseIterable { case ac, dc }
}

extension SessionReplaySettings {
    static func decode(_ r: FieldReader?, stations: [String]) throws -> SessionReplaySettings? {
        guard let r else { return nil }
        guard let path = try r.existingFile("file") else {
            throw ScenarioError(file: r.file, path: r.fieldPath("file"), line: r.line,
                                message: "missing required field; expected a CSV of charging sessions")
        }
        let station = try r.string("station")
        guard stations.contains(station) else {
            throw ScenarioError(file: r.file, path: r.fieldPath("station"), line: r.node("station")?.line,
                                message: "expected one of the station names \(stations.joined(separator: ", ")), found '\(station)'")
        }
        let start = try r.string("start")
        try CalendarText.validate(start, file: r.file, path: r.fieldPath("start"), line: r.node("start")?.line)
        let s = SessionReplaySettings(path: path, station: station, start: start,
                                      maxPowerKW: try r.optionalDouble("max_power_kw", in: 0.1...1000))
        try r.finish()
        return s
    }
}

extension ChargingSettings {
    static func decode(_ r: FieldReader?) throws -> ChargingSettings {
        let s = ChargingSettings(
            policy: try r?.choice("policy", default: Policy.smart) ?? .smart,
            controlIntervalMs: try r?.duration("control_interval", default: 300_000, minimum: 1000) ?? 300_000,
            smart: SmartChargingSettings(
                voltageLow: try r?.double("voltage_low", default: 0.95, in: 0.5...1.2) ?? 0.95,
                voltageRestore: try r?.double("voltage_restore", default: 0.96, in: 0.5...1.2) ?? 0.96,
                loadingHighPercent: try r?.double("loading_high", default: 90, in: 1...1000) ?? 90,
                loadingRestorePercent: try r?.double("loading_restore", default: 80, in: 1...1000) ?? 80,
                reduceStep: try r?.double("reduce_step", default: 0.25, in: 0.01...1) ?? 0.25,
                restoreStep: try r?.double("restore_step", default: 0.1, in: 0.01...1) ?? 0.1,
                minimumFraction: try r?.double("minimum_fraction", default: 0.2, in: 0...1) ?? 0.2),
            privateSoCThreshold: try r?.double("private_soc_threshold", default: 0.25, in: 0...1) ?? 0.25,
            privateTargetSoC: try r?.double("private_target_soc", default: 0.8, in: 0.05...1) ?? 0.8,
            stationChoice: try r?.choice("station_choice", default: StationChoice.nearest) ?? .nearest)
        if let r {
            if s.smart.voltageRestore < s.smart.voltageLow {
                throw ScenarioError(file: r.file, path: r.fieldPath("voltage_restore"), line: r.node("voltage_restore")?.line ?? r.line,
                                    message: "expected at least voltage_low (\(s.smart.voltageLow))")
            }
            if s.smart.loadingRestorePercent > s.smart.loadingHighPercent {
                throw ScenarioError(file: r.file, path: r.fieldPath("loading_restore"), line: r.node("loading_restore")?.line ?? r.line,
                                    message: "expected at most loading_high (\(s.smart.loadingHighPercent))")
            }
            if s.privateTargetSoC <= s.privateSoCThreshold {
                throw ScenarioError(file: r.file, path: r.fieldPath("private_target_soc"), line: r.node("private_target_soc")?.line ?? r.line,
                                    message: "expected more than private_soc_threshold (\(s.privateSoCThreshold))")
            }
        }
        try r?.finish()
        return s
    }
}

extension FleetSettings {
    static func decode(_ r: FieldReader?) throws -> FleetSettings? {
        guard let r else { return nil }
        let requests = try r.existingFile("requests")
        let share = try r.optionalDouble("od_share", in: 0...1)
        if requests == nil && share == nil {
            throw ScenarioError(file: r.file, path: r.fieldPath("od_share"), line: r.line,
                                message: "missing required field; expected od_share (share of the OD demand served by the fleet) or requests (CSV)")
        }
        let s = FleetSettings(vehicles: try r.int("vehicles", in: 0...1_000_000),
                              dispatch: try r.choice("dispatch", default: Dispatch.nearest),
                              batchIntervalS: Double(try r.duration("batch_interval", default: 30_000, minimum: 1000)) / 1000,
                              maxWaitS: Double(try r.duration("max_wait", default: 600_000, minimum: 1000)) / 1000,
                              rebalanceIntervalS: Double(try r.duration("rebalance_interval", default: 900_000)) / 1000,
                              batteryKWh: try r.double("battery_kwh", default: 60, in: 1...500),
                              consumptionKWhPerKm: try r.double("consumption_kwh_per_km", default: 0.18, in: 0...5),
                              initialSoC: try r.double("initial_soc", default: 0.9, in: 0...1),
                              chargeThreshold: try r.double("charge_threshold", default: 0.2, in: 0...1),
                              chargeTarget: try r.double("charge_target", default: 0.8, in: 0.05...1),
                              odShare: share, requestsPath: requests)
        if s.chargeTarget <= s.chargeThreshold {
            throw ScenarioError(file: r.file, path: r.fieldPath("charge_target"), line: r.node("charge_target")?.line ?? r.line,
                                message: "expected more than charge_threshold (\(s.chargeThreshold))")
        }
        try r.finish()
        return s
    }
}
