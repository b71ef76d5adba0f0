import Energy
import Mobility
import Foundation
import SimKernel
import TwinIO
import Weather

/// What a finished run reports.
public struct RunSummary: Sendable {
    public var scenarioName: String
    public var outputPath: String
    public var kpis: [KPI]
    public var events: UInt64
    public var simulatedSeconds: Double
    public var wallSeconds: Double
    public var snapshots: Int
}

/// Progress of a run in progress, for progress bars.
public struct RunProgressReport: Sendable {
    public var simulatedSeconds: Double
    public var totalSeconds: Double
    public var events: UInt64
    public var wallSeconds: Double
}

/// Assembles a world from a scenario, runs it and writes the HDF5 output.
public enum CityRun {
    /// Runs `scenario` and writes `outputPath` (default: the scenario's `output.path`).
    ///
    /// The file is written under a temporary name in the same directory and renamed when
    /// complete; on any error the temporary file is removed and nothing appears under the
    /// final name.
    /// - Throws: `ScenarioError` for input problems (data files), `HDF5Error`/`RunError` otherwise.
    public static func execute(_ scenario: Scenario, outputPath: String? = nil,
                               progress: (@Sendable (RunProgressReport) -> Void)? = nil,
                               warn: @escaping (String) -> Void = { _ in }) throws -> RunSummary {
        let wallStart = Date()
        // Warnings (import repairs, skipped data) go to the caller and into /meta/warnings.
        let collected = WarningLog()
        let warn: (String) -> Void = { collected.messages.append($0); warn($0) }
        let path = outputPath ?? scenario.output.path
        let a = try Assembly(scenario, warn: warn)
        let calendar = a.calendar, weatherSeries = a.weatherSeries
        let grid = a.grid, buildings = a.buildings, pv = a.pv, traffic = a.traffic, network = a.network
        let chargers = a.chargers, fleet = a.fleet, charging = a.charging, rain = a.rain
        let sessionArrivals = a.sessionArrivals, interventions = a.interventions

        let output = try HDF5File.createAtomic(finalPath: path)
        let file = output.file
        let calendarStart = canonicalStart(calendar)
        let recorder = try Recorder(file: file, calendarStart: calendarStart, weatherSite: weatherSeries.site,
                                    compression: scenario.output.compression, grid: grid, buildings: buildings, pv: pv,
                                    network: network, buildingClassNames: scenario.buildings.filter { $0.count > 0 }.map(\.name),
                                    chargers: chargers, chargerNames: scenario.chargers?.stations.map(\.name) ?? [], fleet: fleet,
                                    comfortBands: EnergyAssembly.comfortBands(scenario),
                                    snapshotHours: Double(scenario.snapshotIntervalMs) / 3_600_000)
        var world = World(weather: WeatherDriver(series: weatherSeries), grid: grid, buildings: buildings, pv: pv,
                          traffic: traffic, rain: rain, recorder: recorder)
        world.interventions = interventions
        world.chargers = chargers
        world.fleet = fleet
        world.charging = charging
        world.sessionArrivals = sessionArrivals
        let duration = SimTime(milliseconds: scenario.durationMs)
        var sim = Simulation(handler: world)
        sim.handler.start(calendar: &sim.calendar, duration: duration,
                          snapshotInterval: SimTime(milliseconds: scenario.snapshotIntervalMs),
                          weatherInterval: SimTime(milliseconds: scenario.weather.updateIntervalMs))
        let total = duration.seconds
        let stats = sim.run(until: duration, progressEvery: 1 << 16, progress: progress.map { report in
            { p in report(RunProgressReport(simulatedSeconds: p.simTime.seconds, totalSeconds: total,
                                            events: p.eventsExecuted, wallSeconds: p.wallSeconds)) }
        })
        world = sim.handler
        if let failure = world.failure { throw failure }
        try recorder.finish(world)

        let kpis = world.kpis(duration: duration, weatherStep: SimTime(milliseconds: scenario.weather.updateIntervalMs))
        // Skipped data is counted in the KPIs and also said out loud, in the log and in /meta.
        for (name, what) in [("unroutable_trips", "trips have no path between origin and destination and never departed"),
                             ("ev_depleted", "electric vehicles ran out of battery on the road")] {
            if let k = kpis.first(where: { $0.name == name }), k.value > 0 { warn("\(Int(k.value)) \(what)") }
        }
        if let n = world.charging?.unreachableStations, n > 0 {
            warn("\(n) low-battery EVs found no reachable charging station and did not charge")
        }
        try OutputMetadata.write(file: file, scenario: scenario, calendarStart: calendarStart, wallStart: wallStart,
                                 wallEnd: Date(), stats: stats, warnings: collected.messages)
        try OutputMetadata.write(kpis: kpis, file: file)
        try output.commit()
        return RunSummary(scenarioName: scenario.name, outputPath: path, kpis: kpis, events: stats.eventsExecuted,
                          simulatedSeconds: stats.finalTime.seconds, wallSeconds: Date().timeIntervalSince(wallStart),
                          snapshots: recorder.snapshotCount)
    }

