import XCTest
@testable import SimKernel

final class EventCalendarTests: XCTestCase {
    private func drain(_ c: inout EventCalendar) -> [Event] {
        var out: [Event] = []
        while let e = c.popNext() { out.append(e) }
        return out
    }

    func testTimeOrderAndNow() {
        var c = EventCalendar()
        for (i, t) in [50, 10, 7_000_000, 10, 64, 63, 1 << 40, 0].enumerated() {
            c.schedule(at: SimTime(milliseconds: Int64(t)), handler: 1, agent: UInt32(i))
        }
        XCTAssertEqual(c.pendingCount, 8)
        let fired = drain(&c)
        XCTAssertEqual(fired.map(\.time.milliseconds), [0, 10, 10, 50, 63, 64, 7_000_000, 1 << 40])
        XCTAssertEqual(fired.map(\.agent), [7, 1, 3, 0, 5, 4, 2, 6])  // FIFO among the two at 10
        XCTAssertEqual(c.now.milliseconds, 1 << 40)
        XCTAssertEqual(c.pendingCount, 0)
        XCTAssertNil(c.popNext())
    }

    func testSimultaneousEventsRunByPriorityThenFIFO() {
        var c = EventCalendar()
        let t = SimTime.seconds(5)
        // agent = order of scheduling
        c.schedule(at: t, priority: 2, handler: 0, agent: 0)
        c.schedule(at: t, priority: 0, handler: 0, agent: 1)
        c.schedule(at: t, priority: -1, handler: 0, agent: 2)
        c.schedule(at: t, priority: 2, handler: 0, agent: 3)
        c.schedule(at: t, priority: 0, handler: 0, agent: 4)
        c.schedule(at: .seconds(4), priority: 9, handler: 0, agent: 5)
        c.schedule(at: .seconds(6), priority: -9, handler: 0, agent: 6)
        let fired = drain(&c)
        XCTAssertEqual(fired.map(\.agent), [5, 2, 1, 4, 0, 3, 6])
        XCTAssertEqual(fired.map(\.priority), [9, -1, 0, 0, 2, 2, -9])
    }

    func testSchedulingAtNowWhileTheMillisecondIsOpen() {
        var c = EventCalendar()
        let t = SimTime.seconds(1)
        c.schedule(at: t, priority: 5, handler: 0, agent: 0)
        c.schedule(at: t, priority: 5, handler: 0, agent: 1)
        c.schedule(at: t, priority: 7, handler: 0, agent: 2)
        XCTAssertEqual(c.popNext()?.agent, 0)
        // Lower priority at the current time jumps ahead of the pending priority-5 event;
        // equal priority goes behind it (FIFO); higher goes last.
        c.schedule(at: t, priority: 1, handler: 0, agent: 10)
        c.schedule(at: t, priority: 5, handler: 0, agent: 11)
        c.schedule(at: t, priority: 6, handler: 0, agent: 12)
        c.schedule(at: t, priority: 9, handler: 0, agent: 13)
        c.schedule(after: .zero, priority: 0, handler: 0, agent: 14)
        XCTAssertEqual(drain(&c).map(\.agent), [14, 10, 1, 11, 12, 2, 13])
    }

    func testCancel() {
        var c = EventCalendar()
        let a = c.schedule(at: .seconds(1), handler: 0, agent: 1)
        let b = c.schedule(at: .seconds(2), handler: 0, agent: 2)
        let d = c.schedule(at: .seconds(3), handler: 0, agent: 3)
        XCTAssertTrue(c.cancel(b))
        XCTAssertFalse(c.cancel(b), "second cancel of the same handle")
        XCTAssertEqual(c.pendingCount, 2)
        XCTAssertEqual(c.popNext()?.agent, 1)
        XCTAssertFalse(c.cancel(a), "cancel after fire")
        XCTAssertFalse(c.cancel(.invalid))
        // slot of b is reused by a new event; b's stale handle must not cancel it
        let e = c.schedule(at: .seconds(4), handler: 0, agent: 4)
        XCTAssertEqual(e.slot, b.slot == a.slot ? e.slot : e.slot)
        XCTAssertFalse(c.cancel(b))
        XCTAssertTrue(c.isPending(d))
        XCTAssertEqual(drain(&c).map(\.agent), [3, 4])
        XCTAssertFalse(c.isPending(d))
    }

