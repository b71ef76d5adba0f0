// Event-driven queue model of traffic (MATSim-style) on the SimKernel calendar.
//
// Rules (see docs/mobility.md):
// * A vehicle entering link l at t may leave at t + free-flow time (length / (free speed × rain
//   factor), rounded to ms) at the earliest; the link releases vehicles FIFO, no faster than its
//   flow capacity (headway 3600 / capacity s, tracked fractionally), only into a next link that
//   has storage space (⌊length × lanes / 7.5 m⌋ vehicles), and only on green at signalised nodes.
// * A head blocked by a full downstream link waits in that link's waiter list; freeing space
//   wakes the waiters (event-driven, no polling). After `stuckTime` a blocked head is pushed
//   through regardless (counted) so gridlock always resolves.
// * Departing vehicles enter their first link if it has space, else wait in its departure list;
//   freed space alternates between upstream waiters and departure waiters.
import Foundation
import SimKernel

/// Parameters of the queue model and default signal control.
public struct TrafficParameters: Sendable {
    /// Seconds after which a head vehicle blocked by a full downstream link is pushed through.
    public var stuckTime: Double = 10
    /// Space one vehicle takes in a queue (m).
    public var vehicleSpacing: Double = 7.5
    /// Scale factors for flow and storage capacity (use the demand sample share, MATSim-style).
    public var flowCapacityFactor: Double = 1
    public var storageCapacityFactor: Double = 1
    /// Default fixed-time plan for signalised nodes without an explicit plan.
    public var signalCycle: Double = 90
    /// Lost time between phases (amber + all-red), seconds.
    public var intergreen: Double = 4
    /// Use vehicle-actuated control (extend green while a queue is present) by default.
    public var actuated = false
    public var minGreen: Double = 10
    public var maxGreen: Double = 60
    /// Green extension step while a queue is present (s).
    public var extensionStep: Double = 3
    /// Re-routing period in seconds (0 = off): every period, link costs are updated from
    /// observed travel times and queues, and vehicles departing afterwards are routed on them.
    public var rerouteInterval: Double = 0
    public init() {}
}

/// A signal plan for one node: phases are groups of incoming links that get green together.
public struct SignalPlan: Sendable {
    public var cycle: Double
    public var offset: Double
    public var intergreen: Double
    /// Incoming link indices per phase.
    public var phases: [[Int32]]
    /// Green seconds per phase (fixed-time); for actuated control the initial green.
    public var greens: [Double]
    public var actuated: Bool
    public init(cycle: Double, offset: Double = 0, intergreen: Double, phases: [[Int32]], greens: [Double], actuated: Bool = false) {
        self.cycle = cycle; self.offset = offset; self.intergreen = intergreen
        self.phases = phases; self.greens = greens; self.actuated = actuated
    }
}

/// Key performance indicators of the traffic run so far.
public struct TrafficKPIs: Sendable {
    public var trips: Int
    public var departed: Int
    public var completed: Int
    public var completedShare: Double
    /// Total vehicle-hours travelled (departed vehicles, up to arrival or `now`).
    public var vehicleHours: Double
    public var vehicleKm: Double
    /// Mean delay vs free flow of completed trips (s).
    public var meanDelay: Double
    public var stuckPushes: Int
    public var unroutable: Int
    public var evDepleted: Int
    /// Departures that got a different route from periodic re-routing.
    public var rerouted: Int
    /// Up to 5 links with the highest maximum occupancy (ties: lower index first).
    public var topCongestedLinks: [(link: Int, maxOccupancy: Double)]
}

/// Trip table for the recorder (input trip order).
public struct TripTable: Sendable {
    public var origin: [Int32]
    public var destination: [Int32]
    public var departure: [Double]
    /// Seconds; NaN if not arrived.
    public var arrival: [Double]
    public var distance: [Double]
    public var routeLinkCount: [Int32]
    /// Travel time minus free-flow time (s); NaN if not arrived.
    public var delay: [Double]
    public var isEV: [Bool]
    /// Final state of charge; NaN for non-EVs.
    public var finalSoC: [Double]
}

/// The traffic system: owns link and vehicle state (struct-of-arrays) and handles its events.
/// Event kinds: handlerBase + 0 departure chain (agent = vehicle), + 1 link exit attempt
/// (agent = link), + 2 stuck timeout (agent = link), + 3 actuated signal decision (agent = node),
/// + 4 periodic re-routing cost update.
public struct TrafficSystem: EventHandler, Sendable {
    public static let handlerCount: UInt32 = 5
    /// Distinct destinations from one origin above which routing builds a full tree.
    static let treeThreshold = 16
    public let network: RoadNetwork
    public let parameters: TrafficParameters
    public let handlerBase: UInt32
    /// Free-speed multiplier applied at link entry (rain: < 1). Set by the coupling layer.
    public var speedFactor: Double = 1

    // MARK: Link state
    // Copies of the network arrays used per event: reading `network.x[l]` from a mutating
    // method copies the whole RoadNetwork value in debug builds.
    @usableFromInline var lLength: [Double]
    @usableFromInline var lSpeed: [Double]
    @usableFromInline var lTo: [Int32]
    @usableFromInline var nInStart: [Int32]
    @usableFromInline var nInLinks: [Int32]
    @usableFromInline var freeFlowMs: [Int64]          // rounded, without rain
    @usableFromInline var headwayMs: [Double]
    @usableFromInline var storage: [Int32]
    @usableFromInline var qStart: [Int32]              // ring buffer offset in `queue`
    @usableFromInline var qCap: [Int32]
    @usableFromInline var qHead: [Int32]
    @usableFromInline var qCount: [Int32]
    @usableFromInline var queue: [Int32]               // vehicle indices, all links
    @usableFromInline var nextExitMs: [Double]
    @usableFromInline var scheduledExit: [Int64]       // earliest pending exit event, Int64.max if none
    @usableFromInline var blockedOn: [Int32]           // downstream link the head waits for, -1
    @usableFromInline var waitNext: [Int32]            // intrusive list of upstream waiters
    @usableFromInline var waitPrev: [Int32]
    @usableFromInline var waitHead: [Int32]
    @usableFromInline var waitTail: [Int32]
    @usableFromInline var stuckHandle: [EventHandle]
    @usableFromInline var forced: [Bool]
    @usableFromInline var depHead: [Int32]             // departure waiters (vehicles)
    @usableFromInline var depTail: [Int32]
    @usableFromInline var depServedLast: [Bool]
    // Signals: per link green window within the node's cycle; per node cycle/offset or actuated state.
    @usableFromInline var greenStart: [Int64]
    @usableFromInline var greenEnd: [Int64]
    @usableFromInline var linkPhase: [Int32]
    @usableFromInline var sigKind: [UInt8]             // 0 none, 1 fixed, 2 actuated
    @usableFromInline var sigCycle: [Int64]
    @usableFromInline var sigOffset: [Int64]
    @usableFromInline var actPhase: [Int32]
    @usableFromInline var actPhaseCount: [Int32]
    @usableFromInline var actGreenFrom: [Int64]       // start of current green; Int64.max during intergreen
    // Statistics
    @usableFromInline var intervalExits: [Int32]
    @usableFromInline var intervalSpeedSum: [Double]
    @usableFromInline var maxOccupancy: [Double]
    @usableFromInline var rrExits: [Int32]             // exits since the last cost update
    @usableFromInline var rrTimeSum: [Double]          // their link travel times (s)
    var router: Router
    var rerouteEpoch: Int32 = 0
    var vEpoch: [Int32]
    var routeCache: [Int64: Int32] = [:]               // (o × N + d) → vehicle holding that route (lookup only)
    /// Departures whose re-routed path differs from the one they had.
    public private(set) var reroutedTrips = 0
    var lastSnapshotMs: Int64 = 0

