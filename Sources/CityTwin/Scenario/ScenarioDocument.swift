import Foundation

/// Reads scenario files, following `base:` references (a variant names the scenario it
/// changes and lists only what differs; the two are deep-merged, see `ConfigNode.merged`).
public enum ScenarioDocument {
    /// Reads and parses one file (no merging).
    public static func read(path: String) throws -> (ConfigNode, String) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else {
            throw ScenarioError(file: path, path: "", message: "scenario file not found")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScenarioError(file: path, path: "", message: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ScenarioError(file: path, path: "", message: "expected UTF-8 text (YAML or JSON)")
        }
        return (try ConfigNode.parse(text, file: path), text)
    }

    /// Reads a file and merges it onto its `base:` chain (at most 8 deep, no cycles).
    public static func loadMerged(path: String) throws -> (ConfigNode, String) {
        var chain: [String] = []
        return try load(path: path, chain: &chain)
    }

    private static func load(path: String, chain: inout [String]) throws -> (ConfigNode, String) {
        let canonical = (path as NSString).standardizingPath
        if chain.contains(canonical) {
            throw ScenarioError(file: path, path: "base", message: "circular base chain: " + (chain + [canonical]).joined(separator: " → "))
        }
        guard chain.count < 8 else {
            throw ScenarioError(file: path, path: "base", message: "base chain deeper than 8 files")
        }
        chain.append(canonical)
        let (node, text) = try read(path: path)
        guard case .mapping = node else {
            throw ScenarioError(file: path, path: "", line: node.line, message: "expected a mapping of scenario fields, found \(node.kindDescription)")
        }
        guard let baseNode = node["base"] else { return (node, text) }
        guard case let .scalar(baseRef, _, line) = baseNode else {
            throw ScenarioError(file: path, path: "base", line: baseNode.line, message: "expected the path of a base scenario file")
        }
        let dir = (path as NSString).deletingLastPathComponent
        let basePath = baseRef.hasPrefix("/") ? baseRef : (dir as NSString).appendingPathComponent(baseRef)
        guard FileManager.default.fileExists(atPath: basePath) else {
            throw ScenarioError(file: path, path: "base", line: line, message: "base scenario not found: '\(baseRef)'")
        }
        let (baseTree, _) = try load(path: basePath, chain: &chain)
        // Relative file paths inside the base are resolved against the variant's directory;
        // keep variants next to their base (both in Scenarios/) so the two agree.
        var merged = baseTree.merged(with: node)
        if case .mapping(var pairs, let l) = merged {
            pairs.removeAll { $0.key == "base" }
            merged = .mapping(pairs, line: l)
        }
        return (merged, text)
    }
}
