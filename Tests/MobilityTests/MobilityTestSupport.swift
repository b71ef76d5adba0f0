import Foundation
@testable import Mobility

/// Paths inside the repository, found from this file (no machine paths).
enum MobilityPaths {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        return url
    }()
    static func file(_ relative: String) -> String { root.appendingPathComponent(relative).path }
    static var westOakland: String { file("Models/roads/osm/West-Oakland.osm") }
    static var aguascalientes: String { file("Models/roads/osm/aguascalientes.osm") }
    static var siouxFallsNet: String { file("Models/roads/SiouxFalls/SiouxFalls_net.tntp") }
    static var siouxFallsTrips: String { file("Models/roads/SiouxFalls/SiouxFalls_trips.tntp") }
    static var anaheimNet: String { file("Models/roads/Anaheim/Anaheim_net.tntp") }
    static var anaheimTrips: String { file("Models/roads/Anaheim/Anaheim_trips.tntp") }
}

/// A small hand-made network: nodes on a line/grid with given links (length m, speed m/s, capacity veh/h, lanes).
func makeNetwork(nodes: [(Double, Double)], links: [(Int, Int, Double, Double, Double, Int)], signalised: [Int] = []) throws -> RoadNetwork {
    try RoadNetwork(source: .unknown, name: "test",
                    nodeX: nodes.map(\.0), nodeY: nodes.map(\.1),
                    nodeLon: nodes.map { _ in .nan }, nodeLat: nodes.map { _ in .nan },
                    nodeExternalID: (0..<nodes.count).map { Int64($0) },
                    nodeSignalised: (0..<nodes.count).map { signalised.contains($0) },
                    linkFrom: links.map { Int32($0.0) }, linkTo: links.map { Int32($0.1) },
                    linkLength: links.map(\.2), linkFreeSpeed: links.map(\.3),
                    linkLanes: links.map { UInt8($0.5) }, linkCapacity: links.map(\.4),
                    linkClass: links.map { _ in 0 }, linkExternalID: (0..<links.count).map { Int64($0) },
                    classNames: ["test"])
}
