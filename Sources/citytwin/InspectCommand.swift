import ArgumentParser
import CityTwin
import Energy
import Mobility
import Foundation
import TwinIO

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe a file: a CityTwin output (.h5), a grid case (.m) or a road network (.ctnet, .osm, _net.tntp).")

    @Argument(help: "The file to describe.")
    var file: String

    func run() throws {
        guard FileManager.default.fileExists(atPath: file) else { throw CLIError(message: "\(file): file not found") }
        let lower = file.lowercased()
        if lower.hasSuffix(".h5") || lower.hasSuffix(".hdf5") {
            try inspectHDF5()
        } else if lower.hasSuffix(".ctnet") || lower.hasSuffix(".osm") || lower.hasSuffix(".tntp") {
            let imported = try RoadNetwork.load(path: file)
            for w in imported.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
            print(imported.network.describe())
        } else if lower.hasSuffix(".m") {
            let grid = try PowerGrid(matpower: MatpowerReader.read(path: file))
            print(grid.describe())
        } else {
            throw CLIError(message: "\(file): unknown file type; expected .h5 (output), .m (MATPOWER case) or a road network (.ctnet, .osm, _net.tntp)")
        }
    }

    func inspectHDF5() throws {
        let f: HDF5File
        do { f = try HDF5File.openReadOnly(path: file) } catch {
            throw CLIError(message: "\(file): not a readable HDF5 file (\(error))")
        }
        if f.exists("/meta") {
            let attrs = try f.attributes(at: "/meta")
            print("Run:")
            for (name, value) in attrs { print("  \(name) = \(value)") }
        }
        print("Datasets:")
        for entry in try f.walk() where entry.kind == .dataset {
            let shape = try f.shape(of: entry.path)
            let type = try f.elementType(of: entry.path)
            let units = (try? f.attribute("units", at: entry.path))?.stringValue.map { " [\($0)]" } ?? ""
            let dims = shape.isEmpty ? "scalar" : shape.map(String.init).joined(separator: "×")
            print("  \(entry.path)  \(type) \(dims)\(units)")
        }
        if f.exists("/kpi/kpi") {
            print("KPIs:")
            print(try KPI.read(from: f).formattedTable())
        }
    }
}
