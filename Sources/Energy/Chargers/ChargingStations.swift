import SimKernel

/// Event-driven EV charging stations: plugs, FIFO queues, CC-CV charging curve, shared power
/// caps.
///
/// Model: an arriving vehicle takes a free plug or joins its station's FIFO queue, which it
/// leaves unserved after the station's maximum wait or at its own deadline. A plugged vehicle
/// draws `min(a, P·u(s))` (see `ChargeProfile`): `P` = min(plug, vehicle) power, `u(s)` the
/// station's CC-CV curve, `a` its share of the station cap. Sharing is max-min fair
/// ("water-filling"): at every re-evaluation each vehicle asks for its current curve power;
/// vehicles asking less than an equal share get what they ask, the rest split the remainder
/// equally. Shares are re-evaluated at every change of the station (arrival, plug-in,
/// departure, cap change) and at taper breakpoints: while the cap binds, as soon as a
/// tapering vehicle's power has fallen `reshareTolerance` (δ, default 5 %) below its
/// allocation, so at most δ of the cap goes unused (the falling power is not handed over
/// continuously, which would couple the vehicles' ODEs; the cap is never exceeded).
///
/// Between changes every vehicle follows the closed form of `ChargeProfile`, so its energy is
/// exact and its completion time is computed, rounded up to the millisecond and scheduled as
/// an event (rescheduled when its share changes) — no time stepping.
///
/// Event kinds: `handlerBase + 0` end of a plugged session (target reached or deadline;
/// agent = session slot), `handlerBase + 1` queue leave (maximum wait or deadline), `handlerBase
/// + 2` planned arrival (agent = index into the plans given to `schedule(arrivals:calendar:)`),
/// `handlerBase + 3` taper re-share of a cap-bound station (agent = station).
///
/// Stations are struct-of-arrays (index = configuration order); sessions live in recycled
/// slots, also struct-of-arrays.
public struct ChargingStations: EventHandler, Sendable {
    /// Number of handler ids this system uses from `handlerBase`.
    public static let handlerCount: UInt32 = 4
    public let handlerBase: UInt32
    @inlinable public var endHandler: UInt32 { handlerBase }
    @inlinable public var queueLeaveHandler: UInt32 { handlerBase + 1 }
    @inlinable public var plannedArrivalHandler: UInt32 { handlerBase + 2 }
    @inlinable public var reshareHandler: UInt32 { handlerBase + 3 }

    public let configuration: ChargingStationsConfiguration

    // Per station (index s).
    @usableFromInline var stBus: [Int32]
    @usableFromInline var stPlugs: [Int32]
    @usableFromInline var stPlugPower: [Double]
    @usableFromInline var stStaticCap: [Double]      // kW, +∞ if none
    @usableFromInline var stControllerCap: [Double]  // kW, +∞ if none
    @usableFromInline var stMaxWaitMs: [Int64]      // -1 if none
    @usableFromInline var stCurve: [ChargingCurve]
    @usableFromInline var stPlugStart: [Int]         // slots plugStart[s] ..< plugStart[s+1]
    @usableFromInline var plugSession: [Int32]       // session slot per plug, -1 free
    /// Plugged vehicles per station.
    public private(set) var pluggedCount: [Int32]
    @usableFromInline var queues: [[Int32]]          // FIFO of session slots, from queueHead[s]
    @usableFromInline var queueHead: [Int]
    @usableFromInline var stLast: [Int64]            // ms up to which energies are booked
    @usableFromInline var stEnergy: [Double]         // kWh booked
    @usableFromInline var stPlugMs: [Double]         // ∫ plugged count dt (plug·ms)
    @usableFromInline var stWaitSum: [Double]        // s
    @usableFromInline var stWaitMax: [Double]
    @usableFromInline var stWaitCount: [Int]
    @usableFromInline var stReshareEvent: [EventHandle]
    @usableFromInline var stReshareTime: [Int64]    // -1 if none

