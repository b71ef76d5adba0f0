import XCTest
import SimKernel
import TestSupport
import TwinIO
@testable import Energy

/// Validation of the charger model: real ACN-Data session replay (energy balance, capped
/// energy = ∫ power), and a c-plug station against Erlang C.
final class ChargerValidationTests: XCTestCase {
    static func sessions() throws -> [ChargingSessionRecord] {
        let root = try PythonEnvironment.packageRoot()
        return try ChargingSessionsCSV.read(path: root.appendingPathComponent("Models/ev/acn_caltech_sessions_first_week.csv").path)
    }

    /// One station with its first events started on `cal`.
    static func station(_ cal: inout EventCalendar, plugs: Int, kW: Double, cap: Double? = nil,
                        curve: ChargingCurve = .standard) throws -> ChargingStations {
        var st = try ChargingStations(configuration: ChargingStationsConfiguration(
            stations: [ChargingStationSpec(name: "caltech", bus: 0, plugs: plugs, plugPowerKW: kW, powerCapKW: cap,
                                           curve: curve)], busCount: 1), handlerBase: 0)
        st.start(calendar: &cal)
        return st
    }

    /// Runs to `end`, integrating station power with the midpoint rule on every inter-event
    /// interval cut into sub-steps of at most `step`. Returns (∫P dt in kWh, max power seen).
    static func integrate(_ st: inout ChargingStations, _ cal: inout EventCalendar, until end: SimTime,
                          step: SimTime) -> (Double, Double) {
        var t = cal.now
        var integral = 0.0, peak = 0.0
        while t < end {
            while let e = cal.popNext(notAfter: t) { st.handle(e, calendar: &cal) }
            let next = min(cal.nextEventTime() ?? end, end, t + step)
            let mid = SimTime(milliseconds: (t.milliseconds + next.milliseconds) / 2)
            let p = st.powerKW(station: 0, at: mid)
            peak = max(peak, p)
            // Midpoint rule at the (integer-ms) midpoint; exact for piecewise-constant power.
            integral += p * Double(next.milliseconds - t.milliseconds) / 3.6e6
            t = next
        }
        while let e = cal.popNext(notAfter: end) { st.handle(e, calendar: &cal) }
        return (integral, peak)
    }

    /// 190 real sessions on one 190-plug 50 kW station: every session gets its energy.
    func testReplayWithEnoughPowerDeliversEverySession() throws {
        let recs = try Self.sessions()
        XCTAssertEqual(recs.count, 190)
        var cal = EventCalendar()
        var st = try Self.station(&cal, plugs: 190, kW: 50)
        try st.schedule(arrivals: ChargingSessionReplay.plans(records: recs, mapping: .single(0), firstArrival: .hours(1)),
                        calendar: &cal)
        runEventsUntil(&st, &cal, .hours(24 * 9))
        XCTAssertEqual(st.departures.count, 190)
        XCTAssertTrue(st.departures.allSatisfy { $0.reason == .completed })
        for d in st.departures {
            XCTAssertEqual(d.energyKWh, recs[Int(d.vehicle)].energyKWh, accuracy: 1e-9)
        }
        let requested = recs.reduce(0) { $0 + $1.energyKWh }
        // Energy balance to 1e-6 kWh (sums of 190 doubles of ~15 kWh: rounding ~1e-12).
        XCTAssertEqual(st.totalEnergyKWh(at: cal.now), requested, accuracy: 1e-6)
        XCTAssertEqual(st.kpis(at: cal.now).unservedEnergyKWh, 0, accuracy: 1e-9)
        XCTAssertEqual(st.queueWaits.max(), 0)
    }

    /// Same sessions on 6.6 kW plugs under a 20 kW site cap: unmet energy per session is
    /// reported, delivered + unmet = requested, and the delivered energy equals an independent
    /// midpoint integration of the station power (piecewise constant here, so the only error
    /// is rounding: tolerance 1e-6 relative), with the power never above the cap.
    func testReplayUnderCapReportsUnmetAndEnergyEqualsIntegral() throws {
        let recs = try Self.sessions()
        var cal = EventCalendar()
        var st = try Self.station(&cal, plugs: 190, kW: 6.6, cap: 20)
        try st.schedule(arrivals: ChargingSessionReplay.plans(records: recs, mapping: .single(0), firstArrival: .zero),
                        calendar: &cal)
        let (integral, peak) = Self.integrate(&st, &cal, until: .hours(24 * 9), step: .minutes(5))
        XCTAssertEqual(st.departures.count, 190)
        let delivered = st.departures.reduce(0) { $0 + $1.energyKWh }
        let unmet = st.departures.reduce(0) { $0 + $1.unmetKWh }
        let requested = recs.reduce(0) { $0 + $1.energyKWh }
        XCTAssertEqual(delivered + unmet, requested, accuracy: 1e-6)
        XCTAssertEqual(st.totalEnergyKWh(at: cal.now), delivered, accuracy: 1e-6)
        XCTAssertEqual(integral, delivered, accuracy: 1e-6 * delivered)
        XCTAssertLessThanOrEqual(peak, 20 + 1e-9)
        XCTAssertGreaterThan(unmet, 1)   // the cap bites
        for d in st.departures where d.reason == .completed { XCTAssertEqual(d.unmetKWh, 0, accuracy: 1e-9) }
        let k = st.kpis(at: cal.now)
        XCTAssertEqual(k.unservedEnergyKWh, unmet, accuracy: 1e-6)
        print("charger-validation capped-replay requested=\(requested) delivered=\(delivered) unmet=\(unmet) " +
              "integral=\(integral) deadline-departures=\(k.deadlineDepartures) peak=\(peak)")
    }

