import CHDF5

extension HDF5File {
    // MARK: Attributes

    /// Sets attribute `name` on the object at `path` (`/` is the file root), replacing an
    /// existing attribute of that name.
    public func setAttribute(_ name: String, _ value: HDF5AttributeValue, at path: String = "/") throws {
        let p = Self.normalize(path)
        let fid = try requireWritable(p, "set attribute \(name)")
        guard exists(p) else { throw error(p, "set attribute \(name)", "no such object") }
        let object = try checkID(H5Oopen(fid, p, ct_h5p_default()), p, "H5Oopen")
        defer { H5Oclose(object) }
        let op = "set attribute \(name)"
        let present = H5Aexists(object, name)
        if present < 0 { throw error(p, op) }
        if present > 0 { try check(H5Adelete(object, name), p, "H5Adelete \(name)") }

        switch value {
        case .double(let v): try writeNumericAttribute(object, name, [v], scalar: true, p)
        case .int64(let v): try writeNumericAttribute(object, name, [v], scalar: true, p)
        case .doubles(let a): try writeNumericAttribute(object, name, a, scalar: false, p)
        case .int64s(let a): try writeNumericAttribute(object, name, a, scalar: false, p)
        case .string(let s): try writeStringAttribute(object, name, [s], scalar: true, p)
        case .strings(let a): try writeStringAttribute(object, name, a, scalar: false, p)
        }
    }

    /// Space for an attribute: scalar, 1-D, or null for an empty array (what h5py writes).
    private func attributeSpace(count: Int, scalar: Bool, _ p: String) throws -> hid_t {
        if scalar { return try checkID(H5Screate(H5S_SCALAR), p, "H5Screate") }
        if count == 0 { return try checkID(H5Screate(H5S_NULL), p, "H5Screate") }
        var dims = [UInt64(count)]
        return try checkID(H5Screate_simple(1, &dims, nil), p, "H5Screate_simple")
    }

    private func writeNumericAttribute<T: HDF5Numeric>(_ object: hid_t, _ name: String, _ values: [T], scalar: Bool, _ p: String) throws {
        let element = T.hdf5ElementType
        let space = try attributeSpace(count: values.count, scalar: scalar, p)
        defer { H5Sclose(space) }
        let attr = try checkID(H5Acreate2(object, name, element.fileTypeID, space, ct_h5p_default(), ct_h5p_default()), p, "H5Acreate2 \(name)")
        defer { H5Aclose(attr) }
        guard !values.isEmpty else { return }
        try values.withUnsafeBufferPointer {
            try check(H5Awrite(attr, element.memoryTypeID, $0.baseAddress), p, "H5Awrite \(name)")
        }
    }

    private func writeStringAttribute(_ object: hid_t, _ name: String, _ values: [String], scalar: Bool, _ p: String) throws {
        let packed = try PackedStrings(values, file: self, object: p + " attribute " + name)
        let stringType = try makeStringType(storage: .variable, longest: packed.longest, object: p)
        defer { H5Tclose(stringType.type) }
        let space = try attributeSpace(count: values.count, scalar: scalar, p)
        defer { H5Sclose(space) }
        let attr = try checkID(H5Acreate2(object, name, stringType.type, space, ct_h5p_default(), ct_h5p_default()), p, "H5Acreate2 \(name)")
        defer { H5Aclose(attr) }
        guard !values.isEmpty else { return }
        try packed.withBuffer(for: stringType) { pointer in
            try check(H5Awrite(attr, stringType.type, pointer), p, "H5Awrite \(name)")
        }
    }

    /// Whether the object at `path` has attribute `name`.
    public func hasAttribute(_ name: String, at path: String = "/") throws -> Bool {
        let p = Self.normalize(path)
        let fid = try openFileID(p, "attribute \(name)")
        guard exists(p) else { throw error(p, "attribute \(name)", "no such object") }
        let rc = H5Aexists_by_name(fid, p, name, ct_h5p_default())
        if rc < 0 { throw error(p, "H5Aexists_by_name \(name)") }
        return rc > 0
    }

