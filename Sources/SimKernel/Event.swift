/// Identifies one scheduled event (or one periodic series) for ``EventCalendar/cancel(_:)`` and
/// ``EventCalendar/reschedule(_:to:)``.
///
/// A handle is a slot index plus a generation: once the event fires (or is cancelled) the slot's
/// generation moves on, so a stale handle is recognised and never touches a later event that
/// reuses the slot. (The generation is 32 bits: a handle kept across 2^32 reuses of one slot
/// could alias; no realistic run gets there.)
public struct EventHandle: Sendable, Hashable {
    /// Slot in the calendar's event table.
    public var slot: UInt32
    /// Generation of that slot when the event was scheduled.
    public var generation: UInt32

    @inlinable
    public init(slot: UInt32, generation: UInt32) {
        self.slot = slot
        self.generation = generation
    }

    /// A handle that never refers to a pending event (cancel returns false).
    public static let invalid = EventHandle(slot: .max, generation: .max)
}

/// A fired event as handed to an ``EventHandler``: a small value with no references.
///
/// Events are ordered by the total key (time, priority, sequence): earlier time first; at equal
/// time the *lower* priority value runs first; at equal (time, priority) the event scheduled
/// first runs first (FIFO). The sequence is implicit: the calendar keeps equal keys in
/// scheduling order, so it is not stored.
public struct Event: Sendable, Hashable {
    /// When the event fires.
    public var time: SimTime
    /// Tie-break among simultaneous events: lower runs first.
    public var priority: Int32
    /// Which system/handler method should process the event (meaning is the owner's).
    public var handler: UInt32
    /// Index of the agent in the owning system's struct-of-arrays state.
    public var agent: UInt32
    /// Handle of the event; for a periodic event the handle of the whole series, so a handler
    /// can stop the series from inside by cancelling it.
    public var handle: EventHandle

    @inlinable
    public init(time: SimTime, priority: Int32, handler: UInt32, agent: UInt32, handle: EventHandle) {
        self.time = time
        self.priority = priority
        self.handler = handler
        self.agent = agent
        self.handle = handle
    }
}
