import CHDF5

/// How strings are stored in a dataset.
public enum HDF5StringStorage: Sendable, Equatable {
    /// Variable-length UTF-8 (h5py/xarray read `str`); the default.
    case variable
    /// Fixed-length UTF-8, NUL-padded, `length` bytes per element (nil: the longest string).
    /// A string longer than `length` bytes is an error, never silently cut.
    case fixed(length: Int?)
}

extension HDF5File {
    // MARK: Writing whole datasets

    /// Writes `values` (row-major) as a new dataset of shape `dims` (default: 1-D of
    /// `values.count`; `[]` is a scalar). Missing parent groups are created. O(n).
    public func write<T: HDF5Numeric>(_ values: [T], dims: [Int]? = nil, to path: String,
                                      options: HDF5DatasetOptions = .contiguous) throws {
        let p = Self.normalize(path)
        let shape = dims ?? [values.count]
        try checkShape(shape, count: values.count, p)
        let element = T.hdf5ElementType
        let did = try createDataset(p, fileType: element.fileTypeID, elementBytes: element.byteWidth,
                                    dims: shape, maxDims: nil, options: options)
        defer { H5Dclose(did) }
        guard !values.isEmpty else { return }
        try values.withUnsafeBufferPointer { buffer in
            try check(H5Dwrite(did, element.memoryTypeID, ct_h5s_all(), ct_h5s_all(), ct_h5p_default(), buffer.baseAddress),
                      p, "H5Dwrite")
        }
    }

    /// Writes UTF-8 strings as a new dataset of shape `dims` (default 1-D). Strings must not
    /// contain NUL characters. O(total bytes).
    public func write(_ strings: [String], dims: [Int]? = nil, to path: String,
                      storage: HDF5StringStorage = .variable,
                      options: HDF5DatasetOptions = .contiguous) throws {
        let p = Self.normalize(path)
        let shape = dims ?? [strings.count]
        try checkShape(shape, count: strings.count, p)
        let packed = try PackedStrings(strings, file: self, object: p)
        let stringType = try makeStringType(storage: storage, longest: packed.longest, object: p)
        defer { H5Tclose(stringType.type) }
        let did = try createDataset(p, fileType: stringType.type, elementBytes: stringType.bytes,
                                    dims: shape, maxDims: nil, options: options)
        defer { H5Dclose(did) }
        guard !strings.isEmpty else { return }
        try packed.withBuffer(for: stringType) { pointer in
            try check(H5Dwrite(did, stringType.type, ct_h5s_all(), ct_h5s_all(), ct_h5p_default(), pointer), p, "H5Dwrite")
        }
    }

    func checkShape(_ dims: [Int], count: Int, _ p: String) throws {
        guard dims.allSatisfy({ $0 >= 0 }) else {
            throw error(p, "write", "dimensions \(dims) must be non-negative")
        }
        let product = dims.reduce(1) { $0.multipliedReportingOverflow(by: $1).partialValue }
        guard product == count else {
            throw error(p, "write", "dimensions \(dims) hold \(product) elements but \(count) values were given")
        }
    }