    // Per session slot (index i).
    @usableFromInline var sVehicle: [Int32] = []
    @usableFromInline var sStation: [Int32] = []
    @usableFromInline var sState: [UInt8] = []       // 0 free, 1 queued, 2 plugged
    @usableFromInline var sArrival: [Int64] = []
    @usableFromInline var sPlugIn: [Int64] = []
    @usableFromInline var sDeadline: [Int64] = []    // Int64.max if none
    @usableFromInline var sBattery: [Double] = []    // kWh, 0 = no SoC model
    @usableFromInline var sSoC0: [Double] = []       // SoC at arrival
    @usableFromInline var sTarget: [Double] = []     // kWh to deliver
    @usableFromInline var sLimit: [Double] = []      // kW
    @usableFromInline var sEnergy: [Double] = []     // kWh delivered up to stLast[station]
    @usableFromInline var sCeiling: [Double] = []    // kW allocated
    @usableFromInline var sDemand: [Double] = []     // scratch for the allocation
    @usableFromInline var sPrevCeiling: [Double] = [] // scratch: ceiling before re-evaluation
    @usableFromInline var sEvent: [EventHandle] = []
    @usableFromInline var sEventTime: [Int64] = []   // -1 if none
    @usableFromInline var sEndIsCompletion: [Bool] = []
    @usableFromInline var freeSlots: [Int32] = []

    @usableFromInline var plans: [ChargingArrivalPlan] = []
    @usableFromInline var stationOfNode: [Int: Int32] = [:]   // lookup only, never iterated
    @usableFromInline var startTime: Int64 = 0

    /// Append-only log of departures (completed, deadline, abandoned) in event order.
    public private(set) var departures: [ChargingDeparture] = []
    /// Queue waits (s) of vehicles that plugged in, in plug-in order, with their station.
    public private(set) var queueWaits: [Double] = []
    @usableFromInline var queueWaitStation: [Int32] = []
    /// Arrivals so far.
    public private(set) var arrivalCount = 0
    /// Events of this block that matched no pending action (0 unless the calendar delivered a
    /// cancelled or misplaced event; a kernel-consistency diagnostic).
    public private(set) var ignoredEventCount = 0
    /// Taper re-share events handled so far (diagnostics).
    public private(set) var reshareCount = 0
    /// Planned arrivals that could not be placed (station removed etc.); always 0 today because
    /// plans are validated when scheduled, kept so counts always add up.
    public private(set) var skippedPlannedArrivals = 0
    @usableFromInline var finishedEnergy = 0.0       // delivered by departed sessions
    @usableFromInline var finishedUnserved = 0.0

    /// Validates the stations. Throws `ChargingError` naming `stations[k].field`. O(stations + plugs).
    public init(configuration: ChargingStationsConfiguration, handlerBase: UInt32) throws(ChargingError) {
        let src = configuration.source
        guard configuration.busCount > 0 else {
            throw ChargingError(source: src, field: "busCount", expected: "an integer > 0, got \(configuration.busCount)")
        }
        guard configuration.reshareTolerance.isFinite, configuration.reshareTolerance >= 0,
              configuration.reshareTolerance < 1 else {
            throw ChargingError(source: src, field: "reshareTolerance",
                                expected: "a fraction in [0, 1), got \(configuration.reshareTolerance)")
        }
        let n = configuration.stations.count
        guard n < Int(Int32.max) else {
            throw ChargingError(source: src, field: "stations", expected: "fewer than 2^31 stations")
        }
        self.configuration = configuration
        self.handlerBase = handlerBase
        stBus = []; stPlugs = []; stPlugPower = []; stStaticCap = []; stMaxWaitMs = []; stCurve = []
        stPlugStart = [0]
        for (k, st) in configuration.stations.enumerated() {
            let f = "stations[\(k)]"
            guard st.bus >= 0, st.bus < configuration.busCount else {
                throw ChargingError(source: src, field: f + ".bus",
                                    expected: "a bus index in 0..<\(configuration.busCount), got \(st.bus)")
            }
            guard st.node >= 0 else {
                throw ChargingError(source: src, field: f + ".node", expected: "a road node index >= 0, got \(st.node)")
            }
            guard st.plugs >= 1, st.plugs <= 100_000 else {
                throw ChargingError(source: src, field: f + ".plugs", expected: "an integer in 1...100000, got \(st.plugs)")
            }
            guard st.plugPowerKW.isFinite, st.plugPowerKW > 0 else {
                throw ChargingError(source: src, field: f + ".plugPowerKW", expected: "a finite number > 0, got \(st.plugPowerKW)")
            }
            if let c = st.powerCapKW, !(c.isFinite && c >= 0) {
                throw ChargingError(source: src, field: f + ".powerCapKW", expected: "a finite number >= 0, got \(c)")
            }
            if let w = st.maxWaitSeconds, !(w.isFinite && w >= 0) {
                throw ChargingError(source: src, field: f + ".maxWaitSeconds", expected: "a finite number >= 0, got \(w)")
            }
            try st.curve.validate(source: src, field: f + ".curve")
            stBus.append(Int32(st.bus))
            stPlugs.append(Int32(st.plugs))
            stPlugPower.append(st.plugPowerKW)
            stStaticCap.append(st.powerCapKW ?? .infinity)
            stMaxWaitMs.append(st.maxWaitSeconds.map { SimTime.seconds($0).milliseconds } ?? -1)
            stCurve.append(st.curve)
            stPlugStart.append(stPlugStart[k] + st.plugs)
        }
        for (k, st) in configuration.stations.enumerated() where stationOfNode[st.node] == nil {
            stationOfNode[st.node] = Int32(k)
        }
        stControllerCap = Array(repeating: .infinity, count: n)
        plugSession = Array(repeating: -1, count: stPlugStart[n])
        pluggedCount = Array(repeating: 0, count: n)
        queues = Array(repeating: [], count: n)
        queueHead = Array(repeating: 0, count: n)
        stLast = Array(repeating: 0, count: n)
        stEnergy = Array(repeating: 0, count: n)
        stPlugMs = Array(repeating: 0, count: n)
        stWaitSum = Array(repeating: 0, count: n)
        stWaitMax = Array(repeating: 0, count: n)
        stWaitCount = Array(repeating: 0, count: n)
        stReshareEvent = Array(repeating: .invalid, count: n)
        stReshareTime = Array(repeating: -1, count: n)
    }

