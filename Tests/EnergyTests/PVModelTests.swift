import XCTest
import SimKernel
@testable import Energy

final class PVModelTests: XCTestCase {
    func testSTCOutputAndTemperatureDerating() {
        // At STC (1000 W/m², 25 °C cell) DC power is the rating exactly.
        XCTAssertEqual(PVModel.dcPower(ratedPower: 5000, poa: 1000, cellTemperature: 25, temperatureCoefficient: -0.004),
                       5000, accuracy: 1e-9)
        // 45 °C cell: factor 1 − 0.004 × 20 = 0.92.
        XCTAssertEqual(PVModel.dcPower(ratedPower: 5000, poa: 1000, cellTemperature: 45, temperatureCoefficient: -0.004),
                       4600, accuracy: 1e-9)
        // Linear in irradiance: 500 W/m² at 25 °C gives half.
        XCTAssertEqual(PVModel.dcPower(ratedPower: 5000, poa: 500, cellTemperature: 25, temperatureCoefficient: -0.004),
                       2500, accuracy: 1e-9)
    }

    func testCellTemperatureModels() {
        // Faiman: 20 + 800 / (25 + 6.84 × 1) = 45.1256…
        XCTAssertEqual(PVModel.cellTemperature(poa: 800, ambient: 20, wind: 1, model: .faimanDefault),
                       20 + 800 / 31.84, accuracy: 1e-12)
        // NOCT 45: at the NOCT conditions (800 W/m², 20 °C) the cell is at 45 °C.
        XCTAssertEqual(PVModel.cellTemperature(poa: 800, ambient: 20, wind: 1, model: .noct(45)), 45, accuracy: 1e-12)
        XCTAssertEqual(PVModel.cellTemperature(poa: 0, ambient: 12, wind: 3, model: .faimanDefault), 12)
    }

    func testClippingAndZeroAtNight() throws {
        XCTAssertEqual(PVModel.acPower(dc: 10_000, derate: 0.86, inverterEfficiency: 0.96, inverterRating: 4000), 4000)
        XCTAssertEqual(PVModel.acPower(dc: 1000, derate: 0.86, inverterEfficiency: 0.96, inverterRating: 4000),
                       825.6, accuracy: 1e-9)
        var fleet = try PVFleet(systems: [PVSystemSpec(ratedPowerDC: 6000, inverterRatingAC: 5000, bus: 0)], busCount: 1)
        fleet.start(at: .zero)
        // Night: sun below horizon, no irradiance → zero.
        fleet.update(ghi: 0, dni: 0, dhi: 0, solarZenith: 110, solarAzimuth: 0, ambientTemperature: 10, windSpeed: 2,
                     at: .zero)
        XCTAssertEqual(fleet.acPower[0], 0)
        // Cold, very bright (1300 W/m² POA, −10 °C): DC 6000 × 1.3 × (1 − 0.004 × (Tc − 25)) ≈ 7.8 kW
        // × 0.8256 ≈ 6.5 kW > 5 kW → clipped to the inverter rating.
        fleet.update(planeOfArrayIrradiance: 1300, ambientTemperature: -10, windSpeed: 5, at: .hours(1))
        XCTAssertEqual(fleet.acPower[0], 5000)
    }

