// Robotaxi trip requests: from an OD-matrix share through the demand sampler, from a CSV, or
// from a TripList. Kept sorted by request time (stable) so the fleet can chain their arrivals.
import Foundation
import SimKernel

/// Robotaxi trip requests, struct-of-arrays, sorted by request time (ties keep input order).
public struct FleetRequests: Sendable, Equatable {
    /// Pick-up node index.
    public private(set) var origin: [Int32] = []
    /// Drop-off node index.
    public private(set) var destination: [Int32] = []
    /// Request time in milliseconds since the scenario start.
    public private(set) var time: [Int64] = []
    public var count: Int { origin.count }

    public init() {}

    /// From a trip list (departure = request time), e.g. `Demand.sample` or `Demand.readTripsCSV`.
    /// Throws naming the first bad record (node outside the network, time not finite ≥ 0). O(k log k).
    public init(trips: TripList, nodeCount: Int) throws {
        let k = trips.count
        guard trips.destination.count == k, trips.departure.count == k else {
            throw MobilityError("fleet requests: trip list columns have different lengths")
        }
        for i in 0..<k {
            guard trips.origin[i] >= 0, Int(trips.origin[i]) < nodeCount else {
                throw MobilityError("fleet requests: request \(i) origin \(trips.origin[i]) is not a node index in 0..<\(nodeCount)")
            }
            guard trips.destination[i] >= 0, Int(trips.destination[i]) < nodeCount else {
                throw MobilityError("fleet requests: request \(i) destination \(trips.destination[i]) is not a node index in 0..<\(nodeCount)")
            }
            guard trips.departure[i] >= 0, trips.departure[i] < 1e12 else {
                throw MobilityError("fleet requests: request \(i) time \(trips.departure[i]) s; expected seconds in 0..<1e12")
            }
        }
        let ms = trips.departure.map { Int64(($0 * 1000).rounded()) }
        let order = (0..<k).sorted { ms[$0] != ms[$1] ? ms[$0] < ms[$1] : $0 < $1 }
        origin = order.map { trips.origin[$0] }
        destination = order.map { trips.destination[$0] }
        time = order.map { ms[$0] }
    }

    /// Appends one request (must not be earlier than the last one; throws otherwise).
    public mutating func append(origin o: Int, destination d: Int, time t: SimTime) throws {
        guard t.milliseconds >= (time.last ?? 0) else {
            throw MobilityError("fleet requests: request \(count) at \(t) is earlier than the previous one; append in time order")
        }
        origin.append(Int32(o)); destination.append(Int32(d)); time.append(t.milliseconds)
    }

    /// A share of an OD matrix sampled by `Demand.sample` (stream "mobility.demand" children of
    /// `seed`; pass a different seed than private traffic so the two do not coincide).
    public static func sample(_ od: ODMatrix, share: Double, profile: DepartureProfile = .standard,
                              seed: UInt64, replication: UInt64 = 0, network: RoadNetwork) throws -> FleetRequests {
        guard share >= 0, share.isFinite else { throw MobilityError("fleet requests: share must be a finite number ≥ 0, got \(share)") }
        let trips = try Demand.sample(od, profile: profile, scale: share, seed: seed, replication: replication)
        return try FleetRequests(trips: trips, nodeCount: network.nodeCount)
    }

    /// CSV `origin,destination,request_s` with node external ids (OSM id / TNTP node number),
    /// optional header; errors name the file and line.
    public static func readCSV(path: String, network: RoadNetwork) throws -> FleetRequests {
        let trips = try Demand.readTripsCSV(path: path, network: network, seed: 0)
        return try FleetRequests(trips: trips, nodeCount: network.nodeCount)
    }
}
