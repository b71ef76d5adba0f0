import ArgumentParser
import CityTwin
import Experiments
import Foundation

/// `citytwin sweep FILE --out DIR [--jobs N] [--shard i/n] [--mpi]`.
struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a parameter sweep with replications (parallel, resumable; --shard and --mpi for clusters).",
        discussion: """
        Expands the sweep file into runs (design point × replication), validates every run, then runs them \
        on N worker processes, each writing DIR/runs/<run-id>.h5. DIR/manifest.json records every run's \
        parameters, seed, status, wall time and error. Running the same command again resumes (completed \
        runs are skipped). When all runs were attempted, DIR/summary.h5, summary.csv and summary-points.csv \
        hold one row per run and per-point mean, standard deviation and 95 % confidence interval of every KPI. \
        Exit status: 0 all done, 1 some runs failed, 2 bad input, 128+signal when interrupted. See docs/sweeps.md.
        """)

    @Argument(help: "Sweep file (YAML or JSON), e.g. Scenarios/sweeps/heatwave-intensity.yaml.")
    var file: String

    @Option(name: [.short, .customLong("out")], help: "Sweep directory (created; reused to resume).")
    var out: String

    @Option(name: [.short, .customLong("jobs")], help: "Worker processes (default: the number of cores).")
    var jobs: Int?

    @Option(help: ArgumentHelp("Run only runs with index % n == i and write DIR/manifest-shard-i-of-n.json (join with sweep-merge).", valueName: "i/n"))
    var shard: String?

    @Flag(help: "Distribute runs over MPI ranks (start with mpirun; rank 0 coordinates).")
    var mpi = false

    @Option(help: "Progress bar on stderr: auto (only on a terminal), always or never.")
    var progress: ProgressMode = .auto

    @Flag(help: "Only validate the sweep and print its run list; run nothing.")
    var dryRun = false

    func validate() throws {
        if let jobs, jobs < 1 || jobs > 1024 { throw ValidationError("--jobs must be between 1 and 1024") }
        if mpi && shard != nil { throw ValidationError("--mpi and --shard cannot be combined; use one or the other") }
        if mpi && jobs != nil { throw ValidationError("--jobs does not apply with --mpi (use mpirun -np)") }
    }

    func run() throws {
        if mpi { return try runMPI() }
        let plan = try prepared()
        let shard = try self.shard.map { try SweepShard(parsing: $0) }
        if dryRun { return printPlan(plan, shard: shard) }
        SweepSignals.install()
        let start = Date()
        let (coordinator, outcome) = try SweepSession.runLocal(
            plan: plan, directory: out, jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount, shard: shard,
            progress: SweepProgress.make(mode: progress.rawValue))
        try finish(coordinator, outcome: outcome, seconds: Date().timeIntervalSince(start), shard: shard)
    }

    /// Loads and validates, printing every failing run on its own line (exit 2).
    func prepared() throws -> SweepPlan {
        do { return try SweepSession.prepare(file: file) } catch let e as SweepValidationError {
            for line in e.lines { FileHandle.standardError.write(Data("error: \(line)\n".utf8)) }
            FileHandle.standardError.write(Data("error: \(e.failingRuns) run(s) fail validation; nothing was run\n".utf8))
            throw ExitCode(2)
        }
    }

    func printPlan(_ plan: SweepPlan, shard: SweepShard?) {
        print("Sweep \(plan.definition.name) (hash \(plan.hashText)): \(plan.points.count) points × \(plan.definition.replications) replications = \(plan.runs.count) runs, seed \(plan.seed)")
        for run in plan.runs where shard?.contains(run.index) ?? true {
            print("  \(run.id)  point \(run.point)  replication \(run.replication)  \(plan.parameterText(point: run.point))")
        }
    }

    func finish(_ c: SweepCoordinator, outcome: SweepOutcome, seconds: Double, shard: SweepShard?) throws {
        let done = c.count(.done), failed = c.count(.failed), total = c.manifest.entries.count
        if let signal = outcome.interruptedBy {
            FileHandle.standardError.write(Data("interrupted: \(done) of \(total) runs done; manifest written to \(c.manifestPath); run the same command again to resume\n".utf8))
            throw ExitCode(128 + signal)
        }
        print("Sweep \(c.plan.definition.name)\(shard.map { " shard \($0)" } ?? ""): \(total) runs, \(done) done (\(c.resumedDone) from an earlier invocation), \(failed) failed, in \(String(format: "%.2f", seconds)) s")
        print("Manifest: \(c.manifestPath)")
        if shard == nil {
            print("Summary: \(c.directory)/summary.h5, \(c.directory)/summary.csv, \(c.directory)/summary-points.csv")
        } else {
            print("Join shards with: citytwin sweep-merge \(out)")
        }
        if failed > 0 {
            for e in c.manifest.entries where e.status == .failed {
                FileHandle.standardError.write(Data("failed: run \(e.id): \(e.error ?? "")\n".utf8))
            }
            throw ExitCode(1)
        }
    }

    func runMPI() throws {
        var plan: SweepPlan?
        let directory = URL(fileURLWithPath: out).standardizedFileURL.path
        let start = Date()
        let role = SweepMPI.run(
            directory: directory, progress: SweepProgress.make(mode: progress.rawValue),
            setup: {
                let p = try SweepSession.prepare(file: file)
                plan = p
                return try SweepCoordinator(plan: p, directory: directory)
            },
            loadPlan: { try SweepPlan.expand(try SweepDefinition.load(path: file)) })
        switch role {
        case .worker:
            return
        case let .coordinator(_, error?):
            if let e = error as? SweepValidationError {
                for line in e.lines { FileHandle.standardError.write(Data("error: \(line)\n".utf8)) }
                throw ExitCode(2)
            }
            throw error
        case let .coordinator(c?, nil):
            _ = plan
            try c.summary().write(directory: directory)
            try finish(c, outcome: SweepOutcome(interruptedBy: nil), seconds: Date().timeIntervalSince(start), shard: nil)
        case .coordinator(nil, nil):
            return
        }
    }
}

/// Hidden: a long-lived worker of `citytwin sweep` (reads `RUN <index>` lines on stdin).
struct SweepWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep-worker", abstract: "Internal: worker process of citytwin sweep.", shouldDisplay: false)

    @Argument var file: String
    @Option var out: String
    @Option var hash: String

    func run() throws {
        let plan = Result { try SweepPlan.expand(try SweepDefinition.load(path: file)) }
        SweepWorker.serve(plan: plan, expectedHash: hash, directory: out)
    }
}

/// `citytwin sweep-merge DIR`: joins shard manifests into manifest.json and the summary.
struct SweepMerge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep-merge",
        abstract: "Join the shards of a sweep (manifest-shard-*.json in DIR) into manifest.json and the summary.")

    @Argument(help: "The sweep directory the shards wrote into.")
    var directory: String

    @Option(help: "The sweep file (default: the one recorded in the shard manifests).")
    var sweep: String?

    func run() throws {
        let (c, warnings) = try SweepSession.merge(directory: directory, sweepFile: sweep)
        for w in warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
        print("Merged \(c.manifest.entries.count) runs: \(c.count(.done)) done, \(c.count(.failed)) failed, \(c.count(.pending) + c.count(.running)) not finished")
        print("Manifest: \(c.manifestPath)")
        print("Summary: \(c.directory)/summary.h5, \(c.directory)/summary.csv, \(c.directory)/summary-points.csv")
        if c.count(.failed) > 0 { throw ExitCode(1) }
    }
}
