import XCTest
import SimKernel

/// The kernel's hold-model benchmark inside XCTest. Absolute rates depend on the machine and
/// the build (debug here), so nothing asserts a time; the figures that matter are produced by
/// Benchmarks/kernel/run.sh in release mode and recorded in Benchmarks/README.md.
final class KernelPerformanceTests: XCTestCase {
    /// 1,000 pending events, 50,000 holds per iteration (10 iterations, well under 1 s in debug).
    func testHoldModelThroughput() {
        var finalTimes: Set<Int64> = []
        measure {
            let r = HoldModelBenchmark.run(pending: 1_000, events: 50_000, seed: 7)
            XCTAssertEqual(r.events, 50_000)
            finalTimes.insert(r.finalTime.milliseconds)
        }
        XCTAssertEqual(finalTimes.count, 1, "same seed must give the same run")
    }

    /// Scalability, generously: the per-event cost of the radix calendar is nearly independent
    /// of the number of pending events, so 100x more pending events must not cost 10x more per
    /// event (a sorted list would be ~100x slower, a binary heap ~2-3x).
    func testEventRateScalesWithPendingEvents() {
        func best(_ pending: Int) -> Double {
            (0..<3).map { _ in HoldModelBenchmark.run(pending: pending, events: 60_000, seed: 1).eventsPerSecond }.max() ?? 0
        }
        let small = best(100), large = best(10_000)
        XCTAssertGreaterThan(large, small / 10, "100 pending: \(small) ev/s, 10,000 pending: \(large) ev/s")
    }
}
