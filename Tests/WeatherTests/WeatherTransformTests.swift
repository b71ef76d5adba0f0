import XCTest
@testable import Weather

final class WeatherTransformTests: XCTestCase {
    /// A flat synthetic year (no daily swing) so every change is the transform's own.
    func flatSeries() throws -> WeatherSeries {
        let site = WeatherSite(latitude: 45, longitude: 8, timeZoneHours: 1)
        return try SyntheticWeather(site: site, meanTemperature: 20, dailyAmplitude: 0, humidityAmplitude: 0,
                                    windAmplitude: 0).series(calendar: try SimCalendar(iso8601: "2025-01-01"))
    }

    func hour(_ iso: String) throws -> Double { try CalendarDateTime(iso8601: iso).hourOfYear }

    func testHeatWaveAddsExactlyDeltaInsideAndNothingOutside() throws {
        let base = try flatSeries()
        let window = try TimeWindow(start: "2025-07-10", end: "2025-07-13")
        let hot = base.applying([.heatWave(try HeatWave(window: window, deltaT: 6))])
        let s0 = try hour("2025-07-10"), s1 = try hour("2025-07-13")
        for i in 0..<hot.count {
            let t = Double(i) + 1  // temperature sample time (hour end)
            let expected = (t >= s0 && t < s1) ? 6.0 : 0.0
            XCTAssertEqual(hot.temperature[i] - base.temperature[i], expected, accuracy: 1e-12, "sample \(i)")
        }
        // Interpolated look-ups strictly inside the window are +6 exactly as well.
        XCTAssertEqual(hot.value(.temperature, atHourOfYear: s0 + 30.25) - base.value(.temperature, atHourOfYear: s0 + 30.25),
                       6, accuracy: 1e-12)
        // Same moisture: dew point unchanged, relative humidity lower.
        let i = Int(s0) + 10
        XCTAssertEqual(hot.values(.dewPoint)[i], base.values(.dewPoint)[i])
        XCTAssertLessThan(hot.values(.relativeHumidity)[i], base.values(.relativeHumidity)[i] - 10)
        // Other channels untouched.
        XCTAssertEqual(hot.ghi, base.ghi)
    }

    func testHeatWaveRampsAndExtraAmplitude() throws {
        let base = try flatSeries()
        let window = try TimeWindow(start: "2025-07-10", end: "2025-07-14")
        let wave = try HeatWave(window: window, deltaT: 4, rampInHours: 12, rampOutHours: 24,
                                extraDailyAmplitude: 2, peakHour: 15)
        let hot = base.applying([.heatWave(wave)])
        let s0 = try hour("2025-07-10")
        func delta(_ hoursAfterStart: Double) -> Double {
            let i = Int(s0 + hoursAfterStart) - 1  // sample whose hour end is s0 + hoursAfterStart
            return hot.temperature[i] - base.temperature[i]
        }
        let cos = { (h: Double) in Foundation.cos(2 * .pi * (h - 15) / 24) }
        // Ramp-in: 6 h after the start the ramp is 0.5 (sample at 06:00).
        XCTAssertEqual(delta(6), 0.5 * (4 + 2 * cos(6)), accuracy: 1e-12)
        // Full strength at 15:00 on day 2: ΔT + extra amplitude.
        XCTAssertEqual(delta(24 + 15), 6, accuracy: 1e-12)
        // At 03:00 the extra swing is at its minimum: ΔT − 2.
        XCTAssertEqual(delta(48 + 3), 2, accuracy: 1e-12)
        // Ramp-out over the last 24 h: 12 h before the end the ramp is 0.5 (at 12:00 day 4).
        XCTAssertEqual(delta(96 - 12), 0.5 * (4 + 2 * cos(12)), accuracy: 1e-12)
        XCTAssertEqual(delta(96), 0, accuracy: 1e-12)
        XCTAssertEqual(delta(0), 0, accuracy: 1e-12)
    }

    func testColdSnapStormAndIrradianceScale() throws {
        let base = try flatSeries()
        let snapWindow = try TimeWindow(start: "2025-01-20", end: "2025-01-22")
        let stormWindow = try TimeWindow(start: "2025-06-01T12:00", end: "2025-06-01T18:00")
        let transforms: [WeatherTransform] = [
            .coldSnap(try ColdSnap(window: snapWindow, deltaT: 10)),
            .irradianceScale(try IrradianceScale(factor: 0.9)),
            .storm(try Storm(window: stormWindow, precipitationRate: 12, windSpeed: 15, irradianceFactor: 0.3)),
        ]
        let s = base.applying(transforms)
        let snap = Int(try hour("2025-01-20")) + 5
        XCTAssertEqual(s.temperature[snap], base.temperature[snap] - 10, accuracy: 1e-12)
        // Cooled below the old dew point: saturated, dew point follows the air.
        XCTAssertLessThanOrEqual(s.values(.dewPoint)[snap], s.temperature[snap] + 1e-12)
        let st = Int(try hour("2025-06-01T12:00"))
        // Storm hours 12..17 (mid-hour samples 12.5 … 17.5): rain 12 mm/h, irradiance × 0.9 × 0.3.
        for i in st..<(st + 6) {
            XCTAssertEqual(s.precipitation[i], 12)
            XCTAssertEqual(s.ghi[i], base.ghi[i] * 0.9 * 0.3, accuracy: 1e-9)
        }
        XCTAssertEqual(s.precipitation[st - 1], 0)
        XCTAssertEqual(s.precipitation[st + 6], 0)
        // Wind samples (hour end) at 13:00 … 18:00 fall in [12:00, 18:00) only up to 17:00.
        XCTAssertEqual(s.windSpeed[st], 15)
        XCTAssertEqual(s.windSpeed[st + 4], 15)
        XCTAssertEqual(s.windSpeed[st + 5], base.windSpeed[st + 5])
        // Whole-year irradiance scale: annual GHI × 0.9 apart from the storm hours.
        let stormLoss = (st..<(st + 6)).reduce(0.0) { $0 + base.ghi[$1] * 0.9 * 0.7 }
        XCTAssertEqual(s.ghi.reduce(0, +), base.ghi.reduce(0, +) * 0.9 - stormLoss, accuracy: 1e-6)
    }