    // MARK: Shape

    /// Number of stations.
    @inlinable public var count: Int { stBus.count }

    // MARK: Event-system entry points

    /// Starts the energy and utilisation integrals at `calendar.now`. O(stations).
    public mutating func start(calendar: inout EventCalendar) {
        let now = calendar.now.milliseconds
        startTime = now
        for s in 0..<count { stLast[s] = now }
    }

    /// Handles an event of this system's handler block; others are ignored.
    public mutating func handle(_ event: Event, calendar: inout EventCalendar) {
        let now = event.time.milliseconds
        let i = Int(event.agent)
        if event.handler == endHandler {
            guard i < sState.count, sState[i] == 2, sEventTime[i] == now else { ignoredEventCount += 1; return }
            endSession(i, now: now, calendar: &calendar)
        } else if event.handler == queueLeaveHandler {
            guard i < sState.count, sState[i] == 1, sEventTime[i] == now else { ignoredEventCount += 1; return }
            leaveQueue(i, now: now)
        } else if event.handler == reshareHandler {
            guard i < count, stReshareTime[i] == now else { ignoredEventCount += 1; return }
            stReshareTime[i] = -1
            stReshareEvent[i] = .invalid
            reshareCount += 1
            advanceStation(i, to: now)
            reallocate(i, now: now, calendar: &calendar)
        } else if event.handler == plannedArrivalHandler {
            guard i < plans.count else { return }
            let p = plans[i]
            do {
                try arrive(vehicle: p.vehicle, station: p.station, demand: p.demand, maxPowerKW: p.maxPowerKW,
                           deadline: p.deadline, at: event.time, calendar: &calendar)
            } catch {
                skippedPlannedArrivals += 1
            }
        }
    }

