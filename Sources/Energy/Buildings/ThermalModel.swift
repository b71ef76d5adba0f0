import Foundation

/// Parameters of the two-node equivalent thermal parameter (ETP) model used by GridLAB-D:
///
///     Ca dTa/dt = UA (To − Ta) + Hm (Tm − Ta) + Qa
///     Cm dTm/dt = Hm (Ta − Tm) + Qm
///
/// with Qa = Q_hvac + f·(Q_internal + Q_solar) and Qm = (1 − f)·(Q_internal + Q_solar),
/// f = `airGainFraction`. Setting `massCapacity = 0` gives the single-node 1R1C model
/// `Ca dTa/dt = UA (To − Ta) + Q_hvac + Q_internal + Q_solar` (all gains to air).
/// Units: W/K, J/K, W, °C, seconds.
public struct ThermalParameters: Sendable, Equatable {
    /// Envelope + infiltration conductance to outdoors, UA (W/K).
    public var ua: Double
    /// Heat capacity of the air node incl. furniture, Ca (J/K).
    public var airCapacity: Double
    /// Heat capacity of the mass node, Cm (J/K); 0 selects the 1R1C model.
    public var massCapacity: Double
    /// Conductance between air and mass, Hm (W/K); ignored for 1R1C.
    public var massConductance: Double
    /// Fraction of internal and solar gains that goes to the air node (rest to mass).
    public var airGainFraction: Double

    public init(ua: Double, airCapacity: Double, massCapacity: Double, massConductance: Double,
                airGainFraction: Double = 0.5) {
        self.ua = ua
        self.airCapacity = airCapacity
        self.massCapacity = massCapacity
        self.massConductance = massConductance
        self.airGainFraction = airGainFraction
    }

    /// A single-node 1R1C model with conductance `ua` (W/K) and capacity `capacity` (J/K).
    public static func oneNode(ua: Double, capacity: Double) -> ThermalParameters {
        ThermalParameters(ua: ua, airCapacity: capacity, massCapacity: 0, massConductance: 0, airGainFraction: 1)
    }

    /// True for the 1R1C model (no mass node).
    @inlinable public var isSingleNode: Bool { massCapacity == 0 }

    /// Throws a `BuildingModelError` naming `field` if a parameter is out of range.
    public func validate(source: String, field: String) throws {
        try Check.positive(ua, source, field + ".ua")
        try Check.positive(airCapacity, source, field + ".airCapacity")
        try Check.nonNegative(massCapacity, source, field + ".massCapacity")
        if massCapacity > 0 { try Check.positive(massConductance, source, field + ".massConductance") }
        try Check.inRange(airGainFraction, 0...1, source, field + ".airGainFraction")
    }
}

/// The two eigenvalues r1 ≤ r2 < 0 (1/s) of the ETP system matrix; they depend on the
/// parameters only, so they are computed once per building class.
public struct ThermalModes: Sendable, Equatable {
    /// Fast eigenvalue (most negative), 1/s.
    public var r1: Double
    /// Slow eigenvalue, 1/s (equal to r1 for 1R1C, whose second mode is absent).
    public var r2: Double

    /// Eigenvalues of A = [[−(UA+Hm)/Ca, Hm/Ca], [Hm/Cm, −Hm/Cm]].
    /// The discriminant (p − q)² + 4Hm²/(CaCm) with p = (UA+Hm)/Ca, q = Hm/Cm is > 0, so the
    /// roots are real and distinct; r2 = det/r1 avoids the cancellation of (tr + √disc)/2.
    public init(_ p: ThermalParameters) {
        if p.isSingleNode {
            r1 = -p.ua / p.airCapacity
            r2 = r1
            return
        }
        let pa = (p.ua + p.massConductance) / p.airCapacity
        let qm = p.massConductance / p.massCapacity
        let det = p.ua * p.massConductance / (p.airCapacity * p.massCapacity)
        let disc = (pa - qm) * (pa - qm) + 4 * p.massConductance * p.massConductance / (p.airCapacity * p.massCapacity)
        r1 = (-(pa + qm) - disc.squareRoot()) / 2
        r2 = det / r1
    }

