import XCTest
import SimKernel
@testable import Energy

final class BuildingStockTests: XCTestCase {
    /// Runs the stock for `hours` with constant weather; returns per-minute total power.
    static func run(_ stock: inout BuildingStock, calendar cal: inout EventCalendar, hours: Int,
                    outdoor: Double, irradiance: Double) -> [Double] {
        stock.start(calendar: &cal)
        stock.update(outdoorTemperature: outdoor, solarIrradiance: irradiance, at: cal.now, calendar: &cal)
        var series: [Double] = []
        for minute in 1...(hours * 60) {
            let t = SimTime.minutes(Double(minute))
            while let e = cal.popNext(notAfter: t) { stock.handle(e, calendar: &cal) }
            series.append(stock.totalElectricPower)
        }
        return series
    }

    func config(count: Int, seed: UInt64 = 7, sd: Double = 0.5) -> BuildingStockConfiguration {
        BuildingStockConfiguration(
            classes: [BuildingClassSpec(name: "houses", archetype: .singleFamily, count: count, buses: [1, 3],
                                        setpointOffsetSD: sd),
                      BuildingClassSpec(name: "offices", archetype: .office, count: 2, buses: [2])],
            seed: seed, busCount: 4)
    }

    func testLayoutBusesAndDiversity() throws {
        let stock = try BuildingStock(configuration: config(count: 100), handlerBase: 40)
        XCTAssertEqual(stock.count, 102)
        XCTAssertEqual(stock.classRange(0), 0..<100)
        XCTAssertEqual(stock.classRange(1), 100..<102)
        XCTAssertEqual(stock.classRange(5), 0..<0)
        XCTAssertEqual(stock.bus[0], 1)
        XCTAssertEqual(stock.bus[1], 3)
        XCTAssertEqual(stock.bus[101], 2)
        XCTAssertEqual(stock.switchHandler, 40)
        XCTAssertEqual(stock.tickHandler, 41)
        // Offsets ~ N(0, 0.5) clamped to ±1: mean within 3 SE (0.15), SD within 0.35…0.6.
        let offs = Array(stock.setpointOffset[0..<100])
        let mean = offs.reduce(0, +) / 100
        let sd = (offs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 99).squareRoot()
        XCTAssertEqual(mean, 0, accuracy: 0.15)
        XCTAssertGreaterThan(sd, 0.35)
        XCTAssertLessThan(sd, 0.6)
        XCTAssertLessThanOrEqual(offs.map(abs).max() ?? 0, 1.0)
        // Initial Ta within each building's comfort band [19.5 + off, 24.5 + off].
        for i in 0..<100 {
            XCTAssertGreaterThanOrEqual(stock.airTemperature[i], 19.5 + stock.setpointOffset[i])
            XCTAssertLessThanOrEqual(stock.airTemperature[i], 24.5 + stock.setpointOffset[i])
        }
    }

    func testDeterministicAndSeedDependent() throws {
        var a = try BuildingStock(configuration: config(count: 50), handlerBase: 0)
        var b = try BuildingStock(configuration: config(count: 50), handlerBase: 0)
        var c = try BuildingStock(configuration: config(count: 50, seed: 8), handlerBase: 0)
        var ca = EventCalendar(), cb = EventCalendar(), cc = EventCalendar()
        let sa = Self.run(&a, calendar: &ca, hours: 6, outdoor: -5, irradiance: 0)
        let sb = Self.run(&b, calendar: &cb, hours: 6, outdoor: -5, irradiance: 0)
        let sc = Self.run(&c, calendar: &cc, hours: 6, outdoor: -5, irradiance: 0)
        XCTAssertEqual(sa, sb)
        XCTAssertNotEqual(sa, sc)
        // Appending buildings to a class does not change the earlier buildings' draws.
        let bigger = try BuildingStock(configuration: config(count: 60), handlerBase: 0)
        let small = try BuildingStock(configuration: config(count: 50), handlerBase: 0)
        XCTAssertEqual(Array(bigger.setpointOffset[0..<50]), Array(small.setpointOffset[0..<50]))
    }

