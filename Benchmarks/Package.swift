// swift-tools-version: 6.1
// Per-20-ms-frame micro-benchmarks of the audio core (ordo-one/benchmark). A package of its own so that
// `swift build` / `swift test` at the root never build it; it depends only on the slim MediaEngine target.
//   cd Benchmarks && swift package benchmark
import PackageDescription

let package = Package(
    name: "kol-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "kol", path: ".."),
        // The default trait pulls a package not served here; MallocInterposer counts allocations without jemalloc.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "AudioPipeline",
            dependencies: [
                .product(name: "MediaEngine", package: "kol"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/AudioPipeline",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