    /// CC-CV vehicles (SoC demands) under a shared cap: energy = ∫ power with the taper's
    /// exponential decay (midpoint rule, 10 s sub-steps: relative error ≈ (λh)²/24 ≈ 1e-7 for
    /// λ ≤ 4 /h; tolerance 1e-5), and each completed vehicle's energy = ΔSoC × battery.
    func testTaperedSessionsEnergyEqualsIntegralAndSoCChange() throws {
        var cal = EventCalendar()
        var st = try Self.station(&cal, plugs: 4, kW: 50, cap: 120)
        var rng = RandomStream(seed: 5, stream: StreamID.named("charger-validation.taper"))
        var plans: [ChargingArrivalPlan] = []
        var want: [Double] = []
        var t = 0.0
        for v in 0..<60 {
            t += rng.exponential(mean: 900)
            let b = 40 + 40 * rng.nextDouble(), s0 = 0.1 + 0.5 * rng.nextDouble(), s1 = 0.8 + 0.2 * rng.nextDouble()
            want.append((s1 - s0) * b)
            plans.append(ChargingArrivalPlan(vehicle: Int32(v), station: 0,
                                             demand: .stateOfCharge(batteryKWh: b, current: s0, target: s1),
                                             time: .seconds(t)))
        }
        try st.schedule(arrivals: plans, calendar: &cal)
        let (integral, peak) = Self.integrate(&st, &cal, until: .hours(60), step: .seconds(10))
        XCTAssertEqual(st.departures.count, 60)
        for d in st.departures {
            XCTAssertEqual(d.reason, .completed)
            XCTAssertEqual(d.energyKWh, want[Int(d.vehicle)], accuracy: 1e-9)
        }
        let delivered = st.totalEnergyKWh(at: cal.now)
        XCTAssertEqual(delivered, want.reduce(0, +), accuracy: 1e-6)
        XCTAssertEqual(integral, delivered, accuracy: 1e-5 * delivered)
        XCTAssertLessThanOrEqual(peak, 120 + 1e-9)
        print("charger-validation taper delivered=\(delivered) integral=\(integral) rel=\((integral - delivered) / delivered)")
    }

    /// M/M/c: c = 4 plugs, Poisson arrivals 3 /h, exponential charging times of mean 1 h
    /// (exponential energy at constant 10 kW). Erlang C: P(wait) = 13.5/26.5, Wq = P/(cμ − λ) =
    /// 0.5094 h. The mean of 40,000 waits (first 2,000 dropped as warm-up) in 19 batches must
    /// cover it with a 95 % Student-t interval (t₀.₉₇₅,₁₈ = 2.101).
    func testErlangCMeanQueueWait() throws {
        var cal = EventCalendar()
        var st = try Self.station(&cal, plugs: 4, kW: 10, curve: .constant)
        var rng = RandomStream(seed: 2024, stream: StreamID.named("charger-validation.erlang"))
        var plans: [ChargingArrivalPlan] = []
        plans.reserveCapacity(40_000)
        var t = 0.0
        for v in 0..<40_000 {
            t += rng.exponential(mean: 1200)
            plans.append(ChargingArrivalPlan(vehicle: Int32(v), station: 0, demand: .energy(kWh: rng.exponential(mean: 10)),
                                             time: .seconds(t)))
        }
        try st.schedule(arrivals: plans, calendar: &cal)
        runEventsUntil(&st, &cal, .seconds(t + 1e6))
        XCTAssertEqual(st.queueWaits.count, 40_000)
        // Every planned arrival fired at its own time (the kernel kept the order).
        XCTAssertEqual(st.departures.filter { $0.arrival != plans[Int($0.vehicle)].time }.count, 0)
        XCTAssertEqual(st.departures.filter { $0.reason != .completed }.count, 0)
        XCTAssertEqual(st.ignoredEventCount, 0, "events delivered that were cancelled or moved")
        let waits = Array(st.queueWaits.dropFirst(2000))
        let batches = 19, size = waits.count / batches
        var means: [Double] = []
        for b in 0..<batches { means.append(waits[(b * size)..<((b + 1) * size)].reduce(0, +) / Double(size) / 3600) }
        let mean = means.reduce(0, +) / Double(batches)
        let sd = (means.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(batches - 1)).squareRoot()
        let half = 2.101 * sd / Double(batches).squareRoot()
        let a = 3.0
        let top = pow(a, 4) / 24 * 4 / (4 - a)
        let erlangC = top / (1 + a + a * a / 2 + a * a * a / 6 + top)
        let wq = erlangC / (4 - a)
        print("charger-validation erlang-c Wq=\(wq) h simulated=\(mean) ± \(half) h, P(wait)=\(erlangC)")
        XCTAssertEqual(mean, wq, accuracy: half)
        // The interval must be informative (a broken run has a huge spread): ≤ 20 % of Wq.
        XCTAssertLessThan(half, 0.2 * wq)
        // P(wait > 0) = C(4, 3) = 0.509; binomial SE over 38,000 correlated waits is ~0.01: ±0.03.
        let waited = Double(waits.filter { $0 > 0 }.count) / Double(waits.count)
        XCTAssertEqual(waited, erlangC, accuracy: 0.03)
        // Utilisation = ρ = λ/(cμ) = 0.75 (long run, same interval logic, loose 0.02).
        let last = try XCTUnwrap(st.departures.last).time
        XCTAssertEqual(st.kpis(at: last).utilisation, 0.75, accuracy: 0.02)
    }

    func runEventsUntil(_ st: inout ChargingStations, _ cal: inout EventCalendar, _ t: SimTime) {
        while let e = cal.popNext(notAfter: t) { st.handle(e, calendar: &cal) }
        cal.advanceIdle(to: t)
    }
}
