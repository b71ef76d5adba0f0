import Mobility
import SimKernel
import TwinIO

/// `/traffic`: per-link flow, speed, occupancy and queues over time; network geometry in
/// `/traffic/nodes`; the trip table in `/traffic/trips` (written at the end of the run).
final class TrafficRecorder {
    private let file: HDF5File
    private let layout: TimeSeriesLayout
    private let flow, speed, occupancy, queue: HDF5TimeSeriesWriter<Float>
    private let onNetwork, arrived: HDF5TimeSeriesWriter<Int64>
    private let deflate: Int?

    init(file: HDF5File, calendarStart: String, network n: RoadNetwork, deflate: Int?) throws {
        self.file = file
        self.deflate = deflate
        let l = try TimeSeriesLayout(file: file, group: "/traffic", calendarStart: calendarStart)
        layout = l
        try l.addEntityAxis("link", labels: .ids((0..<n.linkCount).map(Int64.init)),
                            metadata: VariableMetadata(units: "1", longName: "link index"))
        try l.writeStatic("from_node", axis: "link", values: n.linkFrom.map(Int64.init),
                          metadata: VariableMetadata(units: "1", longName: "start node index (see /traffic/nodes)"))
        try l.writeStatic("to_node", axis: "link", values: n.linkTo.map(Int64.init),
                          metadata: VariableMetadata(units: "1", longName: "end node index"))
        try l.writeStatic("length", axis: "link", values: n.linkLength, metadata: VariableMetadata(units: "m", longName: "link length"))
        try l.writeStatic("free_speed", axis: "link", values: n.linkFreeSpeed.map { $0 * 3.6 },
                          metadata: VariableMetadata(units: "km/h", longName: "free-flow speed"))
        try l.writeStatic("lanes", axis: "link", values: n.linkLanes.map(Int64.init), metadata: VariableMetadata(units: "1", longName: "lanes"))
        try l.writeStatic("capacity", axis: "link", values: n.linkCapacity,
                          metadata: VariableMetadata(units: "veh/h", longName: "flow capacity, all lanes"))
        try l.writeStatic("external_id", axis: "link", values: n.linkExternalID,
                          metadata: VariableMetadata(units: "1", longName: "OSM way id or TNTP link line"))
        func series(_ name: String, _ units: String, _ longName: String) throws -> HDF5TimeSeriesWriter<Float> {
            try l.addVariable(name, axis: "link", as: Float.self, metadata: VariableMetadata(units: units, longName: longName),
                              deflateLevel: deflate)
        }
        flow = try series("flow", "veh/h", "vehicles leaving the link per hour over the last interval")
        speed = try series("mean_speed", "km/h", "mean speed of vehicles that left the link in the interval (free speed if none)")
        occupancy = try series("occupancy", "1", "vehicles on the link / storage capacity")
        queue = try series("queue", "veh", "vehicles whose free-flow time has elapsed, waiting to leave")
        onNetwork = try l.addVariable("vehicles_on_network", axis: nil, as: Int64.self,
                                      metadata: VariableMetadata(units: "veh", longName: "departed and not yet arrived"),
                                      deflateLevel: deflate)
        arrived = try l.addVariable("arrived", axis: nil, as: Int64.self,
                                    metadata: VariableMetadata(units: "veh", longName: "trips completed so far"), deflateLevel: deflate)
        try file.setAttribute("network", .string(n.name), at: "/traffic")

        // Node geometry: its own group, so xarray sees the `node` dimension there.
        let nodes = try TimeSeriesLayout(file: file, group: "/traffic/nodes", calendarStart: calendarStart)
        try nodes.addEntityAxis("node", labels: .ids((0..<n.nodeCount).map(Int64.init)),
                                metadata: VariableMetadata(units: "1", longName: "node index"))
        try nodes.writeStatic("x", axis: "node", values: n.nodeX, metadata: VariableMetadata(units: "m", longName: "local easting"))
        try nodes.writeStatic("y", axis: "node", values: n.nodeY, metadata: VariableMetadata(units: "m", longName: "local northing"))
        try nodes.writeStatic("lon", axis: "node", values: n.nodeLon, metadata: VariableMetadata(units: "degrees_east", longName: "longitude"))
        try nodes.writeStatic("lat", axis: "node", values: n.nodeLat, metadata: VariableMetadata(units: "degrees_north", longName: "latitude"))
        try nodes.writeStatic("external_id", axis: "node", values: n.nodeExternalID,
                              metadata: VariableMetadata(units: "1", longName: "OSM node id or TNTP node number"))
        try nodes.writeStatic("signalised", axis: "node", values: n.nodeSignalised.map { Int64($0 ? 1 : 0) },
                              metadata: VariableMetadata(units: "1", longName: "1 if a signal controls the node"))
        try nodes.finish()
    }

    func snapshot(_ world: World, _ t: TrafficSystem, at time: SimTime) throws {
        try layout.appendTime(milliseconds: time.milliseconds)
        try flow.append(row: world.linkFlow.map(Float.init))
        try speed.append(row: world.linkSpeed.map(Float.init))
        try occupancy.append(row: world.linkOccupancy.map(Float.init))
        try queue.append(row: world.linkQueue.map(Float.init))
        try onNetwork.append(Int64(t.departedCount - t.arrivedCount))
        try arrived.append(Int64(t.arrivedCount))
    }

    /// Flushes the series and writes the trip table.
    func finish(_ t: TrafficSystem?) throws {
        try layout.finish()
        guard let t else { return }
        // The most congested links (by the highest occupancy they reached), for summaries.
        let top = t.kpis(now: SimTime(milliseconds: 0)).topCongestedLinks
        try file.write(top.map { Int64($0.link) }, to: "/traffic/top_congested_links")
        try file.setAttribute("long_name", .string("link indices with the highest maximum occupancy, most congested first"),
                              at: "/traffic/top_congested_links")
        try file.write(top.map(\.maxOccupancy), to: "/traffic/top_congested_max_occupancy")
        try file.setAttribute("units", .string("1"), at: "/traffic/top_congested_max_occupancy")
        let trips = t.tripTable()
        let table = try TableWriter(file: file, group: "/traffic/trips", index: "trip", rows: trips.origin.count, deflate: deflate)
        try table.column("origin", trips.origin.map(Int64.init), "1", "origin node index")
        try table.column("destination", trips.destination.map(Int64.init), "1", "destination node index")
        try table.column("departure", trips.departure, "s", "departure time since start")
        try table.column("arrival", trips.arrival, "s", "arrival time since start (NaN if not arrived)")
        try table.column("distance", trips.distance, "m", "distance driven")
        try table.column("route_links", trips.routeLinkCount.map(Int64.init), "1", "links in the route")
        try table.column("delay", trips.delay, "s", "travel time minus free-flow time (NaN if not arrived)")
        try table.column("is_ev", trips.isEV.map { UInt8($0 ? 1 : 0) }, "1", "1 for electric vehicles")
        try table.column("final_soc", trips.finalSoC, "1", "state of charge at the end (NaN for non-EVs)")
    }
}
