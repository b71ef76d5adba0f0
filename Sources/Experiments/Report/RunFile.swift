import CityTwin
import Foundation
import TwinIO

/// A problem with an input of `compare` or `report`: one line naming the file, the object
/// and what was expected.
public struct ReportInputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A CityTwin output file opened for reading by `compare` and `report`.
///
/// Every read is defensive: a missing group or dataset, a wrong shape or a damaged chunk
/// returns nil and records a one-line note (`notes`) instead of throwing, so a report draws
/// what exists and says what is missing. Only opening (missing, non-HDF5 or truncated file)
/// throws. Not `Sendable` (owns an HDF5 handle).
public final class RunFile {
    public let path: String
    let file: HDF5File
    /// What could not be read, in the order met (deterministic).
    public private(set) var notes: [String] = []
    /// The run's KPIs (empty, with a note, when `/kpi` is missing or unreadable).
    public let kpis: [KPI]
    /// Top-level groups present, sorted.
    public let groups: [String]

    /// Opens `path` and reads its KPI table. Throws `ReportInputError` for a file that is
    /// missing, not HDF5 or too damaged to open.
    public init(path: String) throws {
        self.path = path
        do {
            file = try HDF5File.openReadOnly(path: path)
        } catch {
            throw ReportInputError("\(path): cannot be read as a CityTwin output: \(error)")
        }
        let top = (try? file.children(of: "/")) ?? []
        groups = top.filter { $0.kind == .group }.map(\.name)
        var kpiNotes: [String] = []
        var table: [KPI] = []
        if file.exists("/kpi") {
            do { table = try KPI.read(from: file) } catch {
                kpiNotes.append("\(path): /kpi unreadable (\(Self.oneLine(error))): no KPIs from this file")
            }
        } else {
            kpiNotes.append("\(path): no /kpi group (run interrupted before the end?): no KPIs from this file")
        }
        kpis = table
        notes = kpiNotes
    }

    /// Records a note once (reports list them under "Not shown").
    public func note(_ text: String) {
        if !notes.contains(text) { notes.append(text) }
    }

    static func oneLine(_ error: Error) -> String {
        let text = String(describing: error)
        return text.split(separator: "\n").first.map(String.init) ?? text
    }

    /// Whether the object exists.
    public func has(_ object: String) -> Bool { file.exists(object) }

    /// Shape of a dataset, or nil (with a note) when missing or unreadable.
    public func shape(_ object: String) -> [Int]? {
        read(object, failure: "") { try file.shape(of: $0) }
    }

    /// A numeric dataset as Double (row-major), or nil with a note. O(size).
    public func doubles(_ object: String) -> [Double]? { read(object) { try file.readDoubles($0) } }

    /// An integer dataset as Int64, or nil with a note.
    public func int64s(_ object: String) -> [Int64]? { read(object) { try file.readInt64s($0) } }

    /// A string dataset, or nil with a note.
    public func strings(_ object: String) -> [String]? { read(object) { try file.readStrings($0) } }

    /// `body(object)`; nil when the object is missing, nil with a note (`<path>: <object><failure>:
    /// <error>`) when reading it fails.
    private func read<T>(_ object: String, failure: String = " unreadable", _ body: (String) throws -> T) -> T? {
        guard file.exists(object) else { return nil }
        do { return try body(object) } catch {
            note("\(path): \(object)\(failure): \(Self.oneLine(error))"); return nil
        }
    }

    /// Entity labels of a dataset's dimension-scale (strings or ids), or nil.
    public func labels(_ object: String) -> [String]? {
        guard file.exists(object) else { return nil }
        if let s = try? file.readStrings(object) { return s }
        if let i = try? file.readInt64s(object) { return i.map(String.init) }
        return nil
    }

    /// An attribute as text (numbers formatted), or nil.
    public func attributeString(_ name: String, at object: String = "/") -> String? {
        guard file.exists(object), (try? file.hasAttribute(name, at: object)) == true,
              let v = try? file.attribute(name, at: object) else { return nil }
        return v.stringValue ?? v.description
    }

    /// A numeric attribute, or nil.
    public func attributeDouble(_ name: String, at object: String = "/") -> Double? {
        guard file.exists(object), (try? file.hasAttribute(name, at: object)) == true,
              let v = try? file.attribute(name, at: object) else { return nil }
        return v.doubleValue
    }

