/// The future event list: a monotone radix queue ("hierarchical timing wheel") over integer
/// millisecond times, with every bucket a FIFO linked list through one entry pool.
///
/// Structure (see docs/kernel.md): level 0 has 4,096 one-millisecond buckets for the cursor's
/// 4,096-ms block; level 1 has 4,096 buckets of 4,096 ms for its 2^24-ms (4.7-hour) block; five
/// upper levels of 256 buckets take one 8-bit digit each of the rest of the 64-bit time. An
/// event goes to the lowest level whose block contains both it and the cursor. Two-level
/// bitmaps find the next non-empty bucket with two `tzcnt`s. When level 0 runs dry, the first
/// non-empty level-1 bucket is relinked into level 0 (the upper levels, rarely used, spill the
/// same way). An event with a hold under 4.7 hours is therefore linked at most twice; schedule
/// is O(1), pop is amortised O(1); nothing is compared, copied or allocated in steady state,
/// and the bitmap updates are branch-free, because whether a bitmap word was empty is
/// data-dependent and a mispredicted branch there cost more than the rest of the event.
///
/// Equal times always land in the same list, in scheduling order (level-1 lists in reverse,
/// undone when they spill), which makes the order FIFO without a stored sequence number.
/// Priorities: when any event has a non-zero priority, the bucket of the current millisecond
/// is stably sorted by priority when it is opened and later insertions into it go to their
/// sorted place.
///
/// Cancellation is lazy: a cancelled entry stays in its list as a tombstone (its slot
/// generation no longer matches) and is dropped when it is spilled or reached. Tombstones are
/// purged in one O(n) sweep when they outnumber live events, and the entry pool is compacted
/// when a drained burst left it more than 8 times larger than needed, so memory stays bounded
/// in long runs.
///
/// `EventCalendar` is non-copyable: a run has exactly one calendar, passed `inout` to the
/// handlers, and a copy is made only on purpose, with ``clone()``. (A copy-on-write value
/// would have to test its buffer for uniqueness on every schedule and every pop, which cost
/// 9 % of the hold model's event rate; see docs/kernel.md.)
public struct EventCalendar: ~Copyable, Sendable {
    @usableFromInline
    var storage: CalendarStorage

    /// An empty calendar at time zero.
    public init() { storage = CalendarStorage() }

    private init(storage: CalendarStorage) { self.storage = storage }

    /// An independent calendar with the same clock, pending events and handles: the two then
    /// evolve separately (a handle issued before the copy works in both). O(stored entries +
    /// slots + buckets).
    public func clone() -> EventCalendar { EventCalendar(storage: storage.copy()) }

    /// Time of the event being (or last) executed; never decreases.
    @inlinable
    public var now: SimTime { SimTime(milliseconds: storage.now) }

    /// Events scheduled and not yet fired or cancelled (a periodic series counts once).
    @inlinable
    public var pendingCount: Int { storage.live }

    /// Total number of events fired by ``popNext()`` so far (a periodic series counts each firing).
    @inlinable
    public var firedCount: UInt64 { storage.fired }

    /// Schedules an event at absolute time `time` (must be >= `now`: scheduling in the past is a
    /// programming error, checked by a precondition; in `-Ounchecked` builds, where
    /// preconditions are compiled out, the time is clamped to `now`). O(1).
    @inlinable
    @discardableResult
    public mutating func schedule(at time: SimTime, priority: Int32 = 0, handler: UInt32, agent: UInt32 = 0) -> EventHandle {
        precondition(time.milliseconds >= storage.now, "EventCalendar.schedule: time \(time) is before now \(now)")
        return storage.schedule(at: time.milliseconds, period: 0, priority: priority, handler: handler, agent: agent)
    }

    /// Schedules an event `delay` after `now` (negative delays are a programming error). O(1).
    @inlinable
    @discardableResult
    public mutating func schedule(after delay: SimTime, priority: Int32 = 0, handler: UInt32, agent: UInt32 = 0) -> EventHandle {
        schedule(at: now + delay, priority: priority, handler: handler, agent: agent)
    }

    /// Schedules an event that can be neither cancelled nor rescheduled (no handle is returned):
    /// the fast path for the common "agent holds, then acts" event, such as a vehicle reaching
    /// the end of a link. Same ordering as ``schedule(at:priority:handler:agent:)``, but no slot
    /// record is kept, so firing it touches no memory besides the calendar's buckets (at 10^6
    /// pending events that avoids a cache miss per event). Events with a non-zero priority or a
    /// handler id >= 2^31 take the ordinary tracked path transparently. O(1).
    @inlinable
    @inline(__always)
    public mutating func scheduleUntracked(at time: SimTime, priority: Int32 = 0, handler: UInt32, agent: UInt32 = 0) {
        precondition(time.milliseconds >= storage.now, "EventCalendar.scheduleUntracked: time \(time) is before now \(now)")
        if priority == 0 && handler < CalendarEntry.untrackedBit {
            storage.scheduleUntracked(at: time.milliseconds, handler: handler, agent: agent)
        } else {
            _ = storage.schedule(at: time.milliseconds, period: 0, priority: priority, handler: handler, agent: agent)
        }
    }

    /// ``scheduleUntracked(at:priority:handler:agent:)`` at `now + delay`.
    @inlinable
    @inline(__always)
    public mutating func scheduleUntracked(after delay: SimTime, priority: Int32 = 0, handler: UInt32, agent: UInt32 = 0) {
        scheduleUntracked(at: now + delay, priority: priority, handler: handler, agent: agent)
    }

