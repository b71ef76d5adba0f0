import ArgumentParser
import CityTwin
import Foundation
import Logging

/// `citytwin`: the command-line front end. Thin by design: it parses arguments and calls
/// the libraries; every user-input problem ends in one line on stderr and exit status 2.
@main
struct CityTwinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "citytwin",
        abstract: "A discrete-event digital twin of a city: traffic, fleets, chargers, buildings, weather and the power grid in one event calendar.",
        version: CityTwinVersion.string,
        subcommands: [Run.self, Validate.self, Inspect.self, Bench.self])

    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exitWithDiagnosis(error)
        }
    }

    static func exitWithDiagnosis(_ error: Error) -> Never {
        if let e = error as? ScenarioError {
            fail(e.description)
        }
        if let e = error as? CLIError {
            fail(e.message)
        }
        if let e = error as? LocalizedError, let d = e.errorDescription, !(error is ExitCode) {
            fail(d)
        }
        let code = exitCode(for: error)
        if code == .success {
            print(fullMessage(for: error))
            Foundation.exit(0)
        }
        if let e = error as? ExitCode { Foundation.exit(e.rawValue) }
        let message = fullMessage(for: error)
        if code == .validationFailure || message.hasPrefix("Error:") || message.contains("Usage:") {
            // Argument errors: ArgumentParser's message (first line) and status 2.
            let first = message.split(separator: "\n").first.map(String.init) ?? message
            FileHandle.standardError.write(Data((first + "\n(see citytwin --help)\n").utf8))
            Foundation.exit(2)
        }
        fail(String(describing: error))
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
    static let configuration = CommandConfiguration(abstract: "Check a scenario without running it.")

    @OptionGroup var options: ScenarioOptions

    @Flag(help: "Print the resolved scenario (after base merging and overrides) as JSON.")
    var printResolved = false

    func run() throws {
        let s = try options.load()
        if printResolved {
            print(s.resolvedText)
        } else {
            print("\(options.scenario): valid (scenario '\(s.name)', \(FieldReader.formatDuration(s.durationMs)) from \(s.start), seed \(s.seed))")
        }
    }
}