    /// Creates a dataset and returns its open id (caller closes). Missing parents are created.
    func createDataset(_ p: String, fileType: hid_t, elementBytes: Int, dims: [Int], maxDims: [UInt64]?,
                       options: HDF5DatasetOptions) throws -> hid_t {
        let fid = try requireWritable(p, "create dataset")
        if p == "/" { throw error(p, "create dataset", "the root is a group") }
        if exists(p) { throw error(p, "create dataset", "an object already exists at this path") }
        let (parent, _) = Self.parentAndName(p)
        if parent != "/" { try createGroup(parent) }
        let space = try makeSpace(dims, maxDims: maxDims, p)
        defer { H5Sclose(space) }
        let dcpl = try checkID(H5Pcreate(ct_h5p_dataset_create()), p, "H5Pcreate")
        defer { H5Pclose(dcpl) }
        // No modification times in object headers: same run, same bytes.
        try check(H5Pset_obj_track_times(dcpl, false), p, "H5Pset_obj_track_times")
        if options.isChunked || maxDims != nil {
            if dims.isEmpty { throw error(p, "create dataset", "a scalar dataset cannot be chunked or compressed") }
            var chunk = options.chunk ?? HDF5DatasetOptions.automaticChunk(dims: dims, elementBytes: elementBytes)
            guard chunk.count == dims.count, chunk.allSatisfy({ $0 > 0 }) else {
                throw error(p, "create dataset", "chunk \(chunk) must have rank \(dims.count) and positive sizes")
            }
            // A fixed-size dimension cannot have a bigger chunk than itself (zero-sized ones use 1
            // and are made extendable by the caller).
            for i in chunk.indices where maxDims == nil || maxDims?[i] != ct_h5s_unlimited() {
                chunk[i] = min(chunk[i], max(dims[i], 1))
            }
            var chunkDims = chunk.map { UInt64($0) }
            try check(H5Pset_chunk(dcpl, Int32(chunkDims.count), &chunkDims), p, "H5Pset_chunk")
            if options.shuffle { try check(H5Pset_shuffle(dcpl), p, "H5Pset_shuffle") }
            if let level = options.deflateLevel {
                guard (0...9).contains(level) else {
                    throw error(p, "create dataset", "deflate level \(level) must be in 0...9")
                }
                try check(H5Pset_deflate(dcpl, UInt32(level)), p, "H5Pset_deflate")
            }
        }
        return try checkID(H5Dcreate2(fid, p, fileType, space, linkCreation, dcpl, ct_h5p_default()), p, "H5Dcreate2")
    }

    func makeSpace(_ dims: [Int], maxDims: [UInt64]?, _ p: String) throws -> hid_t {
        if dims.isEmpty { return try checkID(H5Screate(H5S_SCALAR), p, "H5Screate") }
        var current = dims.map { UInt64($0) }
        if var maximum = maxDims {
            return try checkID(H5Screate_simple(Int32(dims.count), &current, &maximum), p, "H5Screate_simple")
        }
        return try checkID(H5Screate_simple(Int32(dims.count), &current, nil), p, "H5Screate_simple")
    }

    /// A UTF-8 string type (caller closes) and its element size in bytes.
    func makeStringType(storage: HDF5StringStorage, longest: Int, object p: String) throws -> (type: hid_t, bytes: Int) {
        let type = try checkID(H5Tcopy(ct_h5t_c_s1()), p, "H5Tcopy")
        var bytes = MemoryLayout<UnsafePointer<CChar>>.size
        switch storage {
        case .variable:
            guard H5Tset_size(type, ct_h5t_variable()) >= 0 else { H5Tclose(type); throw error(p, "H5Tset_size") }
        case .fixed(let length):
            let n = max(length ?? longest, 1)
            if n < longest {
                H5Tclose(type)
                throw error(p, "write strings", "a string of \(longest) bytes does not fit the fixed length \(n)")
            }
            guard H5Tset_size(type, n) >= 0, H5Tset_strpad(type, H5T_STR_NULLPAD) >= 0 else {
                H5Tclose(type); throw error(p, "H5Tset_size")
            }
            bytes = n
        }
        guard H5Tset_cset(type, H5T_CSET_UTF8) >= 0 else { H5Tclose(type); throw error(p, "H5Tset_cset") }
        return (type, bytes)
    }

    // MARK: Reading

    /// Shape of the dataset at `path` (`[]` for a scalar).
    public func shape(of path: String) throws -> [Int] {
        let p = Self.normalize(path)
        let did = try openDataset(p)
        defer { H5Dclose(did) }
        return try datasetShape(did, p)
    }

    /// Chunk dimensions of the dataset at `path`, or nil when it is not chunked.
    public func chunkShape(of path: String) throws -> [Int]? {
        let p = Self.normalize(path)
        let did = try openDataset(p)
        defer { H5Dclose(did) }
        let dcpl = try checkID(H5Dget_create_plist(did), p, "H5Dget_create_plist")
        defer { H5Pclose(dcpl) }
        guard H5Pget_layout(dcpl) == H5D_CHUNKED else { return nil }
        var dims = [UInt64](repeating: 0, count: 32)
        let rank = H5Pget_chunk(dcpl, Int32(dims.count), &dims)
        guard rank >= 0 else { throw error(p, "H5Pget_chunk") }
        return dims.prefix(Int(rank)).map { Int($0) }
    }