    func testDiversityAvoidsLockstep() throws {
        // 200 houses at −5 °C: the share of heat pumps running should settle near the duty cycle
        // instead of all switching together. With identical buildings (no diversity) it swings 0 ↔ 1.
        var diverse = try BuildingStock(configuration: config(count: 200), handlerBase: 0)
        var cal = EventCalendar()
        _ = Self.run(&diverse, calendar: &cal, hours: 8, outdoor: -5, irradiance: 0)
        var shares: [Double] = []
        for minute in (8 * 60 + 1)...(10 * 60) {
            while let e = cal.popNext(notAfter: .minutes(Double(minute))) { diverse.handle(e, calendar: &cal) }
            shares.append(Double(diverse.mode[0..<200].filter { $0 == .heating }.count) / 200)
        }
        let lo = shares.min() ?? 0, hi = shares.max() ?? 1
        print("diversity: heating share over 2 h in [\(lo), \(hi)]")
        XCTAssertGreaterThan(lo, 0.2)
        XCTAssertLessThan(hi, 0.9)

        var spec = config(count: 50, sd: 0)
        spec.classes[0].initialAirTemperature = 21...21
        var lockstep = try BuildingStock(configuration: spec, handlerBase: 0)
        var cal2 = EventCalendar()
        _ = Self.run(&lockstep, calendar: &cal2, hours: 4, outdoor: -5, irradiance: 0)
        let modes = Set(lockstep.mode[0..<50].map(\.rawValue))
        XCTAssertEqual(modes.count, 1, "identical buildings switch together")
    }

    func testBusLoadsAndCoolingPower() throws {
        var stock = try BuildingStock(configuration: config(count: 10), handlerBase: 0)
        var cal = EventCalendar()
        // Hot afternoon: 35 °C, strong sun → houses cool at COP 3.5.
        _ = Self.run(&stock, calendar: &cal, hours: 3, outdoor: 35, irradiance: 800)
        var buses: [Double] = []
        stock.busLoads(into: &buses)
        XCTAssertEqual(buses.count, 4)
        XCTAssertEqual(buses[0], 0)
        var expected = [Double](repeating: 0, count: 4)
        for i in 0..<stock.count { expected[Int(stock.bus[i])] += stock.electricPower(i) }
        XCTAssertEqual(buses, expected)
        XCTAssertEqual(buses.reduce(0, +), stock.totalElectricPower, accuracy: 1e-6)
        for i in 0..<10 where stock.mode[i] == .cooling {
            // 8 kW / 3.5 + 300 W fan + base load (hour 3 weekday: 0.25 × 1200 W).
            XCTAssertEqual(stock.electricPower(i), 8000 / 3.5 + 300 + 0.25 * 1200, accuracy: 1e-9)
        }
        XCTAssertTrue(stock.mode[0..<10].contains(.cooling))
        var ta: [Double] = [], p: [Double] = [], m: [Double] = []
        stock.snapshotAirTemperature(at: cal.now, into: &ta)
        stock.snapshotElectricPower(into: &p)
        stock.snapshotMode(into: &m)
        XCTAssertEqual(ta.count, 12); XCTAssertEqual(p.count, 12); XCTAssertEqual(m.count, 12)
    }

    func testEnergyIntegralsMatchPowerSeries() throws {
        // Sum of power × 1 min over the per-minute series equals the energy integral whenever
        // switches fall on minute boundaries; in general they differ by < one switch × 1 min,
        // so compare with the exact integral from a finer series instead: 1 s sampling.
        var stock = try BuildingStock(configuration: config(count: 5), handlerBase: 0)
        var cal = EventCalendar()
        stock.start(calendar: &cal)
        stock.update(outdoorTemperature: -2, solarIrradiance: 0, at: .zero, calendar: &cal)
        var riemann = 0.0
        var t = SimTime.zero
        let end = SimTime.hours(2)
        while t < end {
            // Power just after t holds until the next event.
            while let e = cal.popNext(notAfter: t) { stock.handle(e, calendar: &cal) }
            riemann += stock.totalElectricPower * 1
            t += .seconds(1)
        }
        while let e = cal.popNext(notAfter: end) { stock.handle(e, calendar: &cal) }
        let kwh = stock.energyByClass(at: end).map(\.electric).reduce(0, +)
        // Each switch shifts at most 1 s of power (≤ 11 kW) in the Riemann sum.
        let switches = Double(stock.switchCount)
        XCTAssertEqual(kwh * 3.6e6, riemann, accuracy: max(1, switches) * 11_000)
        XCTAssertGreaterThan(kwh, 0)
        // Office heating is gas: fuel = thermal / 0.8, electric heating = fan only.
        let office = stock.energy(ofClass: 1, at: end)
        XCTAssertEqual(office.heatingFuel, office.heatingThermal / 0.8, accuracy: 1e-9 * max(1, office.heatingFuel))
    }