    func testReschedule() {
        var c = EventCalendar()
        let a = c.schedule(at: .seconds(1), priority: 3, handler: 7, agent: 1)
        c.schedule(at: .seconds(2), handler: 0, agent: 2)
        guard let a2 = c.reschedule(a, to: .seconds(5)) else { return XCTFail("reschedule failed") }
        XCTAssertNil(c.reschedule(a, to: .seconds(6)), "old handle is stale")
        XCTAssertFalse(c.cancel(a))
        XCTAssertEqual(c.pendingCount, 2)
        let fired = drain(&c)
        XCTAssertEqual(fired.map(\.agent), [2, 1])
        XCTAssertEqual(fired[1].time, .seconds(5))
        XCTAssertEqual(fired[1].priority, 3)
        XCTAssertEqual(fired[1].handler, 7)
        XCTAssertEqual(fired[1].handle, a2)
        XCTAssertNil(c.reschedule(a2, to: .seconds(9)), "fired")
        // earlier is fine too
        var c2 = EventCalendar()
        let x = c2.schedule(at: .seconds(10), handler: 0, agent: 1)
        c2.schedule(at: .seconds(5), handler: 0, agent: 2)
        XCTAssertNotNil(c2.reschedule(x, to: .seconds(1)))
        XCTAssertEqual(drain(&c2).map(\.agent), [1, 2])
    }

    func testPeriodicEventsAndCancellingThem() {
        var c = EventCalendar()
        let p = c.schedulePeriodic(start: .seconds(10), every: .seconds(15), handler: 3, agent: 9)
        c.schedule(at: .seconds(40), handler: 1, agent: 1)
        var times: [Int64] = []
        while let e = c.popNext(), e.time <= .seconds(70) {
            if e.handler == 3 { times.append(e.time.milliseconds / 1000); XCTAssertEqual(e.handle, p) }
        }
        XCTAssertEqual(times, [10, 25, 40, 55, 70])
        XCTAssertEqual(c.pendingCount, 1, "series stays pending")
        XCTAssertTrue(c.cancel(p))
        XCTAssertFalse(c.cancel(p))
        XCTAssertNil(c.popNext())
        XCTAssertEqual(c.pendingCount, 0)
    }

    func testPeriodicCancelledFromItsOwnHandler() {
        var c = EventCalendar()
        let p = c.schedulePeriodic(start: .zero, every: .milliseconds(7), handler: 0)
        var n = 0
        while let e = c.popNext() {
            n += 1
            if n == 4 { XCTAssertTrue(c.cancel(e.handle)) }
        }
        XCTAssertEqual(n, 4)
        XCTAssertEqual(c.now, .milliseconds(21))
        XCTAssertFalse(c.isPending(p))
    }

    func testClonesAreIndependent() {
        var a = EventCalendar()
        a.schedule(at: .seconds(1), handler: 0, agent: 1)
        let h = a.schedule(at: .seconds(2), handler: 0, agent: 2)
        a.scheduleUntracked(at: .seconds(3), handler: 0, agent: 3)
        var b = a.clone()
        XCTAssertEqual(b.popNext()?.agent, 1)
        XCTAssertEqual(a.pendingCount, 3)
        XCTAssertEqual(a.now, .zero)
        // A handle issued before the clone works in both, independently.
        XCTAssertTrue(b.cancel(h))
        XCTAssertTrue(a.isPending(h))
        b.schedule(at: .seconds(4), handler: 0, agent: 4)
        XCTAssertEqual(drain(&a).map(\.agent), [1, 2, 3])
        XCTAssertEqual(drain(&b).map(\.agent), [3, 4])
    }

