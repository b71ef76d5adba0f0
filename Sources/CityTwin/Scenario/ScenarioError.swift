/// A problem with a user-supplied input (scenario file, data file or command-line value).
///
/// Its description is one line: `FILE:LINE: FIELD.PATH: message`, where the message says
/// what was expected. The command-line tool prints it and exits with status 2.
public struct ScenarioError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file the value came from (or `--set` for command-line overrides).
    public var file: String
    /// The field path, e.g. `fleet.vehicles[3].battery_kwh`; empty for the whole file.
    public var path: String
    /// The 1-based line, when known.
    public var line: Int?
    /// What was wrong and what was expected.
    public var message: String

    public init(file: String, path: String, line: Int? = nil, message: String) {
        self.file = file
        self.path = path
        self.line = (line ?? 0) > 0 ? line : nil
        self.message = message
        if line == ConfigNode.commandLineLine { self.message += " (value given with --set)" }
    }

    public var description: String {
        var where_ = file
        if let line { where_ += ":\(line)" }
        return path.isEmpty ? "\(where_): \(message)" : "\(where_): \(path): \(message)"
    }
}
