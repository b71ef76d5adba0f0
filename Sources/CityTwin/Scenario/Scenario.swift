import Foundation
import Weather

/// A validated scenario: everything a run needs, decoded from one YAML/JSON file plus
/// command-line overrides. See docs/scenario-reference.md for every field.
public struct Scenario: Sendable {
    /// Short name, used for the default output file name.
    public var name: String
    public var description: String
    /// Master seed; every random stream derives from (seed, replication, stream id).
    public var seed: UInt64
    /// Replication index (0-based); replications share the seed and differ in their streams.
    public var replication: UInt64
    /// Calendar start in the weather file's local standard time, ISO-8601 (`2025-07-14T00:00:00`).
    public var start: String
    /// Simulated span in milliseconds.
    public var durationMs: Int64
    /// Interval between state snapshots in the output, in milliseconds.
    public var snapshotIntervalMs: Int64
    public var weather: WeatherSettings
    /// The power grid (absent: no grid is simulated).
    public var grid: GridSettings?
    /// Building classes (need a grid to place them on).
    public var buildings: [BuildingClassSettings]
    /// PV system classes (need a grid).
    public var pv: [PVClassSettings]
    /// Road network, traffic and demand (absent: no traffic is simulated).
    public var mobility: MobilitySettings?
    /// Charging stations (need roads and a grid).
    public var chargers: ChargerSettings?
    /// Charging control policy and private-EV charging behaviour.
    public var charging: ChargingSettings
    /// Robotaxi fleet (needs roads).
    public var fleet: FleetSettings?
    /// Time-windowed changes (closures, faults, demand response).
    public var interventions: [InterventionSettings]
    public var output: OutputSettings

    /// The file the scenario came from.
    public var sourceFile: String
    /// The resolved scenario (after `base:` merging and overrides) as JSON text, stored in outputs.
    public var resolvedText: String
    /// The original file text.
    public var sourceText: String
    /// The `--set` overrides applied, as given.
    public var overrides: [String] = []
}

/// Where weather comes from and how a scenario alters it.
public struct WeatherSettings: Sendable {
    /// An EnergyPlus EPW file (absolute path after resolution), or nil for synthetic weather.
    public var epwPath: String?
    /// Parameters of the synthetic profile used when no EPW file is given.
    public var synthetic: SyntheticWeatherSettings
    /// How often weather-driven systems (buildings, PV, traffic speeds) are updated, ms.
    public var updateIntervalMs: Int64
    public var heatWave: HeatWaveSettings?
    public var coldSnap: HeatWaveSettings?
    public var storm: StormSettings?
    /// Multiplier applied to all irradiance components (e.g. 0.5 for haze).
    public var irradianceScale: Double
}

public struct SyntheticWeatherSettings: Sendable {
    public var latitude: Double
    public var longitude: Double
    public var meanTemperatureC: Double
    public var dailyAmplitudeC: Double
    public var peakHour: Double
    public var relativeHumidity: Double
    public var windSpeed: Double
    public var cloudCover: Double
}

/// A temperature shift over a window (heat wave: +ΔT; cold snap: −ΔT).
public struct HeatWaveSettings: Sendable {
    public var start: String
    public var end: String
    public var deltaC: Double
    public var rampHours: Double
    public var extraDailyAmplitudeC: Double
}

public struct StormSettings: Sendable {
    public var start: String
    public var end: String
    public var rainMmPerHour: Double
    public var windSpeed: Double?
    /// Multiplier of irradiance under the storm clouds.
    public var irradianceFactor: Double
}

public struct OutputSettings: Sendable {
    /// Output HDF5 path (relative to the working directory), default `out/<name>.h5`.
    public var path: String
    /// Deflate level 0–9 for time-series datasets.
    public var compression: Int
}

extension Scenario {
    /// Loads, merges, overrides and validates a scenario file.
    ///
    /// - Parameters:
    ///   - path: the YAML or JSON file.
    ///   - overrides: `--set` overrides applied in order after loading.
    ///   - seed: replaces the file's seed when given (`--seed`).
    /// - Throws: `ScenarioError` (one line naming file, field path and what was expected).
    public static func load(path: String, overrides: [FieldOverride] = [], seed: UInt64? = nil,
                            replication: UInt64? = nil) throws -> Scenario {
        let (root, text) = try ScenarioDocument.loadMerged(path: path)
        var tree = root
        for o in overrides { tree = try o.apply(to: tree) }
        var scenario = try decode(tree, file: path, sourceText: text)
        if let seed { scenario.seed = seed }
        if let replication { scenario.replication = replication }
        scenario.overrides = overrides.map(\.description)
        return scenario
    }

