import Energy
import Mobility
import SimKernel
import TwinIO
import Weather

/// Writes snapshots of every system into the run's HDF5 file as `[time × entity]` series
/// (layout in docs/output-format.md). Rows are streamed: each snapshot appends one row per
/// variable, buffered by the time-series writers and flushed a chunk at a time.
final class Recorder {
    let file: HDF5File
    let calendarStart: String
    private let weatherLayout: TimeSeriesLayout
    private var weatherWriters: [(WeatherChannel, HDF5TimeSeriesWriter<Double>)] = []
    private(set) var snapshotCount = 0
    private var grid: GridRecorder?
    private var buildings: BuildingsRecorder?
    private var pv: PVRecorder?
    private var traffic: TrafficRecorder?
    private var chargers: ChargersRecorder?
    private var fleet: FleetRecorder?

    /// Building-hours spent more than 0.5 K outside the comfort band (snapshot resolution).
    var uncomfortableBuildingHours: Double { buildings?.uncomfortableBuildingHours ?? 0 }

    /// Highest total building load seen in a snapshot (kW).
    var peakBuildingLoadKW: Double { buildings?.peakKW ?? 0 }

    /// Channels stored under `/weather`, in this order.
    static let weatherChannels: [WeatherChannel] = [
        .temperature, .dewPoint, .relativeHumidity, .pressure, .ghi, .dni, .dhi,
        .windSpeed, .windDirection, .skyCover, .precipitation,
    ]

    init(file: HDF5File, calendarStart: String, weatherSite: WeatherSite, compression: Int, grid: GridSystem?,
         buildings: BuildingStock?, pv: PVFleet?, network: RoadNetwork?, buildingClassNames: [String],
         chargers: ChargingStations? = nil, chargerNames: [String] = [], fleet: RobotaxiFleet? = nil,
         comfortBands: [(low: Double, high: Double)] = [], snapshotHours: Double = 0.25) throws {
        self.file = file
        self.calendarStart = calendarStart
        let deflate = compression > 0 ? compression : nil
        if let g = grid {
            self.grid = try GridRecorder(file: file, calendarStart: calendarStart, grid: g, deflate: deflate)
            if pv != nil {
                self.pv = try PVRecorder(file: file, calendarStart: calendarStart, busIDs: g.grid.busID, deflate: deflate)
            }
        }
        if let c = chargers, let g = grid {
            self.chargers = try ChargersRecorder(file: file, calendarStart: calendarStart, chargers: c, names: chargerNames,
                                                 busIDs: c.configuration.stations.map { Int64(g.grid.busID[$0.bus]) },
                                                 deflate: deflate)
        }
        if let f = fleet {
            self.fleet = try FleetRecorder(file: file, calendarStart: calendarStart, fleet: f, deflate: deflate)
        }
        if let network {
            traffic = try TrafficRecorder(file: file, calendarStart: calendarStart, network: network, deflate: deflate)
        }
        if let b = buildings {
            self.buildings = try BuildingsRecorder(file: file, calendarStart: calendarStart, stock: b,
                                                   classNames: buildingClassNames, comfort: comfortBands,
                                                   snapshotHours: snapshotHours, deflate: deflate)
        }
        weatherLayout = try TimeSeriesLayout(file: file, group: "/weather", calendarStart: calendarStart)
        let stationName = weatherSite.name.isEmpty ? "site" : weatherSite.name
        try weatherLayout.addEntityAxis("station", labels: .names([stationName]),
                                        metadata: VariableMetadata(units: "1", longName: "weather station"))
        for channel in Self.weatherChannels {
            let writer = try weatherLayout.addVariable(channel.name, axis: "station",
                                                       metadata: VariableMetadata(units: channel.unit, longName: Self.longName(channel)),
                                                       deflateLevel: deflate)
            weatherWriters.append((channel, writer))
        }
        try file.setAttribute("latitude", .double(weatherSite.latitude), at: "/weather")
        try file.setAttribute("longitude", .double(weatherSite.longitude), at: "/weather")
        try file.setAttribute("time_zone_hours", .double(weatherSite.timeZoneHours), at: "/weather")
    }

    static func longName(_ c: WeatherChannel) -> String {
        switch c {
        case .temperature: return "outdoor dry-bulb temperature"
        case .dewPoint: return "dew-point temperature"
        case .relativeHumidity: return "relative humidity"
        case .pressure: return "station pressure"
        case .ghi: return "global horizontal irradiance"
        case .dni: return "direct normal irradiance"
        case .dhi: return "diffuse horizontal irradiance"
        case .windSpeed: return "wind speed"
        case .windDirection: return "wind direction (from north, clockwise)"
        case .skyCover: return "total sky cover"
        case .precipitation: return "precipitation rate"
        case .precipitableWater: return "precipitable water"
        }
    }

    /// Appends one row for every variable. O(total entities).
    func snapshot(_ world: World, at time: SimTime) throws {
        try weatherLayout.appendTime(time.seconds)
        for (channel, writer) in weatherWriters {
            try writer.append(row: [world.weather.series.value(channel, at: time)])
        }
        if let g = world.grid { try grid?.snapshot(g, at: time) }
        if let b = world.buildings { try buildings?.snapshot(b, at: time) }
        if let p = world.pv { try pv?.snapshot(p, at: time) }
        if let t = world.traffic { try traffic?.snapshot(world, t, at: time) }
        if let c = world.chargers { try chargers?.snapshot(c, at: time) }
        if let f = world.fleet { try fleet?.snapshot(f, at: time) }
        snapshotCount += 1
    }

    /// Flushes buffered rows, writes the time axes and attaches dimension scales.
    func finish(_ world: World) throws {
        try traffic?.finish(world.traffic)
        try chargers?.finish(world.chargers)
        try fleet?.finish(world.fleet)
        try weatherLayout.finish()
        try grid?.finish()
        try buildings?.finish()
        try pv?.finish()
    }
}
