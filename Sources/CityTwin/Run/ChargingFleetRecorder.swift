import Energy
import Mobility
import SimKernel
import TwinIO

/// `/chargers`: per station plugged and queued vehicles, power, delivered energy and cap.
final class ChargersRecorder {
    private let file: HDF5File
    private let deflate: Int?
    private let layout: TimeSeriesLayout
    private let plugged, queued, power, energy, cap: HDF5TimeSeriesWriter<Double>
    private let total: HDF5TimeSeriesWriter<Double>
    private var bPlugged: [Double] = [], bQueued: [Double] = [], bPower: [Double] = [], bEnergy: [Double] = [], bCap: [Double] = []

    init(file: HDF5File, calendarStart: String, chargers c: ChargingStations, names: [String], busIDs: [Int64],
         deflate: Int?) throws {
        self.file = file
        self.deflate = deflate
        let l = try TimeSeriesLayout(file: file, group: "/chargers", calendarStart: calendarStart)
        layout = l
        try l.addEntityAxis("charger", labels: .names(names), metadata: VariableMetadata(units: "1", longName: "charging station"))
        let specs = c.configuration.stations
        try l.writeStatic("node", axis: "charger", values: specs.map { Int64($0.node) },
                          metadata: VariableMetadata(units: "1", longName: "road node index (see /traffic/nodes)"))
        try l.writeStatic("bus", axis: "charger", values: busIDs, metadata: VariableMetadata(units: "1", longName: "MATPOWER bus number"))
        try l.writeStatic("plugs", axis: "charger", values: specs.map { Int64($0.plugs) }, metadata: VariableMetadata(units: "1", longName: "plugs"))
        try l.writeStatic("rated_power", axis: "charger", values: specs.map(\.ratedPowerKW),
                          metadata: VariableMetadata(units: "kW", longName: "rated station power"))
        func series(_ n: String, _ u: String, _ ln: String) throws -> HDF5TimeSeriesWriter<Double> {
            try l.addVariable(n, axis: "charger", metadata: VariableMetadata(units: u, longName: ln), deflateLevel: deflate)
        }
        plugged = try series("plugged", "veh", "vehicles plugged in")
        queued = try series("queued", "veh", "vehicles waiting for a plug")
        power = try series("power", "kW", "power drawn")
        energy = try series("energy", "kWh", "energy delivered since the start")
        cap = try series("cap", "kW", "effective station cap (rating unless the controller reduced it)")
        total = try l.addVariable("total_power", axis: nil, metadata: VariableMetadata(units: "kW", longName: "power of all stations"),
                                  deflateLevel: deflate)
    }

    func snapshot(_ c: ChargingStations, at time: SimTime) throws {
        try layout.appendTime(milliseconds: time.milliseconds)
        c.snapshot(at: time, plugged: &bPlugged, queued: &bQueued, powerKW: &bPower, energyKWh: &bEnergy, capKW: &bCap)
        try plugged.append(row: bPlugged)
        try queued.append(row: bQueued)
        try power.append(row: bPower)
        try energy.append(row: bEnergy)
        try cap.append(row: bCap)
        try total.append(bPower.reduce(0, +))
    }

    /// Flushes the series and writes `/chargers/sessions`: one row per vehicle that left a station.
    func finish(_ c: ChargingStations?) throws {
        try layout.finish()
        guard let c else { return }
        let d = c.departures
        let table = try TableWriter(file: file, group: "/chargers/sessions", index: "session", rows: d.count, deflate: deflate)
        try table.column("vehicle", d.map { Int64($0.vehicle) }, "1",
                   "vehicle id: robotaxi index, 2^29 + k private visit k, 2^30 + k replayed session k")
        try table.column("station", d.map { Int64($0.station) }, "1", "station index (row of /chargers/charger)")
        try table.column("arrival", d.map(\.arrival.seconds), "s", "arrival at the station")
        try table.column("plug_in", d.map { $0.pluggedIn?.seconds ?? .nan }, "s", "plug-in time (NaN if it never plugged in)")
        try table.column("departure", d.map(\.time.seconds), "s", "departure")
        try table.column("requested", d.map(\.requestedKWh), "kWh", "energy asked for at arrival")
        try table.column("delivered", d.map(\.energyKWh), "kWh", "energy delivered")
        try table.column("unmet", d.map(\.unmetKWh), "kWh", "requested minus delivered")
        try table.column("reason", d.map { $0.reason.rawValue }, "1", "0 completed, 1 deadline reached, 2 left the queue unserved")
    }
}

