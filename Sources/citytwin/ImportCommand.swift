import ArgumentParser
import Foundation
import Mobility

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a road network to CityTwin's fast binary format (.ctnet).",
        subcommands: [ImportOSM.self, ImportTNTP.self])
}

struct ImportOSM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "osm",
        abstract: "Import drivable roads from OpenStreetMap XML (largest strongly connected component kept).")

    @Argument(help: "OpenStreetMap XML file (.osm).")
    var file: String

    @Option(name: .shortAndLong, help: "Output network file (.ctnet).")
    var output: String

    func run() throws {
        guard FileManager.default.fileExists(atPath: file) else { throw CLIError(message: "\(file): file not found") }
        try writeNetwork(RoadNetwork.importOSM(path: file), to: output)
    }
}

struct ImportTNTP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tntp",
        abstract: "Import a TNTP network (_net.tntp; node coordinates from _node.tntp or a .geojson next to it).")

    @Argument(help: "TNTP network file (*_net.tntp).")
    var file: String

    @Option(help: "Node coordinates (*_node.tntp or .geojson); found next to the network when omitted.")
    var nodes: String?

    @Option(name: .shortAndLong, help: "Output network file (.ctnet).")
    var output: String

    func run() throws {
        guard FileManager.default.fileExists(atPath: file) else { throw CLIError(message: "\(file): file not found") }
        try writeNetwork(RoadNetwork.importTNTP(netPath: file, nodePath: nodes), to: output)
    }
}

private func writeNetwork(_ imported: NetworkImport, to output: String) throws {
    guard output.lowercased().hasSuffix(".ctnet") else { throw CLIError(message: "\(output): expected an output name ending in .ctnet") }
    for w in imported.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
    try imported.network.write(to: output)
    print(imported.network.describe())
    print("Written: \(output)")
}
