/// Charging control policy chosen in the scenario.
public enum ChargingPolicy: String, Sendable, Equatable, CaseIterable {
    /// Never caps: stations draw what plugs and vehicles allow (the planner's baseline).
    case uncontrolled
    /// Caps stations whose bus voltage or feeding-line loading violates the thresholds.
    case smart
}

/// Thresholds and steps of the smart policy (scenario values).
///
/// A station is *violating* when its bus voltage < `voltageLow` or a feeding line's loading >
/// `loadingHighPercent`; it is *clear* when voltage ≥ `voltageRestore` and loading ≤
/// `loadingRestorePercent`. In between (the hysteresis band) the cap is held, so a cap that
/// moves the grid just out of violation does not bounce back and forth.
public struct SmartChargingSettings: Sendable, Equatable {
    /// Bus voltage (p.u.) below which the cap is reduced.
    public var voltageLow: Double
    /// Bus voltage (p.u.) at or above which the cap may be restored (≥ `voltageLow`).
    public var voltageRestore: Double
    /// Line loading (%) above which the cap is reduced.
    public var loadingHighPercent: Double
    /// Line loading (%) at or below which the cap may be restored (≤ `loadingHighPercent`).
    public var loadingRestorePercent: Double
    /// Reduction per control step, as a fraction of the station's rated power.
    public var reduceStep: Double
    /// Restoration per control step, as a fraction of the rated power.
    public var restoreStep: Double
    /// Lowest cap, as a fraction of the rated power.
    public var minimumFraction: Double

    public init(voltageLow: Double = 0.95, voltageRestore: Double = 0.96, loadingHighPercent: Double = 90,
                loadingRestorePercent: Double = 80, reduceStep: Double = 0.2, restoreStep: Double = 0.1,
                minimumFraction: Double = 0.2) {
        self.voltageLow = voltageLow
        self.voltageRestore = voltageRestore
        self.loadingHighPercent = loadingHighPercent
        self.loadingRestorePercent = loadingRestorePercent
        self.reduceStep = reduceStep
        self.restoreStep = restoreStep
        self.minimumFraction = minimumFraction
    }

    /// Throws `ChargingError` naming `field.<name>` for inconsistent values.
    public func validate(source: String, field: String = "charging.smart") throws(ChargingError) {
        func check(_ ok: Bool, _ name: String, _ what: String, _ v: Double) throws(ChargingError) {
            guard ok else { throw ChargingError(source: source, field: field + "." + name, expected: what + ", got \(v)") }
        }
        try check(voltageLow.isFinite && voltageLow > 0, "voltageLow", "a finite number > 0 (p.u.)", voltageLow)
        try check(voltageRestore.isFinite && voltageRestore >= voltageLow, "voltageRestore",
                  "a number >= voltageLow (\(voltageLow))", voltageRestore)
        try check(loadingHighPercent.isFinite && loadingHighPercent > 0, "loadingHighPercent",
                  "a finite number > 0 (%)", loadingHighPercent)
        try check(loadingRestorePercent.isFinite && loadingRestorePercent >= 0 && loadingRestorePercent <= loadingHighPercent,
                  "loadingRestorePercent", "a number in [0, loadingHighPercent (\(loadingHighPercent))]", loadingRestorePercent)
        try check(reduceStep.isFinite && reduceStep > 0 && reduceStep <= 1, "reduceStep", "a fraction in (0, 1]", reduceStep)
        try check(restoreStep.isFinite && restoreStep > 0 && restoreStep <= 1, "restoreStep", "a fraction in (0, 1]", restoreStep)
        try check(minimumFraction.isFinite && minimumFraction >= 0 && minimumFraction <= 1, "minimumFraction",
                  "a fraction in [0, 1]", minimumFraction)
    }
}

/// Pure smart-charging controller (no kernel dependency): from the latest power flow it turns
/// per-station bus voltage and feeding-line loading into station caps.
///
/// Per control step and station: violating → cap = max(min, cap − reduceStep·rated);
/// clear → cap = cap + restoreStep·rated, and uncapped (nil) once it reaches the rating;
/// in the hysteresis band, or with a non-finite input (no power flow yet) → unchanged.
/// `uncontrolled` never caps. The coupling layer calls `step` after each power flow and passes
/// the changed caps to `ChargingStations.setCap`.
public struct SmartChargingController: Sendable, Equatable {
    public let policy: ChargingPolicy
    public let settings: SmartChargingSettings
    /// Rated power per station (kW), the reference for steps and the minimum.
    public let ratedKW: [Double]
    /// Current cap per station (kW); nil = uncapped.
    public private(set) var capKW: [Double?]
    /// Cap changes issued so far (a chattering measure).
    public private(set) var changeCount = 0

    /// Throws `ChargingError` for invalid settings or ratings. O(stations).
    public init(policy: ChargingPolicy, settings: SmartChargingSettings = SmartChargingSettings(), ratedKW: [Double],
                source: String = "<charging>") throws(ChargingError) {
        try settings.validate(source: source)
        for (k, r) in ratedKW.enumerated() where !(r.isFinite && r > 0) {
            throw ChargingError(source: source, field: "ratedKW[\(k)]", expected: "a finite number > 0, got \(r)")
        }
        self.policy = policy
        self.settings = settings
        self.ratedKW = ratedKW
        capKW = Array(repeating: nil, count: ratedKW.count)
    }

    /// One control step. `voltagePU[s]` is station s's bus voltage, `loadingPercent[s]` the
    /// highest loading of the lines feeding it (NaN = unknown → no action for that input).
    /// The indices of stations whose cap changed are written to `changed` (cleared first), in
    /// ascending order. O(stations).
    public mutating func step(voltagePU: [Double], loadingPercent: [Double], changed: inout [Int]) {
        changed.removeAll(keepingCapacity: true)
        guard policy == .smart else { return }
        let st = settings
        for s in 0..<ratedKW.count {
            let v = s < voltagePU.count ? voltagePU[s] : .nan
            let l = s < loadingPercent.count ? loadingPercent[s] : .nan
            let rated = ratedKW[s]
            let violating = (v.isFinite && v < st.voltageLow) || (l.isFinite && l > st.loadingHighPercent)
            // Restoring needs positive evidence: both inputs known (or the missing one absent) and clear.
            let vClear = !v.isFinite || v >= st.voltageRestore
            let lClear = !l.isFinite || l <= st.loadingRestorePercent
            let anyKnown = v.isFinite || l.isFinite
            var next = capKW[s]
            if violating {
                let cur = next ?? rated
                next = max(st.minimumFraction * rated, cur - st.reduceStep * rated)
            } else if anyKnown, vClear, lClear, let cur = next {
                let up = cur + st.restoreStep * rated
                next = up >= rated * (1 - 1e-12) ? nil : up
            }
            if next != capKW[s] {
                capKW[s] = next
                changed.append(s)
                changeCount += 1
            }
        }
    }
}
