import Foundation

/// A Python virtual environment for interop tests, created once under
/// `<package root>/.build-venv` (ignored by git) and reused by every test and test target.
///
/// Shared by every test target through the `TestSupport` target. The first use creates the
/// venv with `python3 -m venv` (override the interpreter with `CITYTWIN_PYTHON`) and pip
/// installs missing packages from PyPI; later uses only check the imports (~0.5 s).
/// A file lock serializes concurrent test processes.
public struct PythonEnvironment {
    /// Error with a one-line, actionable description.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Output of one Python run.
    public struct Result {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// The venv's interpreter.
    public let python: URL
    public let root: URL

    /// The package root: the nearest ancestor of `filePath` that holds `Package.swift`.
    public static func packageRoot(from filePath: String = #filePath) throws -> URL {
        var url = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url = url.deletingLastPathComponent()
        }
        throw Failure(description: "\(filePath): no Package.swift found in any parent directory")
    }

    /// Returns the environment, creating it and pip-installing whatever of `modules` is missing.
    /// - Parameter modules: `(import name, pip requirement)` pairs, e.g. `("h5py", "h5py")`.
    public static func prepare(modules: [(module: String, requirement: String)], filePath: String = #filePath) throws -> PythonEnvironment {
        let root = try packageRoot(from: filePath)
        let venv = root.appendingPathComponent(".build-venv")
        let python = venv.appendingPathComponent("bin/python")
        let environment = PythonEnvironment(python: python, root: root)

        // Serialize creation across concurrently running test processes; the lock lives inside
        // the (git-ignored) venv folder, which `python3 -m venv` accepts when it already exists.
        try? FileManager.default.createDirectory(at: venv, withIntermediateDirectories: true)
        let lockPath = venv.appendingPathComponent("citytwin.lock").path
        let lock = open(lockPath, O_CREAT | O_RDWR, 0o644)
        guard lock >= 0 else { throw Failure(description: "\(lockPath): cannot create lock file") }
        defer { close(lock) }
        flock(lock, LOCK_EX)
        defer { flock(lock, LOCK_UN) }

        if !FileManager.default.isExecutableFile(atPath: python.path) {
            let base = ProcessInfo.processInfo.environment["CITYTWIN_PYTHON"] ?? "python3"
            let made = try run(executable: "/usr/bin/env", arguments: [base, "-m", "venv", venv.path])
            guard made.status == 0 else {
                throw Failure(description: "\(venv.path): `\(base) -m venv` failed (is python3-venv installed? scripts/install-deps.sh installs it): \(lastLine(made.stderr))")
            }
        }
        let missing = try modules.filter { item in
            try environment.run(code: "import \(item.module)").status != 0
        }
        if !missing.isEmpty {
            let requirements = missing.map(\.requirement)
            let installed = try run(executable: python.path,
                                    arguments: ["-m", "pip", "install", "--disable-pip-version-check", "--quiet"] + requirements)
            guard installed.status == 0 else {
                throw Failure(description: "\(venv.path): pip install \(requirements.joined(separator: " ")) failed (no network to PyPI?): \(lastLine(installed.stderr))")
            }
        }
        return environment
    }

    /// Runs inline Python code (`python -c`).
    public func run(code: String, arguments: [String] = []) throws -> Result {
        try Self.run(executable: python.path, arguments: ["-c", code] + arguments)
    }

    /// Writes `script` to a temporary file and runs it with `arguments`.
    public func run(script: String, arguments: [String] = []) throws -> Result {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("citytwin-\(getpid())-\(UUID().uuidString).py")
        try script.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try Self.run(executable: python.path, arguments: [file.path] + arguments)
    }

    /// Runs a process; output goes through temporary files so a chatty child never blocks on a full pipe.
    public static func run(executable: String, arguments: [String], currentDirectory: URL? = nil) throws -> Result {
        let temp = FileManager.default.temporaryDirectory
        let outURL = temp.appendingPathComponent("citytwin-py-out-\(UUID().uuidString)")
        let errURL = temp.appendingPathComponent("citytwin-py-err-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: outURL.path, contents: nil),
              FileManager.default.createFile(atPath: errURL.path, contents: nil)
        else { throw Failure(description: "\(temp.path): cannot create output files for \(executable)") }
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        do { try process.run() } catch {
            throw Failure(description: "\(executable): cannot start: \(error.localizedDescription)")
        }
        process.waitUntilExit()
        let out = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return Result(status: process.terminationStatus, stdout: out, stderr: err)
    }

    private static func lastLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).last.map(String.init) ?? "(no output)"
    }
}
