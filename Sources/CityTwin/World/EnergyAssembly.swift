import Energy
import SimKernel
import Weather

/// Builds the energy systems (buildings, PV) of a scenario and places them on grid buses.
enum EnergyAssembly {
    /// One bus index per entity for `count` entities.
    ///
    /// `load_buses` spreads them over the buses with a positive case load in proportion to that
    /// load (largest-remainder rounding, ties to the lower bus index), grouped by bus in case
    /// order; explicit bus numbers are used round-robin in the given order.
    static func placement(_ p: BusPlacement, count: Int, grid: PowerGrid, file: String, field: String) throws -> [Int] {
        switch p {
        case let .buses(ids):
            let indices = try ids.enumerated().map { k, id -> Int in
                guard let i = grid.busIndex(ofID: id) else {
                    throw ScenarioError(file: file, path: "\(field).buses[\(k)]",
                                        message: "bus \(id) is not in grid case \(grid.name)")
                }
                return i
            }
            return (0..<count).map { indices[$0 % indices.count] }
        case .loadBuses:
            var weights = (0..<grid.busCount).map { max(0, grid.pd[$0]) }
            if weights.allSatisfy({ $0 == 0 }) {
                weights = (0..<grid.busCount).map { grid.busType[$0] == .pq ? 1 : 0 }
            }
            let total = weights.reduce(0, +)
            guard total > 0 else {
                throw ScenarioError(file: file, path: "\(field).buses", message: "grid case \(grid.name) has no load bus to place entities on; list buses explicitly")
            }
            let exact = weights.map { $0 / total * Double(count) }
            var alloc = exact.map { Int($0.rounded(.down)) }
            let remaining = count - alloc.reduce(0, +)
            let order = exact.indices.sorted { a, b in
                let ra = exact[a] - Double(alloc[a]), rb = exact[b] - Double(alloc[b])
                return ra != rb ? ra > rb : a < b
            }
            for k in 0..<remaining { alloc[order[k % order.count]] += 1 }
            var result: [Int] = []
            result.reserveCapacity(count)
            for i in alloc.indices { result.append(contentsOf: repeatElement(i, count: alloc[i])) }
            return result
        }
    }

    static func buildings(_ s: Scenario, grid: PowerGrid, calendar: SimCalendar, initialOutdoor: Double,
                          handlerBase: UInt32) throws -> BuildingStock? {
        var classes: [BuildingClassSpec] = []
        for (k, c) in s.buildings.enumerated() where c.count > 0 {
            let field = "buildings.classes[\(k)]"
            guard var archetype = BuildingArchetype.named(c.archetype) else {
                throw ScenarioError(file: s.sourceFile, path: "\(field).archetype", message: "unknown archetype '\(c.archetype)'")
            }
            if c.setpointShift != 0 {
                archetype.hvac.heatingSetpoint += c.setpointShift
                archetype.hvac.coolingSetpoint += c.setpointShift
            }
            let buses = try placement(c.placement, count: c.count, grid: grid, file: s.sourceFile, field: field)
            classes.append(BuildingClassSpec(name: c.name, archetype: archetype, count: c.count, buses: buses,
                                             setpointOffsetSD: c.setpointOffsetSD))
        }
        guard !classes.isEmpty else { return nil }
        let start = calendar.start
        let days = SimCalendar.daysFromCivil(year: start.year, month: start.month, day: start.day)
        // 1970-01-01 was a Thursday (Monday = 0 in ScheduleClock).
        let weekday = ((days % 7) + 7 + 3) % 7
        let clock = ScheduleClock(weekdayAtStart: weekday, secondsIntoDayAtStart: Double(start.hour * 3600 + start.minute * 60))
        let config = BuildingStockConfiguration(classes: classes, clock: clock, seed: s.seed, replication: s.replication,
                                                initialOutdoorTemperature: initialOutdoor, busCount: grid.busCount,
                                                source: s.sourceFile)
        do {
            return try BuildingStock(configuration: config, handlerBase: handlerBase)
        } catch {
            throw ScenarioError(file: s.sourceFile, path: "buildings", message: "\(error)")
        }
    }

    /// Comfort band of each (non-empty) building class: [heating − d/2, cooling + d/2] of its
    /// scenario setpoints (per-building offsets are added when evaluating).
    static func comfortBands(_ s: Scenario) -> [(low: Double, high: Double)] {
        s.buildings.filter { $0.count > 0 }.compactMap { c in
            BuildingArchetype.named(c.archetype).map { a in
                (a.hvac.heatingSetpoint + c.setpointShift - a.hvac.deadband / 2, a.hvac.coolingSetpoint + c.setpointShift + a.hvac.deadband / 2)
            }
        }
    }

    static func pv(_ s: Scenario, grid: PowerGrid) throws -> PVFleet? {
        var specs: [PVSystemSpec] = []
        for (k, c) in s.pv.enumerated() where c.count > 0 {
            let buses = try placement(c.placement, count: c.count, grid: grid, file: s.sourceFile, field: "pv.systems[\(k)]")
            for b in buses {
                specs.append(PVSystemSpec(ratedPowerDC: c.ratedKW * 1000, tilt: c.tilt, azimuth: c.azimuth, bus: b))
            }
        }
        guard !specs.isEmpty else { return nil }
        do {
            return try PVFleet(systems: specs, busCount: grid.busCount, source: s.sourceFile)
        } catch {
            throw ScenarioError(file: s.sourceFile, path: "pv", message: "\(error)")
        }
    }
}
