/// A system that processes events. Conforming types are usually structs owning their agents'
/// state as struct-of-arrays; `event.handler` selects the method and `event.agent` the row.
///
/// The run loop is generic over the handler, so `handle` is dispatched statically (specialised
/// and inlinable), never through an existential.
public protocol EventHandler {
    /// Processes one event; may schedule, cancel or reschedule events on `calendar`.
    mutating func handle(_ event: Event, calendar: inout EventCalendar)

    /// Checked after every event; the run stops when it is true. The default is a constant
    /// `false` that the specialised loop compiles away.
    var shouldStop: Bool { get }
}

extension EventHandler {
    @inlinable
    public var shouldStop: Bool { false }
}

/// Why a run returned.
public enum StopReason: Sendable, Hashable {
    /// No event at or before `until` remained; `now == until` afterwards.
    case reachedUntil
    /// The handler's ``EventHandler/shouldStop`` became true.
    case handlerStopped
    /// The `while` condition became false.
    case conditionFailed
    /// `maxEvents` events were executed.
    case eventLimit
}

/// Summary of one run.
public struct RunStatistics: Sendable, Hashable {
    /// Events executed by this run.
    public var eventsExecuted: UInt64
    /// Calendar time when the run returned.
    public var finalTime: SimTime
    /// Wall-clock seconds spent in the run loop.
    public var wallSeconds: Double
    /// Why the run returned.
    public var stopReason: StopReason

    public init(eventsExecuted: UInt64, finalTime: SimTime, wallSeconds: Double, stopReason: StopReason) {
        self.eventsExecuted = eventsExecuted
        self.finalTime = finalTime
        self.wallSeconds = wallSeconds
        self.stopReason = stopReason
    }

    /// Events per wall-clock second (0 for an empty run).
    public var eventsPerSecond: Double { wallSeconds > 0 ? Double(eventsExecuted) / wallSeconds : 0 }
}

/// What a progress callback sees.
public struct RunProgress: Sendable, Hashable {
    /// Simulated time of the last executed event.
    public var simTime: SimTime
    /// Events executed so far in this run.
    public var eventsExecuted: UInt64
    /// Wall-clock seconds since the run started.
    public var wallSeconds: Double

    public init(simTime: SimTime, eventsExecuted: UInt64, wallSeconds: Double) {
        self.simTime = simTime
        self.eventsExecuted = eventsExecuted
        self.wallSeconds = wallSeconds
    }
}

/// Runs events in order until none is left at or before `until` (inclusive: events at exactly
/// `until` are executed), the handler asks to stop, `condition` fails, or `maxEvents` events ran.
///
/// - `condition` (optional) is evaluated every `checkEvery` events, between events, with the
///   handler and calendar; the run stops when it returns false. The closure is not called per
///   event unless `checkEvery == 1`.
/// - `progress` (optional) is called every `progressEvery` events (default 2^16). The loop runs
///   in chunks between these checkpoints, so an absent hook costs nothing per event.
/// - When the run stops because the calendar has nothing left up to `until`, the clock is
///   advanced to `until` (`now == until`); otherwise it stays at the last event's time.
///
/// Cost: one ``EventCalendar/popNext(notAfter:)`` plus one statically dispatched `handle` per event.
@inlinable
@discardableResult
public func runEvents<H: EventHandler>(
    _ handler: inout H,
    calendar: inout EventCalendar,
    until: SimTime,
    maxEvents: UInt64 = .max,
    checkEvery: UInt64 = 1,
    while condition: ((H, borrowing EventCalendar) -> Bool)? = nil,
    progressEvery: UInt64 = 1 << 16,
    progress: ((RunProgress) -> Void)? = nil
) -> RunStatistics {
    let clock = ContinuousClock()
    let start = clock.now
    var executed: UInt64 = 0
    var reason = StopReason.reachedUntil
    let checkStep = Swift.max(checkEvery, 1)
    let progressStep = Swift.max(progressEvery, 1)
    var nextCheck: UInt64 = condition == nil ? .max : 0
    var nextProgress: UInt64 = progress == nil ? .max : progressStep
    outer: while true {
        if executed >= nextCheck {
            if let condition, !condition(handler, calendar) { reason = .conditionFailed; break }
            nextCheck = executed &+ checkStep
        }
        if executed >= maxEvents { reason = .eventLimit; break }
        if executed >= nextProgress {
            if let progress {
                let elapsed = clock.now - start
                progress(RunProgress(simTime: calendar.now, eventsExecuted: executed, wallSeconds: seconds(elapsed)))
            }
            nextProgress = executed &+ progressStep
        }
        let chunkEnd = Swift.min(nextCheck, maxEvents, nextProgress)
        // Hot loop: no closure, no existential, no allocation.
        while executed < chunkEnd {
            guard let event = calendar.popNext(notAfter: until) else {
                calendar.advanceIdle(to: until)
                reason = .reachedUntil
                break outer
            }
            handler.handle(event, calendar: &calendar)
            executed &+= 1
            if handler.shouldStop { reason = .handlerStopped; break outer }
        }
    }
    let elapsed = clock.now - start
    return RunStatistics(eventsExecuted: executed, finalTime: calendar.now, wallSeconds: seconds(elapsed), stopReason: reason)
}

@usableFromInline
func seconds(_ d: Duration) -> Double {
    let c = d.components
    return Double(c.seconds) + Double(c.attoseconds) * 1e-18
}

/// A calendar and the handler that processes its events, run together.
///
/// `Handler` is usually the world: a struct that owns every system and switches on
/// `event.handler` to route to them.
///
/// Non-copyable, like its ``EventCalendar``.
public struct Simulation<Handler: EventHandler>: ~Copyable {
    /// Pending events and the clock.
    public var calendar: EventCalendar
    /// The system(s) that process events.
    public var handler: Handler

    public init(handler: Handler, calendar: consuming EventCalendar = EventCalendar()) {
        self.handler = handler
        self.calendar = calendar
    }

    /// Current simulated time.
    public var now: SimTime { calendar.now }

    /// Runs until `until` (inclusive), the handler's `shouldStop`, or `maxEvents`; see
    /// ``runEvents(_:calendar:until:maxEvents:checkEvery:while:progressEvery:progress:)``.
    @inlinable
    @discardableResult
    public mutating func run(until: SimTime, maxEvents: UInt64 = .max,
                             progressEvery: UInt64 = 1 << 16,
                             progress: ((RunProgress) -> Void)? = nil) -> RunStatistics {
        runEvents(&handler, calendar: &calendar, until: until, maxEvents: maxEvents,
                  progressEvery: progressEvery, progress: progress)
    }

    /// Runs while `condition(handler, calendar)` holds, checked before the first event and then
    /// every `checkEvery` events; otherwise like ``run(until:maxEvents:progressEvery:progress:)``.
    @inlinable
    @discardableResult
    public mutating func run(until: SimTime, checkEvery: UInt64 = 1, maxEvents: UInt64 = .max,
                             while condition: (Handler, borrowing EventCalendar) -> Bool,
                             progressEvery: UInt64 = 1 << 16,
                             progress: ((RunProgress) -> Void)? = nil) -> RunStatistics {
        withoutActuallyEscaping(condition) { cond in
            runEvents(&handler, calendar: &calendar, until: until, maxEvents: maxEvents,
                      checkEvery: checkEvery, while: cond, progressEvery: progressEvery, progress: progress)
        }
    }
}

extension Simulation: Sendable where Handler: Sendable {}
