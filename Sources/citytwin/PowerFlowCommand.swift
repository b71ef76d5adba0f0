import ArgumentParser
import Energy
import Foundation
import TwinIO

struct PowerFlow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "powerflow",
        abstract: "Solve one MATPOWER case (like pandapower's runpp) and print the bus voltages.")

    @Argument(help: "MATPOWER case file (.m, format version 2).")
    var caseFile: String

    @Flag(help: "Solve the DC approximation instead of AC Newton-Raphson.")
    var dc = false

    @Flag(help: "Write the result as JSON to stdout (vm_pu, va_degree, iterations, converged, ... in the case's bus order).")
    var json = false

    @Option(help: "Timed solves, each from the case start point; the factorisation structure is reused between them. The first (which includes KLU's first full factorisation) is reported on its own, the median and minimum of the others.")
    var `repeat`: Int = 1

    @Option(help: "Mismatch tolerance, p.u.")
    var tolerance: Double = 1e-8

    @Option(help: "Maximum Newton-Raphson iterations.")
    var maxIterations: Int = 10

    @Flag(help: "Enforce generator reactive-power limits (PV buses switch to PQ).")
    var enforceQLimits = false

    @Option(help: ArgumentHelp("Solve a quasi-static time series instead: N warm-started solves with all loads scaled by 1 + 0.03 sin(2 pi step/96) (15-minute steps of a daily swing); reports the median per step.", valueName: "N"))
    var series: Int = 0

    @Flag(help: "Classic Newton (one Jacobian factorisation per iteration) instead of lazy Jacobian updates (chord steps with earlier factors).")
    var noJacobianReuse = false

    @Flag(help: "Start from the case's angles, as MATPOWER does, instead of trying the angles of a DC power flow and keeping whichever start has the smaller mismatch.")
    var noDcStart = false

    func validate() throws {
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be at least 1") }
        guard tolerance > 0, tolerance < 1 else { throw ValidationError("--tolerance must be in (0, 1)") }
        guard maxIterations >= 1 else { throw ValidationError("--max-iterations must be at least 1") }
        guard series >= 0 else { throw ValidationError("--series must be 0 (off) or a number of steps") }
        guard series == 0 || !dc else { throw ValidationError("--series applies to the AC power flow only, not with --dc") }
    }

    func run() throws {
        guard FileManager.default.fileExists(atPath: caseFile) else { throw CLIError(message: "\(caseFile): file not found") }
        let options = PowerFlowCaseOptions(dc: dc, repeatCount: `repeat`,
                                           powerFlow: PowerFlowOptions(tolerance: tolerance, maxIterations: maxIterations,
                                                                       enforceQLimits: enforceQLimits,
                                                                       reuseJacobian: !noJacobianReuse, dcAngleStart: !noDcStart),
                                           seriesSteps: series)
        // Repairs the model makes (islanded buses, missing slack) are reported, not hidden.
        for note in try PowerGrid(matpower: MatpowerReader.read(path: caseFile)).notes {
            FileHandle.standardError.write(Data("warning: \(note)\n".utf8))
        }
        let report = try solveCase(path: caseFile, options: options)
        print(json ? report.jsonString : report.summary)
        if let ac = report.ac, !ac.converged { throw ExitCode(1) }
    }
}
