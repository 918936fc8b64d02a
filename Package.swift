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
        .library(name: "RealtimeSim", targets: ["RealtimeSim"]),
        .library(name: "StoreBackends", targets: ["StoreBackends"]),
        .executable(name: "engine-server", targets: ["engine-server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
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
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: strictSwift6
        ),
        // WebSocket frames read from and written to a socket's bytes (RFC 6455), for every socket the
        // project serves or dials: the media stream, the model socket, the synthetic callers, the simulator.
        .target(
            name: "WebSocketWire",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: strictSwift6
        ),
        // A local server speaking the OpenAI Realtime GA protocol: the engine's embedded default model
        // (no API key), the model in tests and in load tests. Bundles small speech clips (Resources/speech).
        .target(
            name: "RealtimeSim",
            dependencies: [
                "MediaEngine",
                "WebSocketWire",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            resources: [.copy("Resources")],
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
                "RealtimeSim",
                "StoreBackends",
                "WebSocketWire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
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

        // Test setup helpers shared by the test targets (running test tools without Foundation.Process).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "MediaEngineTests", dependencies: ["MediaEngine", "TestSupport"]),
        .testTarget(
            name: "EngineServerTests",
            dependencies: [
                "engine-server", "MediaEngine", "RealtimeSim", "StoreBackends", "TestSupport", "WebSocketWire",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .testTarget(
            name: "RealtimeSimTests",
            dependencies: [
                "RealtimeSim",
                "MediaEngine",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "StoreBackendsTests",
            dependencies: [
                "StoreBackends", "MediaEngine", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift6
        ),
    ],
    swiftLanguageModes: [.v6]
)
