import ArgumentParser
import Experiments
import Foundation

/// `citytwin compare A.h5 B.h5 [--html report.html]`, or with replications
/// `citytwin compare --a A1.h5 A2.h5 --b B1.h5 B2.h5` (a directory stands for its *.h5 files).
struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare the KPIs of a baseline and a variant run (with 95 % confidence intervals when replications are given).",
        discussion: """
        A and B are output files or directories of replications (every *.h5 inside). Alternatively list \
        replications with --a and --b. Prints a KPI table (baseline, variant, absolute and relative change, \
        better/worse per KPI); what cannot be compared (unreadable files, different grids or road networks, \
        missing groups) is listed as notes and the rest is compared. Exit status 2 only when nothing can be compared.
        """)

    @Argument(help: "Baseline run (file or directory) and variant run.")
    var runs: [String] = []

    @Option(name: .customLong("a"), parsing: .upToNextOption, help: "Baseline replications (files or directories).")
    var baseline: [String] = []

    @Option(name: .customLong("b"), parsing: .upToNextOption, help: "Variant replications (files or directories).")
    var variant: [String] = []

    @Option(help: "Also write an HTML report (KPI comparison and overlaid charts of the first run of each side).")
    var html: String?

    func run() throws {
        var a = baseline, b = variant
        if !runs.isEmpty {
            guard runs.count == 2, a.isEmpty, b.isEmpty else {
                throw CLIError(message: "compare: give two runs (A B) or --a ... --b ..., not both (got \(runs.count) positional)")
            }
            a = [runs[0]]; b = [runs[1]]
        }
        guard !a.isEmpty, !b.isEmpty else {
            throw CLIError(message: "compare: missing runs: give A.h5 B.h5, or --a A1.h5 ... --b B1.h5 ...")
        }
        let (runsA, messagesA) = RunComparison.open(a)
        let (runsB, messagesB) = RunComparison.open(b)
        let comparison = RunComparison.compare(baseline: runsA, variant: runsB, messages: messagesA + messagesB)
        print(comparison.terminalTable(), terminator: "")
        if let html, let first = runsA.first, let second = runsB.first {
            let page = RunReport.html(run: first, other: second, comparison: comparison)
            do { try page.write(toFile: html, atomically: true, encoding: .utf8) } catch {
                throw CLIError(message: "\(html): cannot write the report: \(error)")
            }
            print("Report: \(html)")
        }
        if comparison.comparedCount == 0 {
            throw CLIError(message: "compare: nothing could be compared (see the notes above)")
        }
    }
}
