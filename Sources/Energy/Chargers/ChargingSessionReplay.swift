import SimKernel
import TwinIO

/// Turns real charging sessions (`TwinIO.ChargingSessionRecord`, e.g. ACN-Data) into planned
/// arrivals for `ChargingStations.schedule(arrivals:calendar:)`.
///
/// Each session arrives at its connection start with its real energy as an `.energy` demand
/// (constant power: the records carry no SoC) and its connection end as departure deadline.
/// Times are shifted so that the earliest session starts at `firstArrival`; the vehicle id is
/// the record index.
public enum ChargingSessionReplay {
    /// Where sessions go.
    public enum StationMapping: Sendable, Equatable {
        /// Every session at one station.
        case single(Int)
        /// By `station_id` → station index; a session whose id is missing is an error.
        case byStationID([String: Int])
    }

    /// Distinct station ids of `records`, sorted (a deterministic order for building one station
    /// per EVSE). O(n log n).
    public static func stationIDs(_ records: [ChargingSessionRecord]) -> [String] {
        Array(Set(records.map(\.stationID))).sorted()
    }

    /// Planned arrivals in (time, record) order. `maxPowerKW` is the vehicle limit (nil = plug
    /// power). Throws `ChargingError` naming `records[k]` for an unmapped station id. O(n log n).
    public static func plans(records: [ChargingSessionRecord], mapping: StationMapping, firstArrival: SimTime,
                             maxPowerKW: Double? = nil, source: String = "<sessions>") throws(ChargingError)
        -> [ChargingArrivalPlan] {
        guard let t0 = records.map(\.connectionStart).min() else { return [] }
        var out: [ChargingArrivalPlan] = []
        out.reserveCapacity(records.count)
        for (k, r) in records.enumerated() {
            let station: Int
            switch mapping {
            case let .single(s): station = s
            case let .byStationID(map):
                guard let s = map[r.stationID] else {
                    throw ChargingError(source: source, field: "records[\(k)].stationID",
                                        expected: "a mapped station id, got '\(r.stationID)'")
                }
                station = s
            }
            guard k < Int(Int32.max) else {
                throw ChargingError(source: source, field: "records", expected: "fewer than 2^31 sessions")
            }
            let arrive = firstArrival + SimTime(milliseconds: (r.connectionStart - t0) * 1000)
            let leave = firstArrival + SimTime(milliseconds: (r.connectionEnd - t0) * 1000)
            out.append(ChargingArrivalPlan(vehicle: Int32(k), station: station, demand: .energy(kWh: r.energyKWh),
                                           maxPowerKW: maxPowerKW, deadline: leave, time: arrive))
        }
        // Stable by time: equal arrival times keep file order (FIFO).
        return out.enumerated().sorted { a, b in
            a.element.time != b.element.time ? a.element.time < b.element.time : a.offset < b.offset
        }.map(\.element)
    }
}