    // MARK: Vehicle state (index = departure order)
    @usableFromInline var vOrigin: [Int32]
    @usableFromInline var vDest: [Int32]
    @usableFromInline var vDepart: [Int64]
    @usableFromInline var vArrive: [Int64]
    @usableFromInline var vRouteStart: [Int32]
    @usableFromInline var vRouteEnd: [Int32]
    @usableFromInline var vPos: [Int32]                // index into `routes` of the current link; -1 not departed
    @usableFromInline var vEntry: [Int64]
    @usableFromInline var vEarliestExit: [Int64]
    @usableFromInline var vDistance: [Double]
    @usableFromInline var vFreeFlowMs: [Int64]
    @usableFromInline var vDepNext: [Int32]
    @usableFromInline var vIsEV: [Bool]
    @usableFromInline var vBattery: [Double]
    @usableFromInline var vConsumption: [Double]
    @usableFromInline var vSoC: [Double]
    @usableFromInline var vInput: [Int32]              // input trip index
    @usableFromInline var vOfInput: [Int32]            // inverse: input trip → vehicle
    /// Input trip indices in arrival order (append-only): the coupling layer keeps a cursor and
    /// reads new arrivals (e.g. EVs looking for a charger) without scanning all trips.
    public private(set) var arrivalLog: [Int32] = []
    /// Trips given to `init` (input indices 0..<initialTripCount); trips added at run time by
    /// `addTrip` get the following indices (for them, vehicle index = input trip index).
    public let initialTripCount: Int
    /// Caller tags of run-time trips (index = trip − initialTripCount).
    @usableFromInline var runtimeTags: [UInt32] = []
    @usableFromInline var routes: [Int32]              // flat route link array (shared per OD pair)

    // Counters
    public private(set) var departedCount = 0
    public private(set) var arrivedCount = 0
    public private(set) var stuckPushes = 0
    public private(set) var unroutable = 0
    public private(set) var evDepleted = 0
    var delaySum = 0.0
    /// Vehicles with a non-empty route (they depart and must arrive).
    public private(set) var travellerCount = 0

