import XCTest
@testable import Weather

final class SyntheticAndSolarTests: XCTestCase {
    let chicagoSite = WeatherSite(name: "Chicago", latitude: 41.98, longitude: -87.92, timeZoneHours: -6, elevation: 201)

    func testSyntheticTemperaturePeaksAtGivenHour() throws {
        let model = SyntheticWeather(site: chicagoSite, meanTemperature: 25, dailyAmplitude: 6, peakHour: 16)
        let s = try model.series(calendar: try SimCalendar(iso8601: "2025-07-14"))
        let day = 194 * 24  // July 14 starts at hour 4656; samples 4656… end at 4657…
        let temps = Array(s.temperature[day..<(day + 24)])
        let peak = try XCTUnwrap(temps.indices.max(by: { temps[$0] < temps[$1] }))
        XCTAssertEqual(peak + 1, 16)  // sample index k ends at hour k + 1
        XCTAssertEqual(temps[peak], 31, accuracy: 1e-12)
        XCTAssertEqual(temps.min()!, 19, accuracy: 1e-12)  // 04:00, half a day later
        XCTAssertEqual(temps.reduce(0, +) / 24, 25, accuracy: 1e-12)  // sinusoid averages out
        // At SimTime 16 h after the start the look-up is the peak itself.
        XCTAssertEqual(s.value(.temperature, atMilliseconds: 16 * 3_600_000), 31, accuracy: 1e-12)
        // Humidity is lowest at the warmest hour; dew point consistent with T and RH.
        let rh = Array(s.values(.relativeHumidity)[day..<(day + 24)])
        XCTAssertEqual(rh.indices.min(by: { rh[$0] < rh[$1] }), peak)
        let td = s.values(.dewPoint)[day + peak]
        XCTAssertEqual(100 * Psychrometrics.saturationPressure(td) / Psychrometrics.saturationPressure(31), rh[peak], accuracy: 1e-9)
    }

    func testSyntheticIrradianceFollowsTheSun() throws {
        let clear = try SyntheticWeather(site: chicagoSite).series(calendar: try SimCalendar(iso8601: "2025-06-21"))
        let day = (SimCalendar.dayOfYear(year: 2025, month: 6, day: 21) - 1) * 24
        let ghi = Array(clear.ghi[day..<(day + 24)])
        // Night hours are dark; solar noon is 12:00 − (4 min/°·(−87.92 + 90°) + EoT) ≈ 11:53 CST, so the
        // brightest hour is 11:00–12:00 (sample 11).
        XCTAssertEqual(ghi[0], 0)
        XCTAssertEqual(ghi[23], 0)
        XCTAssertEqual(ghi.indices.max(by: { ghi[$0] < ghi[$1] }), 11)
        // Haurwitz at noon, zenith ≈ |41.98 − 23.44| = 18.5°: 1098·cos z·exp(−0.057/cos z) ≈ 982 W/m²;
        // the 11:00–12:00 hour mean is a little lower (zenith up to ~21°): accept 940…985.
        XCTAssertGreaterThan(ghi[11], 940)
        XCTAssertLessThan(ghi[11], 985)
        // Closure: GHI = DNI·cos z + DHI holds for each instant, so also within a few % for hour means.
        let i = day + 11
        let cz = SolarPosition(site: chicagoSite, hourOfYear: Double(i) + 0.5).cosZenith
        XCTAssertEqual(clear.dni[i] * cz + clear.dhi[i], clear.ghi[i], accuracy: 0.02 * clear.ghi[i])
        // Clouds: Kasten–Czeplak factor 1 − 0.75·0.5^3.4 = 0.9286 at half cover.
        let cloudy = try SyntheticWeather(site: chicagoSite, cloudCover: 0.5).series(calendar: try SimCalendar(iso8601: "2025-06-21"))
        XCTAssertEqual(cloudy.ghi[i] / clear.ghi[i], 1 - 0.75 * pow(0.5, 3.4), accuracy: 1e-12)
    }