    /// Schedules a series firing at `start`, `start + every`, `start + 2*every`, ... until the
    /// handle is cancelled. One slot serves the whole series and re-arming happens inside
    /// ``popNext()`` without allocating. `every` must be positive. The series stops by itself
    /// before it would pass `SimTime.max`.
    @discardableResult
    public mutating func schedulePeriodic(start: SimTime, every: SimTime, priority: Int32 = 0, handler: UInt32, agent: UInt32 = 0) -> EventHandle {
        precondition(start.milliseconds >= storage.now, "EventCalendar.schedulePeriodic: start \(start) is before now \(now)")
        precondition(every.milliseconds > 0, "EventCalendar.schedulePeriodic: period must be positive, got \(every)")
        return storage.schedule(at: start.milliseconds, period: Swift.max(every.milliseconds, 1),
                                priority: priority, handler: handler, agent: agent)
    }

    /// Cancels a pending event or periodic series. Returns false if the handle is stale (the
    /// event already fired or was cancelled). O(1) amortised.
    @discardableResult
    public mutating func cancel(_ handle: EventHandle) -> Bool {
        guard storage.isPending(handle) else { return false }
        return storage.cancel(handle)
    }

    /// Moves a pending event to `time` (>= `now`), keeping its handler, agent, priority and, for
    /// a periodic series, its period (the series continues from `time`). Returns the new handle
    /// (the old one becomes stale), or nil if the handle is stale. The moved event counts as
    /// newly scheduled for FIFO order. O(1) amortised.
    @discardableResult
    public mutating func reschedule(_ handle: EventHandle, to time: SimTime) -> EventHandle? {
        precondition(time.milliseconds >= storage.now, "EventCalendar.reschedule: time \(time) is before now \(now)")
        guard storage.isPending(handle) else { return nil }
        return storage.reschedule(handle, to: time.milliseconds)
    }

    /// Time of the next pending event without removing it (nil when empty). Read-only: usually
    /// O(1); O(k) when the next event sits in a not-yet-spilled bucket of k entries or behind
    /// cancelled entries.
    public func nextEventTime() -> SimTime? {
        storage.nextEventTime().map { SimTime(milliseconds: Int64(bitPattern: $0)) }
    }

    /// True if `handle` refers to an event (or series) that has neither fired nor been cancelled.
    public func isPending(_ handle: EventHandle) -> Bool { storage.isPending(handle) }

    /// Removes and returns the next event in (time, priority, FIFO) order and advances `now` to
    /// its time; nil when the calendar is empty. Amortised O(1).
    @inlinable
    public mutating func popNext() -> Event? {
        return storage.popNext(notAfter: .max)
    }

    /// Like ``popNext()`` but returns nil (leaving the event pending and `now` unchanged) when
    /// the next event is later than `limit`. Used by run loops with an end time.
    @inlinable
    @inline(__always)
    public mutating func popNext(notAfter limit: SimTime) -> Event? {
        return storage.popNext(notAfter: limit.milliseconds)
    }

    /// Advances `now` to `time` when no pending event is earlier (a run that ends at a horizon
    /// leaves the clock there). Returns false and changes nothing otherwise.
    @discardableResult
    public mutating func advanceIdle(to time: SimTime) -> Bool {
        guard time.milliseconds > storage.now else { return time.milliseconds == storage.now }
        if let next = storage.nextEventTime(), next <= UInt64(time.milliseconds) { return false }
        storage.now = time.milliseconds
        return true
    }

    /// Removes every pending event; `now` is kept. Handles issued before become stale.
    public mutating func removeAll() {
        storage.clear()
    }
}

// MARK: - Storage

/// One queued entry: 16 bytes, so a 64-byte cache line carries four.
@usableFromInline
struct CalendarEntry {
    @usableFromInline var time: UInt64
    @usableFromInline var slot: UInt32
    @usableFromInline var generation: UInt32

    @inlinable
    init(time: UInt64, slot: UInt32, generation: UInt32) {
        self.time = time
        self.slot = slot
        self.generation = generation
    }

    /// Marker bit in `slot` for an untracked event (no slot record, cannot be cancelled): then
    /// the low 31 bits of `slot` are the handler id and `generation` is the agent index.
    @inlinable static var untrackedBit: UInt32 { 0x8000_0000 }

    @inlinable var isUntracked: Bool { slot >= Self.untrackedBit }
}

/// Per-event record, read once when the event fires (array of structs on purpose: the fields
/// are always touched together, so one cache line serves the whole record).
@usableFromInline
struct CalendarSlot {
    @usableFromInline var period: Int64       // 0 = one-shot
    @usableFromInline var handler: UInt32
    @usableFromInline var agent: UInt32
    @usableFromInline var priority: Int32
    @usableFromInline var generation: UInt32  // bumped when the event fires or is cancelled

    @inlinable
    init(period: Int64, handler: UInt32, agent: UInt32, priority: Int32, generation: UInt32) {
        self.period = period
        self.handler = handler
        self.agent = agent
        self.priority = priority
        self.generation = generation
    }
}

