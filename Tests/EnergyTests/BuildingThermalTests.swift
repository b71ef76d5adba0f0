import XCTest
@testable import Energy

final class BuildingThermalTests: XCTestCase {
    let sf = BuildingArchetype.singleFamily.thermal

    func testEigenvaluesSatisfyCharacteristicEquation() {
        let m = ThermalModes(sf)
        let pa = (sf.ua + sf.massConductance) / sf.airCapacity
        let qm = sf.massConductance / sf.massCapacity
        let tr = -(pa + qm)
        let det = sf.ua * sf.massConductance / (sf.airCapacity * sf.massCapacity)
        for r in [m.r1, m.r2] {
            // r² − tr r + det = 0; relative to det (the smallest term's scale).
            XCTAssertEqual((r * r - tr * r + det) / det, 0, accuracy: 1e-9)
        }
        XCTAssertLessThan(m.r1, m.r2)
        XCTAssertLessThan(m.r2, 0)
        // Single-family: fast mode ~7 min (air), slow mode ~9 h (envelope + mass).
        XCTAssertEqual(m.timeConstants.fast, 1 / (pa + qm) , accuracy: 0.2 / (pa + qm))
        XCTAssertGreaterThan(m.timeConstants.slow, 5 * 3600)
        XCTAssertLessThan(m.timeConstants.slow, 12 * 3600)
    }

    func testTrajectoryInitialValuesSlopesAndSteadyState() {
        let m = ThermalModes(sf)
        let (ta0, tm0, to, qa, qm) = (21.0, 19.0, 5.0, 1500.0, 700.0)
        let tr = ThermalTrajectory(parameters: sf, modes: m, air: ta0, mass: tm0, outdoor: to, airGain: qa, massGain: qm)
        XCTAssertEqual(tr.air(at: 0), ta0, accuracy: 1e-12)
        XCTAssertEqual(tr.mass(at: 0), tm0, accuracy: 1e-12)
        let dTa = (sf.ua * (to - ta0) + sf.massConductance * (tm0 - ta0) + qa) / sf.airCapacity
        XCTAssertEqual(tr.airSlope(at: 0), dTa, accuracy: 1e-12)
        // Steady state: Ta∞ = To + (Qa+Qm)/UA = 5 + 2200/250 = 13.8; Tm∞ = Ta∞ + Qm/Hm = 14.08.
        XCTAssertEqual(tr.airSteady, 13.8, accuracy: 1e-12)
        XCTAssertEqual(tr.massSteady, 13.8 + 700.0 / 2500, accuracy: 1e-12)
        XCTAssertEqual(tr.air(at: 1e7), 13.8, accuracy: 1e-9)
    }

    func testOneNodeCrossingMatchesLogarithm() {
        let p = ThermalParameters.oneNode(ua: 200, capacity: 4e6)    // τ = 20,000 s
        let m = ThermalModes(p)
        let tr = ThermalTrajectory(parameters: p, modes: m, air: 20, mass: 20, outdoor: 0, airGain: 0, massGain: 0)
        let t = tr.firstCrossing(of: 19.5, horizon: 1e6)
        // t = −τ ln((θ − T∞)/(T0 − T∞)) = 20,000 ln(20/19.5) = 506.33 s.
        let expected = 20_000 * log(20 / 19.5)
        XCTAssertNotNil(t)
        XCTAssertEqual(t ?? -1, expected, accuracy: 1e-5)
        // Asymptote above the threshold → no crossing.
        let warm = ThermalTrajectory(parameters: p, modes: m, air: 20, mass: 20, outdoor: 19.8, airGain: 0, massGain: 0)
        XCTAssertNil(warm.firstCrossing(of: 19.5, horizon: 1e7))
        // Beyond the horizon → none.
        XCTAssertNil(tr.firstCrossing(of: 19.5, horizon: 400))
    }

    func testTwoNodeCrossingOnNonMonotoneTrajectory() throws {
        // Cold air in a warm building at 0 °C outdoors, no gains: the air first rises fast
        // towards the mass (fast mode, ~7 min) to about 22.7 °C, then both cool slowly
        // towards 0 °C. A threshold of 16 °C is crossed twice; the first crossing is wanted.
        let m = ThermalModes(sf)
        let tr = ThermalTrajectory(parameters: sf, modes: m, air: 15, mass: 25, outdoor: 0,
                                   airGain: 0, massGain: 0)
        let up = try XCTUnwrap(tr.firstCrossing(of: 16, horizon: 1e6))
        XCTAssertEqual(tr.air(at: up), 16, accuracy: 1e-7)
        var s = 0.0
        while s < up - 0.5 { XCTAssertLessThan(tr.air(at: s), 16); s += 0.5 }
        // Peak by dense sampling; a threshold just above it is never reached.
        var peak = -Double.infinity
        for k in 0..<20_000 { peak = max(peak, tr.air(at: Double(k))) }
        XCTAssertGreaterThan(peak, 20)
        XCTAssertNil(tr.firstCrossing(of: peak + 0.01, horizon: 1e6))
        // Below the start: only the slow descent crosses it, after the peak.
        let down = try XCTUnwrap(tr.firstCrossing(of: 10, horizon: 1e6))
        XCTAssertGreaterThan(down, up)
        XCTAssertEqual(tr.air(at: down), 10, accuracy: 1e-7)
        // With a short horizon the descent is out of reach.
        XCTAssertNil(tr.firstCrossing(of: 10, horizon: 3600))
    }