    /// Time constants −1/r (s), fast then slow.
    public var timeConstants: (fast: Double, slow: Double) { (-1 / r1, -1 / r2) }
}

/// Closed-form solution of the ETP model for inputs held constant from t = 0:
///
///     Ta(t) = Ta∞ + a1 e^{r1 t} + a2 e^{r2 t},   Tm(t) = Tm∞ + b1 e^{r1 t} + b2 e^{r2 t}
///
/// with steady state Ta∞ = To + (Qa + Qm)/UA and Tm∞ = Ta∞ + Qm/Hm. The coefficients follow
/// from the initial values and initial slopes: a1 + a2 = Ta0 − Ta∞, r1 a1 + r2 a2 = dTa/dt(0).
public struct ThermalTrajectory: Sendable, Equatable {
    public var airSteady: Double
    public var massSteady: Double
    public var a1: Double
    public var a2: Double
    public var b1: Double
    public var b2: Double
    public var r1: Double
    public var r2: Double

    /// Builds the trajectory from the state (Ta0, Tm0) at t = 0 and constant inputs:
    /// outdoor temperature `outdoor` (°C), heat to the air node `airGain` (W, incl. HVAC)
    /// and heat to the mass node `massGain` (W). O(1), no allocation.
    @inlinable
    public init(parameters p: ThermalParameters, modes: ThermalModes, air ta0: Double, mass tm0: Double,
                outdoor: Double, airGain: Double, massGain: Double) {
        r1 = modes.r1
        r2 = modes.r2
        if p.isSingleNode {
            airSteady = outdoor + (airGain + massGain) / p.ua
            massSteady = airSteady
            a1 = ta0 - airSteady
            a2 = 0
            b1 = a1
            b2 = 0
            return
        }
        airSteady = outdoor + (airGain + massGain) / p.ua
        massSteady = airSteady + massGain / p.massConductance
        let d0 = ta0 - airSteady
        let s0 = (p.ua * (outdoor - ta0) + p.massConductance * (tm0 - ta0) + airGain) / p.airCapacity
        let e0 = tm0 - massSteady
        let sm = (p.massConductance * (ta0 - tm0) + massGain) / p.massCapacity
        let dr = modes.r1 - modes.r2
        a1 = (s0 - modes.r2 * d0) / dr
        a2 = d0 - a1
        b1 = (sm - modes.r2 * e0) / dr
        b2 = e0 - b1
    }

    /// Air temperature Ta (°C) at `t` seconds after the start. O(1).
    @inlinable public func air(at t: Double) -> Double {
        airSteady + a1 * exp(r1 * t) + a2 * exp(r2 * t)
    }

    /// Mass temperature Tm (°C) at `t` seconds after the start. O(1).
    @inlinable public func mass(at t: Double) -> Double {
        massSteady + b1 * exp(r1 * t) + b2 * exp(r2 * t)
    }

    /// dTa/dt (K/s) at `t`.
    @inlinable public func airSlope(at t: Double) -> Double {
        r1 * a1 * exp(r1 * t) + r2 * a2 * exp(r2 * t)
    }