    func testRemoveAllMakesHandlesStale() {
        var c = EventCalendar()
        let h = c.schedule(at: .seconds(3), handler: 0)
        c.removeAll()
        XCTAssertEqual(c.pendingCount, 0)
        let h2 = c.schedule(at: .seconds(3), handler: 0)
        XCTAssertFalse(c.cancel(h))
        XCTAssertTrue(c.cancel(h2))
    }

    func testNextEventTimePeeksWithoutPopping() {
        var c = EventCalendar()
        XCTAssertNil(c.nextEventTime())
        let a = c.schedule(at: .seconds(500), handler: 0, agent: 1)
        c.schedule(at: .seconds(900), handler: 0, agent: 2)
        c.schedule(at: .milliseconds(3), handler: 0, agent: 3)
        XCTAssertEqual(c.nextEventTime(), .milliseconds(3))
        XCTAssertEqual(c.popNext()?.agent, 3)
        XCTAssertEqual(c.nextEventTime(), .seconds(500))
        XCTAssertTrue(c.cancel(a))
        XCTAssertEqual(c.nextEventTime(), .seconds(900), "cancelled entries are skipped")
        XCTAssertEqual(c.now, .milliseconds(3), "peeking does not advance the clock")
        XCTAssertEqual(c.pendingCount, 1)
    }

    func testExtremeTimesAndPopLimit() {
        var c = EventCalendar()
        c.schedule(at: .max, handler: 0, agent: 1)
        c.schedule(at: SimTime(milliseconds: 1 << 62), handler: 0, agent: 2)
        c.schedule(at: .hours(24 * 365 * 1000), handler: 0, agent: 3)
        XCTAssertNil(c.popNext(notAfter: .hours(1)))
        XCTAssertEqual(c.now, .zero, "a refused pop leaves the clock alone")
        c.schedule(at: .seconds(1), handler: 0, agent: 4)   // still schedulable after the refused pop
        XCTAssertEqual(drain(&c).map(\.agent), [4, 3, 2, 1])
        XCTAssertEqual(c.now, .max)
        // a periodic series that would pass .max stops by itself
        var p = EventCalendar()
        p.schedulePeriodic(start: SimTime(milliseconds: Int64.max - 25), every: .milliseconds(10), handler: 0)
        XCTAssertEqual(drain(&p).count, 3)
        XCTAssertEqual(p.pendingCount, 0)
    }

    /// A pop refused by its limit after the wheel already moved on to a later block (its first
    /// event turned out to be past the limit) must not misplace events scheduled afterwards
    /// between now and that block: from level 1 and from an upper level.
    func testRefusedPopAfterTheWheelMovedKeepsOrder() {
        var c = EventCalendar()
        c.schedule(at: .milliseconds(5_000), handler: 0, agent: 1)
        XCTAssertNil(c.popNext(notAfter: .milliseconds(4_999)))
        c.schedule(at: .milliseconds(100), handler: 0, agent: 2)
        XCTAssertEqual(drain(&c).map(\.agent), [2, 1])

        var u = EventCalendar()
        u.schedule(at: .milliseconds(40_000_000), handler: 0, agent: 1)
        XCTAssertNil(u.popNext(notAfter: .milliseconds(35_000_000)))
        u.schedule(at: .milliseconds(200), handler: 0, agent: 2)
        u.scheduleUntracked(at: .milliseconds(200), handler: 0, agent: 3)
        u.schedule(at: .milliseconds(40_000_000), handler: 0, agent: 4)
        XCTAssertEqual(drain(&u).map(\.agent), [2, 3, 1, 4])
        XCTAssertEqual(u.pendingCount, 0)
    }

