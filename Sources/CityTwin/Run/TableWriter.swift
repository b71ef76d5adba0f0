import TwinIO

/// Writes a table as 1-D columns of one group sharing an index dimension scale (the trip,
/// request and session tables), so `xarray.open_dataset(..., group=...)` reads it as a table.
struct TableWriter {
    let file: HDF5File
    let group: String
    let index: String
    let deflate: Int?

    /// Creates `group` with the index scale `index` = 0..<rows.
    init(file: HDF5File, group: String, index: String, rows: Int, deflate: Int?) throws {
        self.file = file
        self.group = group
        self.index = "\(group)/\(index)"
        self.deflate = deflate
        try file.createGroup(group)
        try file.write((0..<rows).map(Int64.init), to: self.index)
        try file.makeDimensionScale(self.index)
    }

    /// One column with its `units` and `long_name`.
    func column<T: HDF5Numeric>(_ name: String, _ values: [T], _ units: String, _ longName: String) throws {
        let path = "\(group)/\(name)"
        try file.write(values, to: path, options: values.isEmpty ? .contiguous : .compressed(level: deflate ?? 4))
        try file.attachDimensionScale(index, to: path, dimension: 0)
        try file.setAttribute("units", .string(units), at: path)
        try file.setAttribute("long_name", .string(longName), at: path)
    }
}
