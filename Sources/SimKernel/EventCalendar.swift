/// The future event list: a monotone radix queue ("hierarchical timing wheel") over integer
/// millisecond times.
///
/// Structure (see docs/kernel.md): 11 levels of 64 buckets, one 6-bit digit of the 64-bit time
/// per level. An event goes to the level of the highest digit in which its time differs from
/// the calendar's cursor, so level 0 holds events of the current 64 ms block, one bucket per
/// millisecond. A bitmap per level finds the next non-empty bucket with one `tzcnt`. When level
/// 0 runs dry the first non-empty bucket of the lowest non-empty level is spilled one level
/// down. Every event therefore moves at most once per level (in practice 1-3 times), schedule
/// is O(1), pop is amortised O(1) (bounded by the 11 levels), and each bucket is a contiguous
/// array that is appended to and streamed: no comparisons, no pointer chasing, no allocation in
/// steady state.
///
/// Equal times always land in the same bucket in scheduling order, which makes the order FIFO
/// without a stored sequence number. Priorities: when any event has a non-zero priority, the
/// bucket of the current millisecond is stably sorted by priority when it is opened and later
/// insertions into it go to their sorted place.
///
/// Cancellation is lazy: a cancelled entry stays in its bucket as a tombstone (its slot
/// generation no longer matches) and is dropped when it is spilled or reached. Tombstones are
/// purged in one O(n) sweep when they outnumber live events, and bucket buffers are released
/// once they hold more than twice the live events plus 1 MiB, so memory stays bounded in long
/// runs.
///
/// `EventCalendar` is a value type with copy-on-write storage (copying a calendar gives an
/// independent calendar). Not thread-safe for concurrent mutation, like any Swift value.
public struct EventCalendar: Sendable {
    @usableFromInline
    var storage: CalendarStorage

    /// An empty calendar at time zero.
    public init() { storage = CalendarStorage() }

    /// Time of the event being (or last) executed; never decreases.
    @inlinable
    public var now: SimTime { SimTime(milliseconds: storage.now) }

    /// Events scheduled and not yet fired or cancelled (a periodic series counts once).
    @inlinable
    public var pendingCount: Int { storage.live }

    /// Total number of events fired by ``popNext()`` so far (a periodic series counts each firing).
    @inlinable
    public var firedCount: UInt64 { storage.fired }

    @inlinable
    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    /// Schedules an event at absolute time `time` (must be >= `now`: scheduling in the past is a
    /// programming error, checked by a precondition; in `-Ounchecked` builds, where
    /// preconditions are compiled out, the time is clamped to `now`). O(1).
    @inlinable
    @discardableResult
    public mutating func schedule(at time: SimTime, priority: Int32 = 0, handler: UInt32, agent: UInt32 = 0) -> EventHandle {
        precondition(time.milliseconds >= storage.now, "EventCalendar.schedule: time \(time) is before now \(now)")
        makeUnique()
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
    public mutating func scheduleUntracked(at time: SimTime, priority: Int32 = 0, handler: UInt32, agent: UInt32 = 0) {
        precondition(time.milliseconds >= storage.now, "EventCalendar.scheduleUntracked: time \(time) is before now \(now)")
        makeUnique()
        if priority == 0 && handler < CalendarEntry.untrackedBit {
            storage.scheduleUntracked(at: time.milliseconds, handler: handler, agent: agent)
        } else {
            _ = storage.schedule(at: time.milliseconds, period: 0, priority: priority, handler: handler, agent: agent)
        }
    }

    /// ``scheduleUntracked(at:priority:handler:agent:)`` at `now + delay`.
    @inlinable
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
        makeUnique()
        return storage.schedule(at: start.milliseconds, period: Swift.max(every.milliseconds, 1),
                                priority: priority, handler: handler, agent: agent)
    }

    /// Cancels a pending event or periodic series. Returns false if the handle is stale (the
    /// event already fired or was cancelled). O(1) amortised.
    @discardableResult
    public mutating func cancel(_ handle: EventHandle) -> Bool {
        guard storage.isPending(handle) else { return false }
        makeUnique()
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
        makeUnique()
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
        makeUnique()
        return storage.popNext(notAfter: .max)
    }

    /// Like ``popNext()`` but returns nil (leaving the event pending and `now` unchanged) when
    /// the next event is later than `limit`. Used by run loops with an end time.
    @inlinable
    public mutating func popNext(notAfter limit: SimTime) -> Event? {
        makeUnique()
        return storage.popNext(notAfter: limit.milliseconds)
    }