/// Owner of the calendar's raw buffers; exactly one ``EventCalendar`` holds each instance.
/// `@unchecked Sendable`: it is only reached through that non-copyable owner.
///
/// Entries live in one pool (`entries`, with the list links in `links`; index 0 is the null
/// link). Every bucket is a singly linked list through the pool, given by `heads`/`tails`:
/// level-0 and upper-level lists are FIFO (appended at the tail); level-1 lists are LIFO
/// (pushed at the head, no tail kept: two stores instead of five on the path every event with
/// a hold over 4 s takes), and the spill into the then empty level 0 prepends, which restores
/// FIFO order. A spill from an upper level walks its FIFO list and so fills level 1 newest
/// first, as direct insertions would.
///
/// - buckets 0..<4096: level 0, one per millisecond of the cursor's 4,096-ms block;
/// - buckets 4096..<8192: level 1, one per 4,096-ms block of the cursor's 2^24-ms block;
/// - buckets 8192..<9472: five upper levels of 256 buckets, one 8-bit digit each (bits 24-63).
///
/// `bits` holds one bit per non-empty bucket (64 words for level 0, 64 for level 1, 4 per upper
/// level); `summary0`/`summary1` have one bit per non-zero word of levels 0/1 and `upperMask`
/// one bit per non-empty upper level. All of them are exact between operations.
@usableFromInline
final class CalendarStorage: @unchecked Sendable {
    // Computed constants rather than `static let`: a stored static is reached through a
    // lazy-initialisation check on every use in the hot loop.
    @inlinable static var level1Base: Int { 4096 }
    @inlinable static var upperBase: Int { 8192 }
    @inlinable static var upperLevels: Int { 5 }
    @inlinable static var bucketCount: Int { 8192 + 5 * 256 }
    @inlinable static var bitWords: Int { 64 + 64 + 5 * 4 }
    /// The pool is compacted when it is larger than this and 8x larger than the entries in use.
    @inlinable static var compactionFloor: Int { 65_536 }

    @usableFromInline var now: Int64 = 0
    /// Radix cursor: never above `now` and never above any pending time. Level 0 holds the
    /// entries in the cursor's 4,096-ms block, level 1 those in its 2^24-ms block.
    @usableFromInline var cursor: UInt64 = 0

    @usableFromInline var entries: UnsafeMutablePointer<CalendarEntry>
    @usableFromInline var links: UnsafeMutablePointer<UInt32>
    @usableFromInline var freeEntries: UnsafeMutablePointer<UInt32>
    @usableFromInline var freeEntryCount = 0
    /// The entry freed by the last pop, if not reused yet (0: none). Kept out of the free
    /// stack because the handler of that event usually schedules the next one right away, which
    /// then takes it back without touching the stack.
    @usableFromInline var spareEntry: UInt32 = 0
    /// Pool indices below this have been handed out at least once (index 0 is reserved).
    @usableFromInline var entryHighWater = 1
    @usableFromInline var entryCapacity: Int

    @usableFromInline var heads: UnsafeMutablePointer<UInt32>
    /// Tail of each list, meaningful only while its head is non-zero (see `link`).
    @usableFromInline var tails: UnsafeMutablePointer<UInt32>
    @usableFromInline var bits: UnsafeMutablePointer<UInt64>
    @usableFromInline var summary0: UInt64 = 0
    @usableFromInline var summary1: UInt64 = 0
    @usableFromInline var upperMask: UInt64 = 0

    @usableFromInline var slots: UnsafeMutablePointer<CalendarSlot>
    @usableFromInline var slotCapacity = 0
    @usableFromInline var slotHighWater = 0
    @usableFromInline var freeSlots: UnsafeMutablePointer<UInt32>
    @usableFromInline var freeCount = 0

    /// Pending events: every pending event (or periodic series) has exactly one live entry in
    /// the pool, and every other stored entry is a tombstone, so this needs no counter of its
    /// own (two fewer memory updates per event).
    @inlinable var live: Int { storedEntries &- tombstones }
    @usableFromInline var fired: UInt64 = 0
    @usableFromInline var tombstones = 0

    /// Set once any event with a non-zero priority is scheduled; until then no priority work.
    @usableFromInline var anyPriority = false
    /// Time whose level-0 bucket is currently kept sorted by priority (only with anyPriority).
    @usableFromInline var openTime: UInt64 = .max
    @usableFromInline
    var sortScratch: [(priority: Int32, position: Int32, index: UInt32)] = []

    /// Entries held in buckets, tombstones included (diagnostics and tests).
    @inlinable var storedEntries: Int { entryHighWater &- 1 &- freeEntryCount &- (spareEntry == 0 ? 0 : 1) }

    @usableFromInline
    init() {
        entryCapacity = 64
        entries = .allocate(capacity: entryCapacity)
        links = .allocate(capacity: entryCapacity)
        links[0] = 0
        freeEntries = .allocate(capacity: entryCapacity)
        heads = .allocate(capacity: Self.bucketCount)
        heads.initialize(repeating: 0, count: Self.bucketCount)
        tails = .allocate(capacity: Self.bucketCount + 1)
        tails.initialize(repeating: 0, count: Self.bucketCount + 1)
        bits = .allocate(capacity: Self.bitWords)
        bits.initialize(repeating: 0, count: Self.bitWords)
        slotCapacity = 64
        slots = .allocate(capacity: slotCapacity)
        freeSlots = .allocate(capacity: slotCapacity)
    }

    deinit {
        entries.deallocate()
        links.deallocate()
        freeEntries.deallocate()
        heads.deallocate()
        tails.deallocate()
        bits.deallocate()
        slots.deallocate()
        freeSlots.deallocate()
    }

    /// A new buffer of `capacity` holding copies of the first `count` elements of `source`.
    static func cloned<T>(_ source: UnsafeMutablePointer<T>, count: Int, capacity: Int) -> UnsafeMutablePointer<T> {
        let p = UnsafeMutablePointer<T>.allocate(capacity: capacity)
        p.initialize(from: source, count: count)
        return p
    }