    func testWindowAcrossNewYearWraps() throws {
        let base = try flatSeries()
        let w = try TimeWindow(start: "2025-12-31T20:00", end: "2026-01-01T04:00")
        let s = base.applying([.heatWave(try HeatWave(window: w, deltaT: 3))])
        XCTAssertEqual(s.temperature[8759] - base.temperature[8759], 3, accuracy: 1e-12)  // 24:00 Dec 31
        XCTAssertEqual(s.temperature[2] - base.temperature[2], 3, accuracy: 1e-12)        // 03:00 Jan 1
        XCTAssertEqual(s.temperature[3] - base.temperature[3], 0, accuracy: 1e-12)        // 04:00: outside
        XCTAssertEqual(s.temperature[8754] - base.temperature[8754], 0, accuracy: 1e-12)  // 19:00 Dec 31
    }

    func testValidationErrorsNameTheField() throws {
        let w = try TimeWindow(start: "2025-07-10", end: "2025-07-11")
        func field(_ body: () throws -> Void) -> String? {
            do { try body(); return nil } catch { return (error as? WeatherError)?.field }
        }
        XCTAssertEqual(field { _ = try TimeWindow(start: "2025-07-11", end: "2025-07-10", field: "weather.heatWave") }, "weather.heatWave.end")
        XCTAssertEqual(field { _ = try TimeWindow(start: "2025-07-10", end: "2025-07-10") }, "window.end")
        XCTAssertEqual(field { _ = try TimeWindow(start: "2025-07-32", end: "2025-08-10") }, "window.start.day")
        XCTAssertEqual(field { _ = try HeatWave(window: w, deltaT: .nan) }, "heatWave.deltaT")
        XCTAssertEqual(field { _ = try HeatWave(window: w, deltaT: -1) }, "heatWave.deltaT")
        XCTAssertEqual(field { _ = try HeatWave(window: w, deltaT: 2, rampInHours: 20, rampOutHours: 10) }, "heatWave.rampOutHours")
        XCTAssertEqual(field { _ = try HeatWave(window: w, deltaT: 2, peakHour: 24) }, "heatWave.peakHour")
        XCTAssertEqual(field { _ = try ColdSnap(window: w, deltaT: .infinity) }, "coldSnap.deltaT")
        XCTAssertEqual(field { _ = try Storm(window: w, precipitationRate: -2) }, "storm.precipitationRate")
        XCTAssertEqual(field { _ = try Storm(window: w, precipitationRate: 2, windSpeed: .nan) }, "storm.windSpeed")
        XCTAssertEqual(field { _ = try Storm(window: w, precipitationRate: 2, irradianceFactor: 1.5) }, "storm.irradianceFactor")
        XCTAssertEqual(field { _ = try IrradianceScale(factor: -0.1) }, "irradianceScale.factor")
        XCTAssertEqual(field { _ = try RainSpeedModel(minimumFactor: 0) }, "traffic.rain.minimumFactor")
        XCTAssertEqual(field { _ = try RainSpeedModel(dryThresholdMmPerHour: 5, heavyRainMmPerHour: 2) }, "traffic.rain.heavyRain")
        XCTAssertEqual(field { _ = try SyntheticWeather(site: WeatherSite(latitude: 95, longitude: 0, timeZoneHours: 0)).validate() },
                       "weather.synthetic.latitude")
    }

    func testRainSpeedFactor() throws {
        let m = try RainSpeedModel()
        XCTAssertEqual(m.speedFactor(precipitationMmPerHour: 0), 1)
        XCTAssertEqual(m.speedFactor(precipitationMmPerHour: 0.1), 1)
        XCTAssertEqual(m.speedFactor(precipitationMmPerHour: 3.85), 0.925, accuracy: 1e-12)  // halfway
        XCTAssertEqual(m.speedFactor(precipitationMmPerHour: 7.6), 0.85)
        XCTAssertEqual(m.speedFactor(precipitationMmPerHour: 50), 0.85)
        XCTAssertEqual(m.speedFactor(precipitationMmPerHour: .nan), 1)
        let custom = try RainSpeedModel(dryThresholdMmPerHour: 0, heavyRainMmPerHour: 10, minimumFactor: 0.5)
        XCTAssertEqual(custom.speedFactor(precipitationMmPerHour: 5), 0.75, accuracy: 1e-12)
    }
}
