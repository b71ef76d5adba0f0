import CHDF5
import Foundation

/// An HDF5 output written under a temporary name and renamed into place on `commit()`, so a
/// crash or an error never leaves a half-written file under the final name.
///
/// The temporary file is `.<name>.tmp-<pid>` in the final file's directory (same filesystem,
/// so the rename is atomic and replaces an existing file). If the output is not committed
/// (an error was thrown, `discard()` was called, or it was deinitialized) the temporary file
/// is removed.
///
/// ```swift
/// let output = try HDF5File.createAtomic(finalPath: "out/run.h5")
/// try output.file.write(values, to: "/weather/temperature")
/// try output.commit()          // closes, fsyncs, renames
/// ```
public final class HDF5AtomicOutput {
    /// The file to write into (open until `commit()` or `discard()`).
    public let file: HDF5File
    /// Where the file appears after `commit()`.
    public let finalPath: String
    /// Where it is written meanwhile.
    public let temporaryPath: String
    /// True once `commit()` succeeded.
    public private(set) var isCommitted = false
    private var isDiscarded = false

    /// Creates the temporary file (and, if `createDirectories`, the missing parent directories).
    public init(finalPath: String, createDirectories: Bool = true) throws {
        let url = URL(fileURLWithPath: finalPath)
        let directory = url.deletingLastPathComponent()
        let name = url.lastPathComponent
        guard !name.isEmpty, !finalPath.hasSuffix("/") else {
            throw HDF5Error(file: finalPath, object: "/", operation: "create output", reason: "expected a file path, got a directory")
        }
        if createDirectories {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw HDF5Error(file: finalPath, object: "/", operation: "create output directory",
                                reason: "cannot create \(directory.path): \(error.localizedDescription)")
            }
        }
        self.finalPath = finalPath
        self.temporaryPath = directory.appendingPathComponent(".\(name).tmp-\(getpid())").path
        self.file = try HDF5File.create(path: temporaryPath)
    }

    deinit {
        if !isCommitted { discard() }
    }

    /// Finishes pending time-series writers, closes the file, flushes it to disk and renames it
    /// to `finalPath` (replacing any existing file). On failure the temporary file is removed.
    public func commit() throws {
        guard !isCommitted else { return }
        guard !isDiscarded else {
            throw HDF5Error(file: finalPath, object: "/", operation: "commit", reason: "output was already discarded")
        }
        do {
            try file.close()
            try Self.fsync(path: temporaryPath, finalPath: finalPath)
            guard rename(temporaryPath, finalPath) == 0 else {
                throw HDF5Error(file: finalPath, object: "/", operation: "rename",
                                reason: "cannot rename \(temporaryPath): \(String(cString: strerror(errno)))")
            }
            isCommitted = true
        } catch {
            discard()
            throw error
        }
    }

    /// Closes and removes the temporary file without touching `finalPath`. Idempotent.
    public func discard() {
        guard !isCommitted, !isDiscarded else { return }
        isDiscarded = true
        try? file.close()
        unlink(temporaryPath)
    }

    /// Data reaches the disk before the rename makes it visible under the final name.
    private static func fsync(path: String, finalPath: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw HDF5Error(file: finalPath, object: "/", operation: "fsync",
                            reason: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        guard Foundation.fsync(fd) == 0 else {
            throw HDF5Error(file: finalPath, object: "/", operation: "fsync", reason: String(cString: strerror(errno)))
        }
    }
}
