// Rain → traffic speed reduction, for the coupling layer to scale link free-flow speeds.

/// Piecewise-linear speed factor for rain:
/// 1 at or below `dryThreshold` mm/h, falling linearly to `minimumFactor` at `heavyRain`
/// mm/h, constant beyond. Defaults: 0.1 mm/h (trace), 7.6 mm/h (the AMS "heavy rain"
/// threshold) and 0.85, within the 5–15 % free-flow speed reductions reported for heavy
/// rain in the Highway Capacity Manual (2010, ch. 10); scenarios may override all three.
public struct RainSpeedModel: Sendable, Hashable {
    public let dryThreshold: Double
    public let heavyRain: Double
    public let minimumFactor: Double

    /// Throws `WeatherError` naming `field.<name>` unless 0 ≤ dry < heavy (finite) and 0 < minimumFactor ≤ 1.
    public init(dryThresholdMmPerHour: Double = 0.1, heavyRainMmPerHour: Double = 7.6,
                minimumFactor: Double = 0.85, field: String = "traffic.rain") throws {
        guard dryThresholdMmPerHour.isFinite, dryThresholdMmPerHour >= 0 else {
            throw WeatherError(field: "\(field).dryThreshold", expected: "a finite rate >= 0 mm/h", found: "\(dryThresholdMmPerHour)")
        }
        guard heavyRainMmPerHour.isFinite, heavyRainMmPerHour > dryThresholdMmPerHour else {
            throw WeatherError(field: "\(field).heavyRain", expected: "a finite rate > dryThreshold \(dryThresholdMmPerHour) mm/h",
                               found: "\(heavyRainMmPerHour)")
        }
        guard minimumFactor.isFinite, minimumFactor > 0, minimumFactor <= 1 else {
            throw WeatherError(field: "\(field).minimumFactor", expected: "a factor in (0, 1]", found: "\(minimumFactor)")
        }
        self.dryThreshold = dryThresholdMmPerHour
        self.heavyRain = heavyRainMmPerHour
        self.minimumFactor = minimumFactor
    }

    /// Multiplier (minimumFactor…1) for free-flow speed at a precipitation rate. O(1).
    @inlinable public func speedFactor(precipitationMmPerHour p: Double) -> Double {
        if !(p > dryThreshold) { return 1 }  // also catches NaN
        if p >= heavyRain { return minimumFactor }
        return 1 - (1 - minimumFactor) * (p - dryThreshold) / (heavyRain - dryThreshold)
    }
}