    /// Element type of the dataset at `path`.
    public func elementType(of path: String) throws -> HDF5ElementType {
        let p = Self.normalize(path)
        let did = try openDataset(p)
        defer { H5Dclose(did) }
        let type = try checkID(H5Dget_type(did), p, "H5Dget_type")
        defer { H5Tclose(type) }
        return HDF5ElementType.from(typeID: type)
    }

    /// Reads the whole dataset (row-major) as `T`. Integers widen and convert to floats;
    /// a conversion that could lose data silently (narrowing, float to integer) throws.
    public func read<T: HDF5Numeric>(_ path: String, as type: T.Type = T.self) throws -> [T] {
        try readNumeric(Self.normalize(path), rows: nil)
    }

    /// Reads rows `rows` of the first dimension (all other dimensions whole), row-major.
    public func read<T: HDF5Numeric>(_ path: String, as type: T.Type = T.self, rows: Range<Int>) throws -> [T] {
        try readNumeric(Self.normalize(path), rows: rows)
    }

    /// Reads a numeric dataset as Double (`read(path, as: Double.self)`).
    public func readDoubles(_ path: String) throws -> [Double] { try read(path, as: Double.self) }

    /// Reads an integer dataset as Int64 (`read(path, as: Int64.self)`).
    public func readInt64s(_ path: String) throws -> [Int64] { try read(path, as: Int64.self) }

    private func readNumeric<T: HDF5Numeric>(_ p: String, rows: Range<Int>?) throws -> [T] {
        let did = try openDataset(p)
        defer { H5Dclose(did) }
        let fileType = try checkID(H5Dget_type(did), p, "H5Dget_type")
        let source = HDF5ElementType.from(typeID: fileType)
        H5Tclose(fileType)
        let target = T.hdf5ElementType
        guard hdf5CanConvert(from: source, to: target) else {
            throw error(p, "read", "dataset holds \(source), which cannot be read as \(target) without loss")
        }
        let dims = try datasetShape(did, p)
        let fileSpace = try checkID(H5Dget_space(did), p, "H5Dget_space")
        defer { H5Sclose(fileSpace) }
        var memSpace = ct_h5s_all()
        var count = dims.reduce(1, *)
        if let rows {
            guard let first = dims.first, rows.lowerBound >= 0, rows.upperBound <= first else {
                throw error(p, "read rows", "rows \(rows) outside the first dimension of shape \(dims)")
            }
            var start = [UInt64](repeating: 0, count: dims.count)
            var size = dims.map { UInt64($0) }
            start[0] = UInt64(rows.lowerBound)
            size[0] = UInt64(rows.count)
            try check(H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, &start, nil, &size, nil), p, "H5Sselect_hyperslab")
            memSpace = try checkID(H5Screate_simple(Int32(size.count), &size, nil), p, "H5Screate_simple")
            count = size.reduce(1) { $0 * Int($1) }
        }
        defer { if memSpace != ct_h5s_all() { H5Sclose(memSpace) } }
        guard count > 0 else { return [] }
        let fileSel = rows == nil ? ct_h5s_all() : fileSpace
        return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            // Numeric types are trivial: on failure the elements need no deinitialization.
            try check(H5Dread(did, target.memoryTypeID, memSpace, fileSel, ct_h5p_default(), buffer.baseAddress), p, "H5Dread")
            initialized = count
        }
    }

    /// Reads a string dataset (variable or fixed length; fixed strings lose their padding).
    public func readStrings(_ path: String) throws -> [String] {
        let p = Self.normalize(path)
        let did = try openDataset(p)
        defer { H5Dclose(did) }
        let fileType = try checkID(H5Dget_type(did), p, "H5Dget_type")
        defer { H5Tclose(fileType) }
        let space = try checkID(H5Dget_space(did), p, "H5Dget_space")
        defer { H5Sclose(space) }
        let count = Int(H5Sget_simple_extent_npoints(space))
        return try readStringValues(fileType: fileType, space: space, count: count, object: p) { memType, buffer in
            H5Dread(did, memType, ct_h5s_all(), ct_h5s_all(), ct_h5p_default(), buffer)
        }
    }

    /// Shared by datasets and attributes: reads `count` strings of `fileType` via `reader`.
    func readStringValues(fileType: hid_t, space: hid_t, count: Int, object p: String,
                          reader: (hid_t, UnsafeMutableRawPointer?) -> herr_t) throws -> [String] {
        guard H5Tget_class(fileType) == H5T_STRING else {
            throw error(p, "read strings", "holds \(HDF5ElementType.from(typeID: fileType)), expected strings")
        }
        guard count > 0 else { return [] }
        let memType = try checkID(H5Tcopy(fileType), p, "H5Tcopy")
        defer { H5Tclose(memType) }
        if H5Tis_variable_str(fileType) > 0 {
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            try check(reader(memType, &pointers), p, "read")
            defer { _ = H5Dvlen_reclaim(memType, space, ct_h5p_default(), &pointers) }
            return pointers.map { $0.map { String(cString: $0) } ?? "" }
        }
        let width = H5Tget_size(fileType)
        let spacePadded = H5Tget_strpad(fileType) == H5T_STR_SPACEPAD
        var bytes = [UInt8](repeating: 0, count: count * width)
        try check(reader(memType, &bytes), p, "read")
        return (0..<count).map { i in
            var element = bytes[(i * width)..<((i + 1) * width)]
            if let nul = element.firstIndex(of: 0) { element = element[..<nul] }
            if spacePadded { while element.last == 0x20 { element = element.dropLast() } }
            return String(decoding: element, as: UTF8.self)
        }
    }

    func openDataset(_ p: String) throws -> hid_t {
        let fid = try openFileID(p, "open dataset")
        guard exists(p) else { throw error(p, "open dataset", "no such dataset") }
        return try checkID(H5Dopen2(fid, p, ct_h5p_default()), p, "H5Dopen2 (expected a dataset)")
    }

    func datasetShape(_ did: hid_t, _ p: String) throws -> [Int] {
        let space = try checkID(H5Dget_space(did), p, "H5Dget_space")
        defer { H5Sclose(space) }
        let rank = H5Sget_simple_extent_ndims(space)
        guard rank >= 0 else { throw error(p, "H5Sget_simple_extent_ndims") }
        var dims = [UInt64](repeating: 0, count: Int(rank))
        if rank > 0 { try check(H5Sget_simple_extent_dims(space, &dims, nil), p, "H5Sget_simple_extent_dims") }
        return dims.map { Int($0) }
    }
}