    func testFleetSTCPowerEnergyAndBusAggregation() throws {
        // Two systems on bus 2, one on bus 0; NOCT chosen so the cell sits at 25 °C:
        // Tc = Ta + (NOCT − 20)/800 × 1000 = 25 with Ta = 0 and NOCT = 40.
        let spec = PVSystemSpec(ratedPowerDC: 4000, inverterRatingAC: 4000, cellTemperature: .noct(40), bus: 2)
        var other = spec
        other.bus = 0
        other.ratedPowerDC = 2000
        var fleet = try PVFleet(systems: [spec, spec, other], busCount: 3)
        fleet.start(at: .zero)
        fleet.update(planeOfArrayIrradiance: 1000, ambientTemperature: 0, windSpeed: 0, at: .zero)
        let ac = 4000 * 0.86 * 0.96
        XCTAssertEqual(fleet.cellTemperature[0], 25, accuracy: 1e-12)
        XCTAssertEqual(fleet.acPower[0], ac, accuracy: 1e-9)
        var bus: [Double] = []
        fleet.busGeneration(into: &bus)
        XCTAssertEqual(bus.count, 3)
        XCTAssertEqual(bus[2], 2 * ac, accuracy: 1e-9)
        XCTAssertEqual(bus[0], ac / 2, accuracy: 1e-9)
        XCTAssertEqual(bus[1], 0)
        // 2 h at STC, then 1 h at half irradiance (still 25 °C cell: Ta = 12.5 → Tc = 12.5 + 12.5 = 25).
        fleet.update(planeOfArrayIrradiance: 500, ambientTemperature: 12.5, windSpeed: 0, at: .hours(2))
        let e = fleet.energy(ofSystem: 0, at: .hours(3))
        XCTAssertEqual(e, (ac * 2 + ac / 2 * 1) / 1000, accuracy: 1e-9)    // kWh
        XCTAssertEqual(fleet.totalEnergy(at: .hours(3)), 2.5 * e, accuracy: 1e-9)
    }

    func testIsotropicTransposition() {
        // Horizontal plane: POA = DNI cos z + DHI = GHI.
        let z = 40.0
        let dni = 800.0, dhi = 100.0
        let ghi = dni * cos(z * .pi / 180) + dhi
        let flat = PVModel.planeOfArray(ghi: ghi, dni: dni, dhi: dhi, solarZenith: z, solarAzimuth: 150,
                                        surfaceTilt: 0, surfaceAzimuth: 180)
        XCTAssertEqual(flat.total, ghi, accuracy: 1e-9)
        XCTAssertEqual(flat.groundReflected, 0, accuracy: 1e-12)
        // Plane facing the sun: beam = DNI; diffuse = DHI (1 + cos 40°)/2; ground = GHI ρ (1 − cos 40°)/2.
        let facing = PVModel.planeOfArray(ghi: ghi, dni: dni, dhi: dhi, solarZenith: z, solarAzimuth: 150,
                                          surfaceTilt: z, surfaceAzimuth: 150, albedo: 0.2)
        let c = cos(z * .pi / 180)
        XCTAssertEqual(facing.beam, dni, accuracy: 1e-9)
        XCTAssertEqual(facing.skyDiffuse, dhi * (1 + c) / 2, accuracy: 1e-9)
        XCTAssertEqual(facing.groundReflected, ghi * 0.2 * (1 - c) / 2, accuracy: 1e-9)
        // Sun behind the plane → no beam.
        let behind = PVModel.planeOfArray(ghi: ghi, dni: dni, dhi: dhi, solarZenith: 80, solarAzimuth: 0,
                                          surfaceTilt: 60, surfaceAzimuth: 180)
        XCTAssertEqual(behind.beam, 0)
    }

    func testSolarPosition() {
        // Summer solstice (day 172), 45° N, 0° E, 12:00 UTC: zenith ≈ 45 − 23.44 = 21.6°, sun due south.
        // Tolerance 0.5°: the Spencer series' stated accuracy plus the equation of time (~0.4° of hour angle).
        let p = PVModel.solarPosition(dayOfYear: 172, utcHours: 12, latitude: 45, longitude: 0)
        XCTAssertEqual(p.zenith, 21.56, accuracy: 0.5)
        XCTAssertEqual(p.azimuth, 180, accuracy: 2)
        // Morning sun is in the east, at night the zenith exceeds 90°.
        let morning = PVModel.solarPosition(dayOfYear: 172, utcHours: 7, latitude: 45, longitude: 0)
        XCTAssertLessThan(morning.azimuth, 120)
        XCTAssertGreaterThan(morning.azimuth, 50)
        XCTAssertGreaterThan(PVModel.solarPosition(dayOfYear: 172, utcHours: 0, latitude: 45, longitude: 0).zenith, 90)
    }

    func testInvalidSpecNamesTheField() {
        XCTAssertThrowsError(try PVFleet(systems: [PVSystemSpec(ratedPowerDC: 3000, bus: 7)], busCount: 3,
                                         source: "city.yaml")) { e in
            XCTAssertEqual("\(e)", "city.yaml: systems[0].bus: expected a bus index in 0..<3, got 7")
        }
    }
}
