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
        let (loadedBase, _) = try load(path: basePath, chain: &chain)
        // File paths in the base are relative to the base's folder: re-express them relative to
        // the variant's folder, so a variant may live anywhere.
        let baseTree = rebase(loadedBase, from: (basePath as NSString).deletingLastPathComponent, to: dir)
        var merged = baseTree.merged(with: node)
        if case .mapping(var pairs, let l) = merged {
            pairs.removeAll { $0.key == "base" }
            merged = .mapping(pairs, line: l)
        }
        return (merged, text)
    }

    /// Scenario fields that hold file paths (dot paths; `[]` marks every list item).
    static let pathFields: [[String]] = [
        ["weather", "epw"], ["grid", "case"], ["roads", "network"], ["roads", "nodes"],
        ["demand", "od"], ["demand", "trips"], ["chargers", "sessions"], ["fleet", "requests"],
    ]

    static func rebase(_ tree: ConfigNode, from baseDir: String, to variantDir: String) -> ConfigNode {
        var t = tree
        for field in pathFields { t = rebase(t, field[...], from: baseDir, to: variantDir) }
        return t
    }

    private static func rebase(_ node: ConfigNode, _ field: ArraySlice<String>, from baseDir: String, to variantDir: String) -> ConfigNode {
        guard let key = field.first else {
            guard case let .scalar(text, quoted, line) = node, !text.isEmpty, !text.hasPrefix("/") else { return node }
            let absolute = ((baseDir.isEmpty ? "." : baseDir) as NSString).appendingPathComponent(text)
            return .scalar(relativePath(absolute, from: variantDir), quoted: quoted, line: line)
        }
        guard case .mapping(var pairs, let line) = node, let i = pairs.firstIndex(where: { $0.key == key }) else { return node }
        pairs[i].value = rebase(pairs[i].value, field.dropFirst(), from: baseDir, to: variantDir)
        return .mapping(pairs, line: line)
    }

    /// `path` expressed relative to `directory` (both resolved against the working directory).
    static func relativePath(_ path: String, from directory: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        func parts(_ p: String) -> [String] {
            let abs = p.hasPrefix("/") ? p : (cwd as NSString).appendingPathComponent(p)
            return (abs as NSString).standardizingPath.split(separator: "/").map(String.init)
        }
        let target = parts(path), base = parts(directory.isEmpty ? "." : directory)
        var common = 0
        while common < target.count, common < base.count, target[common] == base[common] { common += 1 }
        let up = Array(repeating: "..", count: base.count - common)
        let rest = Array(target[common...])
        let joined = (up + rest).joined(separator: "/")
        return joined.isEmpty ? "." : joined
    }
}