/// `/fleet`: vehicles per state, state of charge, and (at the end) the request table and the
/// mean wait of the passengers picked up in each interval.
final class FleetRecorder {
    private let file: HDF5File
    private let layout: TimeSeriesLayout
    private let states: [HDF5TimeSeriesWriter<Int32>]
    private let soc: HDF5TimeSeriesWriter<Float>
    private let deflate: Int?
    private var times: [Int64] = []

    static let stateNames = ["idle", "to_pickup", "occupied", "rebalancing", "to_charger", "charging"]

    init(file: HDF5File, calendarStart: String, fleet: RobotaxiFleet, deflate: Int?) throws {
        self.file = file
        self.deflate = deflate
        let l = try TimeSeriesLayout(file: file, group: "/fleet", calendarStart: calendarStart)
        layout = l
        try l.addEntityAxis("vehicle", labels: .ids((0..<fleet.vehicleCount).map(Int64.init)),
                            metadata: VariableMetadata(units: "1", longName: "robotaxi index"))
        states = try Self.stateNames.map {
            try l.addVariable($0, axis: nil, as: Int32.self,
                              metadata: VariableMetadata(units: "veh", longName: "robotaxis \($0.replacingOccurrences(of: "_", with: " "))"),
                              deflateLevel: deflate)
        }
        soc = try l.addVariable("soc", axis: "vehicle", as: Float.self,
                                metadata: VariableMetadata(units: "1", longName: "state of charge"), deflateLevel: deflate)
    }

    func snapshot(_ f: RobotaxiFleet, at time: SimTime) throws {
        try layout.appendTime(milliseconds: time.milliseconds)
        times.append(time.milliseconds)
        for (writer, count) in zip(states, f.stateCounts.asArray) { try writer.append(Int32(count)) }
        try soc.append(row: f.vehicleSoC.map(Float.init))
    }

    func finish(_ f: RobotaxiFleet?) throws {
        guard let f else { try layout.finish(); return }
        // Mean wait of passengers picked up in (t[k-1], t[k]]: NaN when nobody was.
        let table = f.requestTable()
        var sum = [Double](repeating: 0, count: times.count), n = [Int](repeating: 0, count: times.count)
        for i in table.pickupTime.indices where table.pickupTime[i].isFinite {
            let ms = Int64((table.pickupTime[i] * 1000).rounded())
            var lo = 0, hi = times.count
            while lo < hi { let mid = (lo + hi) / 2; if times[mid] < ms { lo = mid + 1 } else { hi = mid } }
            if lo < times.count { sum[lo] += table.wait[i]; n[lo] += 1 }
        }
        try layout.writeVariable("mean_wait", axis: nil, values: zip(sum, n).map { $1 > 0 ? $0 / Double($1) : .nan },
                                 metadata: VariableMetadata(units: "s", longName: "mean wait of passengers picked up in the interval"),
                                 deflateLevel: deflate)
        try layout.finish()
        let out = try TableWriter(file: file, group: "/fleet/requests", index: "request", rows: table.id.count, deflate: deflate)
        try out.column("origin", table.origin.map(Int64.init), "1", "origin node index")
        try out.column("destination", table.destination.map(Int64.init), "1", "destination node index")
        try out.column("request_time", table.requestTime, "s", "time of the request")
        try out.column("assign_time", table.assignTime, "s", "time a vehicle was assigned (NaN if never)")
        try out.column("pickup_time", table.pickupTime, "s", "pick-up time (NaN if not picked up)")
        try out.column("dropoff_time", table.dropoffTime, "s", "drop-off time (NaN if not dropped off)")
        try out.column("wait", table.wait, "s", "pick-up time minus request time (NaN if not picked up)")
        try out.column("rejected", table.rejected.map { UInt8($0 ? 1 : 0) }, "1", "1 if rejected after the maximum wait")
        try out.column("vehicle", table.vehicle.map(Int64.init), "1", "serving vehicle (-1 if none)")
    }
}