    func testSyntheticRainWindows() throws {
        let rain = try RainWindow(window: try TimeWindow(start: "2025-06-21T08:00", end: "2025-06-21T10:00"), rate: 6)
        let s = try SyntheticWeather(site: chicagoSite, rain: [rain]).series(calendar: try SimCalendar(iso8601: "2025-06-21"))
        let day = (SimCalendar.dayOfYear(year: 2025, month: 6, day: 21) - 1) * 24
        XCTAssertEqual(Array(s.precipitation[(day + 7)...(day + 10)]), [0, 6, 6, 0])
        XCTAssertEqual(s.values(.skyCover)[day + 8], 10)
        XCTAssertEqual(s.value(.precipitation, atMilliseconds: 9 * 3_600_000), 6)  // 09:00, between two 6s
        // Overcast reduces GHI to 25 % of clear sky (Kasten–Czeplak with N = 1).
        let clear = try SyntheticWeather(site: chicagoSite).series(calendar: try SimCalendar(iso8601: "2025-06-21"))
        XCTAssertEqual(s.ghi[day + 8] / clear.ghi[day + 8], 0.25, accuracy: 1e-12)
    }

    /// At solar noon the zenith angle is |latitude − declination|; find the noon by scanning
    /// the clock (so time zone, longitude and equation of time are exercised too).
    func testSolarNoonZenith() {
        for (lat, lon, tz) in [(41.98, -87.92, -6.0), (45.0, 8.0, 1.0), (-33.9, 151.2, 10.0), (0.0, 0.0, 0.0)] {
            for day in [1.0, 80, 172, 266, 355] {
                var best = 180.0
                for minute in stride(from: 9 * 60, through: 15 * 60, by: 1) {
                    let p = SolarPosition(latitude: lat, longitude: lon, timeZoneHours: tz, dayOfYear: day,
                                          standardHour: Double(minute) / 60)
                    best = min(best, p.zenithDegrees)
                }
                let decl = SolarPosition.declination(dayOfYear: day) * 180 / .pi
                XCTAssertEqual(best, abs(lat - decl), accuracy: 0.5, "lat \(lat) day \(day)")
            }
        }
        // Declination at the June solstice ≈ +23.44°, at the December solstice ≈ −23.44° (±0.1°).
        XCTAssertEqual(SolarPosition.declination(dayOfYear: 172) * 180 / .pi, 23.44, accuracy: 0.1)
        XCTAssertEqual(SolarPosition.declination(dayOfYear: 355) * 180 / .pi, -23.44, accuracy: 0.1)
    }

    func testAzimuthIncidenceAndPlaneOfArray() {
        // Solar noon in Chicago, June: sun due south.
        let noon = SolarPosition(latitude: 41.98, longitude: -87.92, timeZoneHours: -6, dayOfYear: 172,
                                 standardHour: 12 - (4 * (-87.92 + 90) + SolarPosition.equationOfTimeMinutes(dayOfYear: 172)) / 60)
        XCTAssertEqual(noon.hourAngle, 0, accuracy: 1e-12)
        XCTAssertEqual(noon.azimuth * 180 / .pi, 180, accuracy: 1e-6)
        // Horizontal plane: incidence = zenith. Plane tilted to face the sun: incidence 0.
        XCTAssertEqual(noon.cosIncidence(tiltDegrees: 0, azimuthDegrees: 180), noon.cosZenith, accuracy: 1e-12)
        XCTAssertEqual(noon.cosIncidence(tiltDegrees: noon.zenithDegrees, azimuthDegrees: 180), 1, accuracy: 1e-12)
        // Morning sun is in the east.
        let morning = SolarPosition(latitude: 41.98, longitude: -87.92, timeZoneHours: -6, dayOfYear: 172, standardHour: 8)
        XCTAssertGreaterThan(morning.azimuth * 180 / .pi, 60)
        XCTAssertLessThan(morning.azimuth * 180 / .pi, 110)
        // POA on a horizontal plane is GHI when GHI = DNI·cos z + DHI.
        let dni = 800.0, dhi = 100.0, ghi = dni * noon.cosZenith + dhi
        XCTAssertEqual(SolarPosition.planeOfArrayIrradiance(dni: dni, dhi: dhi, ghi: ghi, cosIncidence: noon.cosZenith,
                                                            tiltDegrees: 0), ghi, accuracy: 1e-9)
        // Vertical plane facing away from the sun: diffuse half-sky + ground reflection only.
        let north = SolarPosition.planeOfArrayIrradiance(dni: dni, dhi: dhi, ghi: ghi,
                                                         cosIncidence: noon.cosIncidence(tiltDegrees: 90, azimuthDegrees: 0),
                                                         tiltDegrees: 90, albedo: 0.2)
        XCTAssertEqual(north, dhi / 2 + ghi * 0.2 / 2, accuracy: 1e-9)
    }
}