    /// A vehicle arrives at `station` at `time` (normally `calendar.now`): it plugs in if a plug
    /// is free, else joins the FIFO queue. `maxPowerKW` nil = the plug's power; `deadline` (≥
    /// `time`) makes it leave then, charged or not. Its end is reported in `departures`.
    /// Throws `ChargingError` for an invalid station, demand (e.g. target SoC above 1) or power.
    /// O(plugs of the station) for the share re-evaluation.
    @discardableResult
    public mutating func arrive(vehicle: Int32, station: Int, demand: ChargeDemand, maxPowerKW: Double? = nil,
                                deadline: SimTime? = nil, at time: SimTime,
                                calendar: inout EventCalendar) throws(ChargingError) -> ChargingArrivalOutcome {
        let d = try validate(vehicle: vehicle, station: station, demand: demand, maxPowerKW: maxPowerKW,
                             deadline: deadline, at: time)
        let now = time.milliseconds
        let s = station
        arrivalCount += 1
        let i = allocateSlot()
        sVehicle[i] = vehicle
        sStation[i] = Int32(s)
        sArrival[i] = now
        sPlugIn[i] = -1
        sDeadline[i] = deadline?.milliseconds ?? .max
        sBattery[i] = d.battery
        sSoC0[i] = d.soc
        sTarget[i] = d.energy
        sLimit[i] = min(stPlugPower[s], maxPowerKW ?? .infinity)
        sEnergy[i] = 0
        sCeiling[i] = 0
        sEventTime[i] = -1
        sEvent[i] = .invalid
        advanceStation(s, to: now)
        if let slot = freePlug(s) {
            plug(i, slot: slot, now: now)
            reallocate(s, now: now, calendar: &calendar)
            return .plugged
        }
        sState[i] = 1
        queues[s].append(Int32(i))
        var leave = sDeadline[i]
        if stMaxWaitMs[s] >= 0 { leave = min(leave, now + stMaxWaitMs[s]) }
        if leave != .max {
            sEventTime[i] = leave
            sEvent[i] = calendar.schedule(at: SimTime(milliseconds: leave), handler: queueLeaveHandler, agent: UInt32(i))
        }
        return .queued
    }

    /// Schedules future arrivals (each at its `time` ≥ `calendar.now`) as events of this
    /// system. All plans are validated first; on error nothing is scheduled. O(n).
    public mutating func schedule(arrivals: [ChargingArrivalPlan], calendar: inout EventCalendar) throws(ChargingError) {
        let now = calendar.now
        for (k, p) in arrivals.enumerated() {
            guard p.time >= now else {
                throw ChargingError(source: configuration.source, field: "arrivals[\(k)].time",
                                    expected: "a time at or after now (\(now)), got \(p.time)")
            }
            _ = try validate(vehicle: p.vehicle, station: p.station, demand: p.demand, maxPowerKW: p.maxPowerKW,
                             deadline: p.deadline, at: p.time)
        }
        let base = plans.count
        guard base + arrivals.count < Int(UInt32.max) else {
            throw ChargingError(source: configuration.source, field: "arrivals", expected: "fewer than 2^32 planned arrivals")
        }
        plans.append(contentsOf: arrivals)
        for (k, p) in arrivals.enumerated() {
            calendar.scheduleUntracked(at: p.time, handler: plannedArrivalHandler, agent: UInt32(base + k))
        }
    }

    /// Sets the controller cap of `station` (kW ≥ 0; nil removes it) at `time` (normally
    /// `calendar.now`). The effective cap is min(static cap, controller cap). Shares and
    /// completion events are re-evaluated. Invalid stations or values are ignored. O(plugs).
    public mutating func setCap(station: Int, kW: Double?, at time: SimTime, calendar: inout EventCalendar) {
        guard station >= 0, station < count else { return }
        let cap: Double
        if let kW { guard kW.isFinite, kW >= 0 else { return }; cap = kW } else { cap = .infinity }
        if cap == stControllerCap[station] { return }
        let now = time.milliseconds
        advanceStation(station, to: now)
        stControllerCap[station] = cap
        reallocate(station, now: now, calendar: &calendar)
    }

    // MARK: Read-only accessors (recorder, coupling, KPIs)

    /// The first station (configuration order) at road node `node`, nil if none. O(1).
    public func station(atNode node: Int) -> Int? { stationOfNode[node].map { Int($0) } }

    /// Grid bus of station `s`.
    @inlinable public func bus(_ s: Int) -> Int { Int(stBus[s]) }
    /// Vehicles queued at station `s`. O(1).
    @inlinable public func queuedCount(_ s: Int) -> Int { queues[s].count - queueHead[s] }
    /// Effective cap of station `s` (kW): min(static, controller, plugs × plug power). O(1).
    @inlinable public func capKW(_ s: Int) -> Double {
        min(stStaticCap[s], stControllerCap[s], Double(stPlugs[s]) * stPlugPower[s])
    }
    /// Controller cap of station `s` (kW), nil if none.
    public func controllerCapKW(_ s: Int) -> Double? {
        stControllerCap[s].isFinite ? stControllerCap[s] : nil
    }
    /// Rated power of station `s` (kW): plugs × plug power, limited by the static cap.
    public func ratedPowerKW(_ s: Int) -> Double { min(stStaticCap[s], Double(stPlugs[s]) * stPlugPower[s]) }