    /// Builds the system: sorts trips by departure (stable), routes every OD pair once by
    /// free-flow time (one Dijkstra tree per distinct origin) and sets up signals. Trips with
    /// origin = destination complete instantly; unroutable trips never depart (counted).
    /// O(trips log trips + origins × (N + L) log N).
    public init(network: RoadNetwork, trips: TripList, parameters: TrafficParameters = TrafficParameters(),
                handlerBase: UInt32) throws {
        self.network = network
        self.parameters = parameters
        self.handlerBase = handlerBase
        let m = network.linkCount, n = network.nodeCount
        let positive = [parameters.stuckTime, parameters.vehicleSpacing, parameters.flowCapacityFactor,
                        parameters.storageCapacityFactor, parameters.signalCycle, parameters.minGreen, parameters.maxGreen,
                        parameters.extensionStep]
        guard positive.allSatisfy({ $0 > 0 && $0 < 1e9 }), parameters.intergreen >= 0, parameters.intergreen < 1e9,
              parameters.rerouteInterval >= 0, parameters.rerouteInterval < 1e9 else {
            throw MobilityError("traffic parameters: stuckTime, vehicleSpacing, capacity factors, signalCycle, minGreen, maxGreen and extensionStep must be positive and finite; intergreen and rerouteInterval ≥ 0")
        }
        for l in 0..<m where !(network.freeFlowTime(l) < 1e9) {
            throw MobilityError("network \(network.name): link \(l) free-flow time \(network.freeFlowTime(l)) s is not plausible (speed too low)")
        }
        let k0 = trips.origin.count
        guard [trips.destination.count, trips.departure.count, trips.isEV.count, trips.batteryKWh.count,
               trips.consumptionKWhPerKm.count, trips.initialSoC.count].allSatisfy({ $0 == k0 }) else {
            throw MobilityError("trips: trip list columns have different lengths")
        }
        for i in 0..<trips.count {
            guard Int(trips.origin[i]) < n, Int(trips.destination[i]) < n, trips.origin[i] >= 0, trips.destination[i] >= 0 else {
                throw MobilityError("trips: trip \(i) references a node outside 0..<\(n)")
            }
            guard trips.departure[i] >= 0, trips.departure[i] < 1e12 else {
                throw MobilityError("trips: trip \(i) has departure \(trips.departure[i]); expected seconds in 0..<1e12")
            }
            if trips.isEV[i] {
                guard trips.batteryKWh[i] > 0, trips.batteryKWh[i].isFinite, trips.consumptionKWhPerKm[i] >= 0,
                      trips.consumptionKWhPerKm[i].isFinite, (0...1).contains(trips.initialSoC[i]) else {
                    throw MobilityError("trips: EV trip \(i) needs batteryKWh > 0, consumptionKWhPerKm ≥ 0 and initialSoC in 0...1")
                }
            }
        }
        router = Router(network: network)
        vEpoch = []
        lLength = network.linkLength; lSpeed = network.linkFreeSpeed; lTo = network.linkTo
        nInStart = network.inStart; nInLinks = network.inLinks
        freeFlowMs = (0..<m).map { Int64((network.freeFlowTime($0) * 1000).rounded()) }
        headwayMs = (0..<m).map { 3_600_000 / (network.linkCapacity[$0] * parameters.flowCapacityFactor) }
        // Storage ⌊length × lanes / spacing⌋, at least 1 and at least the vehicles that flow
        // capacity lets through during one free-flow time (MATSim's rule, so storage never
        // throttles a free-flowing link below its capacity).
        storage = (0..<m).map { l in
            let jam = (network.linkLength[l] * Double(network.linkLanes[l]) * parameters.storageCapacityFactor / parameters.vehicleSpacing).rounded(.down)
            let flowing = (network.freeFlowTime(l) * network.linkCapacity[l] * parameters.flowCapacityFactor / 3600).rounded(.up)
            return Int32(clamping: Int(max(1, jam, flowing)))
        }
        qCap = storage.map { $0 + 2 } // small slack for stuck push-throughs; grows if exceeded
        var starts = [Int32](repeating: 0, count: m)
        var total = 0
        for l in 0..<m { starts[l] = Int32(total); total += Int(qCap[l]) }
        qStart = starts
        queue = [Int32](repeating: -1, count: total)
        qHead = [Int32](repeating: 0, count: m); qCount = [Int32](repeating: 0, count: m)
        nextExitMs = [Double](repeating: -1e15, count: m) // finite: converted to Int64
        scheduledExit = [Int64](repeating: .max, count: m)
        blockedOn = [Int32](repeating: -1, count: m)
        waitNext = [Int32](repeating: -1, count: m); waitPrev = [Int32](repeating: -1, count: m)
        waitHead = [Int32](repeating: -1, count: m); waitTail = [Int32](repeating: -1, count: m)
        stuckHandle = [EventHandle](repeating: .invalid, count: m)
        forced = [Bool](repeating: false, count: m)
        depHead = [Int32](repeating: -1, count: m); depTail = [Int32](repeating: -1, count: m)
        depServedLast = [Bool](repeating: false, count: m)
        greenStart = [Int64](repeating: 0, count: m); greenEnd = [Int64](repeating: 0, count: m)
        linkPhase = [Int32](repeating: 0, count: m)
        sigKind = [UInt8](repeating: 0, count: n); sigCycle = [Int64](repeating: 1, count: n)
        sigOffset = [Int64](repeating: 0, count: n)
        actPhase = [Int32](repeating: 0, count: n); actPhaseCount = [Int32](repeating: 1, count: n)
        actGreenFrom = [Int64](repeating: 0, count: n)
        intervalExits = [Int32](repeating: 0, count: m); intervalSpeedSum = [Double](repeating: 0, count: m)
        maxOccupancy = [Double](repeating: 0, count: m)
        rrExits = [Int32](repeating: 0, count: m); rrTimeSum = [Double](repeating: 0, count: m)

        // Vehicles in departure order (stable: ties keep input order).
        let order = TrafficSystem.departureOrder(trips)
        let k = order.count
        vInput = order.map { Int32($0) }
        var inverse = [Int32](repeating: 0, count: k)
        for (v, i) in order.enumerated() { inverse[i] = Int32(v) }
        vOfInput = inverse
        vOrigin = order.map { trips.origin[$0] }; vDest = order.map { trips.destination[$0] }
        vDepart = order.map { Int64((trips.departure[$0] * 1000).rounded()) }
        vArrive = [Int64](repeating: -1, count: k)
        vPos = [Int32](repeating: -1, count: k)
        vEntry = [Int64](repeating: 0, count: k); vEarliestExit = [Int64](repeating: 0, count: k)
        vDistance = [Double](repeating: 0, count: k); vFreeFlowMs = [Int64](repeating: 0, count: k)
        vDepNext = [Int32](repeating: -1, count: k)
        vIsEV = order.map { trips.isEV[$0] }; vBattery = order.map { trips.batteryKWh[$0] }
        vConsumption = order.map { trips.consumptionKWhPerKm[$0] }; vSoC = order.map { trips.initialSoC[$0] }
        vRouteStart = [Int32](repeating: 0, count: k); vRouteEnd = [Int32](repeating: 0, count: k)
        routes = []
        initialTripCount = k

        // Routes: one stored path per OD pair (free-flow). Origins with many destinations get
        // one Dijkstra tree; origins with few use A* per pair (settles far fewer nodes).
        let byOrigin = TrafficSystem.odOrder(vOrigin, vDest, nodeCount: n)
        var router = Router(network: network)
        vEpoch = [Int32](repeating: 0, count: k)
        var path: [Int32] = []
        var i = 0
        while i < k {
            let o = Int(vOrigin[byOrigin[i]])
            var j = i, distinct = 0
            while j < k, Int(vOrigin[byOrigin[j]]) == o {
                if j == i || vDest[byOrigin[j]] != vDest[byOrigin[j - 1]] { distinct += 1 }
                j += 1
            }
            let useTree = distinct >= TrafficSystem.treeThreshold
            if useTree { router.buildTree(from: o) }
            while i < j {
                let d = Int(vDest[byOrigin[i]])
                var rs: Int32 = 0, re: Int32 = -1, ff: Int64 = 0
                let found = o == d ? false : (useTree ? router.treePath(to: d, into: &path) : router.route(from: o, to: d, into: &path) != nil)
                if o == d { re = 0 } else if found {
                    rs = Int32(routes.count); routes.append(contentsOf: path); re = Int32(routes.count)
                    for l in path { ff += freeFlowMs[Int(l)] }
                }
                while i < j, Int(vDest[byOrigin[i]]) == d {
                    let v = byOrigin[i]
                    vRouteStart[v] = rs; vRouteEnd[v] = re; vFreeFlowMs[v] = ff
                    if re < 0 { unroutable += 1; vRouteEnd[v] = rs }
                    i += 1
                }
            }
        }
        self.router = router
        travellerCount = (0..<k).filter { vRouteEnd[$0] > vRouteStart[$0] }.count
        setupDefaultSignals()
    }

    /// Trip indices sorted by (departure ms, index). Packs both into one UInt64 key when they fit
    /// (plain integer sort, much faster than a closure sort), else sorts with a comparator.
    static func departureOrder(_ trips: TripList) -> [Int] {
        let k = trips.count
        let ms = trips.departure.map { UInt64(($0 * 1000).rounded()) }
        if k < (1 << 24), (ms.max() ?? 0) < (1 << 40) {
            var keys = [UInt64](repeating: 0, count: k)
            for i in 0..<k { keys[i] = ms[i] << 24 | UInt64(i) }
            keys.sort()
            return keys.map { Int($0 & 0xFF_FFFF) }
        }
        return (0..<k).sorted { ms[$0] != ms[$1] ? ms[$0] < ms[$1] : $0 < $1 }
    }

