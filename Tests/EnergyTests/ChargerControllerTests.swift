import XCTest
@testable import Energy

final class ChargerControllerTests: XCTestCase {
    func testStepLogicDownToMinimumAndBack() throws {
        var c = try SmartChargingController(policy: .smart, ratedKW: [100, 50])
        var changed: [Int] = []
        // Station 0 violates (voltage), station 1 is fine and uncapped.
        c.step(voltagePU: [0.94, 1.0], loadingPercent: [50, 50], changed: &changed)
        XCTAssertEqual(changed, [0])
        XCTAssertEqual(c.capKW[0], 80)
        XCTAssertNil(c.capKW[1])
        // Loading violation alone also reduces; 20 % steps down to the 20 % minimum.
        for _ in 0..<10 { c.step(voltagePU: [0.97, 1.0], loadingPercent: [95, 50], changed: &changed) }
        XCTAssertEqual(c.capKW[0], 20)
        XCTAssertEqual(changed, [])   // already at the minimum: no change reported
        // Clear: +10 % of rated per step, uncapped (nil) once back at the rating.
        c.step(voltagePU: [0.97, 1.0], loadingPercent: [70, 50], changed: &changed)
        XCTAssertEqual(c.capKW[0] ?? 0, 30, accuracy: 1e-9)
        XCTAssertEqual(changed, [0])
        for _ in 0..<7 { c.step(voltagePU: [0.97, 1.0], loadingPercent: [70, 50], changed: &changed) }
        XCTAssertNil(c.capKW[0])
    }

    func testHysteresisBandHoldsAndUnknownInputsHold() throws {
        var c = try SmartChargingController(policy: .smart, ratedKW: [100])
        var changed: [Int] = []
        c.step(voltagePU: [0.949], loadingPercent: [.nan], changed: &changed)
        XCTAssertEqual(c.capKW[0], 80)
        // Voltage wandering inside [0.95, 0.96) and loading inside (80, 90]: no change at all.
        for k in 0..<100 {
            let v = 0.95 + 0.0099 * Double(k % 7) / 6
            let l = 80.5 + 9.5 * Double(k % 5) / 4
            c.step(voltagePU: [v], loadingPercent: [l], changed: &changed)
            XCTAssertEqual(changed, [])
        }
        // No power flow yet (NaN): hold.
        c.step(voltagePU: [.nan], loadingPercent: [.nan], changed: &changed)
        XCTAssertEqual(c.capKW[0], 80)
        XCTAssertEqual(c.changeCount, 1)
    }

    /// Closed loop with a toy feeder v = 1 − 0.001 · cap(kW): the cap walks down to 40 kW
    /// (v = 0.96), restores one step to 50 kW (v = 0.95, inside the band) and stays there —
    /// no chattering. Without the band (restore at 0.95) it would oscillate 40 ↔ 50 ↔ 30 ...
    func testClosedLoopSettlesWithoutChattering() throws {
        var c = try SmartChargingController(policy: .smart, ratedKW: [100])
        var changed: [Int] = []
        var caps: [Double] = []
        for _ in 0..<50 {
            let v = 1 - 0.001 * (c.capKW[0] ?? 100) + 1e-9  // + 1e-9: land exactly on the thresholds
            c.step(voltagePU: [v], loadingPercent: [.nan], changed: &changed)
            caps.append(c.capKW[0] ?? 100)
        }
        XCTAssertEqual(Array(caps.prefix(4)), [80, 60, 40, 50])
        XCTAssertTrue(caps.dropFirst(4).allSatisfy { abs($0 - 50) < 1e-9 }, "\(caps)")
        XCTAssertEqual(c.changeCount, 4)
    }

    func testUncontrolledNeverCaps() throws {
        var c = try SmartChargingController(policy: .uncontrolled, ratedKW: [100, 100])
        var changed: [Int] = [7]
        c.step(voltagePU: [0.5, 0.5], loadingPercent: [300, 300], changed: &changed)
        XCTAssertEqual(changed, [])
        XCTAssertEqual(c.capKW, [nil, nil])
    }

    func testInvalidSettingsNameTheField() {
        XCTAssertThrowsError(try SmartChargingController(
            policy: .smart, settings: SmartChargingSettings(voltageLow: 0.95, voltageRestore: 0.94), ratedKW: [1],
            source: "heat.yaml")) { e in
            XCTAssertEqual("\(e)", "heat.yaml: charging.smart.voltageRestore: expected a number >= voltageLow (0.95), got 0.94")
        }
        XCTAssertThrowsError(try SmartChargingController(policy: .smart, ratedKW: [0])) { e in
            XCTAssertTrue("\(e)".contains("ratedKW[0]"))
        }
    }
}
