import CHDF5

/// An HDF5 failure, or a misuse of the HDF5 wrapper detected before calling HDF5.
///
/// `description` is one line: `<file>: <object path>: <operation> failed: <reason>`,
/// where `reason` is HDF5's innermost error message when HDF5 reported one.
public struct HDF5Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// File the operation was applied to.
    public let file: String
    /// Object path inside the file (`/` for the file itself).
    public let object: String
    /// The operation that failed, e.g. `H5Dwrite` or `open`.
    public let operation: String
    /// Why it failed (HDF5's own message, or the wrapper's check).
    public let reason: String

    public init(file: String, object: String, operation: String, reason: String) {
        self.file = file
        self.object = object
        self.operation = operation
        // Keep the description a single line whatever HDF5 put in its message.
        self.reason = reason.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    public var description: String {
        "\(file): \(object): \(operation) failed: \(reason)"
    }
}

/// Silences HDF5's automatic error printing exactly once per process (thread-safe lazy global).
let hdf5Initialized: Bool = {
    _ = H5open()
    ct_h5_silence_errors()
    return true
}()

/// Reads and clears HDF5's error stack of the current thread; returns the innermost message.
func hdf5LastErrorMessage() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    buffer.withUnsafeMutableBufferPointer { ct_h5_innermost_error($0.baseAddress) }
    let message = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return message.isEmpty ? "HDF5 reported an error without a message" : message
}
