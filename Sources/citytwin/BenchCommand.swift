import ArgumentParser
import Foundation
import SimKernel

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Microbenchmarks used by Benchmarks/ (prints one JSON line per run).",
        subcommands: [KernelBench.self])
}

struct KernelBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernel",
        abstract: "The classic hold model: N pending events, each firing schedules one more after an exponential hold.")

    @Option(help: "Pending events (the calendar size).")
    var pending: Int = 1000

    @Option(help: "Events to execute (after warm-up).")
    var events: Int = 10_000_000

    @Option(help: "Seed of the hold-time stream.")
    var seed: UInt64 = 42

    @Option(help: "Mean hold time in seconds (exponential).")
    var meanHold: Double = 100

    @Flag(help: "Re-schedule with cancellable handles (schedule) instead of untracked events.")
    var tracked = false

    func validate() throws {
        guard pending >= 1, pending <= 100_000_000 else { throw ValidationError("--pending must be between 1 and 100000000") }
        guard events >= 1 else { throw ValidationError("--events must be at least 1") }
        guard meanHold >= 0.001, meanHold <= 1e9 else { throw ValidationError("--mean-hold must be between 0.001 and 1e9 seconds") }
    }

    func run() throws {
        let r = HoldModelBenchmark.run(pending: pending, events: events, meanHold: .seconds(meanHold), seed: seed,
                                       tracked: tracked)
        print(r.jsonLine)
    }
}
