import Foundation

/// Locates repository files from the test source (no machine paths).
enum PowerFlowTestPaths {
    static var packageRoot: URL {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    }
    static func grid(_ name: String) -> String {
        packageRoot.appendingPathComponent("Models/grids/\(name).m").path
    }
}