    /// Level-1 lists are kept newest first and reversed by the spill; upper levels refill
    /// level 1. Equal times must come out in scheduling order whichever levels they passed
    /// through, including a rewind (a refused pop, then an earlier event) with level-1 lists
    /// holding several entries of one time.
    func testEqualTimesStayFIFOThroughEveryLevel() {
        var c = EventCalendar()
        let times: [Int64] = [9_000, 9_000 + 4_096, 30_000_000, 1 << 33]
        var agent: UInt32 = 0
        var expected: [Int64: [UInt32]] = [:]
        for _ in 0..<5 {
            for t in times {
                if agent % 3 == 0 {
                    c.schedule(at: .milliseconds(t), handler: 0, agent: agent)
                } else {
                    c.scheduleUntracked(at: .milliseconds(t), handler: 0, agent: agent)
                }
                expected[t, default: []].append(agent)
                agent += 1
            }
        }
        // A refused pop that opens the first level-1 block, then an earlier event: the rewind
        // refiles the newest-first level-1 lists.
        XCTAssertNil(c.popNext(notAfter: .milliseconds(8_999)))
        c.schedule(at: .milliseconds(10), handler: 0, agent: 1_000)
        XCTAssertEqual(c.popNext()?.agent, 1_000)
        var got: [Int64: [UInt32]] = [:]
        while let e = c.popNext() {
            got[e.time.milliseconds, default: []].append(e.agent)
            // Once an upper-level time has spilled down, add more at every later time.
            if e.time.milliseconds == 30_000_000 && got[30_000_000]!.count == 1 {
                for t in times where t > 30_000_000 {
                    c.scheduleUntracked(at: .milliseconds(t), handler: 0, agent: agent)
                    expected[t, default: []].append(agent)
                    agent += 1
                }
            }
        }
        XCTAssertEqual(got, expected)
    }

    /// Bursts of 200,000 events: entry-pool memory is reused from burst to burst and compacted
    /// once the bursts have drained, so it does not grow with the number of bursts.
    func testBurstMemoryIsReusedNotLeaked() {
        var c = EventCalendar()
        var capacities: [Int] = []
        for round in 0..<3 {
            let base = c.now.milliseconds
            for i in 0..<200_000 {
                c.schedule(at: SimTime(milliseconds: base + Int64(i % 50_000) * 97), handler: 0, agent: UInt32(i))
            }
            var n = 0
            while c.popNext() != nil { n += 1 }
            XCTAssertEqual(n, 200_000, "round \(round)")
            capacities.append(c.storage.entryCapacity)
            XCTAssertEqual(c.storage.storedEntries, 0)
        }
        // Once drained, the pool is compacted below the floor (65,536 entries), whatever the
        // number of bursts before; during a burst it held 200,000.
        for cap in capacities { XCTAssertLessThanOrEqual(cap, 65_536) }
    }

    func testUntrackedEventsShareTheOrderWithTrackedOnes() {
        var c = EventCalendar()
        let t = SimTime.seconds(2)
        c.scheduleUntracked(at: t, handler: 7, agent: 0)
        let h = c.schedule(at: t, handler: 1, agent: 1)
        c.scheduleUntracked(at: t, handler: 7, agent: 2)
        c.scheduleUntracked(at: .seconds(1), handler: 9, agent: 3)
        c.scheduleUntracked(at: t, priority: -1, handler: 7, agent: 4)   // priority: tracked path
        c.scheduleUntracked(at: t, handler: 0x8000_0001, agent: 5)       // large handler id: tracked path
        XCTAssertEqual(c.pendingCount, 6)
        let fired = drain(&c)
        XCTAssertEqual(fired.map(\.agent), [3, 4, 0, 1, 2, 5])
        XCTAssertEqual(fired.map(\.handler), [9, 7, 7, 1, 7, 0x8000_0001])
        XCTAssertEqual(fired[0].handle, .invalid)
        XCTAssertEqual(fired[3].handle, h)
        XCTAssertEqual(c.pendingCount, 0)
    }

    /// Untracked entries mixed with cancelled (tombstoned) ones through spills, purges and pops.
    func testUntrackedEventsAmongTombstones() {
        var c = EventCalendar()
        var handles: [EventHandle] = []
        for i in 0..<5_000 {
            let t = SimTime(milliseconds: Int64((i * 7919) % 100_000))
            if i % 2 == 0 {
                c.scheduleUntracked(at: t, handler: 3, agent: UInt32(i))
            } else {
                handles.append(c.schedule(at: t, handler: 4, agent: UInt32(i)))
            }
        }
        for h in handles { XCTAssertTrue(c.cancel(h)) }   // 2,500 tombstones: triggers a purge
        XCTAssertEqual(c.pendingCount, 2_500)
        var last = SimTime.zero, n = 0
        while let e = c.popNext() {
            XCTAssertEqual(e.handler, 3)
            XCTAssertEqual(e.agent % 2, 0)
            XCTAssertGreaterThanOrEqual(e.time, last)
            last = e.time
            n += 1
        }
        XCTAssertEqual(n, 2_500)
    }

