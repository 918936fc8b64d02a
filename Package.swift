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
        .executable(name: "engine-server", targets: ["engine-server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
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
                "COpus",
                "CSampleRate",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
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

        .testTarget(name: "MediaEngineTests", dependencies: ["MediaEngine"]),
    ],
    swiftLanguageModes: [.v6]
)