    /// Builds the world of `scenario` without running it or writing anything: loads every data
    /// file and resolves every reference. Throws what `execute` would throw before starting.
    public static func check(_ scenario: Scenario, warn: (String) -> Void = { _ in }) throws {
        _ = try Assembly(scenario, warn: warn)
    }

    static func simCalendar(_ s: Scenario) throws -> SimCalendar {
        do { return try SimCalendar(iso8601: s.start, field: "start") } catch {
            throw ScenarioError(file: s.sourceFile, path: "start", message: "\(error)")
        }
    }

    static func canonicalStart(_ c: SimCalendar) -> String {
        let s = c.start
        return String(format: "%04d-%02d-%02dT%02d:%02d:00", s.year, s.month, s.day, s.hour, s.minute)
    }
}

/// Everything a run builds from a scenario before it writes anything: the data loaded and every
/// reference (buses, nodes, links, stations) resolved. `citytwin validate` builds it too, so a
/// scenario that validates does not fail when it starts.
struct Assembly {
    let calendar: SimCalendar
    let weatherSeries: WeatherSeries
    var grid: GridSystem?
    var buildings: BuildingStock?
    var pv: PVFleet?
    var traffic: TrafficSystem?
    var network: RoadNetwork?
    var chargers: ChargingStations?
    var fleet: RobotaxiFleet?
    var charging: ChargingCoupling?
    var rain: RainSpeedModel?
    var sessionArrivals: [ChargingArrivalPlan]
    var interventions: [ResolvedIntervention]

    init(_ scenario: Scenario, warn: (String) -> Void) throws {
        let calendar = try CityRun.simCalendar(scenario)
        let weatherSeries = try WeatherAssembly.series(scenario, calendar: calendar)

        var grid: GridSystem?
        var buildings: BuildingStock?
        var pv: PVFleet?
        if let g = scenario.grid {
            let system = try GridSystem(settings: g, source: scenario.sourceFile)
            for note in system.grid.notes { warn("\((g.casePath as NSString).lastPathComponent): \(note)") }
            buildings = try EnergyAssembly.buildings(scenario, grid: system.grid, calendar: calendar,
                                                     initialOutdoor: weatherSeries.sample(at: .zero).temperature,
                                                     handlerBase: HandlerID.buildingsBase)
            pv = try EnergyAssembly.pv(scenario, grid: system.grid)
            grid = system
        }

        var traffic: TrafficSystem?
        var network: RoadNetwork?
        var chargers: ChargingStations?
        var fleet: RobotaxiFleet?
        var charging: ChargingCoupling?
        if let m = scenario.mobility {
            let net = try MobilityAssembly.network(m, file: scenario.sourceFile, warn: warn)
            let trips = try MobilityAssembly.trips(scenario, network: net)
            traffic = try MobilityAssembly.traffic(scenario, network: net, trips: trips, handlerBase: HandlerID.trafficBase)
            network = net
            if let g = grid {
                chargers = try ChargingAssembly.stations(scenario, network: net, grid: g.grid, handlerBase: HandlerID.chargersBase)
            }
            let stationNodes = chargers?.configuration.stations.map { Int32($0.node) } ?? []
            fleet = try ChargingAssembly.fleet(scenario, network: net, stationNodes: stationNodes, handlerBase: HandlerID.fleetBase)
            if let c = chargers, let g = grid {
                charging = try ChargingCoupling(settings: scenario.charging, stationNode: stationNodes,
                                                stationBus: c.configuration.stations.map(\.bus), grid: g.grid,
                                                ratedKW: (0..<c.count).map { c.ratedPowerKW($0) }, trips: trips,
                                                source: scenario.sourceFile)
            }
        }
        let rain = try scenario.mobility.map {
            try RainSpeedModel(heavyRainMmPerHour: $0.traffic.heavyRainMmPerHour, minimumFactor: $0.traffic.rainSpeedFactor)
        }

        let sessionArrivals = try ChargingAssembly.sessionArrivals(scenario, calendar: calendar)
        let interventions = try ResolvedIntervention.resolve(scenario, calendar: calendar, network: network, grid: grid?.grid,
                                                             caseBranchCount: grid?.caseBranchCount ?? 0)

        self.calendar = calendar
        self.weatherSeries = weatherSeries
        self.grid = grid
        self.buildings = buildings
        self.pv = pv
        self.traffic = traffic
        self.network = network
        self.chargers = chargers
        self.fleet = fleet
        self.charging = charging
        self.rain = rain
        self.sessionArrivals = sessionArrivals
        self.interventions = interventions
    }
}