    /// Random schedules, cancels and reschedules checked against a sorted reference model.
    func testAgainstReferenceModel() {
        var rng = RandomStream(seed: 7, stream: 1)
        var c = EventCalendar()
        // reference: (time, priority, seq) -> agent
        var ref: [(t: Int64, p: Int32, seq: Int, agent: UInt32, h: EventHandle?)] = []
        var seq = 0
        var nextAgent: UInt32 = 0
        for _ in 0..<20_000 {
            let r = rng.nextDouble()
            if r < 0.45 || ref.isEmpty {
                let span: Int64 = [3, 100, 5_000, 400_000, 1 << 33][rng.uniform(0...4)]
                let t = c.now.milliseconds + Int64(rng.nextDouble() * Double(span))
                let p = Int32(rng.uniform(-2...2))
                if rng.bernoulli(0.3) {
                    // untracked (priority 0 only; cannot be cancelled later)
                    c.scheduleUntracked(at: SimTime(milliseconds: t), handler: 0, agent: nextAgent)
                    ref.append((t, 0, seq, nextAgent, nil))
                } else {
                    let h = c.schedule(at: SimTime(milliseconds: t), priority: p, handler: 0, agent: nextAgent)
                    ref.append((t, p, seq, nextAgent, h))
                }
                seq += 1; nextAgent += 1
            } else if r < 0.55 {
                let i = rng.uniform(0...(ref.count - 1))
                guard let h = ref[i].h else { continue }
                XCTAssertTrue(c.cancel(h))
                ref.remove(at: i)
            } else if r < 0.62 {
                let i = rng.uniform(0...(ref.count - 1))
                let t = c.now.milliseconds + Int64(rng.nextDouble() * 10_000)
                guard let old = ref[i].h else { continue }
                guard let h = c.reschedule(old, to: SimTime(milliseconds: t)) else { return XCTFail("stale") }
                ref[i].t = t; ref[i].seq = seq; ref[i].h = h; seq += 1
            } else {
                let m = ref.indices.min { (ref[$0].t, ref[$0].p, ref[$0].seq) < (ref[$1].t, ref[$1].p, ref[$1].seq) }!
                if rng.bernoulli(0.3) {
                    // A pop with a limit: refused (nil) exactly when the next event is later.
                    let span: Int64 = [10, 5_000, 1 << 25][rng.uniform(0...2)]
                    let limit = c.now.milliseconds + Int64(rng.nextDouble() * Double(span))
                    if ref[m].t > limit {
                        XCTAssertNil(c.popNext(notAfter: SimTime(milliseconds: limit)))
                        continue
                    }
                }
                guard let e = c.popNext() else { return XCTFail("calendar empty, reference has \(ref.count)") }
                XCTAssertEqual(e.agent, ref[m].agent)
                XCTAssertEqual(e.time.milliseconds, ref[m].t)
                ref.remove(at: m)
            }
            XCTAssertEqual(c.pendingCount, ref.count)
        }
    }

