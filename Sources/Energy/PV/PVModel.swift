import Foundation

/// Cell temperature model.
public enum CellTemperatureModel: Sendable, Equatable {
    /// Faiman (PVsyst-like): Tc = Ta + POA / (u0 + u1 · wind), u0 in W/(m²·K), u1 in W·s/(m³·K).
    case faiman(u0: Double, u1: Double)
    /// NOCT: Tc = Ta + (NOCT − 20 °C) / 800 W/m² × POA (wind ignored).
    case noct(Double)

    /// Faiman with u0 = 25 W/(m²·K), u1 = 6.84 W·s/(m³·K) (open-rack glass/polymer modules).
    public static let faimanDefault = CellTemperatureModel.faiman(u0: 25, u1: 6.84)
}

/// Plane-of-array irradiance split into its components (W/m²).
public struct PlaneOfArrayIrradiance: Sendable, Equatable {
    public var beam: Double
    public var skyDiffuse: Double
    public var groundReflected: Double
    @inlinable public var total: Double { beam + skyDiffuse + groundReflected }

    @inlinable public init(beam: Double, skyDiffuse: Double, groundReflected: Double) {
        self.beam = beam
        self.skyDiffuse = skyDiffuse
        self.groundReflected = groundReflected
    }
}

/// Pure PV and solar-geometry functions. Angles in degrees; azimuths clockwise from north
/// (90 = east, 180 = south); irradiance in W/m²; temperatures in °C; power in W.
public enum PVModel {
    /// Isotropic-sky (Liu–Jordan) transposition of GHI/DNI/DHI to a tilted plane:
    /// beam = DNI · max(0, cos AOI), cos AOI = cos z cos β + sin z sin β cos(γs − γ);
    /// sky diffuse = DHI (1 + cos β)/2; ground reflected = GHI ρ (1 − cos β)/2.
    /// Sun at or below the horizon (z ≥ 90°) gives no beam. Negative inputs count as 0. O(1).
    @inlinable
    public static func planeOfArray(ghi: Double, dni: Double, dhi: Double,
                                    solarZenith: Double, solarAzimuth: Double,
                                    surfaceTilt: Double, surfaceAzimuth: Double,
                                    albedo: Double = 0.2) -> PlaneOfArrayIrradiance {
        let rad = Double.pi / 180
        let beta = surfaceTilt * rad
        let cosBeta = cos(beta)
        var beam = 0.0
        if solarZenith < 90 {
            let z = solarZenith * rad
            let cosAOI = cos(z) * cosBeta + sin(z) * sin(beta) * cos((solarAzimuth - surfaceAzimuth) * rad)
            beam = max(0, dni) * max(0, cosAOI)
        }
        return PlaneOfArrayIrradiance(beam: beam,
                                      skyDiffuse: max(0, dhi) * (1 + cosBeta) / 2,
                                      groundReflected: max(0, ghi) * albedo * (1 - cosBeta) / 2)
    }

    /// Cell temperature (°C) for plane-of-array irradiance `poa`, ambient `ambient` and wind
    /// speed `wind` (m/s, at module height). O(1).
    @inlinable
    public static func cellTemperature(poa: Double, ambient: Double, wind: Double,
                                       model: CellTemperatureModel) -> Double {
        let g = max(0, poa)
        switch model {
        case let .faiman(u0, u1): return ambient + g / (u0 + u1 * max(0, wind))
        case let .noct(noct): return ambient + (noct - 20) / 800 * g
        }
    }

    /// DC power (W): P_stc · POA/1000 · (1 + γ (Tc − 25)), never negative; 0 when POA ≤ 0.
    @inlinable
    public static func dcPower(ratedPower: Double, poa: Double, cellTemperature: Double,
                               temperatureCoefficient gamma: Double) -> Double {
        guard poa > 0 else { return 0 }
        return max(0, ratedPower * poa / 1000 * (1 + gamma * (cellTemperature - 25)))
    }

    /// AC power (W): dc · derate · η_inverter, clipped at the inverter AC rating.
    @inlinable
    public static func acPower(dc: Double, derate: Double, inverterEfficiency: Double,
                               inverterRating: Double) -> Double {
        min(dc * derate * inverterEfficiency, inverterRating)
    }

    /// Approximate solar position (zenith, azimuth in degrees; azimuth clockwise from north)
    /// from day of year (1–366), UTC hours (0–24), latitude and longitude (degrees, east
    /// positive). Spencer (1971) series for declination and equation of time; accuracy about
    /// 0.5°, enough for hourly PV. No atmospheric refraction.
    public static func solarPosition(dayOfYear: Int, utcHours: Double, latitude: Double,
                                     longitude: Double) -> (zenith: Double, azimuth: Double) {
        let rad = Double.pi / 180
        let g = 2 * Double.pi * Double(dayOfYear - 1) / 365
        let decl = 0.006918 - 0.399912 * cos(g) + 0.070257 * sin(g) - 0.006758 * cos(2 * g)
            + 0.000907 * sin(2 * g) - 0.002697 * cos(3 * g) + 0.00148 * sin(3 * g)
        let eotMinutes = 229.18 * (0.000075 + 0.001868 * cos(g) - 0.032077 * sin(g)
            - 0.014615 * cos(2 * g) - 0.040849 * sin(2 * g))
        let solarTime = utcHours + longitude / 15 + eotMinutes / 60
        let omega = 15 * (solarTime - 12) * rad
        let phi = latitude * rad
        let cosZ = sin(phi) * sin(decl) + cos(phi) * cos(decl) * cos(omega)
        let zenith = acos(min(1, max(-1, cosZ))) / rad
        // Azimuth from south (positive west), then shifted to clockwise-from-north.
        let fromSouth = atan2(sin(omega), cos(omega) * sin(phi) - tan(decl) * cos(phi)) / rad
        var azimuth = fromSouth + 180
        if azimuth >= 360 { azimuth -= 360 }
        return (zenith, azimuth)
    }
}