    /// Moves the first `count` elements of `buffer` into a new one of `capacity` and frees the old.
    static func regrow<T>(_ buffer: inout UnsafeMutablePointer<T>, count: Int, capacity: Int) {
        let p = UnsafeMutablePointer<T>.allocate(capacity: capacity)
        p.moveInitialize(from: buffer, count: count)
        buffer.deallocate()
        buffer = p
    }

    @usableFromInline
    func copy() -> CalendarStorage {
        let c = CalendarStorage()
        c.now = now
        c.cursor = cursor
        c.entries.deallocate(); c.links.deallocate(); c.freeEntries.deallocate()
        c.entryCapacity = entryCapacity
        c.entries = Self.cloned(entries, count: entryHighWater, capacity: entryCapacity)
        c.links = Self.cloned(links, count: entryHighWater, capacity: entryCapacity)
        c.freeEntries = Self.cloned(freeEntries, count: freeEntryCount, capacity: entryCapacity)
        c.freeEntryCount = freeEntryCount
        c.spareEntry = spareEntry
        c.entryHighWater = entryHighWater
        c.heads.update(from: heads, count: Self.bucketCount)
        c.tails.update(from: tails, count: Self.bucketCount)
        c.bits.update(from: bits, count: Self.bitWords)
        c.summary0 = summary0
        c.summary1 = summary1
        c.upperMask = upperMask
        c.slots.deallocate()
        c.freeSlots.deallocate()
        c.slotCapacity = slotCapacity
        c.slots = Self.cloned(slots, count: slotHighWater, capacity: slotCapacity)
        c.freeSlots = Self.cloned(freeSlots, count: freeCount, capacity: slotCapacity)
        c.slotHighWater = slotHighWater
        c.freeCount = freeCount
        c.fired = fired
        c.tombstones = tombstones
        c.anyPriority = anyPriority
        c.openTime = openTime
        return c
    }

    // MARK: slots

    @inlinable @inline(__always)
    func allocateSlot() -> UInt32 {
        if freeCount > 0 {
            freeCount &-= 1
            return freeSlots[freeCount]
        }
        if slotHighWater == slotCapacity { growSlots() }
        let s = slotHighWater
        slotHighWater &+= 1
        slots[s].generation = 0
        return UInt32(truncatingIfNeeded: s)
    }

    @inlinable @inline(__always)
    func releaseSlot(_ s: UInt32) {
        slots[Int(s)].generation &+= 1
        freeSlots[freeCount] = s
        freeCount &+= 1
    }

    @usableFromInline
    func growSlots() {
        // Slot indices are UInt32 and UInt32.max is reserved for EventHandle.invalid.
        precondition(slotCapacity < Int(UInt32.max) / 2, "EventCalendar: more than 2^31 pending events")
        let newCap = slotCapacity * 2
        Self.regrow(&slots, count: slotHighWater, capacity: newCap)
        Self.regrow(&freeSlots, count: freeCount, capacity: newCap)
        slotCapacity = newCap
    }

    /// Valid while the slot still carries the handle's generation: firing, cancelling and
    /// rescheduling all move the generation on, and a free slot's generation is issued only
    /// when the slot is reused.
    @inlinable @inline(__always)
    func isPending(_ h: EventHandle) -> Bool {
        let s = Int(h.slot)
        return s < slotHighWater && slots[s].generation == h.generation
    }

    // MARK: entry pool

    @inlinable @inline(__always)
    func allocateEntry() -> UInt32 {
        let spare = spareEntry
        if spare != 0 {
            spareEntry = 0
            return spare
        }
        if freeEntryCount > 0 {
            freeEntryCount &-= 1
            return freeEntries[freeEntryCount]
        }
        if entryHighWater == entryCapacity { growEntries() }
        let i = entryHighWater
        entryHighWater &+= 1
        return UInt32(truncatingIfNeeded: i)
    }

    @inlinable @inline(__always)
    func releaseEntry(_ i: UInt32) {
        freeEntries[freeEntryCount] = i
        freeEntryCount &+= 1
    }

    @usableFromInline @inline(never)
    func growEntries() {
        precondition(entryCapacity < Int(UInt32.max) / 2, "EventCalendar: more than 2^31 stored events")
        let newCap = entryCapacity * 2
        Self.regrow(&entries, count: entryHighWater, capacity: newCap)
        Self.regrow(&links, count: entryHighWater, capacity: newCap)
        Self.regrow(&freeEntries, count: freeEntryCount, capacity: newCap)
        entryCapacity = newCap
    }

    /// Rebuilds the pool densely (list order kept, tombstones dropped) when a drained burst
    /// left it far larger than needed. O(stored entries + buckets).
    @inlinable @inline(__always)
    func maybeCompact() {
        if entryCapacity > Self.compactionFloor && storedEntries &* 8 < entryCapacity { compactEntries() }
    }

