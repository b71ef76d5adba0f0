// Stand-in for `citytwin powerflow CASE.m [--dc] [--json] [--repeat N]` used by run.sh until
// (or instead of) the CLI: it calls the same library function, Energy.solveCase.
import Foundation
import Energy

var args = Array(CommandLine.arguments.dropFirst())
var options = PowerFlowCaseOptions()
var json = false
var path: String?
while !args.isEmpty {
    let a = args.removeFirst()
    switch a {
    case "--dc": options.dc = true
    case "--json": json = true
    case "--flat": options.powerFlow.flatStart = true
    case "--series": options.seriesSteps = Int(args.isEmpty ? "" : args.removeFirst()) ?? 96
    case "--no-jacobian-reuse": options.powerFlow.reuseJacobian = false
    case "--no-dc-start": options.powerFlow.dcAngleStart = false
    case "--tol": options.powerFlow.tolerance = Double(args.isEmpty ? "" : args.removeFirst()) ?? 1e-8
    case "--repeat": options.repeatCount = Int(args.isEmpty ? "" : args.removeFirst()) ?? 1
    default: path = a
    }
}
guard let p = path else {
    FileHandle.standardError.write(Data("usage: pfharness CASE.m [--dc] [--json] [--repeat N] [--tol X] [--flat] [--series N] [--no-jacobian-reuse] [--no-dc-start]\n".utf8))
    exit(2)
}
do {
    let report = try solveCase(path: p, options: options)
    print(json ? report.jsonString : report.summary)
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
