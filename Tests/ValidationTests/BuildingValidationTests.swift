import XCTest
import SimKernel
@testable import Energy

/// Validation of the building model (docs/buildings.md, "Validation"):
/// the event-driven closed-form ETP + thermostat against an independent fine-step RK4
/// integration, steady-state energy balances, and COP/electric power bookkeeping.
final class BuildingValidationTests: XCTestCase {

    // MARK: Reference integrator (independent of the closed form)

    /// ETP right-hand side.
    static func rhs(_ p: ThermalParameters, ta: Double, tm: Double, to: Double, qa: Double, qm: Double)
        -> (Double, Double) {
        ((p.ua * (to - ta) + p.massConductance * (tm - ta) + qa) / p.airCapacity,
         (p.massConductance * (ta - tm) + qm) / p.massCapacity)
    }

    /// One classical RK4 step of length h.
    static func rk4(_ p: ThermalParameters, ta: Double, tm: Double, to: Double, qa: Double, qm: Double,
                    h: Double) -> (Double, Double) {
        let k1 = rhs(p, ta: ta, tm: tm, to: to, qa: qa, qm: qm)
        let k2 = rhs(p, ta: ta + h / 2 * k1.0, tm: tm + h / 2 * k1.1, to: to, qa: qa, qm: qm)
        let k3 = rhs(p, ta: ta + h / 2 * k2.0, tm: tm + h / 2 * k2.1, to: to, qa: qa, qm: qm)
        let k4 = rhs(p, ta: ta + h * k3.0, tm: tm + h * k3.1, to: to, qa: qa, qm: qm)
        return (ta + h / 6 * (k1.0 + 2 * k2.0 + 2 * k3.0 + k4.0),
                tm + h / 6 * (k1.1 + 2 * k2.1 + 2 * k3.1 + k4.1))
    }

    struct Switch: Equatable { var time: Double; var mode: HVACMode }

    /// Simulates one building with hourly piecewise-constant weather by RK4 with dt = 1 s.
    /// A threshold crossing inside a step is located by bisection on the RK4 sub-step length
    /// (so the switch time is not quantised to the 1 s grid), the mode switched there and the
    /// step completed. Thermostat re-evaluated at hour boundaries like `BuildingStock`.
    /// Returns the switches and Ta sampled every `sample` seconds.
    static func reference(archetype a: BuildingArchetype, ta0: Double, hours: Int, clock: ScheduleClock,
                          outdoor: (Int) -> Double, irradiance: (Int) -> Double, sample: Double = 60,
                          quantizeToMilliseconds: Bool = false)
        -> (switches: [Switch], samples: [Double], heatJ: Double) {
        let p = a.thermal
        var ta = ta0, tm = ta0
        var mode = HVACMode.off
        var switches: [Switch] = []
        var samples: [Double] = [ta]
        var heatJ = 0.0
        var t = 0.0
        var nextSample = sample
        for hour in 0..<hours {
            let slot = clock.slot(milliseconds: Int64(hour) * 3_600_000)
            let occ = a.occupancy.value(weekend: slot.weekend, hour: slot.hour)
            let base = a.basePeakLoad * a.baseLoad.value(weekend: slot.weekend, hour: slot.hour)
            let to = outdoor(hour)
            let gains = a.occupants * a.sensibleGainPerOccupant * occ + a.baseLoadHeatFraction * base
                + a.solarAperture * irradiance(hour)
            let setback = occ < a.occupiedThreshold ? a.unoccupiedSetback : 0
            let h = a.hvac.heatingSetpoint - setback, c = a.hvac.coolingSetpoint + setback
            let th = Thermostat.thresholds(heating: h, cooling: c, deadband: a.hvac.deadband)
            mode = Thermostat.reconcile(mode, air: ta, heating: h, cooling: c, deadband: a.hvac.deadband)
            let end = Double(hour + 1) * 3600
            while t < end - 1e-9 {
                let q: Double = mode == .heating ? a.hvac.heatingCapacity : mode == .cooling ? -a.hvac.coolingCapacity : 0
                let qa = q + p.airGainFraction * gains, qm = (1 - p.airGainFraction) * gains
                // Step to the next whole second (or the hour end / sample point).
                let step = min(1.0, end - t, nextSample - t)
                let (na, nm) = rk4(p, ta: ta, tm: tm, to: to, qa: qa, qm: qm, h: step)
                var threshold: Double? = nil
                var target = HVACMode.off
                switch mode {
                case .heating: if na >= th.heatOff { threshold = th.heatOff }
                case .cooling: if na <= th.coolOff { threshold = th.coolOff }
                case .off:
                    if na <= th.heatOn { threshold = th.heatOn; target = .heating }
                    else if na >= th.coolOn { threshold = th.coolOn; target = .cooling }
                }
                if let theta = threshold {
                    var lo = 0.0, hi = step
                    let s0 = ta - theta
                    for _ in 0..<60 {
                        let mid = 0.5 * (lo + hi)
                        let (ma, _) = rk4(p, ta: ta, tm: tm, to: to, qa: qa, qm: qm, h: mid)
                        if (ma - theta > 0) == (s0 > 0) { lo = mid } else { hi = mid }
                    }
                    var hs = 0.5 * (lo + hi)
                    if quantizeToMilliseconds {
                        // Same rule as the event calendar: switch at the next whole millisecond.
                        hs = min(step, ((t + hs) * 1000).rounded(.up) / 1000 - t)
                    }
                    (ta, tm) = rk4(p, ta: ta, tm: tm, to: to, qa: qa, qm: qm, h: hs)
                    heatJ += q * hs
                    t += hs
                    mode = target
                    switches.append(Switch(time: t, mode: mode))
                    continue
                }
                ta = na; tm = nm
                heatJ += q * step
                t += step
                if abs(t - nextSample) < 1e-9 { samples.append(ta); nextSample += sample; t = (t).rounded() }
            }
        }
        return (switches, samples, heatJ)
    }