    /// Vehicle indices sorted by (origin, destination, index), packed like `departureOrder`.
    static func odOrder(_ o: [Int32], _ d: [Int32], nodeCount: Int) -> [Int] {
        let k = o.count
        if k < (1 << 22), nodeCount < (1 << 21) {
            var keys = [UInt64](repeating: 0, count: k)
            for i in 0..<k { keys[i] = UInt64(o[i]) << 43 | UInt64(d[i]) << 22 | UInt64(i) }
            keys.sort()
            return keys.map { Int($0 & 0x3F_FFFF) }
        }
        return (0..<k).sorted { o[$0] != o[$1] ? o[$0] < o[$1] : (d[$0] != d[$1] ? d[$0] < d[$1] : $0 < $1) }
    }

    /// Number of vehicles (trips).
    public var vehicleCount: Int { vOrigin.count }

    // MARK: Signals

    /// Groups each signalised node's incoming links into two phases by approach axis (links
    /// within 45° of the first incoming link's axis, and the rest) and applies the default plan:
    /// cycle `signalCycle`, equal green per phase after `intergreen` lost time per phase.
    mutating func setupDefaultSignals() {
        for node in 0..<network.nodeCount where network.nodeSignalised[node] {
            let ins = Array(network.inLinks[Int(network.inStart[node])..<Int(network.inStart[node + 1])])
            guard !ins.isEmpty else { continue }
            func angle(_ l: Int32) -> Double {
                let a = Int(network.linkFrom[Int(l)]), b = Int(network.linkTo[Int(l)])
                return atan2(network.nodeY[b] - network.nodeY[a], network.nodeX[b] - network.nodeX[a])
            }
            let ref = angle(ins[0])
            var groups: [[Int32]] = [[], []]
            for l in ins {
                var d = abs(angle(l) - ref).truncatingRemainder(dividingBy: Double.pi)
                d = min(d, Double.pi - d)
                groups[d < Double.pi / 4 ? 0 : 1].append(l)
            }
            // A single approach group still gets a second (pedestrian) phase.
            let cyc = parameters.signalCycle, ig = parameters.intergreen
            let green = max(1, (cyc - 2 * ig) / 2)
            let plan = SignalPlan(cycle: cyc, offset: 0, intergreen: ig, phases: groups, greens: [green, green], actuated: parameters.actuated)
            try? setSignalPlan(node: node, plan)
        }
    }

    /// Sets (or replaces) the signal plan of a node. Phase k's green starts after the previous
    /// phases' greens plus one intergreen each; links not listed never get green (avoid). Throws
    /// on links that do not enter the node or greens not fitting the cycle.
    public mutating func setSignalPlan(node: Int, _ plan: SignalPlan) throws {
        guard node >= 0, node < network.nodeCount else { throw MobilityError("signal plan: node \(node) outside 0..<\(network.nodeCount)") }
        guard plan.phases.count == plan.greens.count, !plan.phases.isEmpty else {
            throw MobilityError("signal plan for node \(node): expected one green time per phase")
        }
        let total = plan.greens.reduce(0, +) + Double(plan.phases.count) * plan.intergreen
        guard plan.cycle > 0, total <= plan.cycle + 1e-9, plan.greens.allSatisfy({ $0 > 0 }) else {
            throw MobilityError("signal plan for node \(node): greens + intergreens (\(total) s) must fit the cycle (\(plan.cycle) s)")
        }
        guard plan.cycle < 1e6, plan.offset.isFinite, abs(plan.offset) < 1e9, plan.intergreen >= 0,
              plan.greens.allSatisfy({ $0 >= 0.001 }) else {
            throw MobilityError("signal plan for node \(node): cycle < 1e6 s, finite offset, intergreen ≥ 0 and greens ≥ 1 ms expected")
        }
        let incoming = network.inLinks[Int(network.inStart[node])..<Int(network.inStart[node + 1])]
        for l in incoming where !plan.phases.contains(where: { $0.contains(l) }) {
            throw MobilityError("signal plan for node \(node): incoming link \(l) is in no phase (it would never get green)")
        }
        var t = 0.0
        for (k, links) in plan.phases.enumerated() {
            for l in links {
                guard l >= 0, Int(l) < network.linkCount, Int(network.linkTo[Int(l)]) == node else {
                    throw MobilityError("signal plan for node \(node): link \(l) does not enter the node")
                }
                greenStart[Int(l)] = Int64((t * 1000).rounded())
                greenEnd[Int(l)] = Int64(((t + plan.greens[k]) * 1000).rounded())
                linkPhase[Int(l)] = Int32(k)
            }
            t += plan.greens[k] + plan.intergreen
        }
        sigKind[node] = plan.actuated ? 2 : 1
        sigCycle[node] = max(1, Int64((plan.cycle * 1000).rounded()))
        sigOffset[node] = Int64((plan.offset * 1000).rounded())
        actPhaseCount[node] = Int32(plan.phases.count)
        actPhase[node] = 0
        actGreenFrom[node] = 0
    }

    /// Removes signal control from a node (free flow through it).
    public mutating func removeSignal(node: Int) { if node >= 0 && node < network.nodeCount { sigKind[node] = 0 } }

    /// Green test for the head of link l at time t: returns t if green, the next green start for
    /// fixed-time control, or Int64.max if the actuated controller will wake the link.
    @inline(__always) mutating func greenTime(_ l: Int, _ t: Int64) -> Int64 { // mutating: no self copy in debug
        let node = Int(lTo[l])
        switch sigKind[node] {
        case 0: return t
        case 1:
            let c = sigCycle[node]
            var ph = (t - sigOffset[node]) % c
            if ph < 0 { ph += c }
            let g0 = greenStart[l], g1 = greenEnd[l]
            if ph >= g0 && ph < g1 { return t }
            return ph < g0 ? t + (g0 - ph) : t + (c - ph + g0)
        default:
            return (actPhase[node] == linkPhase[l] && actGreenFrom[node] != .max) ? t : .max
        }
    }

    // MARK: Event handling

    /// Schedules the first departure and actuated signal controllers.
    public mutating func start(calendar: inout EventCalendar) {
        lastSnapshotMs = calendar.now.milliseconds
        // Trips with o = d complete at departure; unroutable trips never depart.
        for v in 0..<vehicleCount where vRouteEnd[v] == vRouteStart[v] && vOrigin[v] == vDest[v] {
            vArrive[v] = vDepart[v]
        }
        scheduleDeparture(from: 0, calendar: &calendar)
        if parameters.rerouteInterval > 0 {
            let every = SimTime.seconds(parameters.rerouteInterval)
            calendar.schedulePeriodic(start: calendar.now + every, every: every, handler: handlerBase + 4)
        }
        for node in 0..<network.nodeCount where sigKind[node] == 2 {
            actGreenFrom[node] = calendar.now.milliseconds
            calendar.schedule(at: calendar.now + SimTime.seconds(parameters.minGreen), handler: handlerBase + 3, agent: UInt32(node))
        }
    }