    func testOneNodeSwitchTimesMatchLogarithms() throws {
        // 1R1C, no gains, To = 0 °C, τ = C/UA = 4e6/200 = 20,000 s, heat 8 kW → Ta∞ = 40 °C.
        var a = BuildingArchetype.singleFamily
        a.thermal = .oneNode(ua: 200, capacity: 4e6)
        a.hvac.heatingCapacity = 8000
        a.hvac.fanPower = 0
        a.occupants = 0
        a.basePeakLoad = 0
        a.solarAperture = 0
        let spec = BuildingClassSpec(name: "rc", archetype: a, count: 1, buses: [0], setpointOffsetSD: 0,
                                     initialAirTemperature: 21...21)
        var stock = try BuildingStock(configuration: BuildingStockConfiguration(classes: [spec], seed: 1, busCount: 1),
                                      handlerBase: 0)
        var cal = EventCalendar()
        stock.start(calendar: &cal)
        stock.update(outdoorTemperature: 0, solarIrradiance: 0, at: .zero, calendar: &cal)
        var times: [Double] = []
        while times.count < 3, let e = cal.popNext(notAfter: .hours(6)) {
            stock.handle(e, calendar: &cal)
            if e.handler == stock.switchHandler { times.append(e.time.seconds) }
        }
        XCTAssertEqual(times.count, 3)
        guard times.count == 3 else { return }
        // Off from 21 to 19.5: τ ln(21/19.5); on from 19.5 to 20.5 towards 40: τ ln(20.5/19.5);
        // off again from 20.5 to 19.5: τ ln(20.5/19.5). Tolerance 1 ms: the calendar's rounding up.
        let tau = 20_000.0
        let t1 = tau * log(21 / 19.5)
        let t2 = t1 + tau * log((40 - 19.5) / (40 - 20.5))
        let t3 = t2 + tau * log(20.5 / 19.5)
        XCTAssertEqual(times[0], t1, accuracy: 1e-3)
        XCTAssertEqual(times[1], t2, accuracy: 2e-3)
        XCTAssertEqual(times[2], t3, accuracy: 3e-3)
    }

    func testMeanAirTemperatureIsExactIntegral() throws {
        // 1R1C free-floating from 21 °C towards 5 °C (To = 5, no gains, no capacity),
        // τ = 20,000 s: mean over [0, T] = T∞ + (T0 − T∞) τ/T (1 − e^{−T/τ}).
        var a = BuildingArchetype.apartment
        a.thermal = .oneNode(ua: 200, capacity: 4e6)
        a.hvac.heatingCapacity = 0
        a.hvac.coolingCapacity = 0
        a.occupants = 0
        a.basePeakLoad = 0
        let spec = BuildingClassSpec(name: "rc", archetype: a, count: 3, buses: [0], setpointOffsetSD: 0,
                                     initialAirTemperature: 21...21)
        var stock = try BuildingStock(configuration: BuildingStockConfiguration(classes: [spec], seed: 1, busCount: 1),
                                      handlerBase: 0)
        var cal = EventCalendar()
        stock.start(calendar: &cal)
        stock.update(outdoorTemperature: 5, solarIrradiance: 0, at: .zero, calendar: &cal)
        let end = SimTime.hours(7.5)
        while let e = cal.popNext(notAfter: end) { stock.handle(e, calendar: &cal) }
        let T = end.seconds, tau = 20_000.0
        let expected = 5 + 16 * tau / T * (1 - exp(-T / tau))
        // Tolerance 1e-9 K: closed form vs closed form, only rounding differs (hourly ticks
        // split the integral into 8 pieces).
        XCTAssertEqual(try XCTUnwrap(stock.meanAirTemperature(ofClass: 0, at: end)), expected, accuracy: 1e-9)
        XCTAssertNil(stock.meanAirTemperature(ofClass: 0, at: .zero))
        XCTAssertNil(stock.meanAirTemperature(ofClass: 4, at: end))
    }