    /// Power drawn by station `s` at `time` (kW), `time` between its last change and the next
    /// event (closed form). O(plugs).
    public func powerKW(station s: Int, at time: SimTime) -> Double {
        guard s >= 0, s < count else { return 0 }
        let dtH = Double(max(0, time.milliseconds - stLast[s])) / 3.6e6
        var p = 0.0
        for slot in stPlugStart[s]..<stPlugStart[s + 1] {
            let i = Int(plugSession[slot])
            if i >= 0 { p += sessionPower(i, afterHours: dtH) }
        }
        return p
    }

    /// Energy delivered by station `s` from the start to `time` (kWh), exact. O(plugs).
    public func energyKWh(station s: Int, at time: SimTime) -> Double {
        guard s >= 0, s < count else { return 0 }
        let dtH = Double(max(0, time.milliseconds - stLast[s])) / 3.6e6
        var e = stEnergy[s]
        for slot in stPlugStart[s]..<stPlugStart[s + 1] {
            let i = Int(plugSession[slot])
            if i >= 0 { e += sessionEnergyGain(i, afterHours: dtH) }
        }
        return e
    }

    /// Queue waits of vehicles that plugged in at station `s`. O(1).
    public func queueWaitStats(station s: Int) -> QueueWaitStats {
        guard s >= 0, s < count, stWaitCount[s] > 0 else { return QueueWaitStats() }
        return QueueWaitStats(count: stWaitCount[s], meanSeconds: stWaitSum[s] / Double(stWaitCount[s]),
                              maxSeconds: stWaitMax[s])
    }

    /// Plug-hours used / plug-hours available at station `s` over [start, time]. O(1).
    public func utilisation(station s: Int, at time: SimTime) -> Double {
        guard s >= 0, s < count else { return 0 }
        let now = time.milliseconds
        let span = Double(now - startTime) * Double(stPlugs[s])
        guard span > 0 else { return 0 }
        return (stPlugMs[s] + Double(pluggedCount[s]) * Double(max(0, now - stLast[s]))) / span
    }

    /// Adds up station power per bus (W) at `time` into `buffer`, resized to `busCount`. O(plugs).
    public func busLoads(at time: SimTime, into buffer: inout [Double]) {
        if buffer.count != configuration.busCount {
            buffer = Array(repeating: 0, count: configuration.busCount)
        } else {
            for k in buffer.indices { buffer[k] = 0 }
        }
        for s in 0..<count { buffer[Int(stBus[s])] += 1000 * powerKW(station: s, at: time) }
    }

    /// Per-station snapshot for the recorder at `time`: plugged and queued counts, power (kW),
    /// energy (kWh) and effective cap (kW); each buffer resized to `count`. O(plugs).
    public func snapshot(at time: SimTime, plugged: inout [Double], queued: inout [Double], powerKW: inout [Double],
                         energyKWh: inout [Double], capKW: inout [Double]) {
        let n = count
        if plugged.count != n { plugged = Array(repeating: 0, count: n) }
        if queued.count != n { queued = Array(repeating: 0, count: n) }
        if powerKW.count != n { powerKW = Array(repeating: 0, count: n) }
        if energyKWh.count != n { energyKWh = Array(repeating: 0, count: n) }
        if capKW.count != n { capKW = Array(repeating: 0, count: n) }
        for s in 0..<n {
            plugged[s] = Double(pluggedCount[s])
            queued[s] = Double(queuedCount(s))
            powerKW[s] = self.powerKW(station: s, at: time)
            energyKWh[s] = self.energyKWh(station: s, at: time)
            capKW[s] = self.capKW(s)
        }
    }

    /// Total energy delivered by all stations up to `time` (kWh). O(plugs).
    public func totalEnergyKWh(at time: SimTime) -> Double {
        var e = 0.0
        for s in 0..<count { e += energyKWh(station: s, at: time) }
        return e
    }

