import Yams

/// A parsed scenario document: a small, ordered tree of mappings, lists and scalars that
/// remembers the source line of every value, so that errors can point at it.
///
/// Scenario files are YAML (JSON is a subset of YAML, so JSON files parse the same way).
/// Keys keep their file order; nothing in this tree depends on hashing order.
public indirect enum ConfigNode: Sendable, Equatable {
    /// A scalar as written (`quoted` is true for quoted strings, which are never numbers).
    case scalar(String, quoted: Bool, line: Int)
    /// A mapping with keys in file order.
    case mapping([(key: String, value: ConfigNode)], line: Int)
    /// A sequence.
    case sequence([ConfigNode], line: Int)

    public static func == (lhs: ConfigNode, rhs: ConfigNode) -> Bool {
        switch (lhs, rhs) {
        case let (.scalar(a, qa, _), .scalar(b, qb, _)): return a == b && qa == qb
        case let (.sequence(a, _), .sequence(b, _)): return a == b
        case let (.mapping(a, _), .mapping(b, _)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// The line number given to values that came from `--set` on the command line.
    public static let commandLineLine = -1

    /// The 1-based source line, 0 when unknown, or `commandLineLine` for `--set` values.
    public var line: Int {
        switch self {
        case let .scalar(_, _, line), let .mapping(_, line), let .sequence(_, line): return line
        }
    }

    /// A short name of the node's kind for error messages.
    public var kindDescription: String {
        switch self {
        case let .scalar(text, quoted, _):
            if !quoted && Self.isNull(text) { return "null" }
            return "'\(text)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }

    static func isNull(_ text: String) -> Bool { text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL" }

    /// Parses YAML or JSON text.
    /// - Throws: `ScenarioError` naming the file and line on a syntax error.
    public static func parse(_ text: String, file: String) throws -> ConfigNode {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ScenarioError(file: file, path: "", line: Self.line(of: error),
                                message: "not valid YAML or JSON: \(Self.problem(of: error))")
        } catch {
            throw ScenarioError(file: file, path: "", message: "not valid YAML or JSON: \(error)")
        }
        guard let root else {
            throw ScenarioError(file: file, path: "", message: "the file is empty; expected a mapping of scenario fields")
        }
        return try convert(root, file: file, path: "")
    }

    private static func convert(_ node: Node, file: String, path: String) throws -> ConfigNode {
        let line = (node.mark?.line ?? 0)
        switch node {
        case let .scalar(s):
            let quoted = s.style == .singleQuoted || s.style == .doubleQuoted
            return .scalar(s.string, quoted: quoted, line: line)
        case let .sequence(seq):
            var items: [ConfigNode] = []
            for (i, item) in seq.enumerated() {
                items.append(try convert(item, file: file, path: "\(path)[\(i)]"))
            }
            return .sequence(items, line: line)
        case let .mapping(map):
            var pairs: [(key: String, value: ConfigNode)] = []
            for (k, v) in map {
                guard case let .scalar(ks) = k else {
                    throw ScenarioError(file: file, path: path, line: line, message: "mapping keys must be plain names")
                }
                let key = ks.string
                if pairs.contains(where: { $0.key == key }) {
                    throw ScenarioError(file: file, path: join(path, key), line: k.mark?.line ?? line,
                                        message: "duplicate key")
                }
                pairs.append((key, try convert(v, file: file, path: join(path, key))))
            }
            return .mapping(pairs, line: line)
        case let .alias(a):
            throw ScenarioError(file: file, path: path, line: a.mark?.line ?? line,
                                message: "YAML aliases are not supported in scenarios; repeat the value")
        }
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case let .scanner(_, _, mark, _), let .parser(_, _, mark, _), let .composer(_, _, mark, _): return mark.line
        default: return nil
        }
    }

    private static func problem(of error: YamlError) -> String {
        switch error {
        case let .scanner(context, problem, _, _), let .parser(context, problem, _, _), let .composer(context, problem, _, _):
            if let context { return "\(problem) (\(context.text))" }
            return problem
        case let .duplicatedKeysInMapping(duplicates, _):
            return "duplicate keys \(duplicates.joined(separator: ", "))"
        default:
            return String(describing: error).split(separator: "\n").first.map(String.init) ?? "syntax error"
        }
    }

    // MARK: Access and editing

    /// The value under `key` of a mapping, or nil.
    public subscript(key: String) -> ConfigNode? {
        guard case let .mapping(pairs, _) = self else { return nil }
        return pairs.first(where: { $0.key == key })?.value
    }

    /// Deep merge: mappings merge key by key (keys of `overlay` win, new keys append in the
    /// overlay's order); any other value of `overlay` replaces the base value whole (lists too).
    public func merged(with overlay: ConfigNode) -> ConfigNode {
        guard case let .mapping(base, line) = self, case let .mapping(over, _) = overlay else { return overlay }
        var result = base
        for (key, value) in over {
            if let i = result.firstIndex(where: { $0.key == key }) {
                result[i].value = result[i].value.merged(with: value)
            } else {
                result.append((key, value))
            }
        }
        return .mapping(result, line: line)
    }

    /// Renders the tree as JSON text (keys in order), used to store the resolved scenario.
    public func jsonText(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent)
        let inner = String(repeating: "  ", count: indent + 1)
        switch self {
        case let .scalar(text, quoted, _):
            if !quoted {
                if Self.isNull(text) { return "null" }
                if text == "true" || text == "false" { return text }
                if Double(text) != nil, text.first != "+", !text.hasPrefix("0") || text == "0" || text.hasPrefix("0.") {
                    return text
                }
            }
            return Self.jsonString(text)
        case let .sequence(items, _):
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { inner + $0.jsonText(indent: indent + 1) }.joined(separator: ",\n") + "\n\(pad)]"
        case let .mapping(pairs, _):
            if pairs.isEmpty { return "{}" }
            return "{\n" + pairs.map { inner + Self.jsonString($0.key) + ": " + $0.value.jsonText(indent: indent + 1) }
                .joined(separator: ",\n") + "\n\(pad)}"
        }
    }

    /// `s` as a JSON string literal (quotes, backslashes and control characters escaped).
    public static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}

import Foundation
