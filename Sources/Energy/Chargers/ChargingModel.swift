import Foundation

/// A charger configuration or input error (one line: source, field path, what was expected).
public typealias ChargingError = EnergyInputError

/// Charger technology. Informational for the model (the charging curve is per station);
/// recorded so outputs can separate AC (level 2) from DC fast charging.
public enum ChargerKind: UInt8, Sendable, Equatable, CaseIterable {
    case ac = 0
    case dc = 1
}

/// CC-CV charging curve as a fraction of the vehicle/plug power limit `P` versus state of
/// charge `s`: `P` up to `taperStartSoC`, then falling linearly to `endPowerFraction · P` at
/// `s = 1`. The default (80 %, 10 %) is the usual simplified Li-ion DC curve.
public struct ChargingCurve: Sendable, Equatable {
    /// SoC above which power tapers, in [0, 1]; 1 disables the taper.
    public var taperStartSoC: Double
    /// Fraction of the power limit still drawn at 100 % SoC, in (0, 1].
    public var endPowerFraction: Double

    public init(taperStartSoC: Double = 0.8, endPowerFraction: Double = 0.1) {
        self.taperStartSoC = taperStartSoC
        self.endPowerFraction = endPowerFraction
    }

    /// (80 %, 10 %).
    public static let standard = ChargingCurve()
    /// Constant power up to full (no taper).
    public static let constant = ChargingCurve(taperStartSoC: 1, endPowerFraction: 1)

    /// Taper slope `k` of `u(s) = 1 − k (s − s0)`, the power fraction above `s0`; 0 if no taper.
    @inlinable public var slope: Double {
        taperStartSoC >= 1 || endPowerFraction >= 1 ? 0 : (1 - endPowerFraction) / (1 - taperStartSoC)
    }

    /// Power as a fraction of the limit at SoC `s` (1 below the taper start). O(1).
    @inlinable public func powerFraction(atSoC s: Double) -> Double {
        s <= taperStartSoC ? 1 : max(0, 1 - slope * (s - taperStartSoC))
    }

    func validate(source: String, field: String) throws(ChargingError) {
        guard taperStartSoC.isFinite, (0...1).contains(taperStartSoC) else {
            throw ChargingError(source: source, field: field + ".taperStartSoC",
                                expected: "a number in [0, 1], got \(taperStartSoC)")
        }
        guard endPowerFraction.isFinite, endPowerFraction > 0, endPowerFraction <= 1 else {
            throw ChargingError(source: source, field: field + ".endPowerFraction",
                                expected: "a number in (0, 1], got \(endPowerFraction)")
        }
    }
}

/// Closed-form power and energy of one plugged vehicle while its ceiling stays constant.
///
/// Power `p(s) = min(a, P · u(s))` with `a` the allocated ceiling (≤ `P`, the vehicle/plug
/// limit) and `u(s) = 1` below `s0`, `1 − k (s − s0)` above. Phase 1 (constant `a`) lasts
/// until `u(s) · P = a`; in phase 2 `ds/dt = P u / B` so `u(t) = u₁ e^(−λ t)`, `λ = k P / B`.
/// Times in hours, power kW, energy kWh. A battery of 0 kWh means "SoC unknown": constant `a`.
public struct ChargeProfile: Sendable, Equatable {
    /// Vehicle/plug power limit P (kW).
    public var limit: Double
    /// Allocated ceiling a ≤ P (kW).
    public var ceiling: Double
    /// Battery capacity B (kWh); 0 = no SoC model (constant power).
    public var battery: Double
    /// SoC at the start of this profile.
    public var soc: Double
    public var taperStart: Double
    /// Taper slope k (0 = none).
    public var slope: Double

    @inlinable
    public init(limit: Double, ceiling: Double, battery: Double, soc: Double, curve: ChargingCurve) {
        self.limit = limit
        self.ceiling = max(0, min(ceiling, limit))
        self.battery = battery
        self.soc = soc
        self.taperStart = curve.taperStartSoC
        self.slope = battery > 0 ? curve.slope : 0
    }

    /// SoC at which the curve falls to the ceiling (∞ if it never does below 100 %).
    @inlinable var kneeSoC: Double {
        guard slope > 0, ceiling > 0 else { return .infinity }
        let knee = taperStart + (1 - ceiling / limit) / slope
        return knee
    }

    /// Hours of constant power `ceiling` before the taper binds (∞ if never).
    @inlinable var phase1Hours: Double {
        let knee = kneeSoC
        guard knee.isFinite else { return .infinity }
        return max(0, (knee - soc) * battery / ceiling)
    }

    /// Instantaneous power (kW) after `t` hours. O(1).
    @inlinable
    public func power(afterHours t: Double) -> Double {
        guard ceiling > 0 else { return 0 }
        let t1 = phase1Hours
        if t <= t1 { return t1 == 0 ? min(ceiling, limit * taperFraction(soc)) : ceiling }
        let u1 = taperFraction(max(soc, kneeSoC))
        return limit * u1 * exp(-slope * limit / battery * (t - t1))
    }

    /// Energy delivered (kWh) after `t` hours. O(1).
    @inlinable
    public func energy(afterHours t: Double) -> Double {
        guard ceiling > 0, t > 0 else { return 0 }
        let t1 = phase1Hours
        if t <= t1 { return ceiling * t }
        let e1 = ceiling * t1
        let s1 = max(soc, kneeSoC)
        let u1 = taperFraction(s1)
        let u = u1 * exp(-slope * limit / battery * (t - t1))
        // s(t) − s1 = (u1 − u)/k.
        return e1 + (u1 - u) / slope * battery
    }

    /// Hours needed to deliver `e` kWh (0 for e ≤ 0; ∞ if the ceiling is 0). O(1).
    @inlinable
    public func hours(toDeliver e: Double) -> Double {
        guard e > 0 else { return 0 }
        guard ceiling > 0 else { return .infinity }
        let t1 = phase1Hours
        if e <= ceiling * t1 { return e / ceiling }
        let s1 = max(soc, kneeSoC)
        let u1 = taperFraction(s1)
        let sTarget = soc + e / battery
        let uT = taperFraction(sTarget)
        guard uT > 0 else { return .infinity }
        return t1 + log(u1 / uT) / (slope * limit / battery)
    }

    /// Hours until the power falls to `fraction` (< 1) of the ceiling through the taper;
    /// ∞ if it never does before 100 % SoC (or there is no taper). O(1).
    @inlinable
    public func hours(untilPowerFraction fraction: Double) -> Double {
        guard slope > 0, ceiling > 0, fraction > 0, fraction < 1 else { return .infinity }
        let t1 = phase1Hours
        guard t1.isFinite else { return .infinity }
        let u1 = taperFraction(max(soc, kneeSoC))
        let uT = fraction * ceiling / limit
        // The curve ends at u(1) = 1 − k (1 − s0); below that the vehicle is full.
        guard uT >= 1 - slope * (1 - taperStart), uT < u1 else { return uT >= u1 ? t1 : .infinity }
        return t1 + log(u1 / uT) / (slope * limit / battery)
    }

    /// Power fraction u(s) of the curve (not clamped at the ceiling).
    @inlinable func taperFraction(_ s: Double) -> Double {
        s <= taperStart ? 1 : 1 - slope * (s - taperStart)
    }
}
