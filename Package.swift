// swift-tools-version:6.0
// CityTwin — a discrete-event digital twin of a city.
// Dependencies point downward only (see docs/architecture.md):
// citytwin → Experiments → CityTwin → {Mobility, Energy, Weather} → {SimKernel, Numerics, TwinIO}.
import PackageDescription

let optimize: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]

let package = Package(
    name: "CityTwin",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "citytwin", targets: ["citytwin"]),
        .library(name: "CityTwin", targets: ["CityTwin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
    ],
    targets: [
        // System libraries (Debian packages; see scripts/install-deps.sh).
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CLinearAlgebra", pkgConfig: "lapacke",
                       providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),
        .systemLibrary(name: "CKLU", providers: [.apt(["libsuitesparse-dev"])]),
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),

        // Foundation layer.
        .target(name: "SimKernel", swiftSettings: optimize),
        .target(name: "Numerics", dependencies: ["CLinearAlgebra", "CKLU"], swiftSettings: optimize),
        .target(name: "TwinIO", dependencies: ["CHDF5"]),

        // Domains (never import each other).
        .target(name: "Weather", dependencies: ["SimKernel", "TwinIO"]),
        .target(name: "Mobility", dependencies: ["SimKernel", "TwinIO"], swiftSettings: optimize),
        .target(name: "Energy", dependencies: ["SimKernel", "Numerics", "TwinIO"], swiftSettings: optimize),

        // Assembly, coupling, scenarios, recorder, KPIs.
        .target(name: "CityTwin", dependencies: [
            "SimKernel", "Numerics", "TwinIO", "Weather", "Mobility", "Energy",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Experiments", dependencies: ["CityTwin", "TwinIO", "SimKernel", "CMPI"]),
        .executableTarget(name: "citytwin", dependencies: [
            "CityTwin", "Experiments", "Numerics", "TwinIO",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Helpers shared by the test targets (package root, Python venv for interop tests, running the CLI).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "SimKernelTests", dependencies: ["SimKernel"]),
        .testTarget(name: "NumericsTests", dependencies: ["Numerics"]),
        .testTarget(name: "TwinIOTests", dependencies: ["TestSupport", "TwinIO"], exclude: ["EPWBadInputs"]),
        .testTarget(name: "WeatherTests", dependencies: ["TestSupport", "Weather", "TwinIO"]),
        .testTarget(name: "MobilityTests", dependencies: ["TestSupport", "Mobility", "TwinIO"]),
        .testTarget(name: "EnergyTests", dependencies: ["TestSupport", "Energy", "TwinIO", "Numerics"]),
        .testTarget(name: "CityTwinTests", dependencies: ["TestSupport", "CityTwin"], exclude: ["BadScenarios"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["TestSupport", "Experiments"]),
        .testTarget(name: "ValidationTests", dependencies: ["TestSupport", "CityTwin", "Energy", "Mobility", "Weather", "TwinIO", "Numerics"],
                    exclude: ["Data"]),
        .testTarget(name: "PerformanceTests", dependencies: ["SimKernel", "Energy", "Mobility", "Numerics", "TwinIO"]),
    ]
)
