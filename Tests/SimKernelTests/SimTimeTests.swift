import XCTest
@testable import SimKernel

final class SimTimeTests: XCTestCase {
    func testConstructorsRoundToNearestMillisecond() {
        XCTAssertEqual(SimTime.seconds(1.0004).milliseconds, 1000)
        XCTAssertEqual(SimTime.seconds(1.0006).milliseconds, 1001)
        XCTAssertEqual(SimTime.seconds(-0.0015).milliseconds, -2)  // ties away from zero
        XCTAssertEqual(SimTime.minutes(1.5).milliseconds, 90_000)
        XCTAssertEqual(SimTime.hours(2).milliseconds, 7_200_000)
        XCTAssertEqual(SimTime.seconds(2.5).seconds, 2.5)
        XCTAssertEqual(SimTime(milliseconds: 42).milliseconds, 42)
    }

    func testArithmeticAndSaturation() {
        let a = SimTime.seconds(10), b = SimTime.seconds(4)
        XCTAssertEqual(a + b, .seconds(14))
        XCTAssertEqual(a - b, .seconds(6))
        XCTAssertEqual(b * 3, .seconds(12))
        XCTAssertEqual(3 * b, .seconds(12))
        XCTAssertLessThan(b, a)
        // "never" stays never; overflow saturates instead of trapping
        XCTAssertEqual(SimTime.max + .seconds(1), .max)
        XCTAssertEqual(SimTime.min - .seconds(1), .min)
        XCTAssertEqual(SimTime.hours(1) * Int.max, .max)
        XCTAssertEqual(SimTime.hours(-1) * Int.max, .min)
        XCTAssertEqual(SimTime.seconds(1e30), .max)
        XCTAssertEqual(SimTime.seconds(-.infinity), .min)
        XCTAssertEqual(SimTime.seconds(.nan), .zero)
    }

    func testDescription() {
        XCTAssertEqual(SimTime(milliseconds: 3_723_004).description, "1h02m03.004s")
        XCTAssertEqual(SimTime(milliseconds: 123_004).description, "2m03.004s")
        XCTAssertEqual(SimTime(milliseconds: 3_004).description, "3.004s")
        XCTAssertEqual(SimTime.zero.description, "0.000s")
        XCTAssertEqual(SimTime(milliseconds: -61_500).description, "-1m01.500s")
        XCTAssertEqual(SimTime.hours(30).description, "30h00m00.000s")
        XCTAssertEqual(SimTime.max.description, "never")
        XCTAssertEqual(SimTime.min.description, "-2562047788015h12m55.808s")
    }
}