    @usableFromInline @inline(never)
    func compactEntries() {
        let newCap = Swift.max(64, 2 * storedEntries + 2)
        let ne = UnsafeMutablePointer<CalendarEntry>.allocate(capacity: newCap)
        let nl = UnsafeMutablePointer<UInt32>.allocate(capacity: newCap)
        nl[0] = 0
        var n = 1
        forEachNonEmptyBucket { b in
            var i = heads[b]
            var newHead: UInt32 = 0, newTail: UInt32 = 0
            while i != 0 {
                let e = entries[Int(i)]
                if tombstones > 0 && !isLive(e) {
                    tombstones -= 1
                } else {
                    let j = UInt32(truncatingIfNeeded: n)
                    ne[n] = e
                    nl[n] = 0
                    if newHead == 0 { newHead = j } else { nl[Int(newTail)] = j }
                    newTail = j
                    n += 1
                }
                i = links[Int(i)]
            }
            heads[b] = newHead
            tails[b] = newTail
            if newHead == 0 { clearBucketBit(b) }
        }
        entries.deallocate(); links.deallocate(); freeEntries.deallocate()
        entries = ne
        links = nl
        freeEntries = .allocate(capacity: newCap)
        entryCapacity = newCap
        entryHighWater = n
        freeEntryCount = 0
        spareEntry = 0
    }

    // MARK: buckets

    /// Calls `body` with the index of every bucket whose bit is set, level by level in key order.
    func forEachNonEmptyBucket(_ body: (Int) -> Void) {
        forEachNonEmptyBucketUntil { body($0); return false }
    }

    /// Bucket index of bit `k` of bitmap word `w`.
    func bucketIndex(word w: Int, bit k: Int) -> Int {
        if w < 128 { return w * 64 + k }                   // levels 0 and 1 are contiguous
        let level = (w - 128) / 4
        return Self.upperBase + level * 256 + ((w - 128) % 4) * 64 + k
    }

    /// Clears the bit of bucket `b` and keeps the summaries exact.
    func clearBucketBit(_ b: Int) {
        if b < Self.upperBase {
            let w = b >> 6
            bits[w] &= ~((1 as UInt64) << UInt64(b & 63))
            if bits[w] == 0 {
                if w < 64 { summary0 &= ~((1 as UInt64) << UInt64(w)) } else { summary1 &= ~((1 as UInt64) << UInt64(w - 64)) }
            }
        } else {
            let level = (b - Self.upperBase) >> 8
            let idx = (b - Self.upperBase) & 255
            let w = 128 + level * 4 + (idx >> 6)
            bits[w] &= ~((1 as UInt64) << UInt64(idx & 63))
            let base = 128 + level * 4
            if bits[base] | bits[base + 1] | bits[base + 2] | bits[base + 3] == 0 {
                upperMask &= ~((1 as UInt64) << UInt64(level))
            }
        }
    }

    /// Appends pool entry `i` to list `b`, branch-free: an empty list's tail is read as 0, so
    /// the old tail's link is written to the scratch cell `links[0]`. (A list's `tails` entry
    /// is meaningful only while its head is non-zero; pops do not clear it.) Pointers are passed
    /// in so loops load them once: after a store through one pointer the compiler would
    /// otherwise reload every other one from the object.
    @inlinable @inline(__always)
    static func link(_ i: UInt32, bucket b: Int, heads: UnsafeMutablePointer<UInt32>,
                     tails: UnsafeMutablePointer<UInt32>, links: UnsafeMutablePointer<UInt32>) {
        links[Int(i)] = 0
        let h = heads[b]
        // tail if the list is non-empty, else 0, in arithmetic: written as a select the
        // compiler emits a branch around the load. (Pool indices stay below 2^31.)
        let nonEmpty = (h | (0 &- h)) &>> 31
        let tail = tails[b] & (0 &- nonEmpty)
        links[Int(tail)] = i
        heads[b] = h == 0 ? i : h
        tails[b] = i
    }

    @inlinable @inline(__always)
    func link(_ i: UInt32, bucket b: Int) {
        Self.link(i, bucket: b, heads: heads, tails: tails, links: links)
    }

    /// Appends entry `i` to level-0 bucket `b` and sets its bitmap bit; returns the bit to OR
    /// into `summary0` (callers in loops accumulate it in a register).
    @inlinable @inline(__always)
    static func fileLevel0(_ i: UInt32, bucket b: Int, heads: UnsafeMutablePointer<UInt32>, tails: UnsafeMutablePointer<UInt32>,
                           links: UnsafeMutablePointer<UInt32>, bits: UnsafeMutablePointer<UInt64>) -> UInt64 {
        link(i, bucket: b, heads: heads, tails: tails, links: links)
        return markLevel0(b, bits: bits)
    }

    /// Sets the bitmap bit of level-0 bucket `b`; returns its word's bit for `summary0`.
    @inlinable @inline(__always)
    static func markLevel0(_ b: Int, bits: UnsafeMutablePointer<UInt64>) -> UInt64 {
        bits[b &>> 6] |= (1 as UInt64) &<< UInt64(b & 63)
        return (1 as UInt64) &<< UInt64(b &>> 6)
    }

    /// Prepends entry `i` to level-0 bucket `b` (spills walk level-1 lists newest first, so
    /// prepending restores FIFO order); the first entry into an empty bucket becomes its tail,
    /// written branch-free (otherwise into the scratch cell `tails[bucketCount]`).
    @inlinable @inline(__always)
    static func pushLevel0(_ i: UInt32, bucket b: Int, heads: UnsafeMutablePointer<UInt32>, tails: UnsafeMutablePointer<UInt32>,
                           links: UnsafeMutablePointer<UInt32>, bits: UnsafeMutablePointer<UInt64>) -> UInt64 {
        let h = heads[b]
        links[Int(i)] = h
        heads[b] = i
        tails[h == 0 ? b : bucketCount] = i
        return markLevel0(b, bits: bits)
    }

