// swift-tools-version:6.0
import PackageDescription

// Tessera: social-audience segmentation on OpenBLAS/LAPACKE.
// Module layout and rules: see README.md ("Architecture").
let package = Package(
    name: "Tessera",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tessera", targets: ["TesseraCLI"]),
        .library(name: "Tessera", targets: ["Tessera"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // System bridges. Debian: libopenblas-dev + liblapacke-dev (OpenBLAS ships no LAPACKE symbols), zlib1g-dev.
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"]), .brew(["openblas"])]
        ),
        .systemLibrary(
            name: "CZlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        .target(name: "LinearAlgebra", dependencies: ["COpenBLAS"]),
        .target(name: "ProfileLoading", dependencies: ["LinearAlgebra", "CZlib"]),
        .target(name: "AudienceGenerator", dependencies: ["LinearAlgebra"]),
        .target(name: "Tessera", dependencies: ["LinearAlgebra", "ProfileLoading", "AudienceGenerator"]),
        .executableTarget(
            name: "TesseraCLI",
            dependencies: ["Tessera", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra"]),
        .testTarget(name: "ProfileLoadingTests", dependencies: ["ProfileLoading"]),
        .testTarget(name: "AudienceGeneratorTests", dependencies: ["AudienceGenerator", "ProfileLoading"]),
        .testTarget(name: "TesseraCLITests", dependencies: ["Tessera"]),
    ],
    swiftLanguageModes: [.v5]
)
