import ArgumentParser
import CityTwin
import Foundation
import Logging

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a scenario and write its HDF5 output.",
        discussion: "Prints a KPI summary and the path of the output file. The file is written under a temporary name and renamed when complete.")

    @OptionGroup var options: ScenarioOptions

    @Option(name: [.short, .customLong("output")], help: "Output HDF5 file (default: the scenario's output.path).")
    var output: String?

    @Option(help: "Progress bar on stderr: auto (only on a terminal), always or never.")
    var progress: ProgressMode = .auto

    @Flag(name: .shortAndLong, help: "Only print the output path.")
    var quiet = false

    @Flag(help: "Print every KPI, not only the headline ones.")
    var allKpis = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "warning"

    func run() throws {
        let logger = makeLogger(logLevel)
        let scenario = try options.load()
        logger.info("loaded scenario", metadata: ["name": "\(scenario.name)", "seed": "\(scenario.seed)"])
        let bar = ProgressBar(mode: progress)
        var report: (@Sendable (RunProgressReport) -> Void)?
        if let bar { report = { bar.update($0) } }
        let summary = try CityRun.execute(scenario, outputPath: output, progress: report,
                                          warn: { logger.warning("\($0)") })
        bar?.finish()
        if quiet {
            print(summary.outputPath)
            return
        }
        print("Scenario \(summary.scenarioName): \(FieldReader.formatDuration(Int64(summary.simulatedSeconds * 1000))) simulated, "
              + "\(summary.events) events, \(summary.snapshots) snapshots in \(String(format: "%.2f", summary.wallSeconds)) s")
        let shown = allKpis ? summary.kpis : summary.kpis.headline
        print(allKpis ? "KPIs:" : "Headline KPIs (\(summary.kpis.count) in the file; --all-kpis or citytwin inspect for all):")
        print(shown.formattedTable())
        print("Output: \(summary.outputPath)")
    }
}

enum ProgressMode: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never
}

func makeLogger(_ level: String) -> Logger {
    let parsed = Logger.Level(rawValue: level.lowercased()) ?? .warning
    LoggingSystem.bootstrap { _ in
        var handler = ConsoleLogHandler()
        handler.logLevel = parsed
        return handler
    }
    return Logger(label: "citytwin")
}

/// One line per message on stderr, `level: message [key=value ...]`, without timestamps, so
/// command-line output stays readable and diffable.
struct ConsoleLogHandler: LogHandler {
    var logLevel: Logger.Level = .warning
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = self.metadata.merging(event.metadata ?? [:]) { $1 }
        let tail = all.isEmpty ? "" : " " + all.keys.sorted().map { "\($0)=\(all[$0]!)" }.joined(separator: " ")
        FileHandle.standardError.write(Data("\(event.level): \(event.message)\(tail)\n".utf8))
    }
}

/// A one-line progress bar on stderr (simulated time reached, events/s, ETA), drawn only after
/// the run has lasted a second and, in `auto` mode, only when stderr is a terminal.
final class ProgressBar: @unchecked Sendable {
    private let lock = NSLock()
    private var drawn = false

    init?(mode: ProgressMode) {
        switch mode {
        case .never: return nil
        case .always: break
        case .auto: if isatty(STDERR_FILENO) == 0 { return nil }
        }
    }

    func update(_ p: RunProgressReport) {
        guard p.wallSeconds >= 1 else { return }
        lock.lock(); defer { lock.unlock() }
        let fraction = p.totalSeconds > 0 ? min(1, p.simulatedSeconds / p.totalSeconds) : 0
        let width = 30
        let filled = Int(fraction * Double(width))
        let rate = p.wallSeconds > 0 ? Double(p.events) / p.wallSeconds : 0
        let eta = fraction > 0 ? p.wallSeconds * (1 - fraction) / fraction : 0
        let line = String(format: "\r[%@%@] %5.1f%%  sim %@  %.2fM ev/s  ETA %.0fs ",
                          String(repeating: "#", count: filled), String(repeating: ".", count: width - filled),
                          fraction * 100, Self.clock(p.simulatedSeconds), rate / 1e6, eta)
        FileHandle.standardError.write(Data(line.utf8))
        drawn = true
    }

    /// Simulated time as `[Nd ]hh:mm:ss` since the start.
    static func clock(_ seconds: Double) -> String {
        let t = Int(seconds)
        let hms = String(format: "%02d:%02d:%02d", t / 3600 % 24, t / 60 % 60, t % 60)
        return t >= 86_400 ? "\(t / 86_400)d \(hms)" : hms
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