    func testDemandResponseSetpointRelief() throws {
        var stock = try BuildingStock(configuration: config(count: 40), handlerBase: 0)
        var cal = EventCalendar()
        _ = Self.run(&stock, calendar: &cal, hours: 3, outdoor: 35, irradiance: 800)
        let onBus1 = (0..<40).filter { stock.bus[$0] == 1 }
        let onBus3 = (0..<40).filter { stock.bus[$0] == 3 }
        let cooling3 = onBus3.filter { stock.mode[$0] == .cooling }
        XCTAssertTrue(onBus1.contains { stock.mode[$0] == .cooling })
        var before: [Double] = []
        stock.busLoads(into: &before)
        // 2 K relief on bus 1: every cooling unit there is now at least 1.5 K below its new
        // off threshold (Ta ≤ c + d/2 + offset before, off threshold c + 2 − d/2 + offset), so all stop.
        stock.setSetpointRelief(2, bus: 1, at: cal.now, calendar: &cal)
        XCTAssertFalse(onBus1.contains { stock.mode[$0] == .cooling })
        XCTAssertEqual(onBus3.filter { stock.mode[$0] == .cooling }, cooling3)
        var after: [Double] = []
        stock.busLoads(into: &after)
        XCTAssertLessThan(after[1], before[1])
        XCTAssertEqual(after[3], before[3])
        XCTAssertEqual(stock.setpointRelief, [0, 2, 0, 0])
        var perClass: [Double] = []
        stock.classElectricPower(into: &perClass)
        XCTAssertEqual(perClass.reduce(0, +), stock.totalElectricPower, accuracy: 1e-6)
        // Restore: relief 0 everywhere.
        stock.setSetpointRelief(0, at: cal.now, calendar: &cal)
        XCTAssertEqual(stock.setpointRelief, [0, 0, 0, 0])
    }

    func testEmptyStockSchedulesNothing() throws {
        var stock = try BuildingStock(configuration: BuildingStockConfiguration(classes: [], seed: 1, busCount: 2),
                                      handlerBase: 0)
        var cal = EventCalendar()
        stock.start(calendar: &cal)
        stock.update(outdoorTemperature: 10, solarIrradiance: 0, at: .zero, calendar: &cal)
        XCTAssertEqual(cal.pendingCount, 0)
        var b: [Double] = []
        stock.busLoads(into: &b)
        XCTAssertEqual(b, [0, 0])
    }

    func testConfigurationErrors() {
        var c = config(count: 3)
        c.classes[0].buses = [9]
        XCTAssertThrowsError(try BuildingStock(configuration: c, handlerBase: 0)) { e in
            XCTAssertEqual("\(e)", "<buildings>: classes[0].buses[0]: expected a bus index in 0..<4, got 9")
        }
        c = config(count: -1)
        c.source = "city.yaml"
        XCTAssertThrowsError(try BuildingStock(configuration: c, handlerBase: 0)) { e in
            XCTAssertEqual("\(e)", "city.yaml: classes[0].count: expected an integer >= 0, got -1")
        }
    }

    func testForeignAndStaleEventsAreIgnored() throws {
        var stock = try BuildingStock(configuration: config(count: 3), handlerBase: 10)
        var cal = EventCalendar()
        stock.start(calendar: &cal)
        let before = stock.mode
        stock.handle(Event(time: .zero, priority: 0, handler: 10, agent: 999, handle: .invalid), calendar: &cal)
        stock.handle(Event(time: .seconds(5), priority: 0, handler: 10, agent: 0, handle: .invalid), calendar: &cal)
        stock.handle(Event(time: .zero, priority: 0, handler: 99, agent: 0, handle: .invalid), calendar: &cal)
        XCTAssertEqual(stock.mode, before)
        XCTAssertEqual(stock.switchCount, 0)
    }
}
