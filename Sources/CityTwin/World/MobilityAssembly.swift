import Foundation
import Mobility
import SimKernel

/// Builds the traffic system of a scenario: network, demand and signal plans.
enum MobilityAssembly {
    /// Loads the network (logging import warnings through `warn`).
    static func network(_ m: MobilitySettings, file: String, warn: (String) -> Void) throws -> RoadNetwork {
        do {
            let lower = m.networkPath.lowercased()
            let imported = lower.hasSuffix(".tntp")
                ? try RoadNetwork.importTNTP(netPath: m.networkPath, nodePath: m.nodesPath)
                : try RoadNetwork.load(path: m.networkPath)
            imported.warnings.forEach(warn)
            return imported.network
        } catch let e as ScenarioError {
            throw e
        } catch {
            throw ScenarioError(file: file, path: "roads.network", message: "\(error)")
        }
    }

    static func parameters(_ t: TrafficSettings) -> TrafficParameters {
        var p = TrafficParameters()
        p.stuckTime = t.stuckTimeS
        p.flowCapacityFactor = t.flowCapacityFactor
        p.storageCapacityFactor = t.storageCapacityFactor
        p.signalCycle = t.signalCycleS
        p.intergreen = t.intergreenS
        p.actuated = t.actuated
        p.minGreen = t.minGreenS
        p.maxGreen = t.maxGreenS
        p.rerouteInterval = t.rerouteIntervalS
        return p
    }

    static func trips(_ s: Scenario, network: RoadNetwork) throws -> TripList {
        guard let m = s.mobility, let d = m.demand else { return TripList() }
        let ev = EVParameters(share: d.evShare, batteryKWh: d.evBatteryKWh, consumptionKWhPerKm: d.evConsumptionKWhPerKm,
                              initialSoC: d.evInitialSoC)
        do {
            if let path = d.tripsPath {
                return try Demand.readTripsCSV(path: path, network: network, ev: ev, seed: s.seed, replication: s.replication)
            }
            guard let path = d.odPath else { return TripList() }
            let od = try ODMatrix.load(path: path, network: network)
            let profile = try d.profile.map { try DepartureProfile(hourly: $0) } ?? .standard
            return try Demand.sample(od, profile: profile, scale: d.scale, counts: d.poisson ? .poisson : .fractionalRounding,
                                     ev: ev, seed: s.seed, replication: s.replication)
        } catch {
            throw ScenarioError(file: s.sourceFile, path: "demand", message: "\(error)")
        }
    }

    static func traffic(_ s: Scenario, network: RoadNetwork, trips: TripList, handlerBase: UInt32) throws -> TrafficSystem {
        guard let m = s.mobility else { throw RunError.internalInconsistency("traffic without roads") }
        var system: TrafficSystem
        do {
            system = try TrafficSystem(network: network, trips: trips, parameters: parameters(m.traffic), handlerBase: handlerBase)
        } catch {
            throw ScenarioError(file: s.sourceFile, path: "traffic", message: "\(error)")
        }
        for (k, sig) in m.traffic.signals.enumerated() {
            let field = "traffic.signals[\(k)]"
            guard let node = network.nodeExternalID.firstIndex(of: sig.node) else {
                throw ScenarioError(file: s.sourceFile, path: "\(field).node", message: "node \(sig.node) is not in the road network")
            }
            let incoming = network.inLinks[Int(network.inStart[node])..<Int(network.inStart[node + 1])]
            guard incoming.count >= sig.greensS.count else {
                throw ScenarioError(file: s.sourceFile, path: "\(field).greens",
                                    message: "node \(sig.node) has \(incoming.count) incoming links, fewer than the \(sig.greensS.count) phases")
            }
            // Incoming links are dealt to the phases in link order (link j → phase j mod phases).
            var phases = [[Int32]](repeating: [], count: sig.greensS.count)
            for (j, link) in incoming.enumerated() { phases[j % phases.count].append(link) }
            let intergreen = (sig.cycleS - sig.greensS.reduce(0, +)) / Double(sig.greensS.count)
            do {
                try system.setSignalPlan(node: node, SignalPlan(cycle: sig.cycleS, offset: sig.offsetS, intergreen: intergreen,
                                                                phases: phases, greens: sig.greensS, actuated: sig.actuated))
            } catch {
                throw ScenarioError(file: s.sourceFile, path: field, message: "\(error)")
            }
        }
        return system
    }
}