    /// The first time t in (0, horizon] (seconds) at which Ta(t) crosses `threshold`, or nil
    /// if it does not (e.g. the asymptote Ta∞ lies on the same side as Ta(0)).
    ///
    /// g(t) = Ta(t) − threshold is a constant plus two exponentials, so g' has at most one
    /// zero t_e = ln(−r2 a2 / (r1 a1)) / (r1 − r2): g is monotone on [0, t_e] and [t_e, ∞)
    /// and has at most one root on each. Each piece with a sign change is bracketed by
    /// probes (the tangent-line estimate, then doubling) and solved by safeguarded Newton
    /// (steps that leave the bracket fall back to bisection) to 1e-6 s.
    /// Cost: typically 6–10 exponential pairs; no allocation.
    public func firstCrossing(of threshold: Double, horizon: Double) -> Double? {
        let g0 = air(at: 0) - threshold
        if g0 == 0 || !(horizon > 0) { return nil }
        // Interior extremum of Ta, if any.
        var breakpoint = horizon
        if a1 != 0, a2 != 0, r1 != r2 {
            let ratio = -(r2 * a2) / (r1 * a1)
            if ratio > 0 {
                let te = log(ratio) / (r1 - r2)
                if te > 0, te < horizon { breakpoint = te }
            }
        }
        if let t = rootOnMonotonePiece(lo: 0, glo: g0, hi: breakpoint, threshold: threshold) { return t }
        if breakpoint < horizon {
            let gb = air(at: breakpoint) - threshold
            if gb == 0 { return breakpoint }
            return rootOnMonotonePiece(lo: breakpoint, glo: gb, hi: horizon, threshold: threshold)
        }
        return nil
    }

    /// Ta(t), Tm(t) and ∫₀ᵗ Ta dτ (K·s) from one pair of exponentials — used to advance a
    /// building's state exactly. O(1).
    @inlinable public func state(after t: Double) -> (air: Double, mass: Double, airIntegral: Double) {
        let e1 = exp(r1 * t), e2 = exp(r2 * t)
        return (airSteady + a1 * e1 + a2 * e2,
                massSteady + b1 * e1 + b2 * e2,
                airSteady * t + a1 * (e1 - 1) / r1 + a2 * (e2 - 1) / r2)
    }

    /// Ta(t) and dTa/dt at `t` from one pair of exponentials.
    @inlinable public func airAndSlope(at t: Double) -> (value: Double, slope: Double) {
        let e1 = a1 * exp(r1 * t), e2 = a2 * exp(r2 * t)
        return (airSteady + e1 + e2, r1 * e1 + r2 * e2)
    }

    /// Root of g on [lo, hi] where g is monotone and g(lo) = glo ≠ 0.
    @usableFromInline
    func rootOnMonotonePiece(lo: Double, glo: Double, hi: Double, threshold: Double) -> Double? {
        let ghi = air(at: hi) - threshold
        if ghi == 0 { return hi }
        if (glo > 0) == (ghi > 0) { return nil }
        var left = lo, gLeft = glo
        var right = hi, gRight = ghi
        // Bracket tightly: first probe at the tangent-line estimate from lo (usually close,
        // since thermostat cycles are short against the slow mode), then double.
        let s0 = airSlope(at: lo)
        let tangent = s0 != 0 ? -glo / s0 : 0
        var step = tangent > 0 ? tangent : min(-1 / r1, hi - lo) / 8
        step = max(1e-3, step)
        while lo + step < hi {
            let probe = lo + step
            let gp = air(at: probe) - threshold
            if gp == 0 { return probe }
            if (gp > 0) != (gLeft > 0) { right = probe; gRight = gp; break }
            left = probe
            gLeft = gp
            step *= 2
        }
        // Newton from the regula-falsi point; any step leaving the bracket is replaced by
        // bisection, and the bracket shrinks every iteration, so it always terminates.
        var t = left + (right - left) * gLeft / (gLeft - gRight)
        for _ in 0..<100 {
            let (v, slope) = airAndSlope(at: t)
            let g = v - threshold
            if g == 0 { return t }
            if (g > 0) == (gLeft > 0) { left = t; gLeft = g } else { right = t; gRight = g }
            var next = slope != 0 ? t - g / slope : left - 1
            if !(next > left && next < right) { next = 0.5 * (left + right) }
            if abs(next - t) < 1e-6 || right - left < 1e-6 { return next }
            t = next
        }
        return t
    }
}
