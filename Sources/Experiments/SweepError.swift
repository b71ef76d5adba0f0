import Foundation

/// A problem with a sweep file, a sweep directory or a sweep command line.
///
/// Its description is one line: `FILE[:LINE]: FIELD.PATH: message`, where the message says
/// what was expected. The command-line tool prints it and exits with status 2.
public struct SweepError: Error, CustomStringConvertible, LocalizedError, Sendable, Equatable {
    /// The sweep file, manifest or directory the problem is in.
    public var file: String
    /// The field path inside the file (`parameters[1].range.step`), empty for the whole file.
    public var path: String
    /// The 1-based line, when known.
    public var line: Int?
    /// What was wrong and what was expected.
    public var message: String

    public init(file: String, path: String = "", line: Int? = nil, message: String) {
        self.file = file
        self.path = path
        self.line = (line ?? 0) > 0 ? line : nil
        // Keep the contract "one line" even when a wrapped error spans several.
        self.message = message.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        return path.isEmpty ? "\(location): \(message)" : "\(location): \(path): \(message)"
    }

    public var errorDescription: String? { description }
}

/// Several runs of a sweep fail scenario validation; reported together, before any run starts.
/// `lines` holds one self-contained line per failing run (run id, its parameters, the problem).
public struct SweepValidationError: Error, CustomStringConvertible, Sendable {
    public var lines: [String]
    /// Failing runs in total (lines may be capped).
    public var failingRuns: Int
    public var description: String { lines.joined(separator: "\n") }
}

/// One line describing any error (scenario, HDF5 or sweep) for manifests and messages.
func oneLine(_ error: Error) -> String {
    String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
}