    /// KPIs at `time`. O(plugs + n log n) for the wait percentile.
    public func kpis(at time: SimTime) -> ChargingKPIs {
        var k = ChargingKPIs()
        k.arrivals = arrivalCount
        for d in departures {
            switch d.reason {
            case .completed: k.completed += 1
            case .deadline: k.deadlineDepartures += 1
            case .abandoned: k.abandoned += 1
            }
        }
        var plugMs = 0.0, avail = 0.0
        let now = time.milliseconds
        for s in 0..<count {
            k.plugged += Int(pluggedCount[s])
            k.queued += queuedCount(s)
            plugMs += stPlugMs[s] + Double(pluggedCount[s]) * Double(max(0, now - stLast[s]))
            avail += Double(stPlugs[s]) * Double(max(0, now - startTime))
        }
        k.utilisation = avail > 0 ? plugMs / avail : 0
        k.energyDeliveredKWh = totalEnergyKWh(at: time)
        k.unservedEnergyKWh = finishedUnserved
        if !queueWaits.isEmpty {
            k.meanQueueWaitSeconds = queueWaits.reduce(0, +) / Double(queueWaits.count)
            let sorted = queueWaits.sorted()
            let rank = Int((0.95 * Double(sorted.count)).rounded(.up))
            k.p95QueueWaitSeconds = sorted[max(0, min(sorted.count - 1, rank - 1))]
        }
        return k
    }

    // MARK: Internals

    struct ValidDemand { var energy: Double; var battery: Double; var soc: Double }

    func validate(vehicle: Int32, station: Int, demand: ChargeDemand, maxPowerKW: Double?, deadline: SimTime?,
                  at time: SimTime) throws(ChargingError) -> ValidDemand {
        let src = configuration.source
        // Field names are built only on the error path (no string work per arrival).
        func f() -> String { "arrival(vehicle \(vehicle))" }
        guard station >= 0, station < count else {
            throw ChargingError(source: src, field: f() + ".station", expected: "a station index in 0..<\(count), got \(station)")
        }
        if let p = maxPowerKW, !(p.isFinite && p > 0) {
            throw ChargingError(source: src, field: f() + ".maxPowerKW", expected: "a finite number > 0, got \(p)")
        }
        if let dl = deadline, dl < time {
            throw ChargingError(source: src, field: f() + ".deadline", expected: "a time at or after the arrival \(time), got \(dl)")
        }
        switch demand {
        case let .energy(kWh):
            guard kWh.isFinite, kWh >= 0 else {
                throw ChargingError(source: src, field: f() + ".energyKWh", expected: "a finite number >= 0, got \(kWh)")
            }
            return ValidDemand(energy: kWh, battery: 0, soc: 0)
        case let .stateOfCharge(b, cur, target):
            guard b.isFinite, b > 0 else {
                throw ChargingError(source: src, field: f() + ".batteryKWh", expected: "a finite number > 0, got \(b)")
            }
            guard cur.isFinite, (0...1).contains(cur) else {
                throw ChargingError(source: src, field: f() + ".currentSoC", expected: "a fraction in [0, 1], got \(cur)")
            }
            guard target.isFinite, (0...1).contains(target) else {
                throw ChargingError(source: src, field: f() + ".targetSoC", expected: "a fraction in [0, 1], got \(target)")
            }
            return ValidDemand(energy: max(0, target - cur) * b, battery: b, soc: cur)
        }
    }

    mutating func allocateSlot() -> Int {
        if let i = freeSlots.popLast() { return Int(i) }
        sVehicle.append(0); sStation.append(0); sState.append(0); sArrival.append(0); sPlugIn.append(-1)
        sDeadline.append(.max); sBattery.append(0); sSoC0.append(0); sTarget.append(0); sLimit.append(0)
        sEnergy.append(0); sCeiling.append(0); sDemand.append(0); sPrevCeiling.append(-1); sEvent.append(.invalid); sEventTime.append(-1)
        sEndIsCompletion.append(false)
        return sState.count - 1
    }

    @inlinable func freePlug(_ s: Int) -> Int? {
        for slot in stPlugStart[s]..<stPlugStart[s + 1] where plugSession[slot] < 0 { return slot }
        return nil
    }

    /// The profile of plugged session i from its booked state under its current ceiling.
    @inlinable func profile(_ i: Int) -> ChargeProfile {
        let b = sBattery[i]
        let soc = b > 0 ? sSoC0[i] + sEnergy[i] / b : 0
        return ChargeProfile(limit: sLimit[i], ceiling: sCeiling[i], battery: b, soc: soc,
                             curve: stCurve[Int(sStation[i])])
    }