    /// Next vehicle from index `v` that actually travels; schedules its departure.
    mutating func scheduleDeparture(from v: Int, calendar: inout EventCalendar) {
        var i = v
        let count = initialTripCount // run-time trips schedule their own departure
        while i < count && vRouteEnd[i] == vRouteStart[i] { i += 1 }
        guard i < count else { return }
        let t = max(vDepart[i], calendar.now.milliseconds)
        calendar.schedule(at: SimTime(milliseconds: t), handler: handlerBase, agent: UInt32(i))
    }

    public mutating func handle(_ event: Event, calendar: inout EventCalendar) {
        let t = event.time.milliseconds
        let a = Int(event.agent)
        switch event.handler &- handlerBase {
        case 0: depart(a, t, &calendar)
        case 1:
            guard scheduledExit[a] == t else { return } // superseded by an earlier attempt
            scheduledExit[a] = .max
            processExits(a, t, &calendar)
        case 2: stuckTimeout(a, t, &calendar)
        case 3: actuatedDecision(a, t, &calendar)
        case 4: updateRoutingCosts()
        default: return
        }
    }

    @inline(__always) mutating func scheduleExit(_ l: Int, _ t: Int64, _ calendar: inout EventCalendar) {
        if scheduledExit[l] <= t { return }
        scheduledExit[l] = t
        calendar.schedule(at: SimTime(milliseconds: max(t, calendar.now.milliseconds)), handler: handlerBase + 1, agent: UInt32(l))
    }

    mutating func depart(_ v: Int, _ t: Int64, _ calendar: inout EventCalendar) {
        if v >= initialTripCount {
            // Run-time trip: not part of the departure chain. o = d arrives at once (logged, so
            // the caller learns about it like any arrival); unroutable ones were refused by addTrip.
            if vRouteEnd[v] == vRouteStart[v] {
                vArrive[v] = t; vPos[v] = vRouteEnd[v]
                arrivalLog.append(vInput[v])
                return
            }
        } else {
            scheduleDeparture(from: v + 1, calendar: &calendar)
        }
        departedCount += 1
        if vEpoch[v] != rerouteEpoch { reroute(v) }
        vPos[v] = vRouteStart[v]
        let l = Int(routes[Int(vRouteStart[v])])
        if depHead[l] < 0 && qCount[l] < storage[l] {
            enter(v, l, t, &calendar)
        } else {
            vDepNext[v] = -1
            if depTail[l] >= 0 { vDepNext[Int(depTail[l])] = Int32(v) } else { depHead[l] = Int32(v) }
            depTail[l] = Int32(v)
        }
    }

    @inline(__always) mutating func enter(_ v: Int, _ l: Int, _ t: Int64, _ calendar: inout EventCalendar) {
        if qCount[l] == qCap[l] { growQueue(l) }
        var slot = qHead[l] + qCount[l]
        if slot >= qCap[l] { slot -= qCap[l] }
        queue[Int(qStart[l] + slot)] = Int32(v)
        qCount[l] += 1
        vEntry[v] = t
        // Rain factor clamped to [0.05, 1.5] so a bad coupling value cannot stall or overflow.
        let fft = speedFactor == 1 ? freeFlowMs[l]
            : Int64((lLength[l] / (lSpeed[l] * min(max(speedFactor, 0.05), 1.5)) * 1000).rounded())
        vEarliestExit[v] = t + fft
        let occ = Double(qCount[l]) / Double(storage[l])
        if occ > maxOccupancy[l] { maxOccupancy[l] = occ }
        if qCount[l] == 1 { scheduleExit(l, vEarliestExit[v], &calendar) }
    }

    /// Doubles a link's ring buffer (only after stuck push-throughs overfill it; rare).
    mutating func growQueue(_ l: Int) {
        let old = Int(qCap[l]), newCap = old * 2
        var items: [Int32] = []
        for k in 0..<Int(qCount[l]) { items.append(queue[Int(qStart[l]) + (Int(qHead[l]) + k) % old]) }
        let start = queue.count
        queue.append(contentsOf: [Int32](repeating: -1, count: newCap))
        for (k, v) in items.enumerated() { queue[start + k] = v }
        qStart[l] = Int32(start); qCap[l] = Int32(newCap); qHead[l] = 0
    }

    /// Releases as many head vehicles of link l as the rules allow at time t.
    mutating func processExits(_ l: Int, _ t: Int64, _ calendar: inout EventCalendar) {
        while qCount[l] > 0 {
            let v = Int(queue[Int(qStart[l] + qHead[l])])
            if vEarliestExit[v] > t { scheduleExit(l, vEarliestExit[v], &calendar); return }
            let allowed = Int64(nextExitMs[l].rounded(.up))
            if allowed > t { scheduleExit(l, allowed, &calendar); return }
            let pos = Int(vPos[v])
            let isLast = pos + 1 >= Int(vRouteEnd[v])
            var next = -1
            if !isLast {
                let g = greenTime(l, t)
                if g != t { if g != .max { scheduleExit(l, g, &calendar) }; return }
                next = Int(routes[pos + 1])
                if qCount[next] >= storage[next] && !forced[l] { block(l, next, t, &calendar); return }
            }
            // Exit the head.
            qHead[l] += 1
            if qHead[l] == qCap[l] { qHead[l] = 0 }
            qCount[l] -= 1
            // Flow capacity: continuous discharge keeps the fractional schedule, idle links restart at t.
            let prev = nextExitMs[l]
            nextExitMs[l] = (Double(t) - prev < headwayMs[l] ? prev : Double(t)) + headwayMs[l]
            let len = lLength[l]
            intervalExits[l] += 1
            rrExits[l] += 1; rrTimeSum[l] += Double(t - vEntry[v]) / 1000
            let dt = Double(t - vEntry[v]) / 1000
            intervalSpeedSum[l] += dt > 0 ? len / dt * 3.6 : lSpeed[l] * 3.6
            vDistance[v] += len
            if vIsEV[v] {
                let soc = vSoC[v] - len / 1000 * vConsumption[v] / vBattery[v]
                if soc <= 0 && vSoC[v] > 0 { evDepleted += 1 }
                vSoC[v] = max(0, soc)
            }
            if forced[l] { forced[l] = false; stuckPushes += 1 }
            if blockedOn[l] >= 0 { unblock(l, &calendar) }
            if isLast {
                vArrive[v] = t
                vPos[v] = vRouteEnd[v]
                arrivedCount += 1
                arrivalLog.append(vInput[v])
                delaySum += Double(t - vDepart[v] - vFreeFlowMs[v]) / 1000
            } else {
                vPos[v] = Int32(pos + 1)
                enter(v, next, t, &calendar)
            }
            spaceFreed(l, t, &calendar)
        }
    }