    /// Reads attribute `name` of the object at `path`. Integer attributes of any width read as
    /// `int64`/`int64s`, floats as `double`/`doubles`, strings (fixed or variable) as
    /// `string`/`strings`; other types throw.
    public func attribute(_ name: String, at path: String = "/") throws -> HDF5AttributeValue {
        let p = Self.normalize(path)
        let op = "read attribute \(name)"
        guard try hasAttribute(name, at: p) else { throw error(p, op, "no such attribute") }
        let attr = try checkID(H5Aopen_by_name(fileID, p, name, ct_h5p_default(), ct_h5p_default()), p, "H5Aopen_by_name \(name)")
        defer { H5Aclose(attr) }
        let type = try checkID(H5Aget_type(attr), p, "H5Aget_type \(name)")
        defer { H5Tclose(type) }
        let space = try checkID(H5Aget_space(attr), p, "H5Aget_space \(name)")
        defer { H5Sclose(space) }
        let spaceClass = H5Sget_simple_extent_type(space)
        let scalar = spaceClass == H5S_SCALAR
        let count = spaceClass == H5S_NULL ? 0 : Int(H5Sget_simple_extent_npoints(space))
        let element = HDF5ElementType.from(typeID: type)

        if element.isString {
            let strings = try readStringValues(fileType: type, space: space, count: count, object: p + " attribute " + name) { memType, buffer in
                H5Aread(attr, memType, buffer)
            }
            if scalar, let first = strings.first { return .string(first) }
            return .strings(strings)
        }
        if element.isFloatingPoint {
            let values: [Double] = try readNumericAttribute(attr, count: count, p, name)
            if scalar, let first = values.first { return .double(first) }
            return .doubles(values)
        }
        if element.isInteger && element != .uint64 {
            let values: [Int64] = try readNumericAttribute(attr, count: count, p, name)
            if scalar, let first = values.first { return .int64(first) }
            return .int64s(values)
        }
        throw error(p, op, "attribute holds \(element), expected a number or a string")
    }

