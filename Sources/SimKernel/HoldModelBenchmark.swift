/// The classic hold model (Vaucher & Duval 1975), the standard event-list benchmark: `pending`
/// processes each repeatedly hold for an exponentially distributed time, so the calendar
/// always holds `pending` events and every event is one pop plus one schedule plus one draw.
///
/// Exposed for `citytwin bench kernel --pending N --events M` and for
/// Benchmarks/kernel/run.sh, which runs SimPy's version side by side.
public enum HoldModelBenchmark {
    /// Result of one measurement.
    public struct Result: Sendable, Hashable {
        public var pending: Int
        /// Events executed in the timed part.
        public var events: UInt64
        public var wallSeconds: Double
        public var eventsPerSecond: Double
        /// Simulated time at the end (a determinism check: same seed, same value).
        public var finalTime: SimTime
        /// Holds were re-scheduled with cancellable handles (``Holder/tracked``).
        public var tracked: Bool = false

        /// One JSON object on one line (for the CLI and the benchmark script).
        public var jsonLine: String {
            "{\"engine\": \"citytwin\", \"pending\": \(pending), \"events\": \(events), "
                + "\"wall_seconds\": \(wallSeconds), \"events_per_second\": \(eventsPerSecond), "
                + "\"final_time_ms\": \(finalTime.milliseconds), \"tracked\": \(tracked)}"
        }
    }

    /// The model's only handler: re-schedules the fired agent after an exponential hold.
    /// `tracked == false` (the default, like SimPy's timeouts, which cannot be cancelled either)
    /// uses ``EventCalendar/scheduleUntracked(after:priority:handler:agent:)``; `true` uses
    /// ``EventCalendar/schedule(after:priority:handler:agent:)`` and so pays for a handle.
    public struct Holder: EventHandler {
        public var rng: RandomStream
        public var meanMilliseconds: Double
        public var tracked: Bool

        public init(rng: RandomStream, meanMilliseconds: Double, tracked: Bool = false) {
            self.rng = rng
            self.meanMilliseconds = meanMilliseconds
            self.tracked = tracked
        }

        @inlinable @inline(__always)
        public mutating func handle(_ event: Event, calendar: inout EventCalendar) {
            let hold = SimTime(milliseconds: Int64(rng.exponential(mean: meanMilliseconds)))
            if tracked {
                calendar.schedule(after: hold, handler: 0, agent: event.agent)
            } else {
                calendar.scheduleUntracked(after: hold, handler: 0, agent: event.agent)
            }
        }
    }

    /// Builds `pending` processes, runs about one hold per process untimed (so the calendar is
    /// in its steady state, as in the SimPy script), then times `events` events.
    /// Negative arguments are treated as zero. `tracked`: see ``Holder``.
    public static func run(pending: Int, events: Int, meanHold: SimTime = .seconds(100), seed: UInt64 = 42,
                           tracked: Bool = false) -> Result {
        let n = Swift.max(pending, 0)
        var holder = Holder(rng: RandomStream(seed: seed, stream: .named("bench.hold")),
                            meanMilliseconds: Double(Swift.max(meanHold.milliseconds, 1)), tracked: tracked)
        var calendar = EventCalendar()
        for a in 0..<n {
            let hold = SimTime(milliseconds: Int64(holder.rng.exponential(mean: holder.meanMilliseconds)))
            if tracked {
                calendar.schedule(at: hold, handler: 0, agent: UInt32(truncatingIfNeeded: a))
            } else {
                calendar.scheduleUntracked(at: hold, handler: 0, agent: UInt32(truncatingIfNeeded: a))
            }
        }
        _ = runEvents(&holder, calendar: &calendar, until: .max, maxEvents: UInt64(n))
        let stats = runEvents(&holder, calendar: &calendar, until: .max, maxEvents: UInt64(Swift.max(events, 0)))
        return Result(pending: n, events: stats.eventsExecuted, wallSeconds: stats.wallSeconds,
                      eventsPerSecond: stats.eventsPerSecond, finalTime: stats.finalTime, tracked: tracked)
    }
}
