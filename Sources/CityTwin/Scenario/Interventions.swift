/// A planner's intervention: a change to one system over a time window.
public struct InterventionSettings: Sendable {
    public enum Kind: Sendable {
        /// Scale a road link's flow capacity (0 closes it). The link is given by its end nodes
        /// (external ids: OSM node ids or TNTP node numbers) or by its index.
        case roadCapacity(link: LinkReference, factor: Double)
        /// Take a branch out of service (a fault) or put one in service (closing a tie switch).
        case branchStatus(row: Int, inService: Bool)
        /// Raise cooling and lower heating setpoints by `reliefK` (all buildings, or those on the buses).
        case demandResponse(reliefK: Double, buses: [Int])
    }

    public enum LinkReference: Sendable, Equatable {
        case index(Int)
        case nodes(from: Int64, to: Int64)
    }

    public var kind: Kind
    /// Window in calendar time (ISO-8601 local); `end` nil = until the end of the run.
    public var start: String
    public var end: String?
    /// Field path for messages (`interventions[2]`).
    public var field: String
}

extension InterventionSettings {
    enum TypeName: String, CaseIterable { case road_capacity, branch_status, demand_response }

    static func decodeList(_ items: [FieldReader]) throws -> [InterventionSettings] {
        try items.enumerated().map { i, r in
            let type = try r.choice("type", default: TypeName.road_capacity)
            guard r.has("type") else {
                throw ScenarioError(file: r.file, path: r.fieldPath("type"), line: r.line,
                                    message: "missing required field; expected one of " + TypeName.allCases.map(\.rawValue).joined(separator: ", "))
            }
            let start = try r.string("start")
            let end = try r.optionalString("end")
            if let end {
                try CalendarText.checkWindow(start: start, end: end, r)
            } else {
                try CalendarText.validate(start, file: r.file, path: r.fieldPath("start"), line: r.node("start")?.line)
            }
            let kind: Kind
            switch type {
            case .road_capacity:
                let link: LinkReference
                if let l = try r.object("link") {
                    link = .nodes(from: Int64(try l.int("from")), to: Int64(try l.int("to")))
                    try l.finish()
                } else if r.has("link_index") {
                    link = .index(try r.int("link_index", in: 0...Int(Int32.max)))
                } else {
                    throw ScenarioError(file: r.file, path: r.fieldPath("link"), line: r.line,
                                        message: "missing required field; expected link: {from: NODE, to: NODE} or link_index: N")
                }
                kind = .roadCapacity(link: link, factor: try r.double("factor", in: 0...100))
            case .branch_status:
                kind = .branchStatus(row: try r.int("branch", in: 1...10_000_000), inService: try r.bool("in_service", default: false))
            case .demand_response:
                let buses = try r.doubles("buses", in: 1...1e9).map { Int($0) }
                kind = .demandResponse(reliefK: try r.double("relief_k", in: 0...10), buses: buses)
            }
            try r.finish()
            return InterventionSettings(kind: kind, start: start, end: end, field: "interventions[\(i)]")
        }
    }
}