    /// Decodes an already parsed (and merged) tree.
    public static func decode(_ tree: ConfigNode, file: String, sourceText: String) throws -> Scenario {
        let base = ((file as NSString).deletingLastPathComponent as NSString).standardizingPath
        let r = try FieldReader(tree, file: file, path: "", baseDirectory: base.isEmpty ? "." : base)
        _ = r.node("base") // consumed by ScenarioDocument
        let name = try r.string("name")
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw ScenarioError(file: file, path: "name", line: r.node("name")?.line,
                                message: "expected a name of letters, digits, '-', '_' or '.', found '\(name)'")
        }
        let description = try r.string("description", default: "")
        let seed = try r.uint64("seed", default: 1)
        let replication = UInt64(try r.int("replication", default: 0, in: 0...1_000_000))
        let start = try r.string("start", default: "2025-07-14T00:00:00")
        try CalendarText.validate(start, file: file, path: "start", line: r.node("start")?.line)
        let duration = try r.duration("duration", default: 86_400_000, minimum: 1000)
        let snapshot = try r.duration("snapshot_interval", default: 900_000, minimum: 1000)
        if snapshot > duration {
            throw ScenarioError(file: file, path: "snapshot_interval", line: r.node("snapshot_interval")?.line,
                                message: "expected at most the duration (\(FieldReader.formatDuration(duration)))")
        }
        let weather = try WeatherSettings.decode(r.object("weather"), file: file, baseDirectory: r.baseDirectory)
        let grid = try GridSettings.decode(r.object("grid"))
        let buildings = try r.object("buildings").map(BuildingClassSettings.decodeList) ?? []
        let pv = try r.object("pv").map(PVClassSettings.decodeList) ?? []
        if grid == nil, let key = !buildings.isEmpty ? "buildings" : (!pv.isEmpty ? "pv" : nil) {
            throw ScenarioError(file: file, path: key, line: r.node(key)?.line,
                                message: "needs a grid to connect to; add a grid: section with a case file")
        }
        let mobility = try MobilitySettings.decode(r.object("roads"), traffic: r.object("traffic"),
                                                   demand: r.object("demand"), file: file)
        let chargers = try ChargerSettings.decode(r.object("chargers"))
        let charging = try ChargingSettings.decode(r.object("charging"))
        let fleet = try FleetSettings.decode(r.object("fleet"))
        if chargers != nil && (grid == nil || mobility == nil) {
            throw ScenarioError(file: file, path: "chargers", line: r.node("chargers")?.line,
                                message: "needs both a roads: and a grid: section (stations sit on a road node and a grid bus)")
        }
        if fleet != nil && mobility == nil {
            throw ScenarioError(file: file, path: "fleet", line: r.node("fleet")?.line, message: "needs a roads: section")
        }
        if let f = fleet, f.odShare != nil, mobility?.demand?.odPath == nil {
            throw ScenarioError(file: file, path: "fleet.od_share", line: r.node("fleet")?.line,
                                message: "needs demand.od (an OD matrix) to draw requests from")
        }
        let interventions = try InterventionSettings.decodeList(r.objects("interventions"))
        for iv in interventions {
            switch iv.kind {
            case .roadCapacity where mobility == nil:
                throw ScenarioError(file: file, path: iv.field, message: "a road_capacity intervention needs a roads: section")
            case .branchStatus where grid == nil, .demandResponse where grid == nil:
                throw ScenarioError(file: file, path: iv.field, message: "this intervention needs a grid: section")
            default: break
            }
        }
        let output = try OutputSettings.decode(r.object("output"), name: name)
        try r.finish()
        return Scenario(name: name, description: description, seed: seed, replication: replication, start: start,
                        durationMs: duration, snapshotIntervalMs: snapshot, weather: weather, grid: grid,
                        buildings: buildings, pv: pv, mobility: mobility, chargers: chargers, charging: charging,
                        fleet: fleet, interventions: interventions,
                        output: output,
                        sourceFile: file, resolvedText: tree.jsonText(), sourceText: sourceText)
    }
}

extension WeatherSettings {
    static func decode(_ r: FieldReader?, file: String, baseDirectory: String) throws -> WeatherSettings {
        guard let r else {
            return WeatherSettings(epwPath: nil, synthetic: try SyntheticWeatherSettings.decode(nil),
                                   updateIntervalMs: 900_000, heatWave: nil, coldSnap: nil, storm: nil, irradianceScale: 1)
        }
        let epw = try r.existingFile("epw")
        let synthetic = try SyntheticWeatherSettings.decode(r.object("synthetic"))
        let step = try r.duration("update_interval", default: 900_000, minimum: 1000)
        let heat = try HeatWaveSettings.decode(r.object("heat_wave"))
        let cold = try HeatWaveSettings.decode(r.object("cold_snap"))
        let storm = try StormSettings.decode(r.object("storm"))
        let scale = try r.double("irradiance_scale", default: 1, in: 0...2)
        try r.finish()
        let settings = WeatherSettings(epwPath: epw, synthetic: synthetic, updateIntervalMs: step, heatWave: heat,
                                       coldSnap: cold, storm: storm, irradianceScale: scale)
        _ = try WeatherAssembly.transforms(settings, file: file)
        return settings
    }
}

