import ArgumentParser
import Experiments
import Foundation

/// `citytwin sweep-report DIR -o report.html`.
struct SweepReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep-report",
        abstract: "Draw KPI-versus-parameter charts (mean and 95 % confidence band) of a sweep as one self-contained HTML file.")

    @Argument(help: "The sweep directory (holding summary.h5).")
    var directory: String

    @Option(name: [.short, .customLong("output")], help: "HTML file to write (default: DIR/report.html).")
    var output: String?

    func run() throws {
        let summary = try SweepSummary.read(path: (directory as NSString).appendingPathComponent("summary.h5"))
        let path = output ?? (directory as NSString).appendingPathComponent("report.html")
        try SweepManifest.writeAtomically(SweepHTMLReport.html(summary), to: path)
        print("Report: \(path)")
    }
}