    /// Files pool entry `i` (time `t`) under the bucket of `t` relative to the cursor. The
    /// bitmap updates are unconditional ORs: whether a word was empty before is data-dependent
    /// and would be a mispredicted branch about every other event. (The level-0/level-1 choice
    /// stays a branch: written as selects it measured 6 % slower at 100-s holds and 20 % at
    /// 10^6 pending, for +10 % at 1-s holds.)
    @inlinable @inline(__always)
    func place(_ i: UInt32, time t: UInt64) {
        let x = t ^ cursor
        if x >= (1 << 24) {         // beyond the cursor's 4.7-hour block: rare
            placeUpper(i, time: t, difference: x)
            return
        }
        let heads = self.heads, tails = self.tails, links = self.links, bits = self.bits
        if x < 4096 {
            summary0 |= Self.fileLevel0(i, bucket: Int(truncatingIfNeeded: t & 4095),
                                        heads: heads, tails: tails, links: links, bits: bits)
        } else {
            let b = Int(truncatingIfNeeded: (t &>> 12) & 4095)
            let b1 = Self.level1Base &+ b
            links[Int(i)] = heads[b1]
            heads[b1] = i
            bits[64 &+ (b &>> 6)] |= (1 as UInt64) &<< UInt64(b & 63)
            summary1 |= (1 as UInt64) &<< UInt64(b &>> 6)
        }
    }

    @usableFromInline
    func placeUpper(_ i: UInt32, time t: UInt64, difference x: UInt64) {
        let highest = 63 &- x.leadingZeroBitCount          // >= 24
        let level = (highest &- 24) &>> 3
        let idx = Int(truncatingIfNeeded: (t &>> UInt64(24 &+ 8 &* level)) & 255)
        link(i, bucket: Self.upperBase &+ level &* 256 &+ idx)
        bits[128 &+ level &* 4 &+ (idx &>> 6)] |= (1 as UInt64) &<< UInt64(idx & 63)
        upperMask |= (1 as UInt64) &<< UInt64(level)
    }

    /// Minimum live time without mutating anything: the first bucket (in key order) holding a
    /// live entry holds the answer (levels partition the time axis; a level-0 bucket holds one
    /// time). O(entries of that bucket) plus skipped tombstones.
    func nextEventTime() -> UInt64? {
        var best: UInt64? = nil
        forEachNonEmptyBucketUntil { b in
            var i = heads[b]
            while i != 0 {
                let e = entries[Int(i)]
                if tombstones == 0 || isLive(e) {
                    best = Swift.min(best ?? .max, e.time)
                    if b < Self.level1Base { return true }
                }
                i = links[Int(i)]
            }
            return best != nil
        }
        return best
    }

    /// Like `forEachNonEmptyBucket`, stopping when `body` returns true.
    func forEachNonEmptyBucketUntil(_ body: (Int) -> Bool) {
        for w in 0..<Self.bitWords {
            var word = bits[w]
            while word != 0 {
                let k = word.trailingZeroBitCount
                word &= word &- 1
                if body(bucketIndex(word: w, bit: k)) { return }
            }
        }
    }

    /// Empties every list and bitmap (the pool is left to the caller).
    func resetBuckets() {
        heads.update(repeating: 0, count: Self.bucketCount)
        tails.update(repeating: 0, count: Self.bucketCount)
        bits.update(repeating: 0, count: Self.bitWords)
        summary0 = 0
        summary1 = 0
        upperMask = 0
    }

    /// Drops every entry; every slot's generation moves on so all issued handles go stale.
    @usableFromInline
    func clear() {
        resetBuckets()
        entryHighWater = 1
        freeEntryCount = 0
        spareEntry = 0
        freeCount = 0
        for s in stride(from: slotHighWater - 1, through: 0, by: -1) {
            slots[s].generation &+= 1
            freeSlots[freeCount] = UInt32(truncatingIfNeeded: s)
            freeCount += 1
        }
        tombstones = 0
        openTime = .max
        cursor = UInt64(bitPattern: now)
    }

    // MARK: operations

    @inlinable @inline(__always)
    func schedule(at time: Int64, period: Int64, priority: Int32, handler: UInt32, agent: UInt32) -> EventHandle {
        let t = UInt64(bitPattern: Swift.max(time, now))  // clamp: the past is a programming error
        let s = allocateSlot()
        let g = slots[Int(s)].generation
        slots[Int(s)] = CalendarSlot(period: period, handler: handler, agent: agent, priority: priority, generation: g)
        if priority != 0 { anyPriority = true }
        insert(CalendarEntry(time: t, slot: s, generation: g), priority: priority)
        return EventHandle(slot: s, generation: g)
    }

    @inlinable @inline(__always)
    func scheduleUntracked(at time: Int64, handler: UInt32, agent: UInt32) {
        let t = UInt64(bitPattern: Swift.max(time, now))  // clamp: the past is a programming error
        insert(CalendarEntry(time: t, slot: CalendarEntry.untrackedBit | handler, generation: agent), priority: 0)
    }

    /// False for a cancelled (or rescheduled-away) entry; untracked entries are always live.
    @inlinable @inline(__always)
    func isLive(_ e: CalendarEntry) -> Bool {
        e.isUntracked || slots[Int(e.slot)].generation == e.generation
    }

    @inlinable @inline(__always)
    func priority(of e: CalendarEntry) -> Int32 {
        e.isUntracked ? 0 : slots[Int(e.slot)].priority
    }

    @inlinable @inline(__always)
    func insert(_ e: CalendarEntry, priority: Int32) {
        if e.time < cursor { rewindCursor() }
        let i = allocateEntry()
        entries[Int(i)] = e
        if anyPriority && e.time == openTime {
            insertSorted(i, priority: priority)
        } else {
            place(i, time: e.time)
        }
    }

