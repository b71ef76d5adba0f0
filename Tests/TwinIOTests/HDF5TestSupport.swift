import Foundation
import TestSupport
import XCTest

/// A fresh temporary directory per test, removed afterwards.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = try makeTemporaryDirectory()
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func contents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Asserts that `body` throws an error whose description contains every fragment and is one line.
func XCTAssertThrowsMessage<T>(_ body: @autoclosure () throws -> T, contains fragments: [String],
                               file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try body(), file: file, line: line) { error in
        let text = "\(error)"
        XCTAssertFalse(text.contains("\n"), "error description must be one line: \(text)", file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(text.contains(fragment), "\"\(text)\" should contain \"\(fragment)\"", file: file, line: line)
        }
    }
}
