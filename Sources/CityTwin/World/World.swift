import SimKernel
import Weather

/// Every system of the city and the single event handler that routes events to them.
///
/// Dispatch is a `switch` on the handler id (static, no existentials). Systems never call
/// each other; the coupling code here reads one system's published state and feeds another.
struct World: EventHandler {
    var weather: WeatherDriver
    let recorder: Recorder
    /// First error raised inside an event (e.g. an HDF5 write failure); stops the run.
    var failure: Error?

    var shouldStop: Bool { failure != nil }

    mutating func start(calendar: inout EventCalendar, duration: SimTime, snapshotInterval: SimTime,
                        weatherInterval: SimTime) {
        calendar.schedulePeriodic(start: .zero, every: weatherInterval, priority: EventPriority.weather,
                                  handler: HandlerID.weatherUpdate)
        calendar.schedulePeriodic(start: .zero, every: snapshotInterval, priority: EventPriority.snapshot,
                                  handler: HandlerID.snapshot)
        // The last row is always at the end time, even when the interval does not divide it.
        if duration.milliseconds % snapshotInterval.milliseconds != 0 {
            calendar.schedule(at: duration, priority: EventPriority.snapshot, handler: HandlerID.snapshot)
        }
    }

    mutating func handle(_ event: Event, calendar: inout EventCalendar) {
        switch event.handler {
        case HandlerID.weatherUpdate:
            weather.update(at: event.time)
        case HandlerID.snapshot:
            do { try recorder.snapshot(self, at: event.time) } catch { failure = failure ?? error }
        default:
            failure = failure ?? RunError.internalInconsistency("event with unknown handler id \(event.handler)")
        }
    }
}

/// Errors of a run that are not input errors.
public enum RunError: Error, CustomStringConvertible {
    case internalInconsistency(String)
    case output(String)

    public var description: String {
        switch self {
        case .internalInconsistency(let s): return "internal error: \(s)"
        case .output(let s): return "output: \(s)"
        }
    }
}
