// swift-tools-version: 6.1
// Kol: a realtime media engine that answers phone calls with an AI voice agent.
// Layout and intent: ../shared/ARCHITECTURE.md (and README.md).
import PackageDescription

let strictSwift6: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "kol",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "MediaEngine", targets: ["MediaEngine"]),
        .library(name: "StoreBackends", targets: ["StoreBackends"]),
        .executable(name: "engine-server", targets: ["engine-server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // C libraries from Debian's -dev packages, each wrapped once by a small owning Swift type.
        .systemLibrary(name: "COpus", pkgConfig: "opus", providers: [.apt(["libopus-dev"])]),
        .systemLibrary(name: "CSampleRate", pkgConfig: "samplerate", providers: [.apt(["libsamplerate0-dev"])]),
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),

        // The engine: audio, detection, protocols, the call graph, the plugin API, storage.
        .target(
            name: "MediaEngine",
            dependencies: [
                "COpus", "CSampleRate",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift6
        ),
        // The Store's backends: SQLite (embedded default, through GRDB) and PostgreSQL (through libpq).
        // Kept out of MediaEngine so the audio core and its benchmarks build without database code.
        .target(
            name: "StoreBackends",
            dependencies: [
                "MediaEngine", "CPostgres",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSwift6
        ),
        // The executable: CLI (analyze, serve, demo, loadtest...).
        .executableTarget(
            name: "engine-server",
            dependencies: [
                "MediaEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSwift6
        ),

        // Measures rows per second through the batching writer on either backend (run by hand).
        .executableTarget(
            name: "store-throughput",
            dependencies: [
                "StoreBackends", "MediaEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift6
        ),

        .testTarget(name: "MediaEngineTests", dependencies: ["MediaEngine"]),
        .testTarget(
            name: "StoreBackendsTests",
            dependencies: [
                "StoreBackends", "MediaEngine",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift6
        ),
    ],
    swiftLanguageModes: [.v6]
)
