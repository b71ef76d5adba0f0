import Energy
import Mobility
import SimKernel
import Weather

/// An intervention resolved against the built systems: indices instead of external ids,
/// simulation times instead of calendar text.
struct ResolvedIntervention {
    enum Action {
        case roadCapacity(link: Int, factor: Double)
        case branchStatus(row: Int, inService: Bool)
        case demandResponse(reliefK: Double, buses: [Int])
    }
    var action: Action
    var start: SimTime
    var end: SimTime?

    /// Resolves every intervention of `s`; errors name the scenario field.
    static func resolve(_ s: Scenario, calendar: SimCalendar, network: RoadNetwork?, grid: PowerGrid?,
                        caseBranchCount: Int) throws -> [ResolvedIntervention] {
        try s.interventions.map { iv in
            func time(_ text: String, _ key: String) throws -> SimTime {
                do {
                    return calendar.simTime(at: try CalendarDateTime(iso8601: text, field: "\(iv.field).\(key)"))
                } catch {
                    throw ScenarioError(file: s.sourceFile, path: "\(iv.field).\(key)", message: "\(error)")
                }
            }
            let start = try time(iv.start, "start")
            let end = try iv.end.map { try time($0, "end") }
            switch iv.kind {
            case let .roadCapacity(link, factor):
                guard let net = network else { throw RunError.internalInconsistency("road intervention without network") }
                let index: Int
                switch link {
                case let .index(i):
                    guard i < net.linkCount else {
                        throw ScenarioError(file: s.sourceFile, path: "\(iv.field).link_index",
                                            message: "expected a link index below \(net.linkCount), found \(i)")
                    }
                    index = i
                case let .nodes(from, to):
                    guard let i = (0..<net.linkCount).first(where: {
                        net.nodeExternalID[Int(net.linkFrom[$0])] == from && net.nodeExternalID[Int(net.linkTo[$0])] == to
                    }) else {
                        throw ScenarioError(file: s.sourceFile, path: "\(iv.field).link",
                                            message: "no link from node \(from) to node \(to) in the road network")
                    }
                    index = i
                }
                return ResolvedIntervention(action: .roadCapacity(link: index, factor: factor), start: start, end: end)
            case let .branchStatus(row, inService):
                guard row <= caseBranchCount else {
                    throw ScenarioError(file: s.sourceFile, path: "\(iv.field).branch",
                                        message: "expected a branch row between 1 and \(caseBranchCount), found \(row)")
                }
                return ResolvedIntervention(action: .branchStatus(row: row - 1, inService: inService), start: start, end: end)
            case let .demandResponse(reliefK, buses):
                guard let g = grid else { throw RunError.internalInconsistency("demand response without grid") }
                let indices = try buses.enumerated().map { k, id -> Int in
                    guard let i = g.busIndex(ofID: id) else {
                        throw ScenarioError(file: s.sourceFile, path: "\(iv.field).buses[\(k)]", message: "bus \(id) is not in grid case \(g.name)")
                    }
                    return i
                }
                return ResolvedIntervention(action: .demandResponse(reliefK: reliefK, buses: indices), start: start, end: end)
            }
        }
    }
}

extension World {
    /// Schedules the start and end of every intervention (agent = 2 i for the start, 2 i + 1 for the end).
    mutating func scheduleInterventions(calendar: inout EventCalendar, duration: SimTime) {
        for (i, iv) in interventions.enumerated() {
            if iv.start <= duration {
                calendar.schedule(at: max(iv.start, .zero), priority: EventPriority.weather + 1,
                                  handler: HandlerID.intervention, agent: UInt32(2 * i))
            }
            if let end = iv.end, end <= duration, end >= .zero {
                calendar.schedule(at: end, priority: EventPriority.weather + 1, handler: HandlerID.intervention, agent: UInt32(2 * i + 1))
            }
        }
    }

    /// Applies (or, at the end of its window, undoes) an intervention.
    mutating func applyIntervention(_ agent: UInt32, at time: SimTime, calendar: inout EventCalendar) {
        let i = Int(agent / 2)
        let ending = agent % 2 == 1
        guard i < interventions.count else { return }
        do {
            switch interventions[i].action {
            case let .roadCapacity(link, factor):
                try traffic?.setCapacityFactor(link: link, factor: ending ? 1 : factor, calendar: &calendar)
            case let .branchStatus(row, inService):
                try grid?.setBranchStatus(row: row, inService: ending ? nil : inService)
                // Solve once every change at this instant is in (a fault and a tie-switch
                // closure at the same time must not be solved half-way).
                calendar.schedule(at: time, priority: EventPriority.grid, handler: HandlerID.gridExtraSolve)
            case let .demandResponse(reliefK, buses):
                let k = ending ? 0 : reliefK
                if buses.isEmpty {
                    buildings?.setSetpointRelief(k, bus: nil, at: time, calendar: &calendar)
                } else {
                    for b in buses { buildings?.setSetpointRelief(k, bus: b, at: time, calendar: &calendar) }
                }
            }
            interventionsApplied += 1
        } catch {
            failure = failure ?? error
        }
    }
}