    /// Energy gained by session i after `h` hours from its station's last change, capped at its target.
    @inlinable func sessionEnergyGain(_ i: Int, afterHours h: Double) -> Double {
        min(profile(i).energy(afterHours: h), max(0, sTarget[i] - sEnergy[i]))
    }

    @inlinable func sessionPower(_ i: Int, afterHours h: Double) -> Double {
        // Zero once the target is reached (between the exact completion and its ms-rounded event).
        if sEnergy[i] + profile(i).energy(afterHours: h) >= sTarget[i] { return 0 }
        return profile(i).power(afterHours: h)
    }

    /// Books energy and plug time of station s up to `now`.
    @usableFromInline mutating func advanceStation(_ s: Int, to now: Int64) {
        let dt = now - stLast[s]
        guard dt > 0 else { return }
        let h = Double(dt) / 3.6e6
        for slot in stPlugStart[s]..<stPlugStart[s + 1] {
            let i = Int(plugSession[slot])
            guard i >= 0 else { continue }
            let g = sessionEnergyGain(i, afterHours: h)
            sEnergy[i] += g
            stEnergy[s] += g
        }
        stPlugMs[s] += Double(pluggedCount[s]) * Double(dt)
        stLast[s] = now
    }

    mutating func plug(_ i: Int, slot: Int, now: Int64) {
        let s = Int(sStation[i])
        plugSession[slot] = Int32(i)
        pluggedCount[s] += 1
        sState[i] = 2
        sPlugIn[i] = now
        let w = Double(now - sArrival[i]) / 1000
        queueWaits.append(w)
        queueWaitStation.append(Int32(s))
        stWaitSum[s] += w
        stWaitMax[s] = max(stWaitMax[s], w)
        stWaitCount[s] += 1
    }

    /// Recomputes the shares of station s (state booked at `now`) and reschedules end events.
    @usableFromInline mutating func reallocate(_ s: Int, now: Int64, calendar: inout EventCalendar) {
        let range = stPlugStart[s]..<stPlugStart[s + 1]
        let cap = capKW(s)
        var open = 0
        for slot in range {
            let i = Int(plugSession[slot])
            guard i >= 0 else { continue }
            let b = sBattery[i]
            let u = b > 0 ? stCurve[s].powerFraction(atSoC: sSoC0[i] + sEnergy[i] / b) : 1
            sDemand[i] = sEnergy[i] >= sTarget[i] ? 0 : sLimit[i] * max(0, u)
            sPrevCeiling[i] = sEventTime[i] >= 0 ? sCeiling[i] : -1
            sCeiling[i] = -1
            open += 1
        }
        // Max-min fair water-filling: O(n²) worst case, n = plugged vehicles of the station.
        var remaining = cap
        var capBound = false
        while open > 0 {
            let level = max(0, remaining) / Double(open)
            var fixed = 0
            for slot in range {
                let i = Int(plugSession[slot])
                guard i >= 0, sCeiling[i] < 0, sDemand[i] <= level else { continue }
                sCeiling[i] = sDemand[i]
                remaining -= sDemand[i]
                open -= 1
                fixed += 1
            }
            if fixed == 0 {
                for slot in range {
                    let i = Int(plugSession[slot])
                    if i >= 0, sCeiling[i] < 0 { sCeiling[i] = level }
                }
                capBound = true
                open = 0
            }
        }
        var reshare = Int64.max
        let tol = configuration.reshareTolerance
        for slot in range {
            let i = Int(plugSession[slot])
            guard i >= 0 else { continue }
            // Same ceiling ⇒ same closed-form trajectory ⇒ same end: keep the pending event
            // (recomputing from the booked state could move it by a rounding millisecond).
            if sCeiling[i] != sPrevCeiling[i] { scheduleEnd(i, now: now, calendar: &calendar) }
            // Taper breakpoint: when some vehicle is held below its demand by the cap, re-share
            // once another's tapering power has fallen `tol` below its allocation.
            if capBound, tol > 0, sEventTime[i] >= 0 {
                let h = profile(i).hours(untilPowerFraction: 1 - tol)
                if h.isFinite, h * 3.6e6 < 9e15 {
                    let t = now + max(1, Int64((h * 3.6e6).rounded(.up)))
                    if t < sEventTime[i] { reshare = min(reshare, t) }
                }
            }
        }
        if reshare != stReshareTime[s] {
            if stReshareTime[s] >= 0 { calendar.cancel(stReshareEvent[s]) }
            stReshareTime[s] = reshare == .max ? -1 : reshare
            stReshareEvent[s] = reshare == .max ? .invalid
                : calendar.schedule(at: SimTime(milliseconds: reshare), handler: reshareHandler, agent: UInt32(s))
        }
    }

