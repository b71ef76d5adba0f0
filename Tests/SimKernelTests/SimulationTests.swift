import XCTest
@testable import SimKernel

/// Records what it sees; handler 1 re-schedules itself every 10 s, handler 2 is a one-shot.
private struct Recorder: EventHandler {
    var log: [(time: Int64, handler: UInt32, agent: UInt32)] = []
    var stopAfter = Int.max

    mutating func handle(_ event: Event, calendar: inout EventCalendar) {
        log.append((event.time.milliseconds, event.handler, event.agent))
        if event.handler == 1 { calendar.schedule(after: .seconds(10), handler: 1, agent: event.agent) }
    }

    var shouldStop: Bool { log.count >= stopAfter }
}

final class SimulationTests: XCTestCase {
    func testRunUntilIsInclusiveAndLeavesNowAtUntil() {
        var sim = Simulation(handler: Recorder())
        sim.calendar.schedule(at: .zero, handler: 1, agent: 0)
        let stats = sim.run(until: .seconds(30))
        // 0, 10, 20, 30: the event at exactly `until` runs
        XCTAssertEqual(sim.handler.log.map(\.time), [0, 10_000, 20_000, 30_000])
        XCTAssertEqual(stats.eventsExecuted, 4)
        XCTAssertEqual(stats.stopReason, .reachedUntil)
        XCTAssertEqual(sim.now, .seconds(30))
        XCTAssertEqual(sim.calendar.pendingCount, 1)
        // continue: the next run picks up exactly where the last stopped
        sim.run(until: .seconds(45))
        XCTAssertEqual(sim.handler.log.map(\.time).suffix(1), [40_000])
        XCTAssertEqual(sim.now, .seconds(45))
        // scheduling at the new `now` is allowed and runs next
        sim.calendar.schedule(at: sim.now, handler: 2, agent: 5)
        sim.run(until: .seconds(45))
        XCTAssertEqual(sim.handler.log.last?.agent, 5)
    }

    func testDryCalendarAdvancesToUntil() {
        var sim = Simulation(handler: Recorder())
        sim.calendar.schedule(at: .seconds(3), handler: 2)
        let stats = sim.run(until: .hours(1))
        XCTAssertEqual(stats.eventsExecuted, 1)
        XCTAssertEqual(stats.finalTime, .hours(1))
        XCTAssertEqual(sim.now, .hours(1))
    }

    func testHandlerStopAndEventLimit() {
        var sim = Simulation(handler: Recorder(stopAfter: 3))
        sim.calendar.schedule(at: .zero, handler: 1)
        let s1 = sim.run(until: .hours(1))
        XCTAssertEqual(s1.stopReason, .handlerStopped)
        XCTAssertEqual(s1.eventsExecuted, 3)
        XCTAssertEqual(sim.now, .seconds(20), "clock stays at the last executed event")
        sim.handler.stopAfter = .max
        let s2 = sim.run(until: .hours(1), maxEvents: 5)
        XCTAssertEqual(s2.stopReason, .eventLimit)
        XCTAssertEqual(s2.eventsExecuted, 5)
        XCTAssertEqual(sim.now, .seconds(70))
    }

    func testWhileConditionCheckedEveryNEvents() {
        var sim = Simulation(handler: Recorder())
        for a in 0..<4 { sim.calendar.schedule(at: .zero, handler: 1, agent: UInt32(a)) }
        var calls = 0
        let s = sim.run(until: .hours(1), checkEvery: 8) { h, cal in
            calls += 1
            return cal.now < .seconds(25)
        }
        XCTAssertEqual(s.stopReason, .conditionFailed)
        // checks after 0, 8, 16 events; 16 events reach t = 30 s (4 agents x 4 firings)
        XCTAssertEqual(s.eventsExecuted, 16)
        XCTAssertEqual(calls, 3)
        XCTAssertEqual(sim.now, .seconds(30))
    }

    func testProgressHook() {
        var sim = Simulation(handler: Recorder())
        for a in 0..<10 { sim.calendar.schedule(at: .zero, handler: 1, agent: UInt32(a)) }
        var reports: [RunProgress] = []
        let s = sim.run(until: .seconds(99), progressEvery: 25) { reports.append($0) }
        XCTAssertEqual(s.eventsExecuted, 100)
        XCTAssertEqual(reports.map(\.eventsExecuted), [25, 50, 75, 100])
        XCTAssertEqual(reports.first?.simTime, .seconds(20))
    }

    func testHoldModelIsDeterministic() {
        let a = HoldModelBenchmark.run(pending: 100, events: 20_000, seed: 3)
        let b = HoldModelBenchmark.run(pending: 100, events: 20_000, seed: 3)
        let c = HoldModelBenchmark.run(pending: 100, events: 20_000, seed: 4)
        XCTAssertEqual(a.events, 20_000)
        XCTAssertEqual(a.finalTime, b.finalTime)
        XCTAssertNotEqual(a.finalTime, c.finalTime)
        // 100 processes with mean hold 100 s: 20,100 holds take about 20,100 s of simulated
        // time; the sum of 20,100 exponentials has a 0.7 % relative sd, so 5 % is > 7 sd.
        XCTAssertEqual(a.finalTime.seconds, 20_100, accuracy: 20_100 * 0.05)
        XCTAssertTrue(a.jsonLine.hasPrefix("{\"engine\": \"citytwin\""))
    }
}
