import Foundation

/// A fresh, empty directory for one test.
///
/// Every directory handed out lives under one scratch directory per test process
/// (`citytwin-tests-<pid>-<uuid>` in the system's temporary directory), which is deleted when
/// the process exits, so test runs do not leave their files behind (only a crashed process
/// does).
public func makeTemporaryDirectory() throws -> URL {
    let url = TemporaryFiles.root.appendingPathComponent(UUID().uuidString)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

enum TemporaryFiles {
    /// Created on first use; its removal is registered with `atexit` (XCTest ends by `exit`).
    /// The handler cannot capture context, so it reads `root` itself (initialised by then).
    static let root: URL = {
        atexit { try? FileManager.default.removeItem(at: TemporaryFiles.root) }
        return FileManager.default.temporaryDirectory
            .appendingPathComponent("citytwin-tests-\(getpid())-\(UUID().uuidString)")
    }()
}
