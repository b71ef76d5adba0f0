import Foundation
import TestSupport
import XCTest
@testable import Experiments

/// End-to-end sweeps through the built `citytwin` executable: failures, refusal of another
/// sweep's directory, resume after SIGINT and SIGKILL, MPI and shards against a local run.
final class SweepExecutionTests: XCTestCase {
    var caseFile: String { packageRootURL.appendingPathComponent("Models/grids/case33bw.m").path }

    func testFailingRunIsRecordedAndOthersComplete() throws {
        let dir = try makeTemporaryDirectory()
        let junk = dir.appendingPathComponent("junk.m")
        try "junk\n".write(to: junk, atomically: true, encoding: .utf8)  // passes validation, fails when parsed
        let file = try writeSweep("""
            replications: 2
            parameters:
              - {path: grid.case, values: ["\(caseFile)", "\(junk.path)"]}
            """, in: dir)
        let out = dir.appendingPathComponent("out").path
        let r = try citytwin(["sweep", file, "--out", out, "--jobs", "2"])
        XCTAssertEqual(r.status, 1, r.stderr)  // some runs failed
        let m = try SweepManifest.read(path: out + "/manifest.json")
        XCTAssertEqual(m.entries.map(\.status), [.done, .done, .failed, .failed])
        XCTAssertTrue(m.entries[2].error?.contains("unsupported MATLAB statement 'junk'") ?? false, m.entries[2].error ?? "")
        XCTAssertTrue(m.entries.allSatisfy { ($0.wallSeconds ?? -1) >= 0 })
        XCTAssertEqual(m.entries[0].seed, 42)
        let csv = try String(contentsOfFile: out + "/summary.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.count, 5)
        XCTAssertTrue(csv[3].hasPrefix("p1-r0,1,0,42,failed,"), String(csv[3]))
        XCTAssertTrue(csv[1].hasPrefix("p0-r0,0,0,42,done,"), String(csv[1]))
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/runs/p1-r0.h5"))
    }

    func testDirectoryOfAnotherSweepIsRefusedUntouched() throws {
        let dir = try makeTemporaryDirectory()
        let a = try writeSweep("parameters:\n  - {path: grid.case_load_scale, values: [0.3]}\n", name: "a.yaml", in: dir)
        let b = try writeSweep("parameters:\n  - {path: grid.case_load_scale, values: [0.4]}\n", name: "b.yaml", in: dir)
        let out = dir.appendingPathComponent("out").path
        XCTAssertEqual(try citytwin(["sweep", a, "--out", out, "--jobs", "1"]).status, 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json"))
        let r = try citytwin(["sweep", b, "--out", out])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("belongs to a different sweep"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json")), before)
        // Invalid values are reported before anything runs, with exit status 2 and no directory.
        let bad = try writeSweep("parameters:\n  - {path: grid.case_load_scale, values: [0.3, -1]}\n", name: "bad.yaml", in: dir)
        let rb = try citytwin(["sweep", bad, "--out", dir.appendingPathComponent("bad").path])
        XCTAssertEqual(rb.status, 2)
        XCTAssertTrue(rb.stderr.contains("run p1-r0") && rb.stderr.contains("grid.case_load_scale=-1"), rb.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("bad").path))
    }

    func testResumeAfterInterruptAndKill() throws {
        let dir = try makeTemporaryDirectory()
        let file = try writeSweep("""
            replications: 2
            parameters:
              - {path: grid.case_load_scale, range: {from: 0.2, to: 0.5, step: 0.1}}
            """, in: dir, duration: "12h")
        let out = dir.appendingPathComponent("out").path
        let manifestPath = out + "/manifest.json"
        func start() throws -> Process {
            let p = Process()
            p.executableURL = try CommandLineTool.executable()
            p.arguments = ["sweep", file, "--out", out, "--jobs", "1", "--progress", "never"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }
        func doneCount() -> Int { (try? SweepManifest.read(path: manifestPath))?.entries.filter { $0.status == .done }.count ?? 0 }
        func waitFor(done n: Int, _ p: Process) {
            let deadline = Date().addingTimeInterval(30)
            while doneCount() < n && p.isRunning && Date() < deadline { usleep(20_000) }
        }
        // 1. Ctrl-C: stops, writes the manifest (no run left "running"), exit 130.
        let first = try start()
        waitFor(done: 1, first)
        kill(first.processIdentifier, SIGINT)
        first.waitUntilExit()
        XCTAssertEqual(first.terminationStatus, 130)
        let afterInterrupt = try SweepManifest.read(path: manifestPath)
        XCTAssertFalse(afterInterrupt.entries.contains { $0.status == .running })
        let done1 = afterInterrupt.entries.filter { $0.status == .done }.count
        XCTAssertGreaterThanOrEqual(done1, 1)
        XCTAssertLessThan(done1, 8)
        // 2. SIGKILL: no chance to clean up; the manifest still says what was done.
        let second = try start()
        waitFor(done: done1 + 1, second)
        kill(second.processIdentifier, SIGKILL)
        second.waitUntilExit()
        usleep(600_000)  // the orphaned worker finishes its run and exits at EOF
        var m = try SweepManifest.read(path: manifestPath)
        let done2 = m.entries.filter { $0.status == .done }.count
        XCTAssertGreaterThan(done2, done1)
        // A partial output under the final name with a forged "done" is never taken as complete.
        if let k = m.entries.firstIndex(where: { $0.status != .done }) {
            try Data("not hdf5".utf8).write(to: URL(fileURLWithPath: out + "/" + m.entries[k].output))
            m.entries[k].status = .done
            try SweepManifest.writeAtomically(m.jsonText(), to: manifestPath)
        }
        // 3. Same command again: completes, skipping exactly the verified runs.
        let r = try citytwin(["sweep", file, "--out", out, "--jobs", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("8 done (\(done2) from an earlier invocation)"), r.stdout)
        let final = try SweepManifest.read(path: manifestPath)
        XCTAssertTrue(final.entries.allSatisfy { $0.status == .done })
        for e in final.entries { XCTAssertNotNil(SweepCoordinator.readKPIs(path: out + "/" + e.output), e.id) }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: out + "/runs").filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
    }

    /// The sweep used by the MPI and shard comparisons: 3 points × 2 replications.
    func comparisonSweep(in dir: URL) throws -> String {
        try writeSweep("""
            replications: 2
            parameters:
              - {path: grid.case_load_scale, values: [0.25, 0.35, 0.45]}
            """, in: dir)
    }

    func summaries(_ out: String) throws -> [String] {
        try ["summary.csv", "summary-points.csv"].map { try String(contentsOfFile: out + "/" + $0, encoding: .utf8) }
    }

    func testMPISweepMatchesLocalRun() throws {
        let mpirun = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let mpirun else {
            XCTFail("mpirun not found (/usr/bin/mpirun): install openmpi-bin (scripts/install-deps.sh) to test the MPI sweep")
            return
        }
        let dir = try makeTemporaryDirectory()
        let file = try comparisonSweep(in: dir)
        let local = dir.appendingPathComponent("local").path, viaMPI = dir.appendingPathComponent("mpi").path
        XCTAssertEqual(try citytwin(["sweep", file, "--out", local, "--jobs", "1"]).status, 0)
        let exe = try CommandLineTool.executable().path
        let r = try PythonEnvironment.run(executable: mpirun, arguments: ["--allow-run-as-root", "--oversubscribe", "-np", "3",
                                                                          exe, "sweep", file, "--out", viaMPI, "--mpi"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try summaries(viaMPI), try summaries(local))
        let m = try SweepManifest.read(path: viaMPI + "/manifest.json")
        XCTAssertEqual(m.entries.count, 6)
        XCTAssertTrue(m.entries.allSatisfy { $0.status == .done })
    }

    func testShardsMergeToTheLocalSummary() throws {
        let dir = try makeTemporaryDirectory()
        let file = try comparisonSweep(in: dir)
        let local = dir.appendingPathComponent("local").path, sharded = dir.appendingPathComponent("sharded").path
        XCTAssertEqual(try citytwin(["sweep", file, "--out", local, "--jobs", "2"]).status, 0)
        for i in 0..<2 {
            XCTAssertEqual(try citytwin(["sweep", file, "--out", sharded, "--shard", "\(i)/2", "--jobs", "1"]).status, 0)
        }
        let shard1 = try SweepManifest.read(path: sharded + "/manifest-shard-1-of-2.json")
        XCTAssertEqual(shard1.entries.map(\.index), [1, 3, 5])
        let merged = try citytwin(["sweep-merge", sharded])
        XCTAssertEqual(merged.status, 0, merged.stderr)
        XCTAssertEqual(try summaries(sharded), try summaries(local))
        let report = try citytwin(["sweep-report", sharded, "-o", dir.appendingPathComponent("r.html").path])
        XCTAssertEqual(report.status, 0, report.stderr)
    }
}