    /// Link costs for re-routing: the larger of the free-flow time, the mean travel time of
    /// vehicles that left the link since the last update, and the time to discharge the vehicles
    /// now on it (count × headway). Then starts a new routing epoch. O(L).
    mutating func updateRoutingCosts() {
        var costs = [Double](repeating: 0, count: network.linkCount)
        for l in 0..<network.linkCount {
            var c = Double(freeFlowMs[l]) / 1000
            if rrExits[l] > 0 { c = max(c, rrTimeSum[l] / Double(rrExits[l])) }
            c = max(c, Double(qCount[l]) * headwayMs[l] / 1000)
            costs[l] = max(c, 1e-3)
            rrExits[l] = 0; rrTimeSum[l] = 0
        }
        try? router.setCosts(costs) // costs are positive and finite by construction
        rerouteEpoch += 1
        routeCache.removeAll(keepingCapacity: true)
    }

    /// Routes vehicle v on the current epoch's costs (one search per OD pair and epoch; the
    /// route is appended to the flat route array and shared through `routeCache`).
    mutating func reroute(_ v: Int) {
        vEpoch[v] = rerouteEpoch
        let o = Int(vOrigin[v]), d = Int(vDest[v])
        let key = Int64(o) * Int64(network.nodeCount) + Int64(d)
        if let w = routeCache[key] {
            if vRouteStart[v] != vRouteStart[Int(w)] || vRouteEnd[v] != vRouteEnd[Int(w)] { reroutedTrips += 1 }
            vRouteStart[v] = vRouteStart[Int(w)]; vRouteEnd[v] = vRouteEnd[Int(w)]; vFreeFlowMs[v] = vFreeFlowMs[Int(w)]
            return
        }
        var path: [Int32] = []
        guard router.route(from: o, to: d, into: &path) != nil, !path.isEmpty else { return } // keep old route
        let old = Array(routes[Int(vRouteStart[v])..<Int(vRouteEnd[v])])
        if old != path {
            reroutedTrips += 1
            vRouteStart[v] = Int32(routes.count); routes.append(contentsOf: path); vRouteEnd[v] = Int32(routes.count)
            var ff: Int64 = 0
            for l in path { ff += freeFlowMs[Int(l)] }
            vFreeFlowMs[v] = ff
        }
        routeCache[key] = Int32(v)
    }

    mutating func block(_ l: Int, _ n: Int, _ t: Int64, _ calendar: inout EventCalendar) {
        if blockedOn[l] == Int32(n) { return }
        if blockedOn[l] >= 0 { unblock(l, &calendar) }
        blockedOn[l] = Int32(n)
        waitNext[l] = -1; waitPrev[l] = waitTail[n]
        if waitTail[n] >= 0 { waitNext[Int(waitTail[n])] = Int32(l) } else { waitHead[n] = Int32(l) }
        waitTail[n] = Int32(l)
        stuckHandle[l] = calendar.schedule(at: SimTime(milliseconds: t + Int64((parameters.stuckTime * 1000).rounded())),
                                           handler: handlerBase + 2, agent: UInt32(l))
    }

    mutating func unblock(_ l: Int, _ calendar: inout EventCalendar) {
        let n = Int(blockedOn[l])
        let p = waitPrev[l], q = waitNext[l]
        if p >= 0 { waitNext[Int(p)] = q } else { waitHead[n] = q }
        if q >= 0 { waitPrev[Int(q)] = p } else { waitTail[n] = p }
        blockedOn[l] = -1
        calendar.cancel(stuckHandle[l])
        stuckHandle[l] = .invalid
    }

    /// A slot became free on link n: alternate between departure waiters and upstream waiters.
    mutating func spaceFreed(_ n: Int, _ t: Int64, _ calendar: inout EventCalendar) {
        let hasDep = depHead[n] >= 0, hasUp = waitHead[n] >= 0
        if hasDep && (!hasUp || !depServedLast[n]) {
            let v = Int(depHead[n])
            depHead[n] = vDepNext[v]
            if depHead[n] < 0 { depTail[n] = -1 }
            depServedLast[n] = true
            enter(v, n, t, &calendar)
        } else if hasUp {
            depServedLast[n] = false
            // Wake every waiter (at most the in-degree); the first in line tries first.
            var u = waitHead[n]
            while u >= 0 { scheduleExit(Int(u), t, &calendar); u = waitNext[Int(u)] }
        }
    }

    mutating func stuckTimeout(_ l: Int, _ t: Int64, _ calendar: inout EventCalendar) {
        guard blockedOn[l] >= 0 else { return }
        stuckHandle[l] = .invalid
        forced[l] = true
        scheduleExit(l, t, &calendar)
    }

    mutating func actuatedDecision(_ node: Int, _ t: Int64, _ calendar: inout EventCalendar) {
        guard sigKind[node] == 2 else { return }
        let phases = actPhaseCount[node]
        if actGreenFrom[node] == .max {
            // End of intergreen: next phase turns green; wake its approaches.
            actPhase[node] = (actPhase[node] + 1) % phases
            actGreenFrom[node] = t
            for k in Int(nInStart[node])..<Int(nInStart[node + 1]) {
                let l = Int(nInLinks[k])
                if linkPhase[l] == actPhase[node] && qCount[l] > 0 { scheduleExit(l, t, &calendar) }
            }
            calendar.schedule(at: SimTime(milliseconds: t + Int64(parameters.minGreen * 1000)), handler: handlerBase + 3, agent: UInt32(node))
            return
        }
        // In green: extend while a vehicle of this phase is waiting at the stop line.
        let elapsed = Double(t - actGreenFrom[node]) / 1000
        var queued = false
        for k in Int(nInStart[node])..<Int(nInStart[node + 1]) {
            let l = Int(nInLinks[k])
            if linkPhase[l] == actPhase[node] && qCount[l] > 0 {
                let v = Int(queue[Int(qStart[l] + qHead[l])])
                if vEarliestExit[v] <= t { queued = true; break }
            }
        }
        if queued && elapsed + 1e-9 < parameters.maxGreen {
            let step = min(parameters.extensionStep, parameters.maxGreen - elapsed)
            calendar.schedule(at: SimTime(milliseconds: t + max(1, Int64(step * 1000))), handler: handlerBase + 3, agent: UInt32(node))
        } else {
            actGreenFrom[node] = .max
            calendar.schedule(at: SimTime(milliseconds: t + max(1, Int64(parameters.intergreen * 1000))), handler: handlerBase + 3, agent: UInt32(node))
        }
    }

