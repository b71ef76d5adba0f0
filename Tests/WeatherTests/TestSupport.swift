import Foundation

/// Package root, found by walking up from this file to the directory holding Package.swift.
enum TestPaths {
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    }()

    static func model(_ relative: String) -> String { packageRoot.appendingPathComponent("Models/" + relative).path }

    static let chicago = model("weather/USA_IL_Chicago-OHare.Intl.AP.725300_TMY3.epw")
    static let pvgis = model("weather/PVGIS_tmy_45.000_8.000_2005_2023.epw")
}
