import CHDF5
import Foundation

/// An open HDF5 file: groups, datasets, attributes and dimension scales addressed by path.
///
/// Paths are absolute or relative to the root (`"weather/temperature"` == `"/weather/temperature"`).
/// Every negative HDF5 return becomes a thrown `HDF5Error` naming the file, the object path and
/// the operation. The file closes on `close()` or on deinit; `close()` first finishes every
/// unfinished `HDF5TimeSeriesWriter` created from it.
///
/// Not `Sendable`: one owner at a time (HDF5 itself is built thread-safe here, so separate
/// files may be used from separate threads). For final outputs use `createAtomic(finalPath:)`.
public final class HDF5File {
    /// Path the file was opened or created with.
    public let path: String
    /// True when opened with `openReadOnly(path:)`.
    public let isReadOnly: Bool

    /// HDF5 file id; -1 once closed.
    var fileID: hid_t
    /// Link-creation property list that creates missing intermediate groups.
    var linkCreation: hid_t = -1
    /// Writers to finish on close, in creation order (weak: the writer owns its lifetime).
    private var writers: [WeakWriter] = []

    private struct WeakWriter {
        weak var writer: (any HDF5FinishableWriter)?
    }

    private init(path: String, fileID: hid_t, readOnly: Bool) {
        self.path = path
        self.fileID = fileID
        self.isReadOnly = readOnly
    }

    deinit {
        // Best effort: a deinit cannot throw; call close() to see errors.
        try? close()
    }

    // MARK: Opening and closing

    /// Creates (truncating) an HDF5 file at `path`. Prefer `createAtomic(finalPath:)` for outputs.
    public static func create(path: String) throws -> HDF5File {
        let fapl = try fileAccessList(path: path)
        defer { H5Pclose(fapl) }
        // The file-creation list also creates the root group: no timestamps there either.
        let fcpl = H5Pcreate(ct_h5p_file_create())
        defer { if fcpl >= 0 { H5Pclose(fcpl) } }
        guard fcpl >= 0, H5Pset_obj_track_times(fcpl, false) >= 0 else {
            throw HDF5Error(file: path, object: "/", operation: "file creation properties", reason: hdf5LastErrorMessage())
        }
        let id = H5Fcreate(path, ct_h5f_acc_trunc(), fcpl, fapl)
        guard id >= 0 else {
            throw HDF5Error(file: path, object: "/", operation: "create", reason: hdf5LastErrorMessage())
        }
        let file = HDF5File(path: path, fileID: id, readOnly: false)
        try file.makeLinkCreationList()
        return file
    }

    /// Opens an existing file for reading. Throws a clear error for a missing, non-HDF5 or
    /// truncated file.
    public static func openReadOnly(path: String) throws -> HDF5File {
        try open(path: path, flags: ct_h5f_acc_rdonly(), readOnly: true)
    }

    /// Opens an existing file for reading and writing (e.g. to add a `/kpi` group later).
    public static func openReadWrite(path: String) throws -> HDF5File {
        let file = try open(path: path, flags: ct_h5f_acc_rdwr(), readOnly: false)
        try file.makeLinkCreationList()
        return file
    }

    private static func open(path: String, flags: UInt32, readOnly: Bool) throws -> HDF5File {
        _ = hdf5Initialized
        ct_h5_silence_errors_on_this_thread()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw HDF5Error(file: path, object: "/", operation: "open", reason: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw HDF5Error(file: path, object: "/", operation: "open", reason: "is a directory, expected an HDF5 file")
        }
        let isHDF5 = H5Fis_hdf5(path)
        if isHDF5 == 0 {
            throw HDF5Error(file: path, object: "/", operation: "open",
                            reason: "not an HDF5 file (no HDF5 signature found)")
        }
        let fapl = try fileAccessList(path: path)
        defer { H5Pclose(fapl) }
        let id = H5Fopen(path, flags, fapl)
        guard id >= 0 else {
            throw HDF5Error(file: path, object: "/", operation: "open",
                            reason: "corrupt or truncated HDF5 file: " + hdf5LastErrorMessage())
        }
        return HDF5File(path: path, fileID: id, readOnly: readOnly)
    }

