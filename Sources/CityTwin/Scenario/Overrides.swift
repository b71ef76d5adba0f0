/// A `--set path=value` override of one scenario field.
///
/// The path uses dots between mapping keys and `[i]` for list items
/// (`fleet.vehicles[3].battery_kwh`); the value is parsed as YAML, so `5`, `true`,
/// `[1, 2]` and `{a: 1}` keep their types. Missing mappings along the path are created;
/// the scenario is validated afterwards, so a misspelt key is reported as unknown.
public struct FieldOverride: Sendable, Equatable, CustomStringConvertible {
    public enum Component: Sendable, Equatable { case key(String), index(Int) }

    public let path: [Component]
    public let pathText: String
    public let value: ConfigNode

    /// Parses `path=value`.
    /// - Throws: `ScenarioError` with file `--set` when the text is malformed.
    public init(parsing text: String) throws {
        guard let eq = text.firstIndex(of: "=") else {
            throw ScenarioError(file: "--set", path: "", message: "expected path=value, found '\(text)'")
        }
        let pathText = String(text[..<eq]).trimmingCharacters(in: .whitespaces)
        let valueText = String(text[text.index(after: eq)...])
        self.pathText = pathText
        self.path = try Self.parsePath(pathText)
        let parsed = try ConfigNode.parse(valueText.isEmpty ? "''" : valueText, file: "--set \(pathText)")
        self.value = parsed.relined(ConfigNode.commandLineLine)
    }

    public var description: String { "\(pathText)=\(value.jsonText())" }

    static func parsePath(_ text: String) throws -> [Component] {
        var result: [Component] = []
        func bad(_ why: String) -> ScenarioError {
            ScenarioError(file: "--set", path: text, message: "malformed field path: \(why); expected e.g. weather.heat_wave.delta_c or fleet.vehicles[3].battery_kwh")
        }
        if text.isEmpty { throw bad("empty") }
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            var rest = Substring(part)
            guard let bracket = rest.firstIndex(of: "[") ?? Optional(rest.endIndex) else { continue }
            let key = rest[..<bracket]
            if key.isEmpty && result.isEmpty { throw bad("it starts with an index") }
            if !key.isEmpty {
                guard key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else { throw bad("'\(key)' is not a field name") }
                result.append(.key(String(key)))
            } else if bracket == rest.endIndex {
                throw bad("empty component")
            }
            rest = rest[bracket...]
            while !rest.isEmpty {
                guard rest.first == "[", let close = rest.firstIndex(of: "]"),
                      let i = Int(rest[rest.index(after: rest.startIndex)..<close]), i >= 0 else {
                    throw bad("bad index in '\(part)'")
                }
                result.append(.index(i))
                rest = rest[rest.index(after: close)...]
            }
        }
        return result
    }

    /// Returns `root` with the override applied.
    public func apply(to root: ConfigNode) throws -> ConfigNode {
        try Self.set(value, at: path[...], in: root, done: "")
    }

    private static func set(_ value: ConfigNode, at path: ArraySlice<Component>, in node: ConfigNode?, done: String) throws -> ConfigNode {
        guard let first = path.first else { return value }
        let rest = path.dropFirst()
        switch first {
        case let .key(key):
            let here = ConfigNode.join(done, key)
            var pairs: [(key: String, value: ConfigNode)] = []
            var line = 0
            if let node {
                guard case let .mapping(p, l) = node else {
                    throw ScenarioError(file: "--set", path: here, message: "cannot set a field inside \(done.isEmpty ? "the scenario" : done), which is \(node.kindDescription), not a mapping")
                }
                pairs = p
                line = l
            }
            if let i = pairs.firstIndex(where: { $0.key == key }) {
                pairs[i].value = try set(value, at: rest, in: pairs[i].value, done: here)
            } else {
                pairs.append((key, try set(value, at: rest, in: nil, done: here)))
            }
            return .mapping(pairs, line: line)
        case let .index(i):
            let here = "\(done)[\(i)]"
            guard let node, case .sequence(var items, let line) = node else {
                throw ScenarioError(file: "--set", path: here, message: "\(done) is not a list")
            }
            if i < items.count {
                items[i] = try set(value, at: rest, in: items[i], done: here)
            } else if i == items.count {
                items.append(try set(value, at: rest, in: nil, done: here))
            } else {
                throw ScenarioError(file: "--set", path: here, message: "index out of range; the list has \(items.count) items")
            }
            return .sequence(items, line: line)
        }
    }
}

extension ConfigNode {
    /// The same tree with every line set to `line` (values from the command line have none).
    func relined(_ line: Int) -> ConfigNode {
        switch self {
        case let .scalar(t, q, _): return .scalar(t, quoted: q, line: line)
        case let .sequence(items, _): return .sequence(items.map { $0.relined(line) }, line: line)
        case let .mapping(pairs, _): return .mapping(pairs.map { ($0.key, $0.value.relined(line)) }, line: line)
        }
    }
}