    private func readNumericAttribute<T: HDF5Numeric>(_ attr: hid_t, count: Int, _ p: String, _ name: String) throws -> [T] {
        guard count > 0 else { return [] }
        return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            try check(H5Aread(attr, T.hdf5ElementType.memoryTypeID, buffer.baseAddress), p, "H5Aread \(name)")
            initialized = count
        }
    }

    /// Names of the attributes of the object at `path`, sorted by UTF-8 bytes. Includes
    /// HDF5's own dimension-scale bookkeeping (`CLASS`, `NAME`, `DIMENSION_LIST`, `REFERENCE_LIST`).
    public func attributeNames(at path: String = "/") throws -> [String] {
        let p = Self.normalize(path)
        let fid = try openFileID(p, "list attributes")
        guard exists(p) else { throw error(p, "list attributes", "no such object") }
        var info = H5O_info_t()
        try check(H5Oget_info_by_name2(fid, p, &info, UInt32(H5O_INFO_NUM_ATTRS), ct_h5p_default()), p, "H5Oget_info_by_name")
        var names: [String] = []
        for i in 0..<info.num_attrs {
            let size = H5Aget_name_by_idx(fid, p, H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, ct_h5p_default())
            guard size >= 0 else { throw error(p, "H5Aget_name_by_idx") }
            var buffer = [CChar](repeating: 0, count: Int(size) + 1)
            guard H5Aget_name_by_idx(fid, p, H5_INDEX_NAME, H5_ITER_INC, i, &buffer, buffer.count, ct_h5p_default()) >= 0 else {
                throw error(p, "H5Aget_name_by_idx")
            }
            names.append(String(decoding: buffer.prefix(Int(size)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        names.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return names
    }

    /// Every attribute this wrapper can represent, sorted by name (dimension-scale
    /// bookkeeping and unsupported types are skipped). Handy for `inspect`.
    public func attributes(at path: String = "/") throws -> [(name: String, value: HDF5AttributeValue)] {
        let hidden: Set<String> = ["CLASS", "NAME", "DIMENSION_LIST", "REFERENCE_LIST", "DIMENSION_LABELS"]
        var result: [(name: String, value: HDF5AttributeValue)] = []
        for name in try attributeNames(at: path) where !hidden.contains(name) {
            if let value = try? attribute(name, at: path) { result.append((name, value)) }
        }
        return result
    }

    // MARK: Dimension scales

    /// Makes the 1-D dataset at `path` a dimension scale named `name` (default: its last path
    /// component, which is the dimension name xarray/h5netcdf show).
    public func makeDimensionScale(_ path: String, name: String? = nil) throws {
        let p = Self.normalize(path)
        _ = try requireWritable(p, "make dimension scale")
        let did = try openDataset(p)
        defer { H5Dclose(did) }
        let rank = try datasetShape(did, p).count
        guard rank == 1 else { throw error(p, "make dimension scale", "dataset has rank \(rank), expected 1") }
        let scaleName = name ?? Self.parentAndName(p).name
        try check(H5DSset_scale(did, scaleName), p, "H5DSset_scale")
    }

    /// Attaches the scale at `scalePath` to dimension `dimension` of the dataset at `datasetPath`.
    /// The scale's length must equal that dimension's size.
    public func attachDimensionScale(_ scalePath: String, to datasetPath: String, dimension: Int) throws {
        let s = Self.normalize(scalePath), d = Self.normalize(datasetPath)
        _ = try requireWritable(d, "attach dimension scale")
        let did = try openDataset(d)
        defer { H5Dclose(did) }
        let sid = try openDataset(s)
        defer { H5Dclose(sid) }
        let dims = try datasetShape(did, d)
        let scaleDims = try datasetShape(sid, s)
        guard dimension >= 0, dimension < dims.count else {
            throw error(d, "attach dimension scale \(s)", "dimension \(dimension) out of range for rank \(dims.count)")
        }
        guard scaleDims.count == 1, scaleDims[0] == dims[dimension] else {
            throw error(d, "attach dimension scale \(s)",
                        "scale shape \(scaleDims) does not match dimension \(dimension) of size \(dims[dimension])")
        }
        if H5DSis_scale(sid) <= 0 {
            try check(H5DSset_scale(sid, Self.parentAndName(s).name), s, "H5DSset_scale")
        }
        try check(H5DSattach_scale(did, sid, UInt32(dimension)), d, "H5DSattach_scale \(s)")
    }

    /// Whether the scale at `scalePath` is attached to dimension `dimension` of `datasetPath`.
    public func isDimensionScaleAttached(_ scalePath: String, to datasetPath: String, dimension: Int) throws -> Bool {
        let s = Self.normalize(scalePath), d = Self.normalize(datasetPath)
        let did = try openDataset(d)
        defer { H5Dclose(did) }
        let sid = try openDataset(s)
        defer { H5Dclose(sid) }
        guard dimension >= 0 else { return false }
        let rc = H5DSis_attached(did, sid, UInt32(dimension))
        if rc < 0 { throw error(d, "H5DSis_attached \(s)") }
        return rc > 0
    }

    /// Whether the dataset at `path` is a dimension scale.
    public func isDimensionScale(_ path: String) throws -> Bool {
        let p = Self.normalize(path)
        let did = try openDataset(p)
        defer { H5Dclose(did) }
        let rc = H5DSis_scale(did)
        if rc < 0 { throw error(p, "H5DSis_scale") }
        return rc > 0
    }

    /// Path of the first scale attached to each dimension of `datasetPath` (nil where none).
    public func dimensionScales(of datasetPath: String) throws -> [String?] {
        let d = Self.normalize(datasetPath)
        let did = try openDataset(d)
        defer { H5Dclose(did) }
        let rank = try datasetShape(did, d).count
        return try (0..<rank).map { dim in
            var buffer = [CChar](repeating: 0, count: 1024)
            let rc = ct_h5ds_first_scale_name(did, UInt32(dim), &buffer, buffer.count)
            if rc < 0 { throw error(d, "dimension scales of dimension \(dim)") }
            if rc == 0 { return nil }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// Sets the label of dimension `dimension` of `datasetPath` (shown by h5dump/HDFView).
    public func setDimensionLabel(_ label: String, dimension: Int, of datasetPath: String) throws {
        let d = Self.normalize(datasetPath)
        _ = try requireWritable(d, "set dimension label")
        let did = try openDataset(d)
        defer { H5Dclose(did) }
        guard dimension >= 0 else { throw error(d, "set dimension label", "negative dimension") }
        try check(H5DSset_label(did, UInt32(dimension), label), d, "H5DSset_label")
    }
}
