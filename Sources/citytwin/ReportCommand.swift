import ArgumentParser
import Experiments
import Foundation

/// `citytwin report RUN.h5 [--compare OTHER.h5] -o report.html`.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write one self-contained HTML report of a run (KPIs, charts, road map, feeder diagram), optionally overlaid with a second run.",
        discussion: """
        The page needs no network: CSS and SVG charts are inline. Charts whose data the run does not \
        hold (e.g. /fleet, /chargers) are listed under "Not shown". The same inputs give a byte-identical file.
        """)

    @Argument(help: "The run's output file (.h5).")
    var runPath: String

    @Option(name: .customLong("compare"), help: "A second run to overlay (dashed) and compare KPIs with.")
    var other: String?

    @Option(name: [.short, .customLong("output")], help: "HTML file to write.")
    var output: String

    @Option(help: "Page title (default: from the scenario names).")
    var title: String?

    func run() throws {
        let main: RunFile
        do { main = try RunFile(path: runPath) } catch { throw CLIError(message: String(describing: error)) }
        var second: RunFile?
        if let other {
            do { second = try RunFile(path: other) } catch {
                // The report of the first run is still useful; say why the overlay is missing.
                FileHandle.standardError.write(Data("warning: \(error); writing the report of \(runPath) alone\n".utf8))
            }
        }
        let page = RunReport.html(run: main, other: second, title: title)
        do { try page.write(toFile: output, atomically: true, encoding: .utf8) } catch {
            throw CLIError(message: "\(output): cannot write the report: \(error)")
        }
        print("Report: \(output)")
    }
}
