import CHDF5

/// Appends rows to an extendable `[time × columns]` dataset (or a 1-D `[time]` one).
///
/// Rows are copied into a buffer of `chunkRows` rows and written one whole chunk row-block at
/// a time (one `H5Dset_extent` + one `H5Dwrite` per block), so appending costs a memcpy per row
/// and chunks are never rewritten. `finish()` writes the last partial block; `HDF5File.close()`
/// finishes writers that were not finished. Create with `HDF5File.createTimeSeries(...)`.
public final class HDF5TimeSeriesWriter<Element: HDF5Numeric> {
    /// Dataset path.
    public let path: String
    /// Entities per row (1 for a 1-D series).
    public let columns: Int
    /// Whether the dataset is 1-D (`[time]`).
    public let isOneDimensional: Bool
    /// Rows per chunk, which is also the buffer size in rows.
    public let chunkRows: Int
    /// Chunk dimensions in the file (`[chunkRows, columns per chunk]`, or `[chunkRows]`).
    public let chunkShape: [Int]

    @usableFromInline let file: HDF5File
    @usableFromInline var datasetID: hid_t
    @usableFromInline let buffer: UnsafeMutablePointer<Element>
    @usableFromInline var bufferedRows = 0
    @usableFromInline var writtenRows = 0
    @usableFromInline var isFinished = false

    init(file: HDF5File, path: String, datasetID: hid_t, columns: Int, oneDimensional: Bool, chunkRows: Int, chunkShape: [Int]) {
        self.chunkShape = chunkShape
        self.file = file
        self.path = path
        self.datasetID = datasetID
        self.columns = columns
        self.isOneDimensional = oneDimensional
        self.chunkRows = chunkRows
        self.buffer = .allocate(capacity: max(chunkRows * columns, 1))
    }

    deinit {
        // Best effort (a deinit cannot throw): call finish() to see errors.
        try? finish()
        buffer.deallocate()
    }

    /// Rows appended so far (written + buffered).
    public var rowCount: Int { writtenRows + bufferedRows }

    /// Appends one row of exactly `columns` values. Amortized O(columns), no allocation.
    @inlinable
    public func append(row: UnsafeBufferPointer<Element>) throws {
        guard row.count == columns, !isFinished else { throw appendError(count: row.count) }
        if let source = row.baseAddress {
            (buffer + bufferedRows * columns).update(from: source, count: columns)
        }
        bufferedRows += 1
        if bufferedRows == chunkRows { try flush() }
    }

    /// Appends one row of exactly `columns` values.
    @inlinable
    public func append(row: [Element]) throws {
        try row.withUnsafeBufferPointer { try append(row: $0) }
    }

    /// Appends one value to a 1-D series (or a one-column one).
    @inlinable
    public func append(_ value: Element) throws {
        guard columns == 1, !isFinished else { throw appendError(count: 1) }
        buffer[bufferedRows] = value
        bufferedRows += 1
        if bufferedRows == chunkRows { try flush() }
    }

    /// Appends several rows stored row-major (`rows.count` must be a multiple of `columns`).
    public func append(rows: UnsafeBufferPointer<Element>) throws {
        guard columns > 0 ? rows.count % columns == 0 : rows.isEmpty, !isFinished else {
            throw appendError(count: rows.count)
        }
        guard let base = rows.baseAddress, columns > 0 else { return }
        var remaining = rows.count / columns
        var source = base
        while remaining > 0 {
            let n = min(remaining, chunkRows - bufferedRows)
            (buffer + bufferedRows * columns).update(from: source, count: n * columns)
            bufferedRows += n
            source += n * columns
            remaining -= n
            if bufferedRows == chunkRows { try flush() }
        }
    }

    /// Appends `count` rows with zero columns (only meaningful when `columns == 0`, which keeps
    /// the time dimension consistent for a domain with no entities).
    public func appendEmptyRows(_ count: Int) throws {
        guard columns == 0, count >= 0, !isFinished else { throw appendError(count: 0) }
        bufferedRows += count
        try flush()
    }

    @usableFromInline
    func appendError(count: Int) -> HDF5Error {
        if isFinished { return file.error(path, "append", "writer is already finished") }
        return file.error(path, "append", "row of \(count) values, expected \(columns) per row")
    }