    /// The scenario name (root attribute), or the file name.
    public var scenarioName: String {
        attributeString("scenario_name") ?? (path as NSString).lastPathComponent
    }

    /// `/meta/scenario_resolved` parsed as JSON, or nil.
    public var resolvedScenario: [String: Any]? {
        guard let text = strings("/meta/scenario_resolved")?.first,
              let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) else { return nil }
        return object as? [String: Any]
    }

    /// A `[time × entity]` (or `[time]`) dataset with its group's time axis in hours.
    /// Returns nil (with a note) when missing, unreadable or inconsistent with the time axis.
    public func timeSeries(_ object: String) -> TimeSeriesTable? {
        guard file.exists(object) else { return nil }
        let group = (object as NSString).deletingLastPathComponent
        guard let time = doubles(group + "/time") else {
            note("\(path): \(group)/time missing: \(object) cannot be placed in time"); return nil
        }
        guard let shape = shape(object), let values = doubles(object) else { return nil }
        let rows = shape.first ?? 0
        let columns = shape.count >= 2 ? shape[1] : 1
        guard shape.count <= 2, rows * columns == values.count else {
            note("\(path): \(object) has shape \(shape), expected [time] or [time × entity]"); return nil
        }
        let n = min(rows, time.count)
        if rows != time.count {
            note("\(path): \(object) has \(rows) rows but \(group)/time has \(time.count) (truncated run?): using the first \(n)")
        }
        var entity: [String] = []
        if shape.count == 2, let scales = try? file.dimensionScales(of: object), scales.count == 2,
           let scale = scales[1], let l = labels(scale), l.count == columns {
            entity = l
        }
        if entity.isEmpty { entity = (0..<columns).map(String.init) }
        return TimeSeriesTable(hours: time.prefix(n).map { $0 / 3600 }, columns: columns,
                               values: Array(values.prefix(n * columns)), entity: entity,
                               units: attributeString("units", at: object) ?? "")
    }
}

/// A time series read from a run: `hours.count` rows × `columns`, row-major.
public struct TimeSeriesTable: Sendable, Equatable {
    /// Snapshot times in hours since the scenario start.
    public var hours: [Double]
    public var columns: Int
    public var values: [Double]
    /// Column labels (entity ids or names).
    public var entity: [String]
    public var units: String

    @inlinable
    public func value(row: Int, column: Int) -> Double { values[row * columns + column] }

    /// Column `c` over time.
    public func column(_ c: Int) -> [Double] {
        guard c >= 0, c < columns else { return [] }
        return hours.indices.map { values[$0 * columns + c] }
    }

    /// Per-row reduction over the finite entries (NaN when a row has none). O(rows × columns).
    public func reduceRows(_ kind: RowReduction, weights: TimeSeriesTable? = nil) -> [Double] {
        hours.indices.map { r in
            var acc = 0.0, wsum = 0.0, n = 0
            var best = kind == .max ? -Double.infinity : Double.infinity
            for c in 0..<columns {
                let v = values[r * columns + c]
                guard v.isFinite else { continue }
                switch kind {
                case .sum, .mean: acc += v; n += 1
                case .max: best = Swift.max(best, v); n += 1
                case .min: best = Swift.min(best, v); n += 1
                case .weightedMean:
                    let w = weights.map { $0.values.count == values.count ? $0.values[r * columns + c] : 0 } ?? 0
                    if w.isFinite && w > 0 { acc += w * v; wsum += w }
                    n += 1
                }
            }
            if n == 0 { return .nan }
            switch kind {
            case .sum: return acc
            case .mean: return acc / Double(n)
            case .max, .min: return best
            case .weightedMean:
                // No weight in this row (e.g. no vehicle left any link): the plain mean.
                if wsum > 0 { return acc / wsum }
                var s = 0.0, k = 0
                for c in 0..<columns where values[r * columns + c].isFinite { s += values[r * columns + c]; k += 1 }
                return s / Double(k)
            }
        }
    }
}

/// How the columns of a `[time × entity]` series are combined into one line.
public enum RowReduction: String, Sendable, Equatable {
    case sum, mean, max, min
    /// Mean weighted by a second series of the same shape (e.g. speed weighted by flow);
    /// the plain mean in rows whose weights are all zero.
    case weightedMean
}