    /// Times straddling the wheel's block boundaries (4,096 ms and 2^24 ms), with peeks, copies
    /// and idle advances between pops: `nextEventTime` always names the time the next pop
    /// returns, a copy taken mid-run drains to the same sequence, and order is (time, FIFO).
    func testBlockBoundariesPeeksAndCopiesAgainstReference() {
        var rng = RandomStream(seed: 11, stream: 3)
        var c = EventCalendar()
        var ref: [(t: Int64, seq: Int, agent: UInt32)] = []
        var seq = 0
        for round in 0..<4_000 {
            let burst = rng.uniform(0...3)
            for _ in 0..<burst {
                let boundary: Int64 = [4_096, 1 << 24, 1 << 32][rng.uniform(0...2)]
                let nextBoundary = (c.now.milliseconds / boundary + 1) * boundary
                let t = max(c.now.milliseconds, nextBoundary + Int64(rng.uniform(-2...2)))
                c.scheduleUntracked(at: SimTime(milliseconds: t), handler: 0, agent: UInt32(seq))
                ref.append((t, seq, UInt32(seq)))
                seq += 1
            }
            if round % 500 == 250 {
                var copy = c.clone()
                let expected = ref.sorted { ($0.t, $0.seq) < ($1.t, $1.seq) }.map(\.agent)
                var got: [UInt32] = []
                while let e = copy.popNext() { got.append(e.agent) }
                XCTAssertEqual(got, expected)
            }
            guard let m = ref.indices.min(by: { (ref[$0].t, ref[$0].seq) < (ref[$1].t, ref[$1].seq) }) else {
                XCTAssertNil(c.nextEventTime())
                XCTAssertTrue(c.advanceIdle(to: c.now + .milliseconds(Int64(rng.uniform(0...10_000)))))
                continue
            }
            XCTAssertEqual(c.nextEventTime()?.milliseconds, ref[m].t)
            // Advancing idle to the next event's time is refused (an event is due), unless it is now.
            let due = ref[m].t > c.now.milliseconds
            XCTAssertEqual(c.advanceIdle(to: SimTime(milliseconds: ref[m].t)), !due)
            guard let e = c.popNext() else { return XCTFail("calendar empty, reference has \(ref.count)") }
            XCTAssertEqual(e.agent, ref[m].agent)
            XCTAssertEqual(e.time.milliseconds, ref[m].t)
            ref.remove(at: m)
        }
    }

    /// Long run: 1.5 million events (debug build, about 2 s) with times spread over 6 orders of
    /// magnitude and 10 % cancellations; times must never decrease and every event must be
    /// accounted for (fired + cancelled == scheduled). Tombstone purging keeps stored entries
    /// below twice the live count plus the purge threshold.
    func testLongRunAccounting() {
        var rng = RandomStream(seed: 99, stream: 2)
        var c = EventCalendar()
        let pending = 5_000
        var handles = [EventHandle](repeating: .invalid, count: pending)
        var scheduled = 0, cancelled = 0, fired = 0
        for a in 0..<pending {
            handles[a] = c.schedule(at: SimTime(milliseconds: Int64(rng.exponential(mean: 60_000))), handler: 0, agent: UInt32(a))
            scheduled += 1
        }
        var last = SimTime.zero
        var decreases = 0, maxStored = 0
        while fired < 1_500_000 {
            guard let e = c.popNext() else { break }
            if e.time < last { decreases += 1 }
            last = e.time
            fired += 1
            let scale = [10.0, 1_000, 60_000, 3_600_000][Int(rng.next() & 3)]
            let a = Int(e.agent)
            handles[a] = c.schedule(after: SimTime(milliseconds: Int64(rng.exponential(mean: scale))), handler: 0, agent: e.agent)
            scheduled += 1
            if rng.next() % 10 == 0 {
                let victim = Int(rng.next() % UInt64(pending))
                if c.cancel(handles[victim]) {
                    cancelled += 1
                    handles[victim] = c.schedule(after: .seconds(1), handler: 0, agent: UInt32(victim))
                    scheduled += 1
                }
            }
            if fired & 1023 == 0 { maxStored = max(maxStored, c.storage.storedEntries) }
        }
        XCTAssertEqual(decreases, 0)
        XCTAssertLessThanOrEqual(maxStored, 2 * pending + 1100)
        XCTAssertEqual(fired, 1_500_000)
        XCTAssertEqual(c.pendingCount, pending)
        XCTAssertEqual(scheduled, fired + cancelled + c.pendingCount)
        XCTAssertGreaterThan(cancelled, 75_000)
    }
}