    mutating func scheduleEnd(_ i: Int, now: Int64, calendar: inout EventCalendar) {
        let need = sTarget[i] - sEnergy[i]
        var done = Int64.max
        if need <= 0 {
            done = now
        } else {
            let ms = profile(i).hours(toDeliver: need) * 3.6e6
            if ms.isFinite, ms < 9e15 { done = now + max(0, Int64(ms.rounded(.up))) }
        }
        let end = min(done, sDeadline[i])
        sEndIsCompletion[i] = done <= sDeadline[i]
        if end == sEventTime[i] { return }
        if sEventTime[i] >= 0 { calendar.cancel(sEvent[i]) }
        sEventTime[i] = end == .max ? -1 : end
        sEvent[i] = end == .max ? .invalid
            : calendar.schedule(at: SimTime(milliseconds: end), handler: endHandler, agent: UInt32(i))
    }

    mutating func endSession(_ i: Int, now: Int64, calendar: inout EventCalendar) {
        let s = Int(sStation[i])
        advanceStation(s, to: now)
        if sEndIsCompletion[i] {
            // The event time is the closed-form completion rounded up: book the exact target.
            let fix = sTarget[i] - sEnergy[i]
            sEnergy[i] += fix
            stEnergy[s] += fix
        }
        let reached = sEndIsCompletion[i]
        departures.append(ChargingDeparture(
            vehicle: sVehicle[i], station: Int32(s), arrival: SimTime(milliseconds: sArrival[i]),
            pluggedIn: SimTime(milliseconds: sPlugIn[i]), time: SimTime(milliseconds: now),
            energyKWh: sEnergy[i], requestedKWh: sTarget[i], reason: reached ? .completed : .deadline,
            finalSoC: sBattery[i] > 0 ? min(1, sSoC0[i] + sEnergy[i] / sBattery[i]) : nil))
        finishedEnergy += sEnergy[i]
        finishedUnserved += max(0, sTarget[i] - sEnergy[i])
        for slot in stPlugStart[s]..<stPlugStart[s + 1] where plugSession[slot] == Int32(i) {
            plugSession[slot] = -1
            break
        }
        pluggedCount[s] -= 1
        release(i)
        // FIFO: the head of the queue takes the freed plug.
        while queuedCount(s) > 0, let slot = freePlug(s) {
            let j = Int(queues[s][queueHead[s]])
            queueHead[s] += 1
            if sEventTime[j] >= 0 { calendar.cancel(sEvent[j]) }
            sEventTime[j] = -1
            sEvent[j] = .invalid
            plug(j, slot: slot, now: now)
        }
        compactQueue(s)
        reallocate(s, now: now, calendar: &calendar)
    }

    mutating func leaveQueue(_ i: Int, now: Int64) {
        let s = Int(sStation[i])
        if let k = queues[s][queueHead[s]...].firstIndex(of: Int32(i)) { queues[s].remove(at: k) }
        compactQueue(s)
        departures.append(ChargingDeparture(
            vehicle: sVehicle[i], station: Int32(s), arrival: SimTime(milliseconds: sArrival[i]), pluggedIn: nil,
            time: SimTime(milliseconds: now), energyKWh: 0, requestedKWh: sTarget[i], reason: .abandoned,
            finalSoC: sBattery[i] > 0 ? sSoC0[i] : nil))
        finishedUnserved += sTarget[i]
        release(i)
    }

    mutating func compactQueue(_ s: Int) {
        let h = queueHead[s]
        if h > 0, h * 2 >= queues[s].count {
            queues[s].removeFirst(h)
            queueHead[s] = 0
        }
    }

    mutating func release(_ i: Int) {
        sState[i] = 0
        sEventTime[i] = -1
        sEvent[i] = .invalid
        freeSlots.append(Int32(i))
    }
}