/// Strings packed once into one NUL-separated UTF-8 buffer, so writing needs neither a
/// per-string allocation nor `strdup`.
struct PackedStrings {
    var bytes: [CChar] = []
    var offsets: [Int] = []
    var lengths: [Int] = []
    var longest = 0

    init(_ strings: [String], file: HDF5File, object: String) throws {
        offsets.reserveCapacity(strings.count)
        lengths.reserveCapacity(strings.count)
        for (i, s) in strings.enumerated() {
            let utf8 = s.utf8
            if utf8.contains(0) {
                throw file.error(object, "write strings", "element \(i) contains a NUL character")
            }
            offsets.append(bytes.count)
            lengths.append(utf8.count)
            longest = max(longest, utf8.count)
            bytes.append(contentsOf: utf8.map { CChar(bitPattern: $0) })
            bytes.append(0)
        }
    }

    /// Calls `body` with a buffer in the memory layout `stringType` expects.
    func withBuffer(for stringType: (type: hid_t, bytes: Int), _ body: (UnsafeRawPointer) throws -> Void) throws {
        try bytes.withUnsafeBufferPointer { raw in
            guard let base = raw.baseAddress else { return }
            if H5Tis_variable_str(stringType.type) > 0 {
                let pointers: [UnsafePointer<CChar>?] = offsets.map { base + $0 }
                try pointers.withUnsafeBufferPointer { p in
                    if let address = p.baseAddress { try body(UnsafeRawPointer(address)) }
                }
            } else {
                var fixed = [CChar](repeating: 0, count: offsets.count * stringType.bytes)
                for i in offsets.indices {
                    for j in 0..<lengths[i] { fixed[i * stringType.bytes + j] = raw[offsets[i] + j] }
                }
                try fixed.withUnsafeBufferPointer { f in
                    if let address = f.baseAddress { try body(UnsafeRawPointer(address)) }
                }
            }
        }
    }
}