    /// The event-driven `BuildingStock` on the same inputs (one building, no diversity).
    static func eventDriven(archetype a: BuildingArchetype, ta0: Double, hours: Int, clock: ScheduleClock,
                            outdoor: (Int) -> Double, irradiance: (Int) -> Double, sample: Double = 60) throws
        -> (switches: [Switch], samples: [Double], stock: BuildingStock) {
        let spec = BuildingClassSpec(name: a.name, archetype: a, count: 1, buses: [0], setpointOffsetSD: 0,
                                     initialAirTemperature: ta0...ta0)
        var stock = try BuildingStock(configuration: BuildingStockConfiguration(
            classes: [spec], clock: clock, seed: 1, busCount: 1), handlerBase: 100)
        var cal = EventCalendar()
        stock.start(calendar: &cal)
        stock.update(outdoorTemperature: outdoor(0), solarIrradiance: irradiance(0), at: .zero, calendar: &cal)
        var switches: [Switch] = []
        var samples: [Double] = [stock.airTemperature(0, at: .zero)]
        let sampleMs = Int64((sample * 1000).rounded())
        var s: Int64 = sampleMs
        while s <= Int64(hours) * 3_600_000 {
            let limit = SimTime(milliseconds: s)
            while let e = cal.popNext(notAfter: limit) {
                let before = stock.switchCount
                stock.handle(e, calendar: &cal)
                if stock.switchCount > before { switches.append(Switch(time: e.time.seconds, mode: stock.mode[0])) }
            }
            if s % 3_600_000 == 0, s < Int64(hours) * 3_600_000 {
                let hour = Int(s / 3_600_000)
                let before = stock.mode[0]
                stock.update(outdoorTemperature: outdoor(hour), solarIrradiance: irradiance(hour), at: limit, calendar: &cal)
                if stock.mode[0] != before { switches.append(Switch(time: limit.seconds, mode: stock.mode[0])) }
            }
            samples.append(stock.airTemperature(0, at: limit))
            s += sampleMs
        }
        return (switches, samples, stock)
    }

    /// A spring day: −2 °C before dawn to 32 °C mid-afternoon, clear-sky-like irradiance, so
    /// one day has heating at night and cooling in the afternoon.
    static func outdoor(_ h: Int) -> Double { 15 - 17 * cos(2 * Double.pi * Double((h % 24) - 3) / 24) }
    static func irradiance(_ h: Int) -> Double {
        let x = Double(h % 24) + 0.5
        return x > 6 && x < 18 ? 900 * sin(Double.pi * (x - 6) / 12) : 0
    }

