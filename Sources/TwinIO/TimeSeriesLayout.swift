import CHDF5

/// Entity labels of one dimension: integer ids or string names.
public enum EntityLabels: Sendable, Equatable {
    case ids([Int64])
    case names([String])

    /// Number of entities.
    public var count: Int {
        switch self {
        case .ids(let a): return a.count
        case .names(let a): return a.count
        }
    }
}

/// Metadata of a data variable.
public struct VariableMetadata: Sendable, Equatable {
    /// Physical units (`"degC"`, `"W"`, `"km/h"`, `"1"` for dimensionless); required.
    public var units: String
    /// Short human-readable name (CF `long_name`).
    public var longName: String?
    /// Longer description.
    public var description: String?

    public init(units: String, longName: String? = nil, description: String? = nil) {
        self.units = units
        self.longName = longName
        self.description = description
    }
}

/// Lays out one domain group in the project's `[time × entity]` convention (see
/// docs/output-format.md): a `time` dimension-scale dataset, one dimension-scale dataset per
/// entity axis, and data variables with `units` attached to those scales, so
/// `xarray.open_dataset(path, engine="h5netcdf", group=...)` shows named dimensions.
///
/// ```swift
/// let weather = try TimeSeriesLayout(file: file, group: "/weather", calendarStart: "2025-07-14T00:00:00")
/// try weather.addEntityAxis("station", labels: .names(["north", "south"]))
/// let temp = try weather.addVariable("temperature", axis: "station", metadata: .init(units: "degC"))
/// for step in ... { try weather.appendTime(seconds); try temp.append(row: values) }
/// try weather.finish()   // writes `time`, checks row counts, attaches scales
/// ```
/// Variables may also be written whole with `writeVariable` when the time axis is known.
public final class TimeSeriesLayout {
    /// Absolute group path.
    public let group: String
    /// Name of the time dimension (and its scale dataset).
    public let timeName: String
    /// ISO-8601 start of the run, e.g. `2025-07-14T00:00:00`.
    public let calendarStart: String

    private let file: HDF5File
    private var times: [Double] = []
    private var axes: [(name: String, count: Int)] = []
    /// Variables in creation order: path, entity axis (nil = time only, or static when !timed).
    private var variables: [(path: String, axis: String?, timed: Bool, rows: () -> Int)] = []
    private var finishers: [() throws -> Void] = []
    private var isFinished = false

    /// Creates (or reuses) `group`. `calendarStart` must be `YYYY-MM-DDTHH:MM:SS` (optionally
    /// with a zone suffix) because it becomes the CF time units `seconds since <start>`.
    public init(file: HDF5File, group: String, calendarStart: String, timeName: String = "time") throws {
        self.file = file
        self.group = HDF5File.normalize(group)
        self.timeName = timeName
        self.calendarStart = calendarStart
        guard Self.isISO8601(calendarStart) else {
            throw file.error(self.group, "time series layout",
                             "calendarStart \"\(calendarStart)\" must be ISO-8601 YYYY-MM-DDTHH:MM:SS")
        }
        try file.createGroup(self.group)
    }

    private func child(_ name: String) -> String { group == "/" ? "/" + name : group + "/" + name }

    private static func isISO8601(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count >= 19 else { return false }
        let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
        return digits.allSatisfy { (0x30...0x39).contains(b[$0]) }
            && b[4] == 0x2D && b[7] == 0x2D && (b[10] == 0x54 || b[10] == 0x20) && b[13] == 0x3A && b[16] == 0x3A
    }

    /// Writes the entity scale dataset `<group>/<name>` (ids as int64, names as strings) and
    /// makes it a dimension scale. `metadata` is optional for labels.
    public func addEntityAxis(_ name: String, labels: EntityLabels, metadata: VariableMetadata? = nil) throws {
        let p = child(name)
        guard name != timeName, !axes.contains(where: { $0.name == name }) else {
            throw file.error(p, "add entity axis", "an axis named \(name) already exists")
        }
        switch labels {
        case .ids(let ids): try file.write(ids, to: p)
        case .names(let names): try file.write(names, to: p)
        }
        try file.makeDimensionScale(p)
        if let metadata { try setMetadata(metadata, at: p) }
        axes.append((name, labels.count))
    }

    private func axisCount(_ axis: String, _ p: String) throws -> Int {
        guard let found = axes.first(where: { $0.name == axis }) else {
            throw file.error(p, "add variable", "unknown entity axis \(axis); add it with addEntityAxis first")
        }
        return found.count
    }

    private func setMetadata(_ metadata: VariableMetadata, at p: String) throws {
        try file.setAttribute("units", .string(metadata.units), at: p)
        if let longName = metadata.longName { try file.setAttribute("long_name", .string(longName), at: p) }
        if let description = metadata.description { try file.setAttribute("description", .string(description), at: p) }
    }

