import Foundation
import TestSupport
import XCTest
@testable import Experiments


/// Writes `dir/base.yaml`: a small scenario (synthetic weather, the repository's 33-bus feeder,
/// 50 homes; seed 42) so end-to-end sweeps stay fast whatever the baseline grows into.
func writeBaseScenario(in dir: URL) throws -> String {
    let url = dir.appendingPathComponent("base.yaml")
    let caseFile = packageRootURL.appendingPathComponent("Models/grids/case33bw.m").path
    try """
    name: sweep-test
    seed: 42
    duration: 1h
    snapshot_interval: 15min
    weather:
      update_interval: 15min
    grid:
      case: \(caseFile)
      solve_interval: 15min
      case_load_scale: 0.35
      default_rating_mva: 4.5
    buildings:
      classes:
        - {name: homes, archetype: single_family, count: 50}
    output:
      path: out/sweep-test.h5

    """.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

/// Writes a sweep file into `dir` over `dir/base.yaml` (see `writeBaseScenario`), lasting `duration`.
@discardableResult
func writeSweep(_ body: String, name: String = "sweep.yaml", in dir: URL, duration: String = "1h") throws -> String {
    let base = try writeBaseScenario(in: dir)
    let text = "base: \(base)\nset: [\"duration=\(duration)\", \"snapshot_interval=15min\"]\n" + body
    let url = dir.appendingPathComponent(name)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

/// Runs the built citytwin with `arguments`.
func citytwin(_ arguments: [String]) throws -> PythonEnvironment.Result {
    try CommandLineTool.run(arguments)
}
