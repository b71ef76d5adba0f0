// Solar geometry (Duffie & Beckman, "Solar Engineering of Thermal Processes", ch. 1–2,
// with Spencer's 1971 Fourier series for declination, equation of time and orbit
// eccentricity). Accurate to about 0.5° in zenith, ample for hourly building/PV models.
// Inputs in degrees, angles out in radians unless the name says Degrees.
import Foundation

/// Where the sun is for a site and a local standard time.
///
/// Energy cannot import Weather, so the coupling layer computes plane-of-array irradiance
/// here (`planeOfArrayIrradiance`) and hands Energy plain numbers.
public struct SolarPosition: Sendable, Hashable {
    /// Solar declination δ, radians.
    public let declination: Double
    /// Hour angle ω, radians (0 at solar noon, negative in the morning).
    public let hourAngle: Double
    /// cos of the zenith angle (negative when the sun is below the horizon).
    public let cosZenith: Double
    /// Solar azimuth, radians clockwise from north (π/2 = east, π = south).
    public let azimuth: Double

    /// Zenith angle θz, radians.
    @inlinable public var zenith: Double { acos(max(-1, min(1, cosZenith))) }
    @inlinable public var zenithDegrees: Double { zenith * 180 / .pi }
    /// Elevation above the horizon, degrees (negative at night).
    @inlinable public var elevationDegrees: Double { 90 - zenithDegrees }

    /// - Parameters:
    ///   - latitude, longitude: degrees (north, east positive).
    ///   - timeZoneHours: hours from UTC of `standardHour` (the standard meridian is 15°·tz).
    ///   - dayOfYear: 1-based day (fractional allowed).
    ///   - standardHour: local standard clock time in hours, 0..<24.
    public init(latitude: Double, longitude: Double, timeZoneHours: Double, dayOfYear: Double,
                standardHour: Double) {
        let phi = latitude * .pi / 180
        let delta = SolarPosition.declination(dayOfYear: dayOfYear)
        let solarTime = SolarPosition.solarTime(standardHour: standardHour, dayOfYear: dayOfYear,
                                                longitude: longitude, timeZoneHours: timeZoneHours)
        let omega = (solarTime - 12) * 15 * .pi / 180
        declination = delta
        hourAngle = omega
        cosZenith = cos(phi) * cos(delta) * cos(omega) + sin(phi) * sin(delta)
        // Sun direction in (east, north) components; azimuth measured from north towards east.
        let east = -cos(delta) * sin(omega)
        let north = cos(phi) * sin(delta) - sin(phi) * cos(delta) * cos(omega)
        var az = atan2(east, north)
        if az < 0 { az += 2 * .pi }
        azimuth = az
    }

    /// Position at an hour of the series' year (0-based hours since Jan 1 00:00, local standard time).
    public init(site: WeatherSite, hourOfYear: Double) {
        let day = (hourOfYear / 24).rounded(.down)
        self.init(latitude: site.latitude, longitude: site.longitude, timeZoneHours: site.timeZoneHours,
                  dayOfYear: day + 1, standardHour: hourOfYear - day * 24)
    }

    /// cos of the angle of incidence on a plane tilted `tiltDegrees` from horizontal, facing
    /// `azimuthDegrees` clockwise from north (180 = south). Negative when the sun is behind it.
    @inlinable public func cosIncidence(tiltDegrees: Double, azimuthDegrees: Double) -> Double {
        let beta = tiltDegrees * .pi / 180, gamma = azimuthDegrees * .pi / 180
        let sinZ = (1 - cosZenith * cosZenith).squareRoot()
        // Dot product of sun vector (sinZ·sin az, sinZ·cos az, cosZ) and plane normal.
        return sinZ * sin(beta) * (sin(azimuth) * sin(gamma) + cos(azimuth) * cos(gamma)) + cosZenith * cos(beta)
    }

    // MARK: formulas

    /// Declination, radians (Spencer 1971, error < 0.035°).
    public static func declination(dayOfYear n: Double) -> Double {
        let b = 2 * Double.pi * (n - 1) / 365
        return 0.006918 - 0.399912 * cos(b) + 0.070257 * sin(b) - 0.006758 * cos(2 * b)
            + 0.000907 * sin(2 * b) - 0.002697 * cos(3 * b) + 0.00148 * sin(3 * b)
    }

    /// Equation of time, minutes (Spencer 1971).
    public static func equationOfTimeMinutes(dayOfYear n: Double) -> Double {
        let b = 2 * Double.pi * (n - 1) / 365
        return 229.18 * (0.000075 + 0.001868 * cos(b) - 0.032077 * sin(b) - 0.014615 * cos(2 * b) - 0.04089 * sin(2 * b))
    }

    /// Apparent solar time, hours: standard time + 4 min/° × (longitude − 15°·tz) + equation of time.
    public static func solarTime(standardHour: Double, dayOfYear: Double, longitude: Double,
                                 timeZoneHours: Double) -> Double {
        standardHour + (4 * (longitude - 15 * timeZoneHours) + equationOfTimeMinutes(dayOfYear: dayOfYear)) / 60
    }

    /// Extraterrestrial normal irradiance, W/m² (solar constant 1367 W/m² × eccentricity).
    public static func extraterrestrialNormal(dayOfYear n: Double) -> Double {
        let b = 2 * Double.pi * (n - 1) / 365
        return 1367 * (1.00011 + 0.034221 * cos(b) + 0.00128 * sin(b) + 0.000719 * cos(2 * b) + 0.000077 * sin(2 * b))
    }

    /// Plane-of-array irradiance, W/m², isotropic-sky model (Liu & Jordan):
    /// DNI·max(0, cos θ) + DHI·(1 + cos β)/2 + GHI·ρ·(1 − cos β)/2. O(1).
    @inlinable public static func planeOfArrayIrradiance(dni: Double, dhi: Double, ghi: Double,
                                                         cosIncidence: Double, tiltDegrees: Double,
                                                         albedo: Double = 0.2) -> Double {
        let cb = cos(tiltDegrees * .pi / 180)
        return dni * max(0, cosIncidence) + dhi * (1 + cb) / 2 + ghi * albedo * (1 - cb) / 2
    }
}