extension SyntheticWeatherSettings {
    static func decode(_ r: FieldReader?) throws -> SyntheticWeatherSettings {
        let s = SyntheticWeatherSettings(
            latitude: try r?.double("latitude", default: 41.98, in: -90...90) ?? 41.98,
            longitude: try r?.double("longitude", default: -87.92, in: -180...180) ?? -87.92,
            meanTemperatureC: try r?.double("mean_temperature_c", default: 24, in: -60...60) ?? 24,
            dailyAmplitudeC: try r?.double("daily_amplitude_c", default: 6, in: 0...30) ?? 6,
            peakHour: try r?.double("peak_hour", default: 15, in: 0...24) ?? 15,
            relativeHumidity: try r?.double("relative_humidity", default: 60, in: 0...100) ?? 60,
            windSpeed: try r?.double("wind_speed", default: 3, in: 0...80) ?? 3,
            cloudCover: try r?.double("cloud_cover", default: 0.2, in: 0...1) ?? 0.2)
        try r?.finish()
        return s
    }
}

extension HeatWaveSettings {
    static func decode(_ r: FieldReader?) throws -> HeatWaveSettings? {
        guard let r else { return nil }
        let (start, end) = try CalendarText.window(r)
        let s = HeatWaveSettings(start: start, end: end,
                                 deltaC: try r.double("delta_c", in: 0...30),
                                 rampHours: try r.double("ramp_hours", default: 0, in: 0...240),
                                 extraDailyAmplitudeC: try r.double("extra_daily_amplitude_c", default: 0, in: 0...20))
        try r.finish()
        return s
    }
}

extension StormSettings {
    static func decode(_ r: FieldReader?) throws -> StormSettings? {
        guard let r else { return nil }
        let (start, end) = try CalendarText.window(r)
        let s = StormSettings(start: start, end: end,
                              rainMmPerHour: try r.double("rain_mm_per_h", in: 0...300),
                              windSpeed: try r.optionalDouble("wind_speed", in: 0...80),
                              irradianceFactor: try r.double("irradiance_factor", default: 0.3, in: 0...1))
        try r.finish()
        return s
    }
}

extension OutputSettings {
    static func decode(_ r: FieldReader?, name: String) throws -> OutputSettings {
        let s = OutputSettings(path: try r?.string("path", default: "out/\(name).h5") ?? "out/\(name).h5",
                               compression: try r?.int("compression", default: 4, in: 0...9) ?? 4)
        try r?.finish()
        return s
    }
}

/// Checks ISO-8601 local date-times (`YYYY-MM-DD` or `YYYY-MM-DDTHH:MM[:SS]`) without time zones.
enum CalendarText {
    /// Parses a scenario time with the weather calendar's parser (the one the run uses), in the
    /// documented form: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM[:00]`, no zone.
    static func date(_ text: String, file: String, path: String, line: Int?) throws -> CalendarDateTime {
        guard !text.contains(" "), let d = try? CalendarDateTime(iso8601: text, field: path) else {
            throw ScenarioError(file: file, path: path, line: line,
                                message: "expected a local date-time like 2025-07-14T00:00:00 or a date like 2025-07-14, found '\(text)'")
        }
        return d
    }

    static func validate(_ text: String, file: String, path: String, line: Int?) throws {
        _ = try date(text, file: file, path: path, line: line)
    }

    /// Reads and checks a required `start`/`end` window (end after start).
    static func window(_ r: FieldReader) throws -> (String, String) {
        let start = try r.string("start")
        try validate(start, file: r.file, path: r.fieldPath("start"), line: r.node("start")?.line)
        let end = try r.string("end")
        try checkWindow(start: start, end: end, r)
        return (start, end)
    }

    /// Checks both times and that `end` is after `start`.
    static func checkWindow(start: String, end: String, _ r: FieldReader) throws {
        let s = try date(start, file: r.file, path: r.fieldPath("start"), line: r.node("start")?.line)
        let e = try date(end, file: r.file, path: r.fieldPath("end"), line: r.node("end")?.line)
        guard s < e else {
            throw ScenarioError(file: r.file, path: r.fieldPath("end"), line: r.node("end")?.line,
                                message: "expected a time after start (\(start)), found \(end)")
        }
    }
}