    /// Advances `now` to `time` when no pending event is earlier (a run that ends at a horizon
    /// leaves the clock there). Returns false and changes nothing otherwise.
    @discardableResult
    public mutating func advanceIdle(to time: SimTime) -> Bool {
        guard time.milliseconds > storage.now else { return time.milliseconds == storage.now }
        makeUnique()
        guard storage.popNext(notAfter: time.milliseconds, peekOnly: true) == nil else { return false }
        storage.now = time.milliseconds
        return true
    }

    /// Removes every pending event; `now` is kept. Handles issued before become stale.
    public mutating func removeAll() {
        makeUnique()
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

@usableFromInline
struct CalendarBucket {
    @usableFromInline var base: UnsafeMutablePointer<CalendarEntry>?
    @usableFromInline var head: Int32      // level 0 only: entries before head already popped
    @usableFromInline var count: Int32
    @usableFromInline var capacity: Int32

    @inlinable
    init(base: UnsafeMutablePointer<CalendarEntry>?, head: Int32, count: Int32, capacity: Int32) {
        self.base = base
        self.head = head
        self.count = count
        self.capacity = capacity
    }
}

/// Owner of the calendar's raw buffers (copy-on-write through ``EventCalendar``).
/// `@unchecked Sendable`: it is only mutated through a uniquely referenced `EventCalendar`.
@usableFromInline
final class CalendarStorage: @unchecked Sendable {
    // Computed constants rather than `static let`: a stored static is reached through a
    // lazy-initialisation check on every use in the hot loop.
    @inlinable static var digitBits: Int { 6 }
    @inlinable static var levels: Int { 11 }            // ceil(64 / 6)
    @inlinable static var bucketsPerLevel: Int { 64 }

    @usableFromInline var now: Int64 = 0
    /// Radix cursor: never above `now` and never above any pending time.
    @usableFromInline
    var cursor: UInt64 = 0
    @usableFromInline
    var bitmaps: UnsafeMutablePointer<UInt64>
    @usableFromInline
    var levelMask: UInt64 = 0
    @usableFromInline
    var buckets: UnsafeMutablePointer<CalendarBucket>

    @usableFromInline
    var slots: UnsafeMutablePointer<CalendarSlot>
    @usableFromInline
    var slotCapacity = 0
    @usableFromInline
    var slotHighWater = 0
    @usableFromInline
    var freeSlots: UnsafeMutablePointer<UInt32>
    @usableFromInline
    var freeCount = 0

    @usableFromInline var live = 0
    @usableFromInline var fired: UInt64 = 0
    /// Sink for the software prefetch in `popNext` (keeps the load from being optimised away).
    @usableFromInline var prefetchSink: UInt32 = 0
    @usableFromInline var tombstones = 0
    /// Entries held in buckets, tombstones included (diagnostics and tests; O(buckets)).
    var storedEntries: Int {
        var n = 0
        for i in 0..<(Self.levels * Self.bucketsPerLevel) { n += Int(buckets[i].count - buckets[i].head) }
        return n
    }
    @usableFromInline var totalBucketCapacity = 0
    @usableFromInline var spillsSinceSweep = 0

    /// Set once any event with a non-zero priority is scheduled; until then no priority work.
    @usableFromInline var anyPriority = false
    /// Time whose level-0 bucket is currently kept sorted by priority (only with anyPriority).
    @usableFromInline var openTime: UInt64 = .max
    @usableFromInline
    var sortScratch: [(priority: Int32, position: Int32, entry: CalendarEntry)] = []

    @usableFromInline
    init() {
        let n = Self.levels * Self.bucketsPerLevel
        bitmaps = .allocate(capacity: Self.levels)
        bitmaps.initialize(repeating: 0, count: Self.levels)
        buckets = .allocate(capacity: n)
        buckets.initialize(repeating: CalendarBucket(base: nil, head: 0, count: 0, capacity: 0), count: n)
        slotCapacity = 64
        slots = .allocate(capacity: slotCapacity)
        freeSlots = .allocate(capacity: slotCapacity)
    }

    deinit {
        let n = Self.levels * Self.bucketsPerLevel
        for i in 0..<n { buckets[i].base?.deallocate() }
        buckets.deallocate()
        bitmaps.deallocate()
        slots.deallocate()
        freeSlots.deallocate()
    }

    @usableFromInline
    func copy() -> CalendarStorage {
        let c = CalendarStorage()
        c.now = now
        c.cursor = cursor
        c.bitmaps.update(from: bitmaps, count: Self.levels)
        c.levelMask = levelMask
        for i in 0..<(Self.levels * Self.bucketsPerLevel) {
            let b = buckets[i]
            if let base = b.base, b.capacity > 0 {
                let nb = UnsafeMutablePointer<CalendarEntry>.allocate(capacity: Int(b.capacity))
                nb.initialize(from: base, count: Int(b.count))
                c.buckets[i] = CalendarBucket(base: nb, head: b.head, count: b.count, capacity: b.capacity)
            }
        }
        c.slots.deallocate()
        c.freeSlots.deallocate()
        c.slotCapacity = slotCapacity
        c.slots = .allocate(capacity: slotCapacity)
        c.slots.initialize(from: slots, count: slotHighWater)
        c.freeSlots = .allocate(capacity: slotCapacity)
        c.freeSlots.initialize(from: freeSlots, count: freeCount)
        c.slotHighWater = slotHighWater
        c.freeCount = freeCount
        c.live = live
        c.fired = fired
        c.tombstones = tombstones
        c.totalBucketCapacity = totalBucketCapacity
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
        let ns = UnsafeMutablePointer<CalendarSlot>.allocate(capacity: newCap)
        ns.moveInitialize(from: slots, count: slotHighWater)
        slots.deallocate()
        slots = ns
        let nf = UnsafeMutablePointer<UInt32>.allocate(capacity: newCap)
        nf.moveInitialize(from: freeSlots, count: freeCount)
        freeSlots.deallocate()
        freeSlots = nf
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

    /// Minimum live time without mutating anything. Buckets are visited in key order (level 0
    /// by millisecond, then each higher level by digit), and every entry of an earlier bucket is
    /// earlier than every entry of a later one, so the first bucket with a live entry holds the
    /// answer.
    func nextEventTime() -> UInt64? {
        for level in 0..<Self.levels {
            var bits = bitmaps[level]
            while bits != 0 {
                let idx = bits.trailingZeroBitCount
                bits &= bits &- 1
                let b = level * 64 + idx
                guard let base = buckets[b].base else { continue }
                var best: UInt64? = nil
                for i in Int(buckets[b].head)..<Int(buckets[b].count) {
                    let e = base[i]
                    if tombstones > 0 && !isLive(e) { continue }
                    best = Swift.min(best ?? .max, e.time)
                    if level == 0 { break }  // one time per level-0 bucket
                }
                if let best { return best }
            }
        }
        return nil
    }

    /// Drops every entry; every slot's generation moves on so all issued handles go stale.
    @usableFromInline
    func clear() {
        for i in 0..<(Self.levels * Self.bucketsPerLevel) {
            buckets[i].head = 0
            buckets[i].count = 0
        }
        for l in 0..<Self.levels { bitmaps[l] = 0 }
        levelMask = 0
        freeCount = 0
        for s in stride(from: slotHighWater - 1, through: 0, by: -1) {
            slots[s].generation &+= 1
            freeSlots[freeCount] = UInt32(truncatingIfNeeded: s)
            freeCount += 1
        }
        live = 0
        tombstones = 0
        openTime = .max
        cursor = UInt64(bitPattern: now)
    }

    // MARK: buckets

    @inlinable @inline(__always)
    func place(_ e: CalendarEntry) {
        let level = placeNoMask(e)
        levelMask |= (1 as UInt64) &<< UInt64(level)
    }

    /// Appends to the bucket of `e` relative to the cursor; returns its level. The caller keeps
    /// `levelMask` up to date (spills fix it once per spill instead of once per entry).
    @inlinable @inline(__always)
    func placeNoMask(_ e: CalendarEntry) -> Int {
        Self.place(e, cursor: cursor, buckets: buckets, bitmaps: bitmaps, storage: self)
    }

    /// The placement rule with the hot fields passed in registers: the spill loop calls it
    /// with values loaded once instead of re-reading the object's fields after every store.
    @inlinable @inline(__always)
    static func place(_ e: CalendarEntry, cursor: UInt64, buckets: UnsafeMutablePointer<CalendarBucket>,
                      bitmaps: UnsafeMutablePointer<UInt64>, storage: CalendarStorage) -> Int {
        let x = e.time ^ cursor
        // highest differing bit (0 when equal, which maps to level 0 as well)
        let h = 63 &- (x | 1).leadingZeroBitCount
        let level = h / digitBits
        let idx = Int(truncatingIfNeeded: e.time &>> UInt64(level &* digitBits)) & 63
        let b = level &* 64 &+ idx
        let bp = buckets + b
        if bp.pointee.count == bp.pointee.capacity { storage.grow(bucket: b) }
        let c = Int(bp.pointee.count)
        bp.pointee.base.unsafelyUnwrapped[c] = e
        bp.pointee.count = Int32(truncatingIfNeeded: c &+ 1)
        bitmaps[level] |= (1 as UInt64) &<< UInt64(idx)
        return level
    }

    @inlinable @inline(__always)
    func append(_ e: CalendarEntry, bucket b: Int) {
        let bp = buckets + b
        if bp.pointee.count == bp.pointee.capacity { grow(bucket: b) }
        let c = Int(bp.pointee.count)
        bp.pointee.base.unsafelyUnwrapped[c] = e
        bp.pointee.count = Int32(truncatingIfNeeded: c &+ 1)
    }

    @usableFromInline @inline(never)
    func grow(bucket b: Int) {
        let old = buckets[b]
        let live = Int(old.count - old.head)
        let newCap = Swift.max(16, live * 2)
        let nb = UnsafeMutablePointer<CalendarEntry>.allocate(capacity: newCap)
        if let base = old.base {
            nb.initialize(from: base + Int(old.head), count: live)
            base.deallocate()
        }
        totalBucketCapacity += newCap - Int(old.capacity)
        buckets[b] = CalendarBucket(base: nb, head: 0, count: Int32(live), capacity: Int32(newCap))
    }

    /// Frees a just-emptied bucket's buffer when it is far larger than needed, so a burst does
    /// not pin memory for the rest of the run.
    @inlinable @inline(__always)
    func maybeShrink(bucket b: Int) {
        let cap = Int(buckets[b].capacity)
        if cap > 4096 { shrinkIfOversized(bucket: b) }
    }

    /// Frees the buffers of all empty buckets. Called (at most once per 64 spills) when the
    /// buffers hold more than twice the live events plus 1 MiB, e.g. after a burst drained: the
    /// wheel keeps moving, so buckets that served a burst may not be used again for a long time.
    @usableFromInline
    func releaseEmptyBuckets() {
        spillsSinceSweep = 0
        for b in 0..<(Self.levels * Self.bucketsPerLevel) where buckets[b].count == buckets[b].head {
            let cap = Int(buckets[b].capacity)
            if cap > 64 {
                buckets[b].base?.deallocate()
                buckets[b] = CalendarBucket(base: nil, head: 0, count: 0, capacity: 0)
                totalBucketCapacity -= cap
            }
        }
    }

    @usableFromInline
    func shrinkIfOversized(bucket b: Int) {
        let cap = Int(buckets[b].capacity)
        if cap > 4096 && (cap > live || totalBucketCapacity > 8 * Swift.max(live, 65_536)) {
            buckets[b].base?.deallocate()
            buckets[b] = CalendarBucket(base: nil, head: 0, count: 0, capacity: 0)
            totalBucketCapacity -= cap
        }
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
        live &+= 1
        return EventHandle(slot: s, generation: g)
    }

    @inlinable @inline(__always)
    func scheduleUntracked(at time: Int64, handler: UInt32, agent: UInt32) {
        let t = UInt64(bitPattern: Swift.max(time, now))  // clamp: the past is a programming error
        insert(CalendarEntry(time: t, slot: CalendarEntry.untrackedBit | handler, generation: agent), priority: 0)
        live &+= 1
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
        if anyPriority && e.time == openTime {
            insertSorted(e, priority: priority)
        } else {
            place(e)
        }
    }

    /// Inserts into the open (current-millisecond) bucket at its sorted place: after every entry
    /// with priority <= `priority`, keeping FIFO among equals. Only with mixed priorities.
    @usableFromInline
    func insertSorted(_ e: CalendarEntry, priority: Int32) {
        let idx = Int(e.time & 63)
        let b = idx   // level 0
        let head = Int(buckets[b].head)
        let count = Int(buckets[b].count)
        var pos = count
        if let base = buckets[b].base {
            while pos > head && self.priority(of: base[pos - 1]) > priority { pos -= 1 }
        }
        if pos == count {
            place(e)
            return
        }
        if pos == head && head > 0 {
            buckets[b].head = Int32(head - 1)
            buckets[b].base.unsafelyUnwrapped[head - 1] = e
            return
        }
        if buckets[b].count == buckets[b].capacity { grow(bucket: b) }
        let newHead = Int(buckets[b].head)
        let shift = head - newHead   // grow compacts to head 0
        let base = buckets[b].base.unsafelyUnwrapped
        let p = pos - shift
        let c = Int(buckets[b].count)
        (base + p + 1).moveInitialize(from: base + p, count: c - p)
        base[p] = e
        buckets[b].count = Int32(c + 1)
    }

    @usableFromInline
    func cancel(_ h: EventHandle) -> Bool {
        let s = h.slot
        releaseSlot(s)
        live -= 1
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
        for level in 0..<Self.levels {
            var bits = bitmaps[level]
            while bits != 0 {
                let idx = bits.trailingZeroBitCount
                bits &= bits &- 1
                let b = level * 64 + idx
                guard let base = buckets[b].base else { continue }
                var w = 0
                for r in Int(buckets[b].head)..<Int(buckets[b].count) {
                    let e = base[r]
                    if isLive(e) {
                        base[w] = e
                        w += 1
                    }
                }
                buckets[b].head = 0
                buckets[b].count = Int32(w)
                if w == 0 {
                    bitmaps[level] &= ~((1 as UInt64) << UInt64(idx))
                    maybeShrink(bucket: b)
                }
            }
            if bitmaps[level] == 0 { levelMask &= ~((1 as UInt64) << UInt64(level)) }
        }
        tombstones = 0
    }

    /// Pops the next event with time <= limit. With `peekOnly` nothing is popped (buckets may
    /// still be spilled, which changes no observable order) and the returned event is a dummy
    /// when one exists.
    @inlinable @inline(__always)
    func popNext(notAfter limit: Int64, peekOnly: Bool = false) -> Event? {
        if limit < 0 { return nil }
        let lim = UInt64(bitPattern: limit)
        while true {
            let b0 = bitmaps[0]
            if b0 != 0 {
                let idx = b0.trailingZeroBitCount
                let t = (cursor & ~63) | UInt64(idx)
                if t > lim { return nil }
                if anyPriority && t != openTime { openBucket(idx, time: t) }
                let bp = buckets + idx
                let head = Int(bp.pointee.head)
                let e = bp.pointee.base.unsafelyUnwrapped[head]
                if tombstones > 0 && !isLive(e) {
                    consumeHead(idx)
                    tombstones &-= 1
                    continue
                }
                if peekOnly { return Event(time: SimTime(milliseconds: Int64(t)), priority: 0, handler: 0, agent: 0, handle: .invalid) }
                // Software prefetch: load the slot record of the entry 4 places
                // ahead, so with a slot table larger than the caches its miss overlaps with the
                // events in between instead of stalling that later pop. The value is unused.
                let ahead = head &+ 4
                if ahead < Int(bp.pointee.count) {
                    let s = bp.pointee.base.unsafelyUnwrapped[ahead].slot
                    if s < CalendarEntry.untrackedBit { prefetchSink &+= slots[Int(s)].generation }
                }
                consumeHead(idx)
                return fire(e)
            }
            let lm = levelMask & ~1
            if lm == 0 { return nil }
            let level = lm.trailingZeroBitCount
            let idx = bitmaps[level].trailingZeroBitCount
            let shift = UInt64(level * Self.digitBits)
            let highMask: UInt64 = level == Self.levels - 1 ? 0 : ~(((1 as UInt64) << (shift + 6)) &- 1)
            let newCursor = (cursor & highMask) | (UInt64(idx) << shift)
            // Every entry of that bucket is >= newCursor; stop before spilling past the limit so
            // the cursor never overtakes a time the caller may still schedule at.
            if newCursor > lim { return nil }
            let b = level &* 64 &+ idx
            let bp = buckets + b
            // A bucket holding a single entry (the common case when events are sparse relative
            // to the bucket width) holds the minimum: fire it directly instead of moving it down
            // level by level.
            if bp.pointee.count == 1 && !peekOnly {
                let e = bp.pointee.base.unsafelyUnwrapped[0]
                if e.time <= lim && (tombstones == 0 || isLive(e)) {
                    bp.pointee.count = 0
                    bitmaps[level] &= ~((1 as UInt64) &<< UInt64(idx))
                    if bitmaps[level] == 0 { levelMask &= ~((1 as UInt64) &<< UInt64(level)) }
                    return fire(e)
                }
            }
            cursor = newCursor
            spill(level: level, idx: idx)
        }
    }

    /// Completes a pop: advances the clock, reads the slot, frees or re-arms it.
    @inlinable @inline(__always)
    func fire(_ e: CalendarEntry) -> Event {
        let t = e.time
        cursor = t
        now = Int64(bitPattern: t)
        fired &+= 1
        if e.isUntracked {
            live &-= 1
            return Event(time: SimTime(milliseconds: Int64(bitPattern: t)), priority: 0,
                         handler: e.slot & ~CalendarEntry.untrackedBit, agent: e.generation, handle: .invalid)
        }
        let rec = slots[Int(e.slot)]
        let event = Event(time: SimTime(milliseconds: Int64(bitPattern: t)), priority: rec.priority,
                          handler: rec.handler, agent: rec.agent,
                          handle: EventHandle(slot: e.slot, generation: e.generation))
        if rec.period == 0 {
            releaseSlot(e.slot)
            live &-= 1
        } else {
            let (next, overflow) = Int64(bitPattern: t).addingReportingOverflow(rec.period)
            if overflow || next == .max {
                releaseSlot(e.slot)
                live &-= 1
            } else {
                insert(CalendarEntry(time: UInt64(bitPattern: next), slot: e.slot, generation: e.generation),
                       priority: rec.priority)
            }
        }
        return event
    }

    @inlinable @inline(__always)
    func consumeHead(_ idx: Int) {
        let bp = buckets + idx
        let h = bp.pointee.head &+ 1
        if h == bp.pointee.count {
            bp.pointee.head = 0
            bp.pointee.count = 0
            bitmaps[0] &= ~((1 as UInt64) &<< UInt64(idx))
            if bitmaps[0] == 0 { levelMask &= ~1 }
            maybeShrink(bucket: idx)
        } else {
            bp.pointee.head = h
        }
    }

    /// Moves every entry of bucket (level, idx) to lower levels relative to the new cursor.
    @inlinable @inline(__always)
    func spill(level: Int, idx: Int) {
        let b = level * 64 + idx
        bitmaps[level] &= ~((1 as UInt64) &<< UInt64(idx))
        if bitmaps[level] == 0 { levelMask &= ~((1 as UInt64) &<< UInt64(level)) }
        let count = Int(buckets[b].count)
        buckets[b].count = 0
        guard let base = buckets[b].base else { return }
        let cur = cursor, bk = buckets, bm = bitmaps
        if tombstones > 0 {
            for i in 0..<count {
                let e = base[i]
                if isLive(e) {
                    _ = Self.place(e, cursor: cur, buckets: bk, bitmaps: bm, storage: self)
                } else {
                    tombstones &-= 1
                }
            }
        } else {
            for i in 0..<count { _ = Self.place(base[i], cursor: cur, buckets: bk, bitmaps: bm, storage: self) }
        }
        // every target level is below `level`
        for l in 0..<level where bitmaps[l] != 0 { levelMask |= (1 as UInt64) &<< UInt64(l) }
        maybeShrink(bucket: b)
        spillsSinceSweep &+= 1
        if totalBucketCapacity > 2 &* live &+ 65_536 && spillsSinceSweep >= 64 { releaseEmptyBuckets() }
    }

    /// Makes the level-0 bucket of time `t` the open one: stably sorts it by priority.
    @usableFromInline
    func openBucket(_ idx: Int, time t: UInt64) {
        openTime = t
        let head = Int(buckets[idx].head)
        let count = Int(buckets[idx].count)
        guard count - head >= 2, let base = buckets[idx].base else { return }
        var sorted = true
        var prev = priority(of: base[head])
        for i in (head + 1)..<count {
            let p = priority(of: base[i])
            if p < prev { sorted = false; break }
            prev = p
        }
        if sorted { return }
        sortScratch.removeAll(keepingCapacity: true)
        for i in head..<count {
            sortScratch.append((priority(of: base[i]), Int32(i), base[i]))
        }
        // (priority, position) keys are unique, so any sort is deterministic and stable here.
        sortScratch.sort { ($0.priority, $0.position) < ($1.priority, $1.position) }
        for (k, item) in sortScratch.enumerated() { base[head + k] = item.entry }
    }
}