    func testPerformanceCurves() {
        let c = HVACParameters.residentialCoolingCOP
        XCTAssertEqual(c.value(at: 35), 3.5, accuracy: 1e-12)
        XCTAssertEqual(c.value(at: 25), 4.2, accuracy: 1e-12)    // +2 %/K × 10 K
        XCTAssertEqual(c.value(at: 45), 2.8, accuracy: 1e-12)
        XCTAssertEqual(c.value(at: -20), 6.0, accuracy: 1e-12)   // clamped at max
        XCTAssertEqual(c.value(at: 80), 1.5, accuracy: 1e-12)    // clamped at min
        let h = HVACParameters.heatPumpHeatingCOP
        XCTAssertEqual(h.value(at: 8.33), 3.2, accuracy: 1e-12)
        XCTAssertEqual(h.value(at: -1.67), 3.2 * 0.75, accuracy: 1e-12)   // −10 K × 2.5 %/K
        XCTAssertEqual(h.value(at: -40), 1.0, accuracy: 1e-12)
        XCTAssertEqual(PerformanceCurve.constant(0.8).value(at: -10), 0.8)
        let q = PerformanceCurve(c0: 1, c1: 0.1, c2: 0.01, minimum: 0.1, maximum: 100)
        XCTAssertEqual(q.value(at: 10), 1 + 1 + 1, accuracy: 1e-12)
    }

    func testThermostatRules() {
        // h = 20, c = 24, d = 1 → heatOn 19.5, heatOff 20.5, coolOff 23.5, coolOn 24.5.
        func r(_ m: HVACMode, _ ta: Double) -> HVACMode {
            Thermostat.reconcile(m, air: ta, heating: 20, cooling: 24, deadband: 1)
        }
        XCTAssertEqual(r(.off, 19.5), .heating)
        XCTAssertEqual(r(.off, 19.6), .off)
        XCTAssertEqual(r(.off, 24.5), .cooling)
        XCTAssertEqual(r(.heating, 20.4), .heating)
        XCTAssertEqual(r(.heating, 20.5), .off)
        XCTAssertEqual(r(.cooling, 23.6), .cooling)
        XCTAssertEqual(r(.cooling, 23.5), .off)
        XCTAssertEqual(r(.heating, 30), .cooling)
    }

    func testScheduleClock() {
        // Start Friday 22:30.
        let clock = ScheduleClock(weekdayAtStart: 4, secondsIntoDayAtStart: 22.5 * 3600)
        var s = clock.slot(milliseconds: 0)
        XCTAssertEqual(s.hour, 22); XCTAssertEqual(s.dayOfWeek, 4); XCTAssertFalse(s.weekend)
        s = clock.slot(milliseconds: 2 * 3_600_000)       // Saturday 00:30
        XCTAssertEqual(s.hour, 0); XCTAssertEqual(s.dayOfWeek, 5); XCTAssertTrue(s.weekend)
        s = clock.slot(milliseconds: 50 * 3_600_000)      // Monday 00:30
        XCTAssertEqual(s.dayOfWeek, 0); XCTAssertFalse(s.weekend)
        XCTAssertEqual(clock.nextHourBoundary(afterMilliseconds: 0), 1_800_000)
        XCTAssertEqual(clock.nextHourBoundary(afterMilliseconds: 1_800_000), 5_400_000)
    }

    func testArchetypesValidateAndProfilesAreWellFormed() throws {
        for a in BuildingArchetype.builtIn {
            try a.validate(source: "builtIn", field: a.name)
            for p in [a.occupancy.weekday, a.occupancy.weekend, a.baseLoad.weekday, a.baseLoad.weekend] {
                XCTAssertEqual(p.values.count, 24, a.name)
            }
            // Design heat loss at −10 °C (UA × 30 K) must be within the heating capacity.
            XCTAssertGreaterThan(a.hvac.heatingCapacity, a.thermal.ua * 30, a.name)
        }
        XCTAssertEqual(BuildingArchetype.named("office")?.floorArea, 1000)
        XCTAssertNil(BuildingArchetype.named("castle"))
    }

    func testErrorsAreOneLineAndNameTheField() {
        var p = BuildingArchetype.apartment
        p.thermal.ua = -1
        XCTAssertThrowsError(try p.validate(source: "city.yaml", field: "buildings.classes[1].archetype")) { e in
            let text = "\(e)"
            XCTAssertEqual(text, "city.yaml: buildings.classes[1].archetype.thermal.ua: expected a finite number > 0, got -1.0")
            XCTAssertFalse(text.contains("\n"))
        }
        XCTAssertThrowsError(try DailyProfile([1, 2], source: "s.yaml", field: "occ")) { e in
            XCTAssertEqual("\(e)", "s.yaml: occ: expected 24 hourly values, got 2")
        }
        var h = BuildingArchetype.office
        h.hvac.coolingSetpoint = 21.5
        XCTAssertThrowsError(try h.validate(source: "s.yaml", field: "b")) { e in
            XCTAssertTrue("\(e)".hasPrefix("s.yaml: b.hvac.coolingSetpoint: expected > heatingSetpoint + deadband"))
        }
    }
}
