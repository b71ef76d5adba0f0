import SimKernel

extension TrafficSystem {
    /// Headway that stands for a closed link (about 30 years): vehicles on it are held.
    static let closedHeadwayMs = 1e12

    /// Scales the flow capacity of link `l` by `factor` from now on (an intervention: lane
    /// closures, works, a full closure with `factor == 0`).
    ///
    /// A closed link holds the vehicles on it and, through spillback, those queued upstream until
    /// it reopens; with periodic re-routing on, departures avoid it from the first cost update at
    /// which vehicles are queued on it (its cost is the time to discharge them). Reopening or
    /// raising the capacity restarts the discharge schedule at the current time. O(1).
    public mutating func setCapacityFactor(link l: Int, factor: Double, calendar: inout EventCalendar) throws {
        guard l >= 0, l < network.linkCount else { throw MobilityError("capacity intervention: link \(l) outside 0..<\(network.linkCount)") }
        guard factor >= 0, factor.isFinite else { throw MobilityError("capacity intervention: factor must be finite and ≥ 0, got \(factor)") }
        let now = Double(calendar.now.milliseconds)
        let base = 3_600_000 / (network.linkCapacity[l] * parameters.flowCapacityFactor)
        if factor == 0 {
            headwayMs[l] = Self.closedHeadwayMs
            nextExitMs[l] = now + Self.closedHeadwayMs
        } else {
            headwayMs[l] = base / factor
            if nextExitMs[l] > now + headwayMs[l] { nextExitMs[l] = now }
            scheduleExit(l, calendar.now.milliseconds, &calendar)
        }
    }

    /// Whether link `l` is currently closed by an intervention.
    public func isClosed(link l: Int) -> Bool { l >= 0 && l < headwayMs.count && headwayMs[l] >= Self.closedHeadwayMs }
}