    /// Max |Δ switch time| (s) and max |ΔTa| (K) between the event-driven run and RK4.
    func compare(_ a: BuildingArchetype, ta0: Double, hours: Int, quantized: Bool = false) throws -> (Double, Double) {
        let clock = ScheduleClock(weekdayAtStart: 0)
        let ref = Self.reference(archetype: a, ta0: ta0, hours: hours, clock: clock,
                                 outdoor: Self.outdoor, irradiance: Self.irradiance, quantizeToMilliseconds: quantized)
        let ev = try Self.eventDriven(archetype: a, ta0: ta0, hours: hours, clock: clock,
                                      outdoor: Self.outdoor, irradiance: Self.irradiance)
        XCTAssertGreaterThan(ref.switches.count, 4, "the day must exercise the thermostat")
        XCTAssertEqual(ev.switches.map(\.mode), ref.switches.map(\.mode), a.name)
        var maxDt = 0.0
        for (e, r) in zip(ev.switches, ref.switches) { maxDt = max(maxDt, abs(e.time - r.time)) }
        XCTAssertEqual(ev.samples.count, ref.samples.count)
        var maxDT = 0.0
        for (e, r) in zip(ev.samples, ref.samples) { maxDT = max(maxDT, abs(e - r)) }
        print("validation \(a.name)\(quantized ? " (reference quantised to ms)" : ""): \(ref.switches.count) switches, "
              + "max |Δt_switch| = \(maxDt) s, max |ΔTa| = \(maxDT) K")
        return (maxDt, maxDT)
    }

    // Tolerances 2 s and 0.01 K (issue 4). Justification: the RK4 reference at dt = 1 s has a
    // local error ~ (dt/τ_fast)^5 ≈ 1e-14 relative (τ_fast ≈ 7 min) and finds crossings by
    // bisection, so it is exact for this purpose. The event calendar's integer clock delays
    // each switch by < 1 ms; a thermostat relay oscillation has neutral phase stability, so
    // these delays accumulate over a day's ~160 switches to a few tenths of a second, and
    // the phase shift times |dTa/dt| (≤ 0.01 K/s) gives a few mK. When the reference applies
    // the same millisecond rounding, the two agree to 1e-3 s and 1e-5 K, which shows the
    // remaining difference is only that rounding.

    func testClosedFormMatchesRK4SingleFamily() throws {
        let (dt, dT) = try compare(.singleFamily, ta0: 21, hours: 24)
        XCTAssertLessThan(dt, 2.0)
        XCTAssertLessThan(dT, 0.01)
        let (qt, qT) = try compare(.singleFamily, ta0: 21, hours: 24, quantized: true)
        XCTAssertLessThan(qt, 1e-3)
        XCTAssertLessThan(qT, 1e-5)
    }

    func testClosedFormMatchesRK4OfficeWithSetback() throws {
        let (dt, dT) = try compare(.office, ta0: 19, hours: 24)
        XCTAssertLessThan(dt, 2.0)
        XCTAssertLessThan(dT, 0.01)
        let (qt, qT) = try compare(.office, ta0: 19, hours: 24, quantized: true)
        XCTAssertLessThan(qt, 1e-3)
        XCTAssertLessThan(qT, 1e-5)
    }

    // MARK: Steady-state energy balance

    static func flat(_ a: BuildingArchetype, occupancy: Double, base: Double) throws -> BuildingArchetype {
        var b = a
        let occ = try DailyProfile(Array(repeating: occupancy, count: 24))
        let bl = try DailyProfile(Array(repeating: base, count: 24))
        b.occupancy = WeeklyProfile(weekday: occ, weekend: occ)
        b.baseLoad = WeeklyProfile(weekday: bl, weekend: bl)
        b.unoccupiedSetback = 0
        return b
    }