    // MARK: Outputs

    /// Fills per-link outputs for the interval since the previous snapshot and resets the
    /// interval counters: flow (veh/h exiting), mean speed (km/h of vehicles that exited; free
    /// speed × rain factor when none), occupancy (vehicles / storage), queue length (vehicles whose
    /// free-flow time has elapsed, i.e. waiting to exit). Buffers are resized to the link count. O(L + queued).
    public mutating func snapshot(now: SimTime, flow: inout [Double], meanSpeed: inout [Double],
                                  occupancy: inout [Double], queueLength: inout [Double]) {
        let m = network.linkCount
        if flow.count != m { flow = [Double](repeating: 0, count: m) }
        if meanSpeed.count != m { meanSpeed = [Double](repeating: 0, count: m) }
        if occupancy.count != m { occupancy = [Double](repeating: 0, count: m) }
        if queueLength.count != m { queueLength = [Double](repeating: 0, count: m) }
        let t = now.milliseconds
        let hours = Double(max(1, t - lastSnapshotMs)) / 3_600_000
        for l in 0..<m {
            let e = intervalExits[l]
            flow[l] = Double(e) / hours
            meanSpeed[l] = e > 0 ? intervalSpeedSum[l] / Double(e) : network.linkFreeSpeed[l] * speedFactor * 3.6
            occupancy[l] = Double(qCount[l]) / Double(storage[l])
            var q = 0
            var k = 0
            while k < Int(qCount[l]) {
                let v = Int(queue[Int(qStart[l]) + (Int(qHead[l]) + k) % Int(qCap[l])])
                if vEarliestExit[v] > t { break }
                q += 1; k += 1
            }
            queueLength[l] = Double(q)
            intervalExits[l] = 0; intervalSpeedSum[l] = 0
        }
        lastSnapshotMs = t
    }

    /// Vehicles currently on link l (including those waiting to exit).
    /// (0 for an index out of range, as for the other per-link accessors.)
    @inlinable public func vehiclesOnLink(_ l: Int) -> Int { l >= 0 && l < qCount.count ? Int(qCount[l]) : 0 }
    /// Storage capacity of link l in vehicles.
    @inlinable public func storageCapacity(_ l: Int) -> Int { l >= 0 && l < storage.count ? Int(storage[l]) : 0 }
    /// Maximum occupancy reached on link l so far.
    @inlinable public func maxOccupancy(_ l: Int) -> Double { l >= 0 && l < maxOccupancy.count ? maxOccupancy[l] : 0 }

    /// KPIs up to `now`. O(vehicles + L log L).
    public func kpis(now: SimTime) -> TrafficKPIs {
        var vh = 0.0, vkm = 0.0
        for v in 0..<vehicleCount where vPos[v] >= 0 {
            let end = vArrive[v] >= 0 ? vArrive[v] : now.milliseconds
            vh += Double(max(0, end - vDepart[v])) / 3_600_000
            vkm += vDistance[v] / 1000
        }
        let completed = vArrive.filter { $0 >= 0 }.count
        let top = (0..<network.linkCount).sorted { (-maxOccupancy[$0], $0) < (-maxOccupancy[$1], $1) }.prefix(5)
        return TrafficKPIs(trips: vehicleCount, departed: departedCount, completed: completed,
                           completedShare: vehicleCount > 0 ? Double(completed) / Double(vehicleCount) : 1,
                           vehicleHours: vh, vehicleKm: vkm,
                           meanDelay: arrivedCount > 0 ? delaySum / Double(arrivedCount) : 0,
                           stuckPushes: stuckPushes, unroutable: unroutable, evDepleted: evDepleted, rerouted: reroutedTrips,
                           topCongestedLinks: top.map { ($0, maxOccupancy[$0]) })
    }

    /// The trip table in input trip order. O(trips).
    public func tripTable() -> TripTable {
        let k = vehicleCount
        var tt = TripTable(origin: .init(repeating: 0, count: k), destination: .init(repeating: 0, count: k),
                           departure: .init(repeating: 0, count: k), arrival: .init(repeating: .nan, count: k),
                           distance: .init(repeating: 0, count: k), routeLinkCount: .init(repeating: 0, count: k),
                           delay: .init(repeating: .nan, count: k), isEV: .init(repeating: false, count: k),
                           finalSoC: .init(repeating: .nan, count: k))
        for v in 0..<k {
            let i = Int(vInput[v])
            tt.origin[i] = vOrigin[v]; tt.destination[i] = vDest[v]
            tt.departure[i] = Double(vDepart[v]) / 1000
            if vArrive[v] >= 0 {
                tt.arrival[i] = Double(vArrive[v]) / 1000
                tt.delay[i] = Double(vArrive[v] - vDepart[v] - vFreeFlowMs[v]) / 1000
            }
            tt.distance[i] = vDistance[v]
            tt.routeLinkCount[i] = vRouteEnd[v] - vRouteStart[v]
            tt.isEV[i] = vIsEV[v]
            tt.finalSoC[i] = vIsEV[v] ? vSoC[v] : .nan
        }
        return tt
    }

    /// Route links of input trip `trip` (empty if unroutable, o = d or out of range). O(route).
    public func routeLinks(ofTrip trip: Int) -> [Int32] {
        guard trip >= 0, trip < vehicleCount else { return [] }
        let v = Int(vOfInput[trip])
        return Array(routes[Int(vRouteStart[v])..<Int(vRouteEnd[v])])
    }

    /// Free-flow travel time of input trip `trip` in seconds (sum of ms-rounded link times).
    public func freeFlowTime(ofTrip trip: Int) -> Double? {
        guard trip >= 0, trip < vehicleCount else { return nil }
        return Double(vFreeFlowMs[Int(vOfInput[trip])]) / 1000
    }

    /// Live state of input trip `trip`: current link (−1 before departure or after arrival),
    /// arrived flag, distance so far (m) and state of charge (NaN for non-EVs). O(1).
    public func tripState(_ trip: Int) -> (link: Int, arrived: Bool, distance: Double, soc: Double)? {
        guard trip >= 0, trip < vehicleCount else { return nil }
        let v = Int(vOfInput[trip])
        let arrived = vArrive[v] >= 0
        let onRoad = vPos[v] >= 0 && !arrived && vPos[v] < vRouteEnd[v]
        return (onRoad ? Int(routes[Int(vPos[v])]) : -1, arrived, vDistance[v], vIsEV[v] ? vSoC[v] : .nan)
    }

