import Foundation

/// Runs the `citytwin` executable built next to the test bundle.
public enum CommandLineTool {
    /// The built `citytwin` binary (same build directory as the running tests).
    public static func executable() throws -> URL {
        var candidates: [URL] = [Bundle.main.bundleURL.appendingPathComponent("citytwin")]
        // `swift test` runs `<build dir>/<Package>PackageTests.xctest`; its folder holds the products.
        let argv0 = URL(fileURLWithPath: CommandLine.arguments.first ?? "")
        candidates.append(argv0.deletingLastPathComponent().appendingPathComponent("citytwin"))
        for url in candidates where FileManager.default.isExecutableFile(atPath: url.path) { return url }
        throw PythonEnvironment.Failure(description: "citytwin executable not found next to the test bundle (looked in \(candidates.map(\.path))); build with `swift build --build-tests`")
    }

    /// Runs `citytwin` with `arguments` in `directory` (default: the package root).
    public static func run(_ arguments: [String], in directory: URL? = nil) throws -> PythonEnvironment.Result {
        let exe = try executable()
        let root = try directory ?? PythonEnvironment.packageRoot()
        return try PythonEnvironment.run(executable: exe.path, arguments: arguments, currentDirectory: root)
    }
}

/// The package root, found from this file's location (no machine paths in tests).
public let packageRootURL: URL = (try? PythonEnvironment.packageRoot()) ?? URL(fileURLWithPath: ".")
