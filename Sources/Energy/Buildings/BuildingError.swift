/// A configuration or input error in the Energy domain (buildings, PV, chargers).
///
/// Its description is one line naming the source (scenario file or caller-supplied label),
/// the field path and what was expected, so scenario validation can show it as is.
public struct EnergyInputError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Scenario file or other label of where the value came from.
    public var source: String
    /// Field path inside the source, e.g. `buildings.classes[2].count`.
    public var field: String
    /// What was expected, e.g. `a number > 0, got -3`.
    public var expected: String

    public init(source: String, field: String, expected: String) {
        self.source = source
        self.field = field
        self.expected = expected
    }

    public var description: String { "\(source): \(field): expected \(expected)" }
}

/// Errors of the building and PV models.
public typealias BuildingModelError = EnergyInputError

/// Small validation helpers shared by the building and PV configuration types.
enum Check {
    static func positive(_ value: Double, _ source: String, _ field: String) throws {
        guard value.isFinite, value > 0 else {
            throw BuildingModelError(source: source, field: field, expected: "a finite number > 0, got \(value)")
        }
    }

    static func nonNegative(_ value: Double, _ source: String, _ field: String) throws {
        guard value.isFinite, value >= 0 else {
            throw BuildingModelError(source: source, field: field, expected: "a finite number >= 0, got \(value)")
        }
    }

    static func finite(_ value: Double, _ source: String, _ field: String) throws {
        guard value.isFinite else {
            throw BuildingModelError(source: source, field: field, expected: "a finite number, got \(value)")
        }
    }

    static func inRange(_ value: Double, _ range: ClosedRange<Double>, _ source: String, _ field: String) throws {
        guard value.isFinite, range.contains(value) else {
            throw BuildingModelError(source: source, field: field,
                                     expected: "a number in [\(range.lowerBound), \(range.upperBound)], got \(value)")
        }
    }
}