    /// Network geometry arrays for the recorder.
    public var geometry: (nodeX: [Double], nodeY: [Double], nodeLon: [Double], nodeLat: [Double], linkFrom: [Int32], linkTo: [Int32]) {
        (network.nodeX, network.nodeY, network.nodeLon, network.nodeLat, network.linkFrom, network.linkTo)
    }

    /// True when every trip that can travel has arrived.
    public var allArrived: Bool { arrivedCount == travellerCount }
}


extension TrafficSystem {
    /// Runs this system alone on `calendar` until `until` (inclusive) or until every trip has
    /// arrived (tests, benchmarks and a traffic-only CLI run). Call `start(calendar:)` first.
    /// Returns the number of events handled.
    @discardableResult
    public mutating func run(calendar: inout EventCalendar, until: SimTime) -> Int {
        var n = 0
        while arrivedCount != travellerCount, let e = calendar.popNext(notAfter: until) {
            handle(e, calendar: &calendar)
            n += 1
        }
        return n
    }
}

// MARK: Run-time trips (robotaxis, charger visits)

extension TrafficSystem {
    /// Adds a trip while the simulation runs (a robotaxi leg, an EV going to a charger) and
    /// schedules its departure at `max(departure, calendar.now)`. It is routed now on the router's
    /// current costs (congested costs of the current epoch when re-routing is on, free-flow
    /// otherwise; one A* per OD pair and epoch, shared through the route cache) and then moves
    /// through the queue model like any other vehicle, so it adds to and suffers from congestion.
    /// Its arrival is appended to `arrivalLog` (as its returned trip index); `tag(ofTrip:)` maps it
    /// back to the caller's `tag`. Origin = destination arrives at the departure instant.
    /// Throws (one line naming the field) for nodes out of range, an unreachable destination,
    /// a departure that is not finite, or invalid EV values. Amortised O(route) plus one A* on a
    /// cache miss.
    /// - Returns: the trip index (input-trip numbering, ≥ `initialTripCount`).
    @discardableResult
    public mutating func addTrip(origin: Int, destination: Int, departure: SimTime,
                                 ev: (batteryKWh: Double, consumptionKWhPerKm: Double, soc: Double)?,
                                 tag: UInt32, calendar: inout EventCalendar) throws -> Int {
        let n = network.nodeCount
        guard origin >= 0, origin < n else { throw MobilityError("addTrip: origin \(origin) is not a node index in 0..<\(n)") }
        guard destination >= 0, destination < n else { throw MobilityError("addTrip: destination \(destination) is not a node index in 0..<\(n)") }
        guard departure.milliseconds >= 0, departure < .max else { throw MobilityError("addTrip: departure \(departure) must be a finite time ≥ 0") }
        if let ev {
            guard ev.batteryKWh > 0, ev.batteryKWh.isFinite, ev.consumptionKWhPerKm >= 0, ev.consumptionKWhPerKm.isFinite,
                  (0...1).contains(ev.soc) else {
                throw MobilityError("addTrip: ev needs batteryKWh > 0, consumptionKWhPerKm ≥ 0 and soc in 0...1")
            }
        }
        var rs = Int32(routes.count), re = rs, ff: Int64 = 0
        if origin != destination {
            let key = Int64(origin) * Int64(n) + Int64(destination)
            if let w = routeCache[key] {
                rs = vRouteStart[Int(w)]; re = vRouteEnd[Int(w)]; ff = vFreeFlowMs[Int(w)]
            } else {
                var path: [Int32] = []
                guard router.route(from: origin, to: destination, into: &path) != nil, !path.isEmpty else {
                    throw MobilityError("addTrip: destination node \(destination) is unreachable from origin node \(origin)")
                }
                routes.append(contentsOf: path); re = Int32(routes.count)
                for l in path { ff += freeFlowMs[Int(l)] }
                routeCache[key] = Int32(vOrigin.count) // the vehicle appended below holds this route
            }
        }
        let v = vOrigin.count
        let dep = max(departure.milliseconds, calendar.now.milliseconds)
        vOrigin.append(Int32(origin)); vDest.append(Int32(destination))
        vDepart.append(dep); vArrive.append(-1)
        vRouteStart.append(rs); vRouteEnd.append(re); vPos.append(-1)
        vEntry.append(0); vEarliestExit.append(0); vDistance.append(0); vFreeFlowMs.append(ff)
        vDepNext.append(-1)
        vIsEV.append(ev != nil); vBattery.append(ev?.batteryKWh ?? 0)
        vConsumption.append(ev?.consumptionKWhPerKm ?? 0); vSoC.append(ev?.soc ?? 0)
        vInput.append(Int32(v)); vOfInput.append(Int32(v))
        vEpoch.append(rerouteEpoch)
        runtimeTags.append(tag)
        if re > rs { travellerCount += 1 }
        calendar.schedule(at: SimTime(milliseconds: dep), handler: handlerBase, agent: UInt32(v))
        return v
    }

    /// The caller's tag of a run-time trip (nil for trips given to `init` or out of range). O(1).
    @inlinable public func tag(ofTrip trip: Int) -> UInt32? {
        let k = trip - initialTripCount
        return k >= 0 && k < runtimeTags.count ? runtimeTags[k] : nil
    }

    /// Arrival time of a trip (nil if not arrived or out of range). O(1).
    public func arrivalTime(ofTrip trip: Int) -> SimTime? {
        guard trip >= 0, trip < vehicleCount else { return nil }
        let a = vArrive[Int(vOfInput[trip])]
        return a >= 0 ? SimTime(milliseconds: a) : nil
    }

    /// Route length of a trip in metres (its stored route; distance driven once arrived). O(route).
    public func routeLength(ofTrip trip: Int) -> Double {
        guard trip >= 0, trip < vehicleCount else { return 0 }
        let v = Int(vOfInput[trip])
        var s = 0.0
        for k in Int(vRouteStart[v])..<Int(vRouteEnd[v]) { s += lLength[Int(routes[k])] }
        return s
    }

    /// Link costs (s) the router currently uses: free-flow, or the congested costs of the latest
    /// re-routing update. For congestion-aware dispatch estimates (`TravelTimeTable(network:costs:)`).
    public var currentLinkCosts: [Double] { router.cost }

    /// Travel-time estimate (s) between two nodes on the router's current costs (congested when
    /// re-routing is on): one A*, O((N + L) log N) worst case. nil if unreachable or out of range.
    /// For many queries per request use a `TravelTimeTable`.
    public mutating func travelTime(from origin: Int, to destination: Int) -> Double? {
        var path: [Int32] = []
        return router.route(from: origin, to: destination, into: &path)
    }
}