    /// Records the time (seconds since `calendarStart`) of the next row. Amortized O(1).
    public func appendTime(_ seconds: Double) throws {
        guard !isFinished else { throw file.error(child(timeName), "append time", "layout is already finished") }
        times.append(seconds)
    }

    /// Records the time of the next row from a `SimTime`-style millisecond count.
    public func appendTime(milliseconds: Int64) throws {
        try appendTime(Double(milliseconds) / 1000)
    }

    /// Sets the whole time axis at once (replacing appended times).
    public func setTimes(_ seconds: [Double]) throws {
        guard !isFinished else { throw file.error(child(timeName), "set times", "layout is already finished") }
        times = seconds
    }

    /// Number of times recorded so far.
    public var timeCount: Int { times.count }

    /// Creates an appendable variable `[time × axis]` (or `[time]` when `axis` is nil) with its
    /// metadata; rows are appended with the returned writer and checked against the time
    /// axis at `finish()`.
    public func addVariable<T: HDF5Numeric>(_ name: String, axis: String?, as type: T.Type = Double.self,
                                            metadata: VariableMetadata, deflateLevel: Int? = 4,
                                            chunkRows: Int? = nil) throws -> HDF5TimeSeriesWriter<T> {
        let p = child(name)
        let columns = try axis.map { try axisCount($0, p) }
        let writer = try file.createTimeSeries(p, columns: columns, as: T.self, chunkRows: chunkRows, deflateLevel: deflateLevel)
        try setMetadata(metadata, at: p)
        // Strong captures: the layout keeps each writer alive until its own finish().
        variables.append((p, axis, true, { writer.rowCount }))
        finishers.append { try writer.finish() }
        return writer
    }

    /// Writes a whole variable `[rows × axis]` (row-major; `[rows]` when `axis` is nil), chunked
    /// and compressed. Its row count is checked against the time axis at `finish()`.
    public func writeVariable<T: HDF5Numeric>(_ name: String, axis: String?, values: [T],
                                              metadata: VariableMetadata, deflateLevel: Int? = 4) throws {
        let p = child(name)
        let columns = try axis.map { try axisCount($0, p) }
        let width = columns ?? 1
        guard width > 0 ? values.count % width == 0 : values.isEmpty else {
            throw file.error(p, "write variable", "\(values.count) values is not a whole number of rows of \(width)")
        }
        let rows = width > 0 ? values.count / width : times.count
        let dims = columns == nil ? [rows] : [rows, width]
        let options = deflateLevel.map { HDF5DatasetOptions.compressed(level: $0) } ?? .contiguous
        try file.write(values, dims: dims, to: p, options: values.isEmpty ? .contiguous : options)
        try setMetadata(metadata, at: p)
        variables.append((p, axis, true, { rows }))
    }

    /// Writes a per-entity variable without time (e.g. station latitude, link length).
    public func writeStatic<T: HDF5Numeric>(_ name: String, axis: String, values: [T], metadata: VariableMetadata) throws {
        let p = child(name)
        let count = try axisCount(axis, p)
        guard values.count == count else {
            throw file.error(p, "write static variable", "\(values.count) values, expected \(count) (one per \(axis))")
        }
        try file.write(values, to: p)
        try setMetadata(metadata, at: p)
        variables.append((p, axis, false, { count }))
    }

    /// Finishes all writers, writes the `time` scale (units `seconds since <calendarStart>`,
    /// `calendar_start`), checks every timed variable has one row per time, and attaches the
    /// scales. Idempotent.
    public func finish() throws {
        guard !isFinished else { return }
        for finisher in finishers { try finisher() }
        let timePath = child(timeName)
        try file.write(times, to: timePath)
        try file.setAttribute("units", .string("seconds since \(calendarStart)"), at: timePath)
        try file.setAttribute("calendar", "proleptic_gregorian", at: timePath)
        try file.setAttribute("calendar_start", .string(calendarStart), at: timePath)
        try file.setAttribute("long_name", "simulation time", at: timePath)
        try file.makeDimensionScale(timePath)
        for variable in variables {
            let rows = variable.rows()
            if variable.timed {
                guard rows == times.count else {
                    throw file.error(variable.path, "finish time series layout",
                                     "\(rows) rows but the time axis has \(times.count) times")
                }
                try file.attachDimensionScale(timePath, to: variable.path, dimension: 0)
                if let axis = variable.axis { try file.attachDimensionScale(child(axis), to: variable.path, dimension: 1) }
            } else if let axis = variable.axis {
                try file.attachDimensionScale(child(axis), to: variable.path, dimension: 0)
            }
        }
        isFinished = true
        finishers.removeAll()
    }
}