    /// Writes buffered rows now (normally automatic at each full chunk).
    public func flush() throws {
        guard bufferedRows > 0, !isFinished else { return }
        _ = try file.openFileID(path, "append")
        let newRows = writtenRows + bufferedRows
        var extent: [UInt64] = isOneDimensional ? [UInt64(newRows)] : [UInt64(newRows), UInt64(columns)]
        try file.check(H5Dset_extent(datasetID, &extent), path, "H5Dset_extent")
        if columns > 0 {
            let fileSpace = try file.checkID(H5Dget_space(datasetID), path, "H5Dget_space")
            defer { H5Sclose(fileSpace) }
            var start: [UInt64] = isOneDimensional ? [UInt64(writtenRows)] : [UInt64(writtenRows), 0]
            var count: [UInt64] = isOneDimensional ? [UInt64(bufferedRows)] : [UInt64(bufferedRows), UInt64(columns)]
            try file.check(H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, &start, nil, &count, nil), path, "H5Sselect_hyperslab")
            let memSpace = try file.checkID(H5Screate_simple(Int32(count.count), &count, nil), path, "H5Screate_simple")
            defer { H5Sclose(memSpace) }
            try file.check(H5Dwrite(datasetID, Element.hdf5ElementType.memoryTypeID, memSpace, fileSpace, ct_h5p_default(), buffer),
                           path, "H5Dwrite")
        }
        writtenRows = newRows
        bufferedRows = 0
    }

    /// Writes the remaining rows and closes the dataset. Idempotent; appending afterwards throws.
    public func finish() throws {
        guard !isFinished else { return }
        defer {
            isFinished = true
            if datasetID >= 0 { H5Dclose(datasetID); datasetID = -1 }
        }
        if file.isOpen { try flush() }
    }
}

extension HDF5File {
    /// Creates an extendable dataset `[0 × columns]` (unlimited first dimension), or `[0]` when
    /// `columns` is nil, chunked and compressed, and returns a writer that appends rows.
    ///
    /// - Parameters:
    ///   - chunkRows: rows per chunk (and rows buffered before a write). Default: about 128 KiB
    ///     per chunk (`HDF5DatasetOptions.targetChunkBytes`), 16...65,536 rows; rows wider than
    ///     8 KiB get 16-row chunks split across columns (fewer rows if 16 rows exceed 32 MiB).
    ///   - deflateLevel: 0...9, or nil for no compression. Shuffle is applied with deflate.
    public func createTimeSeries<T: HDF5Numeric>(_ path: String, columns: Int?, as type: T.Type = T.self,
                                                 chunkRows: Int? = nil, deflateLevel: Int? = 4) throws -> HDF5TimeSeriesWriter<T> {
        let p = Self.normalize(path)
        let width = columns ?? 1
        guard width >= 0 else { throw error(p, "create time series", "columns \(width) must be non-negative") }
        let element = T.hdf5ElementType
        let rowBytes = max(width, 1) * element.byteWidth
        let target = HDF5DatasetOptions.targetChunkBytes
        let rows: Int
        if let chunkRows {
            rows = chunkRows
        } else if target / rowBytes >= Self.minimumChunkRows {
            rows = min(target / rowBytes, 65_536)
        } else {
            // Wide rows: keep at least 16 rows per chunk so reading one entity's series touches
            // 1/16 as many chunks, unless the 16-row buffer would exceed 32 MiB.
            rows = max(1, min(Self.minimumChunkRows, Self.maximumBufferBytes / rowBytes))
        }
        guard rows >= 1 else { throw error(p, "create time series", "chunkRows \(rows) must be at least 1") }
        let unlimited = ct_h5s_unlimited()
        let dims = columns == nil ? [0] : [0, width]
        // Zero entities: the second dimension is made extendable too, since a chunk can't be 0 wide.
        let maxDims: [UInt64] = columns == nil ? [unlimited] : [unlimited, width == 0 ? unlimited : UInt64(width)]
        var chunk = columns == nil ? [rows] : [rows, max(width, 1)]
        // A chunk much bigger than the target is split across columns (the buffer still holds
        // whole rows, so every flush writes whole chunks).
        if columns != nil, rows * rowBytes > 2 * target {
            chunk[1] = min(max(width, 1), max(target / (rows * element.byteWidth), 1))
        }
        let options = HDF5DatasetOptions(chunk: chunk, deflateLevel: deflateLevel, shuffle: deflateLevel != nil)
        let did = try createDataset(p, fileType: element.fileTypeID, elementBytes: element.byteWidth,
                                    dims: dims, maxDims: maxDims, options: options)
        let writer = HDF5TimeSeriesWriter<T>(file: self, path: p, datasetID: did, columns: width,
                                             oneDimensional: columns == nil, chunkRows: rows, chunkShape: chunk)
        register(writer)
        return writer
    }
}

extension HDF5TimeSeriesWriter: HDF5FinishableWriter {}

extension HDF5File {
    static let minimumChunkRows = 16
    static let maximumBufferBytes = 32 << 20
}
