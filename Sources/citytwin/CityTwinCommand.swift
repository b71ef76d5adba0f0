import ArgumentParser
import CityTwin
import Foundation
import Logging
import Numerics

/// `citytwin`: the command-line front end. Thin by design: it parses arguments and calls
/// the libraries; every user-input problem ends in one line on stderr and exit status 2.
@main
struct CityTwinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "citytwin",
        abstract: "A discrete-event digital twin of a city: traffic, fleets, chargers, buildings, weather and the power grid in one event calendar.",
        version: CityTwinVersion.string,
        subcommands: [Run.self, Validate.self, Inspect.self, Import.self, PowerFlow.self, Bench.self,
                      Sweep.self, SweepWorkerCommand.self, SweepMerge.self, SweepReportCommand.self,
                      Compare.self, Report.self])

    static func main() {
        useSingleThreadedBLAS()
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            // Help and version exit 0; every argument error is one line and status 2.
            if exitCode(for: error) == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let message = fullMessage(for: error)
            let first = message.split(separator: "\n").first.map(String.init) ?? message
            FileHandle.standardError.write(Data((first + " (see citytwin --help)\n").utf8))
            Foundation.exit(2)
        }
        do {
            try command.run()
        } catch {
            exitWithDiagnosis(error)
        }
    }

    /// Errors from a command: input problems (the common case) exit 2 with one line;
    /// failures of the run itself (internal errors, output I/O) exit 1.
    static func exitWithDiagnosis(_ error: Error) -> Never {
        switch error {
        case let e as ExitCode:
            Foundation.exit(e.rawValue)
        case let e as CLIError:
            fail(e.message)
        case let e as ValidationError:
            fail(e.message)
        case let e as RunError:
            FileHandle.standardError.write(Data(("error: " + e.description + "\n").utf8))
            Foundation.exit(1)
        case _ where String(reflecting: type(of: error)).hasPrefix("ArgumentParser."):
            // Help requested through a subcommand, or a late argument error.
            if exitCode(for: error) == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let message = fullMessage(for: error)
            fail((message.split(separator: "\n").first.map(String.init) ?? message) + " (see citytwin --help)")
        default:
            let text = String(describing: error)
            fail(text.split(separator: "\n").first.map(String.init) ?? text)
        }
    }

    static func fail(_ line: String) -> Never {
        FileHandle.standardError.write(Data(("error: " + line + "\n").utf8))
        Foundation.exit(2)
    }
}

/// A user-facing problem detected by the command-line layer.
struct CLIError: Error {
    var message: String
}

/// Options shared by commands that load a scenario.
struct ScenarioOptions: ParsableArguments {
    @Argument(help: "Scenario file (YAML or JSON).")
    var scenario: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a field: path=value (repeatable).", valueName: "path=value"))
    var overrides: [String] = []

    @Option(help: "Override the scenario's seed.")
    var seed: UInt64?

    @Option(help: "Replication index (0-based).")
    var replication: UInt64?

    func load() throws -> Scenario {
        let parsed = try overrides.map { try FieldOverride(parsing: $0) }
        return try Scenario.load(path: scenario, overrides: parsed, seed: seed, replication: replication)
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a scenario without running it.",
        discussion: "Validates every field, then loads the model data and resolves every reference (buses, road nodes, links, stations) as a run would, without simulating or writing anything.")

    @OptionGroup var options: ScenarioOptions

    @Flag(help: "Print the resolved scenario (after base merging and overrides) as JSON.")
    var printResolved = false

    func run() throws {
        let s = try options.load()
        try CityRun.check(s) { FileHandle.standardError.write(Data("warning: \($0)\n".utf8)) }
        if printResolved {
            print(s.resolvedText)
        } else {
            print("\(options.scenario): valid (scenario '\(s.name)', \(FieldReader.formatDuration(s.durationMs)) from \(s.start), seed \(s.seed))")
        }
    }
}
