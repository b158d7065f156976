// swift-tools-version:6.1
// A package outside meshnode that uses it the way an application would: by path, through
// the `MeshNode` library product, with nothing but its public API
// (scripts/check-outside-package.sh builds and runs it).
import PackageDescription

// A path dependency's identity is its directory's name (a clone may be `meshnode`, a worktree
// anything), so it is read from where this package sits: two levels up.
let meshnode = Context.packageDirectory.split(separator: "/").dropLast(2).last.map(String.init) ?? "meshnode"

let package = Package(
    name: "OutsideUser",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "../..")],
    targets: [
        .executableTarget(
            name: "OutsideUser",
            dependencies: [.product(name: "MeshNode", package: meshnode)],
            swiftSettings: [.swiftLanguageMode(.v6)])
    ]
)