    func testFreeFloatingSteadyState() throws {
        // HVAC without capacity: Ta → To + gains/UA.
        var a = try Self.flat(.singleFamily, occupancy: 1, base: 0.5)
        a.hvac.heatingCapacity = 0
        a.hvac.coolingCapacity = 0
        let spec = BuildingClassSpec(name: "sf", archetype: a, count: 1, buses: [0], setpointOffsetSD: 0)
        var stock = try BuildingStock(configuration: BuildingStockConfiguration(classes: [spec], seed: 3, busCount: 1),
                                      handlerBase: 0)
        var cal = EventCalendar()
        stock.start(calendar: &cal)
        stock.update(outdoorTemperature: 2, solarIrradiance: 400, at: .zero, calendar: &cal)
        let end = SimTime.hours(10 * 24)
        while let e = cal.popNext(notAfter: end) { stock.handle(e, calendar: &cal) }
        // gains = 3 × 80 + 0.8 × 600 + 3 × 400 = 1920 W → Ta∞ = 2 + 1920/250 = 9.68 °C.
        // 10 days = 240 h ≫ 8 h slow time constant: residual e^{-30} ≈ 1e-13 K.
        XCTAssertEqual(stock.airTemperature(0, at: end), 2 + 1920.0 / 250, accuracy: 1e-9)
        XCTAssertEqual(stock.energy(ofClass: 0, at: end).heatingThermal, 0)
    }

    func testCyclingHeatEqualsSteadyHeatLoss() throws {
        // Constant 0 °C outdoors, constant gains; the heat pump cycles in the deadband.
        // Over whole cycles the stored heat returns to its value, so the mean HVAC heat must
        // equal UA (mean Ta − To) − gains within 1 %.
        let a = try Self.flat(.singleFamily, occupancy: 1, base: 0.5)
        let spec = BuildingClassSpec(name: "sf", archetype: a, count: 1, buses: [0], setpointOffsetSD: 0,
                                     initialAirTemperature: 20...20)
        var stock = try BuildingStock(configuration: BuildingStockConfiguration(classes: [spec], seed: 3, busCount: 1),
                                      handlerBase: 0)
        var cal = EventCalendar()
        stock.start(calendar: &cal)
        stock.update(outdoorTemperature: 0, solarIrradiance: 0, at: .zero, calendar: &cal)
        // Warm-up two days (mass settles), then record at each heating switch-on the heat
        // delivered so far and the running sum of Ta sampled every 10 s.
        struct Mark { var time: SimTime; var heatKWh: Double; var sumTa: Double; var n: Int }
        var marks: [Mark] = []
        let end = SimTime.hours(5 * 24)
        var sumTa = 0.0, nTa = 0
        var nextSample = SimTime.hours(48)
        while let e = cal.popNext(notAfter: end) {
            while nextSample < e.time {
                sumTa += stock.airTemperature(0, at: nextSample); nTa += 1
                nextSample += .seconds(10)
            }
            stock.handle(e, calendar: &cal)
            if e.time >= .hours(48), e.handler == stock.switchHandler, stock.mode[0] == .heating {
                marks.append(Mark(time: e.time, heatKWh: stock.energy(ofClass: 0, at: e.time).heatingThermal,
                                  sumTa: sumTa, n: nTa))
            }
        }
        XCTAssertGreaterThan(marks.count, 20, "needs many cycles")
        guard let first = marks.first, let last = marks.last, last.n > first.n else { return XCTFail("no cycles") }
        let duration = (last.time - first.time).seconds
        let meanHeat = (last.heatKWh - first.heatKWh) * 3.6e6 / duration
        let meanTa = (last.sumTa - first.sumTa) / Double(last.n - first.n)
        let gains = 3 * 80 + 0.8 * 600.0
        let steadyLoss = a.thermal.ua * (meanTa - 0) - gains
        print("validation cycling: \(marks.count - 1) cycles, mean Ta \(meanTa) °C, mean HVAC heat \(meanHeat) W, "
              + "steady loss \(steadyLoss) W, rel. diff \((meanHeat - steadyLoss) / steadyLoss)")
        XCTAssertEqual(meanHeat, steadyLoss, accuracy: 0.01 * steadyLoss)
        // Electric power while heating = Q / COP(0 °C) + fan: COP = 3.2 × (1 − 0.025 × 8.33).
        let cop = 3.2 * (1 + 0.025 * (0 - 8.33))
        let el = stock.energy(ofClass: 0, at: end)
        XCTAssertEqual(el.heatingElectric, el.heatingThermal / cop + el.heatingThermal / 10_000 * 300,
                       accuracy: 1e-9 * el.heatingElectric)
        // Base load: 0.5 × 1200 W for 120 h = 72 kWh exactly.
        XCTAssertEqual(el.base, 72, accuracy: 1e-9)
    }
}
