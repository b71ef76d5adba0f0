import Foundation
import TestSupport

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
    static let root: URL = {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("citytwin-tests-\(getpid())-\(UUID().uuidString)")
        removalPath = url.path
        atexit {
            if let path = TemporaryFiles.removalPath { try? FileManager.default.removeItem(atPath: path) }
        }
        return url
    }()

    /// Read by the `atexit` handler, which cannot capture context. Written once, before the
    /// handler is registered.
    nonisolated(unsafe) static var removalPath: String?
}