    /// Moves the cursor back to `now` and refiles every entry relative to it. Needed only when a
    /// pop refused by its limit had already opened a later block (the cursor is then past
    /// `now`) and an event is scheduled before that block; run loops never get here because
    /// they advance `now` to their end time. Lists are refiled in order, so equal times keep
    /// their FIFO order. O(stored entries + buckets).
    @usableFromInline @inline(never)
    func rewindCursor() {
        var order: [UInt32] = []
        order.reserveCapacity(storedEntries)
        forEachNonEmptyBucket { b in
            let start = order.count
            var i = heads[b]
            while i != 0 {
                order.append(i)
                i = links[Int(i)]
            }
            // Level-1 lists are newest first; `place` wants scheduling order.
            if b >= Self.level1Base && b < Self.upperBase { order[start...].reverse() }
        }
        resetBuckets()
        cursor = UInt64(bitPattern: now)
        for i in order { place(i, time: entries[Int(i)].time) }
    }

    /// Inserts into the open (current-millisecond) bucket at its sorted place: after every entry
    /// with priority <= `priority`, keeping FIFO among equals. Only with mixed priorities.
    @usableFromInline
    func insertSorted(_ i: UInt32, priority p: Int32) {
        let t = entries[Int(i)].time
        let b = Int(truncatingIfNeeded: t & 4095)   // the open time is in the cursor's block
        var prev: UInt32 = 0
        var cur = heads[b]
        while cur != 0 && priority(of: entries[Int(cur)]) <= p {
            prev = cur
            cur = links[Int(cur)]
        }
        if cur == 0 {       // goes last (or into an empty bucket): an ordinary append
            place(i, time: t)
            return
        }
        links[Int(i)] = cur
        if prev == 0 { heads[b] = i } else { links[Int(prev)] = i }
    }

    @usableFromInline
    func cancel(_ h: EventHandle) -> Bool {
        let s = h.slot
        releaseSlot(s)
        tombstones += 1
        if tombstones > 1024 && tombstones > live { purgeTombstones() }
        return true
    }

    @usableFromInline
    func reschedule(_ h: EventHandle, to time: Int64) -> EventHandle {
        let s = Int(h.slot)
        // Old entry becomes a tombstone; the slot keeps its data under a new generation.
        slots[s].generation &+= 1
        tombstones += 1
        let g = slots[s].generation
        let t = UInt64(bitPattern: Swift.max(time, now))
        insert(CalendarEntry(time: t, slot: h.slot, generation: g), priority: slots[s].priority)
        if tombstones > 1024 && tombstones > live { purgeTombstones() }
        return EventHandle(slot: h.slot, generation: g)
    }

    /// Drops every cancelled entry in one sweep (order-preserving). O(stored entries).
    @usableFromInline
    func purgeTombstones() {
        forEachNonEmptyBucket { b in
            var i = heads[b]
            var newHead: UInt32 = 0, newTail: UInt32 = 0
            while i != 0 {
                let next = links[Int(i)]
                if isLive(entries[Int(i)]) {
                    links[Int(i)] = 0
                    if newHead == 0 { newHead = i } else { links[Int(newTail)] = i }
                    newTail = i
                } else {
                    releaseEntry(i)
                }
                i = next
            }
            heads[b] = newHead
            tails[b] = newTail
            if newHead == 0 { clearBucketBit(b) }
        }
        tombstones = 0
    }

    /// Pops the next event with time <= limit.
    @inlinable @inline(__always)
    func popNext(notAfter limit: Int64) -> Event? {
        // Pending times are never negative (they are clamped to `now` >= 0), so a signed
        // comparison with `limit` also refuses everything when `limit` < 0: no separate test.
        while true {
            let s0 = summary0
            if s0 != 0 {
                // Pointers and fields read once into locals: after a store through one pointer
                // the compiler would otherwise reload every field of the object.
                let bits = self.bits, heads = self.heads, links = self.links
                let w = s0.trailingZeroBitCount
                let word = bits[w]
                let b = w &<< 6 | word.trailingZeroBitCount
                let t = (cursor & ~4095) | UInt64(b)
                if Int64(bitPattern: t) > limit { return nil }
                if anyPriority && t != openTime { openBucket(b, time: t) }
                let i = heads[b]
                // Emptiness from the tail (loaded alongside the head) rather than from the
                // link: one dependent load less on the path to the next pop. (`self.tails` is
                // read here, not with the pointers above: hoisted there it cost 2 instructions
                // per event more.)
                let last = self.tails[b]
                let e = entries[Int(i)]
                heads[b] = links[Int(i)]
                // Whether the bucket empties is data-dependent too: selects again.
                let newWord = i == last ? word & (word &- 1) : word
                bits[w] = newWord
                summary0 = newWord == 0 ? s0 & (s0 &- 1) : s0
                if spareEntry != 0 { releaseEntry(spareEntry) }
                spareEntry = i
                // Untracked entries are never tombstones: tested first, on the entry in hand.
                if !e.isUntracked && tombstones > 0 && !isLive(e) {
                    tombstones &-= 1
                    continue
                }
                return fire(e)
            }
            maybeCompact()
            let s1 = summary1
            if s1 != 0 {
                let w = s1.trailingZeroBitCount
                let word = bits[64 &+ w]
                let b = w &<< 6 | word.trailingZeroBitCount
                let newCursor = (cursor & ~((1 << 24) - 1)) | (UInt64(b) &<< 12)
                // Every entry of that bucket is >= newCursor; stop before spilling past the
                // limit so the cursor never overtakes a time the caller may still schedule at.
                if Int64(bitPattern: newCursor) > limit { return nil }
                let rest = word & (word &- 1)
                bits[64 &+ w] = rest
                summary1 = rest == 0 ? s1 & (s1 &- 1) : s1
                cursor = newCursor
                spillLevel1(bucket: Self.level1Base &+ b)
                continue
            }
            if upperMask == 0 || !spillUpper(notAfter: limit) { return nil }
        }
    }