/// Collects warnings during assembly.
final class WarningLog {
    var messages: [String] = []
}

/// Builds the weather series a scenario asks for.
enum WeatherAssembly {
    static func series(_ s: Scenario, calendar: SimCalendar) throws -> WeatherSeries {
        let w = s.weather
        var series: WeatherSeries
        do {
            if let epw = w.epwPath {
                series = try WeatherSeries(epwPath: epw, calendar: calendar)
            } else {
                let syn = w.synthetic
                let site = WeatherSite(name: "synthetic", latitude: syn.latitude, longitude: syn.longitude,
                                       timeZoneHours: (syn.longitude / 15).rounded(), elevation: 0)
                series = try SyntheticWeather(site: site, meanTemperature: syn.meanTemperatureC,
                                              dailyAmplitude: syn.dailyAmplitudeC, peakHour: syn.peakHour,
                                              meanRelativeHumidity: syn.relativeHumidity, meanWindSpeed: syn.windSpeed,
                                              cloudCover: syn.cloudCover).series(calendar: calendar)
            }
        } catch let e as EPWError {
            throw ScenarioError(file: e.file, path: "", line: e.line, message: "\(e.field): expected \(e.expected), found '\(e.found)'")
        } catch let e as WeatherError {
            throw ScenarioError(file: s.sourceFile, path: "weather", message: e.description)
        }
        series.apply(try transforms(w, file: s.sourceFile))
        return series
    }

    /// The scenario's weather transforms as Weather values. Used both when validating a
    /// scenario and when building its series, so `citytwin validate` rejects exactly what a run
    /// would (e.g. ramps longer than the window).
    static func transforms(_ w: WeatherSettings, file: String) throws -> [WeatherTransform] {
        do {
            var transforms: [WeatherTransform] = []
            if let h = w.heatWave {
                transforms.append(.heatWave(try HeatWave(window: TimeWindow(start: h.start, end: h.end, field: "weather.heat_wave"),
                                                         deltaT: h.deltaC, rampInHours: h.rampHours, rampOutHours: h.rampHours,
                                                         extraDailyAmplitude: h.extraDailyAmplitudeC, field: "weather.heat_wave")))
            }
            if let c = w.coldSnap {
                transforms.append(.coldSnap(try ColdSnap(window: TimeWindow(start: c.start, end: c.end, field: "weather.cold_snap"),
                                                         deltaT: c.deltaC, rampInHours: c.rampHours, rampOutHours: c.rampHours,
                                                         extraDailyAmplitude: c.extraDailyAmplitudeC, field: "weather.cold_snap")))
            }
            if let st = w.storm {
                transforms.append(.storm(try Storm(window: TimeWindow(start: st.start, end: st.end, field: "weather.storm"),
                                                   precipitationRate: st.rainMmPerHour, windSpeed: st.windSpeed,
                                                   irradianceFactor: st.irradianceFactor)))
            }
            if w.irradianceScale != 1 {
                transforms.append(.irradianceScale(try IrradianceScale(factor: w.irradianceScale, field: "weather.irradiance_scale")))
            }
            return transforms
        } catch let e as WeatherError {
            throw ScenarioError(file: file, path: e.field, message: "expected \(e.expected), found '\(e.found)'")
        }
    }
}
