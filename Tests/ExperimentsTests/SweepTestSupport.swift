import Foundation
import TestSupport
import XCTest
@testable import Experiments

/// A fresh temporary directory for one test.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("citytwin-sweep-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The baseline scenario of the repository (absolute, found from this file).
var baselinePath: String { packageRootURL.appendingPathComponent("Scenarios/baseline.yaml").path }

/// Writes a sweep file into `dir` whose base is the repository baseline, shortened to `duration`.
@discardableResult
func writeSweep(_ body: String, name: String = "sweep.yaml", in dir: URL, duration: String = "1h") throws -> String {
    let text = "base: \(baselinePath)\nset: [\"duration=\(duration)\", \"snapshot_interval=15min\"]\n" + body
    let url = dir.appendingPathComponent(name)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

/// Runs the built citytwin with `arguments`.
func citytwin(_ arguments: [String]) throws -> PythonEnvironment.Result {
    try CommandLineTool.run(arguments)
}