    /// File access: strong close degree (closing the file really closes it, so a rename
    /// after `close()` is safe) and the 1.8 object format as the oldest (dense attribute
    /// storage, so large attributes such as scenario text do not hit the 64 KiB header limit).
    private static func fileAccessList(path: String) throws -> hid_t {
        _ = hdf5Initialized
        ct_h5_silence_errors_on_this_thread()
        let fapl = H5Pcreate(ct_h5p_file_access())
        guard fapl >= 0,
              H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) >= 0,
              H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V110) >= 0
        else {
            throw HDF5Error(file: path, object: "/", operation: "file access properties", reason: hdf5LastErrorMessage())
        }
        return fapl
    }

    private func makeLinkCreationList() throws {
        let lcpl = H5Pcreate(ct_h5p_link_create())
        guard lcpl >= 0, H5Pset_create_intermediate_group(lcpl, 1) >= 0,
              H5Pset_char_encoding(lcpl, H5T_CSET_UTF8) >= 0
        else { throw error("/", "link creation properties") }
        linkCreation = lcpl
    }

    /// True until `close()`.
    public var isOpen: Bool { fileID >= 0 }

    /// Finishes unfinished time-series writers, then closes the file. Idempotent.
    /// Throws the first error met; the file is closed in any case.
    public func close() throws {
        guard fileID >= 0 else { return }
        ct_h5_silence_errors_on_this_thread()
        var firstError: Error?
        for entry in writers {
            do { try entry.writer?.finish() } catch { if firstError == nil { firstError = error } }
        }
        writers.removeAll()
        if linkCreation >= 0 { H5Pclose(linkCreation); linkCreation = -1 }
        let rc = H5Fclose(fileID)
        fileID = -1
        if rc < 0, firstError == nil { firstError = error("/", "H5Fclose") }
        if let firstError { throw firstError }
    }

    /// Flushes HDF5's buffers to the operating system (not a fsync).
    public func flush() throws {
        let fid = try openFileID("/", "flush")
        try check(H5Fflush(fid, H5F_SCOPE_GLOBAL), "/", "H5Fflush")
    }

    func register(_ writer: any HDF5FinishableWriter) {
        writers.removeAll { $0.writer == nil }
        writers.append(WeakWriter(writer: writer))
    }

    // MARK: Error helpers

    func error(_ object: String, _ operation: String, _ reason: String? = nil) -> HDF5Error {
        HDF5Error(file: path, object: object, operation: operation, reason: reason ?? hdf5LastErrorMessage())
    }

    func check(_ rc: herr_t, _ object: String, _ operation: String) throws {
        if rc < 0 { throw error(object, operation) }
    }

    func checkID(_ id: hid_t, _ object: String, _ operation: String) throws -> hid_t {
        if id < 0 { throw error(object, operation) }
        return id
    }

    /// The file id, or an error if the file was closed. Also silences HDF5 printing on this thread.
    func openFileID(_ object: String, _ operation: String) throws -> hid_t {
        ct_h5_silence_errors_on_this_thread()
        guard fileID >= 0 else { throw error(object, operation, "file is closed") }
        return fileID
    }

    func requireWritable(_ object: String, _ operation: String) throws -> hid_t {
        let fid = try openFileID(object, operation)
        if isReadOnly { throw error(object, operation, "file is open read-only") }
        return fid
    }

    /// Normalized absolute path: leading `/`, no empty components, no trailing `/`.
    static func normalize(_ path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        return "/" + parts.joined(separator: "/")
    }

    static func parentAndName(_ normalized: String) -> (parent: String, name: String) {
        guard let slash = normalized.lastIndex(of: "/") else { return ("/", normalized) }
        let name = String(normalized[normalized.index(after: slash)...])
        let parent = String(normalized[..<slash])
        return (parent.isEmpty ? "/" : parent, name)
    }

    // MARK: Tree

    /// Whether an object exists at `path` (every component is checked, so a missing parent
    /// gives false rather than an error). O(depth).
    public func exists(_ path: String) -> Bool {
        guard fileID >= 0 else { return false }
        ct_h5_silence_errors_on_this_thread()
        let p = Self.normalize(path)
        if p == "/" { return true }
        var prefix = ""
        for component in p.split(separator: "/") {
            prefix += "/" + component
            if H5Lexists(fileID, prefix, ct_h5p_default()) <= 0 { H5Eclear2(ct_h5e_default()); return false }
        }
        let ok = H5Oexists_by_name(fileID, p, ct_h5p_default()) > 0
        H5Eclear2(ct_h5e_default())
        return ok
    }

    /// Kind of the object at `path`.
    public func kind(of path: String) throws -> HDF5ObjectKind {
        let p = Self.normalize(path)
        let fid = try openFileID(p, "kind")
        guard exists(p) else { throw error(p, "kind", "no such object") }
        return try objectKind(fid, p)
    }

    private func objectKind(_ loc: hid_t, _ name: String) throws -> HDF5ObjectKind {
        var info = H5O_info_t()
        try check(H5Oget_info_by_name2(loc, name, &info, UInt32(H5O_INFO_BASIC), ct_h5p_default()), name, "H5Oget_info_by_name")
        switch info.type {
        case H5O_TYPE_GROUP: return .group
        case H5O_TYPE_DATASET: return .dataset
        default: return .other
        }
    }

    /// Creates the group at `path` and any missing parents. A no-op when the group exists;
    /// throws when a dataset is in the way.
    public func createGroup(_ path: String) throws {
        let p = Self.normalize(path)
        let fid = try requireWritable(p, "create group")
        if exists(p) {
            if try objectKind(fid, p) == .group { return }
            throw error(p, "create group", "a dataset already exists at this path")
        }
        // Parents one by one, so every group gets the no-timestamp creation properties.
        let (parent, _) = Self.parentAndName(p)
        if parent != "/" { try createGroup(parent) }
        let gcpl = try checkID(H5Pcreate(ct_h5p_group_create()), p, "H5Pcreate")
        defer { H5Pclose(gcpl) }
        try check(H5Pset_obj_track_times(gcpl, false), p, "H5Pset_obj_track_times")
        let gid = try checkID(H5Gcreate2(fid, p, linkCreation, gcpl, ct_h5p_default()), p, "H5Gcreate2")
        H5Gclose(gid)
    }

    /// Children of the group at `path`, sorted by name (byte order, deterministic).
    /// O(n log n) for n children.
    public func children(of path: String = "/") throws -> [HDF5Entry] {
        let p = Self.normalize(path)
        let fid = try openFileID(p, "list group")
        guard exists(p) else { throw error(p, "list group", "no such group") }
        let gid = try checkID(H5Gopen2(fid, p, ct_h5p_default()), p, "H5Gopen2 (expected a group)")
        defer { H5Gclose(gid) }
        var info = H5G_info_t()
        try check(H5Gget_info(gid, &info), p, "H5Gget_info")
        var entries: [HDF5Entry] = []
        entries.reserveCapacity(Int(info.nlinks))
        for i in 0..<info.nlinks {
            let size = H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, ct_h5p_default())
            guard size >= 0 else { throw error(p, "H5Lget_name_by_idx") }
            var buffer = [CChar](repeating: 0, count: Int(size) + 1)
            guard H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buffer, buffer.count, ct_h5p_default()) >= 0 else {
                throw error(p, "H5Lget_name_by_idx")
            }
            let name = String(decoding: buffer.prefix(Int(size)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let childPath = p == "/" ? "/" + name : p + "/" + name
            // A dangling soft or external link has no object: report it as `other`.
            let kind = (H5Oexists_by_name(gid, name, ct_h5p_default()) > 0) ? try objectKind(gid, name) : .other
            H5Eclear2(ct_h5e_default())
            entries.append(HDF5Entry(name: name, path: childPath, kind: kind))
        }
        // Sort in Swift by UTF-8 bytes so the order never depends on HDF5's index type.
        entries.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        return entries
    }

    /// Every object below `path` in depth-first pre-order, children sorted by name.
    /// O(total objects · log).
    public func walk(from path: String = "/") throws -> [HDF5Entry] {
        var result: [HDF5Entry] = []
        var stack = try children(of: path).reversed() as [HDF5Entry]
        while let entry = stack.popLast() {
            result.append(entry)
            if entry.kind == .group {
                stack.append(contentsOf: try children(of: entry.path).reversed())
            }
        }
        return result
    }

    /// Removes the link at `path` (e.g. to replace a dataset). Space is not reclaimed by HDF5.
    public func remove(_ path: String) throws {
        let p = Self.normalize(path)
        let fid = try requireWritable(p, "remove")
        try check(H5Ldelete(fid, p, ct_h5p_default()), p, "H5Ldelete")
    }

    // MARK: Atomic output

    /// Starts an output written under a temporary name next to `finalPath` and renamed to it
    /// by `commit()`; see `HDF5AtomicOutput`.
    public static func createAtomic(finalPath: String, createDirectories: Bool = true) throws -> HDF5AtomicOutput {
        try HDF5AtomicOutput(finalPath: finalPath, createDirectories: createDirectories)
    }
}

/// Internal: lets `HDF5File.close()` finish writers of any element type.
protocol HDF5FinishableWriter: AnyObject {
    func finish() throws
}