    /// Moves the list of a level-1 bucket (now the cursor's 4,096-ms block) to level 0,
    /// dropping tombstones.
    @inlinable @inline(__always)
    func spillLevel1(bucket b1: Int) {
        let heads = self.heads, tails = self.tails, links = self.links, bits = self.bits, entries = self.entries
        var i = heads[b1]
        heads[b1] = 0
        var summary = summary0
        if tombstones == 0 {
            while i != 0 {
                let next = links[Int(i)]
                summary |= Self.pushLevel0(i, bucket: Int(truncatingIfNeeded: entries[Int(i)].time & 4095),
                                           heads: heads, tails: tails, links: links, bits: bits)
                i = next
            }
        } else {
            while i != 0 {
                let next = links[Int(i)]
                let e = entries[Int(i)]
                if !isLive(e) {
                    tombstones &-= 1
                    releaseEntry(i)
                } else {
                    summary |= Self.pushLevel0(i, bucket: Int(truncatingIfNeeded: e.time & 4095),
                                               heads: heads, tails: tails, links: links, bits: bits)
                }
                i = next
            }
        }
        summary0 = summary
    }

    /// Moves the first bucket of the lowest non-empty upper level down, relative to its start
    /// as the new cursor. Returns false (changing nothing) if that start is beyond `limit`.
    @usableFromInline
    func spillUpper(notAfter limit: Int64) -> Bool {
        let level = upperMask.trailingZeroBitCount
        let base = 128 + level * 4
        var w = 0
        while bits[base + w] == 0 { w += 1 }
        let idx = w * 64 + bits[base + w].trailingZeroBitCount
        let shift = UInt64(24 + 8 * level)
        let highMask: UInt64 = shift + 8 >= 64 ? 0 : ~(((1 as UInt64) << (shift + 8)) &- 1)
        let newCursor = (cursor & highMask) | (UInt64(idx) << shift)
        if Int64(bitPattern: newCursor) > limit { return false }
        let b = Self.upperBase + level * 256 + idx
        clearBucketBit(b)
        cursor = newCursor
        var i = heads[b]
        heads[b] = 0
        tails[b] = 0
        while i != 0 {
            let next = links[Int(i)]
            let e = entries[Int(i)]
            if tombstones > 0 && !isLive(e) {
                tombstones -= 1
                releaseEntry(i)
            } else {
                place(i, time: e.time)
            }
            i = next
        }
        return true
    }

    /// Completes a pop: advances the clock, reads the slot, frees or re-arms it.
    @inlinable @inline(__always)
    func fire(_ e: CalendarEntry) -> Event {
        let t = e.time
        cursor = t
        now = Int64(bitPattern: t)
        fired &+= 1
        if e.isUntracked {
            return Event(time: SimTime(milliseconds: Int64(bitPattern: t)), priority: 0,
                         handler: e.slot & ~CalendarEntry.untrackedBit, agent: e.generation, handle: .invalid)
        }
        let rec = slots[Int(e.slot)]
        let event = Event(time: SimTime(milliseconds: Int64(bitPattern: t)), priority: rec.priority,
                          handler: rec.handler, agent: rec.agent,
                          handle: EventHandle(slot: e.slot, generation: e.generation))
        if rec.period == 0 {
            releaseSlot(e.slot)
        } else {
            let (next, overflow) = Int64(bitPattern: t).addingReportingOverflow(rec.period)
            if overflow || next == .max {
                releaseSlot(e.slot)
            } else {
                insert(CalendarEntry(time: UInt64(bitPattern: next), slot: e.slot, generation: e.generation),
                       priority: rec.priority)
            }
        }
        return event
    }

    /// Makes the level-0 bucket `b` (time `t`) the open one: stably sorts it by priority.
    @usableFromInline
    func openBucket(_ b: Int, time t: UInt64) {
        openTime = t
        let first = heads[b]
        guard first != 0, links[Int(first)] != 0 else { return }
        var sorted = true
        var prev = priority(of: entries[Int(first)])
        var i = links[Int(first)]
        while i != 0 {
            let p = priority(of: entries[Int(i)])
            if p < prev { sorted = false; break }
            prev = p
            i = links[Int(i)]
        }
        if sorted { return }
        sortScratch.removeAll(keepingCapacity: true)
        i = first
        var position: Int32 = 0
        while i != 0 {
            sortScratch.append((priority(of: entries[Int(i)]), position, i))
            position += 1
            i = links[Int(i)]
        }
        // (priority, position) keys are unique, so any sort is deterministic and stable here.
        sortScratch.sort { ($0.priority, $0.position) < ($1.priority, $1.position) }
        heads[b] = sortScratch[0].index
        for k in 0..<(sortScratch.count - 1) { links[Int(sortScratch[k].index)] = sortScratch[k + 1].index }
        let last = sortScratch[sortScratch.count - 1].index
        links[Int(last)] = 0
        tails[b] = last
    }
}
