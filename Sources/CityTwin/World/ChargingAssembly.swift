import Energy
import Mobility
import SimKernel
import TwinIO
import Weather

/// Builds stations, the fleet and the charging coupling of a scenario.
enum ChargingAssembly {
    static func stations(_ s: Scenario, network: RoadNetwork, grid: PowerGrid, handlerBase: UInt32) throws -> ChargingStations? {
        guard let c = s.chargers else { return nil }
        var specs: [ChargingStationSpec] = []
        for (k, st) in c.stations.enumerated() {
            let field = "chargers.stations[\(k)]"
            guard let node = network.nodeExternalID.firstIndex(of: st.node) else {
                throw ScenarioError(file: s.sourceFile, path: "\(field).node", message: "node \(st.node) is not in the road network")
            }
            guard let bus = grid.busIndex(ofID: st.bus) else {
                throw ScenarioError(file: s.sourceFile, path: "\(field).bus", message: "bus \(st.bus) is not in grid case \(grid.name)")
            }
            specs.append(ChargingStationSpec(name: st.name, node: node, bus: bus, plugs: st.plugs, plugPowerKW: st.powerKW,
                                             kind: st.dc ? .dc : .ac, powerCapKW: st.capKW,
                                             maxWaitSeconds: c.maxWaitMs.map { Double($0) / 1000 },
                                             curve: ChargingCurve(taperStartSoC: c.taperStartSoC, endPowerFraction: c.taperEndFraction)))
        }
        do {
            return try ChargingStations(configuration: ChargingStationsConfiguration(stations: specs, busCount: grid.busCount,
                                                                                      source: s.sourceFile),
                                        handlerBase: handlerBase)
        } catch {
            throw ScenarioError(file: s.sourceFile, path: "chargers", message: "\(error)")
        }
    }

    /// Vehicle ids of replayed sessions start here (fleet vehicles and private visits use lower ids).
    static let sessionVehicleBase: Int32 = 1 << 30

    /// Planned arrivals of the replayed sessions (ids offset by `sessionVehicleBase`).
    static func sessionArrivals(_ s: Scenario, calendar: SimCalendar) throws -> [ChargingArrivalPlan] {
        guard let c = s.chargers, let r = c.sessions else { return [] }
        let field = "chargers.sessions"
        guard let station = c.stations.firstIndex(where: { $0.name == r.station }) else { return [] }
        let records: [ChargingSessionRecord]
        do { records = try ChargingSessionsCSV.read(path: r.path) } catch {
            throw ScenarioError(file: s.sourceFile, path: "\(field).file", message: "\(error)")
        }
        do {
            let first = calendar.simTime(at: try CalendarDateTime(iso8601: r.start, field: "\(field).start"))
            guard first >= .zero else {
                throw ScenarioError(file: s.sourceFile, path: "\(field).start", message: "expected a time at or after the scenario start")
            }
            return try ChargingSessionReplay.plans(records: records, mapping: .single(station), firstArrival: first,
                                                   maxPowerKW: r.maxPowerKW, source: s.sourceFile).map { p in
                var p = p
                p.vehicle += sessionVehicleBase
                return p
            }
        } catch let e as ScenarioError {
            throw e
        } catch {
            throw ScenarioError(file: s.sourceFile, path: field, message: "\(error)")
        }
    }

    static func fleet(_ s: Scenario, network: RoadNetwork, stationNodes: [Int32], handlerBase: UInt32) throws -> RobotaxiFleet? {
        guard let f = s.fleet else { return nil }
        do {
            let requests: FleetRequests
            if let path = f.requestsPath {
                requests = try FleetRequests.readCSV(path: path, network: network)
            } else if let share = f.odShare, let od = s.mobility?.demand?.odPath {
                // Its own seed so robotaxi requests are not copies of the private trips.
                let seed = splitMix64Finalize(s.seed ^ StreamID.named("fleet.requests").rawValue)
                requests = try FleetRequests.sample(try ODMatrix.load(path: od, network: network), share: share,
                                                    seed: seed, replication: s.replication, network: network)
            } else {
                requests = FleetRequests()
            }
            var p = FleetParameters()
            p.vehicles = f.vehicles
            p.dispatch = f.dispatch == .nearest ? .nearest : .batched(interval: f.batchIntervalS)
            p.maxWait = f.maxWaitS
            p.rebalanceInterval = f.rebalanceIntervalS
            p.batteryKWh = f.batteryKWh
            p.consumptionKWhPerKm = f.consumptionKWhPerKm
            p.initialSoC = f.initialSoC
            p.chargeThreshold = stationNodes.isEmpty ? 0 : f.chargeThreshold
            p.chargeTarget = f.chargeTarget
            p.seed = s.seed
            p.replication = s.replication
            var fleet = try RobotaxiFleet(network: network, requests: requests, parameters: p, handlerBase: handlerBase)
            if !stationNodes.isEmpty { try fleet.setChargerNodes(stationNodes) }
            return fleet
        } catch let e as ScenarioError {
            throw e
        } catch {
            throw ScenarioError(file: s.sourceFile, path: "fleet", message: "\(error)")
        }
    }
}
