// swift-tools-version:6.1
// meshnode: the connection layer of a peer-to-peer node. No package dependencies by design:
// the toolchain (stdlib, Glibc, Foundation, Dispatch, Synchronization) is all there is.
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    // nonisolated async helpers run on the caller's executor (REACTOR-NOTES.md, pitfall 8):
    // a peer task pinned to the reactor stays there when it calls them.
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
]

let package = Package(
    name: "MeshNode",
    platforms: [.macOS(.v15)],
    products: [
        // What an application depends on: `import MeshNodeKit` (docs/library.md).
        .library(name: "MeshNode", targets: ["MeshNodeKit"]),
        .executable(name: "meshnode", targets: ["Node"]),
        .executable(name: "toychain", targets: ["ToyChain"]),
        .executable(name: "Benchmarks", targets: ["Benchmarks"]),
    ],
    targets: [
        .target(name: "CLinuxShims"),
        .target(name: "Wire", dependencies: ["CLinuxShims"], swiftSettings: strict),
        .target(name: "Diagnostics", dependencies: ["Wire"], swiftSettings: strict),
        .target(name: "Actors", dependencies: ["Diagnostics", "Wire"], swiftSettings: strict),
        .target(name: "MeshNodeKit", dependencies: ["Actors", "Diagnostics", "Wire"], swiftSettings: strict),
        .executableTarget(name: "Node", dependencies: ["Actors", "Diagnostics", "Wire"], swiftSettings: strict),
        // The example application (Examples/ToyChain): a chain that syncs over the library.
        .target(
            name: "ToyChainCore", dependencies: ["MeshNodeKit"], path: "Examples/ToyChain/Core", swiftSettings: strict),
        .executableTarget(
            name: "ToyChain", dependencies: ["ToyChainCore"], path: "Examples/ToyChain/Main", swiftSettings: strict),
        .executableTarget(name: "Benchmarks", dependencies: ["Actors", "Wire"], swiftSettings: strict),
        .target(name: "CFuzzShim"),
        .target(name: "FuzzTargets", dependencies: ["Actors", "Diagnostics", "Wire"], swiftSettings: strict),
        .executableTarget(name: "Fuzz", dependencies: ["CFuzzShim", "FuzzTargets", "Wire"], swiftSettings: strict),
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "WireTests", dependencies: ["Wire", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "FuzzTargetsTests", dependencies: ["FuzzTargets"], swiftSettings: strict),
        .testTarget(
            name: "DiagnosticsTests", dependencies: ["Diagnostics", "Wire"],
            // Conformance case files, read from the source tree by ConformanceTests.
            exclude: ["Conformance/JSONTestSuite", "Conformance/toml-test", "Conformance/README.md"],
            swiftSettings: strict),
        .testTarget(
            name: "NodeTests", dependencies: ["Node", "Actors", "Diagnostics", "Wire", "TestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "MeshNodeKitTests", dependencies: ["MeshNodeKit", "ToyChainCore", "TestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "ActorsTests", dependencies: ["Actors", "Diagnostics", "Wire", "TestSupport"], swiftSettings: strict),
    ]
)
