// swift-tools-version:6.0
import Foundation
import PackageDescription

// The hot kernels (LinearAlgebra, Clustering, Factorization) are compiled for AVX2 + FMA on x86-64: SIMD-16 arithmetic
// then runs on 256-bit registers with fused multiply-adds (measured in Benchmarks/RESULTS.md).
// `unsafeFlags` are only allowed in a root package, which Tessera is. For a CPU without AVX2/FMA
// (the CLI checks at start-up and says so), build with TESSERA_PORTABLE=1 for baseline x86-64.
let portable = ProcessInfo.processInfo.environment["TESSERA_PORTABLE"] != nil
#if arch(x86_64)
let instructionSettings: [SwiftSetting] = portable ? [] : [.unsafeFlags(["-Xcc", "-mavx2", "-Xcc", "-mfma"]), .define("TESSERA_FMA")]
#else
let instructionSettings: [SwiftSetting] = []
#endif
// The kernels are optimised in debug builds too: `swift test` runs k-means on real datasets, which
// unoptimised SIMD code makes ~20× slower.
let kernelSettings = instructionSettings + [.unsafeFlags(["-O"], .when(configuration: .debug))]

// Open MPI (opt-in, `make mpi`): with TESSERA_MPI=1 at build time the CLI can run one job over the ranks
// of `mpirun`/`srun` (Sources/MPIBackend over the C shim Sources/CMPI). The default build has no MPI.
let mpi = ProcessInfo.processInfo.environment["TESSERA_MPI"] == "1"
let mpiTargets: [Target] = mpi ? [
    .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"]), .brew(["open-mpi"])]),
    .target(name: "MPIBackend", dependencies: ["CMPI", "LinearAlgebra"]),
] : []

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
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
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
        // CSV reading and writing (RFC 4180, formula neutralising) on Unicode scalars; Foundation only.
        .target(name: "TabularText"),
        // Tessera's own C helpers (prefetch hints, JSON byte scan, CPU check): static inline functions.
        .target(name: "CTesseraKernels"),
        .target(name: "LinearAlgebra", dependencies: ["COpenBLAS", "CTesseraKernels"], swiftSettings: kernelSettings),
        .target(name: "ProfileLoading", dependencies: ["LinearAlgebra", "CZlib", "CTesseraKernels", "TabularText"]),
        .target(name: "AudienceGenerator", dependencies: ["LinearAlgebra"]),
        .target(name: "Clustering", dependencies: ["LinearAlgebra", "CTesseraKernels"], swiftSettings: kernelSettings),
        .target(name: "Factorization", dependencies: ["LinearAlgebra"], swiftSettings: kernelSettings),
        .target(name: "SegmentInsights", dependencies: ["LinearAlgebra"]),
        .target(name: "WallExport", dependencies: ["SegmentInsights", "ProfileLoading", "TabularText"]),
        .target(name: "Tessera", dependencies: ["LinearAlgebra", "ProfileLoading", "TabularText", "AudienceGenerator", "Clustering", "Factorization", "SegmentInsights", "WallExport",
                                              .product(name: "Crypto", package: "swift-crypto"),
                                              .product(name: "Yams", package: "Yams")],
                exclude: ["Pipeline/segments.schema.v1.json"]),
        .executableTarget(
            name: "TesseraCLI",
            dependencies: ["Tessera", .product(name: "ArgumentParser", package: "swift-argument-parser")] + (mpi ? ["MPIBackend"] : []),
            swiftSettings: mpi ? [.define("TESSERA_MPI")] : []
        ),
        .testTarget(name: "TabularTextTests", dependencies: ["TabularText"]),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra"]),
        // CZlib: the tests write gzip files (valid, truncated, multi-member) with zlib itself.
        .testTarget(name: "ProfileLoadingTests", dependencies: ["ProfileLoading", "CZlib"]),
        .testTarget(name: "AudienceGeneratorTests", dependencies: ["AudienceGenerator", "ProfileLoading"]),
        // Fixtures shared by the algorithm tests (planted audiences, NMI, a threaded Communicator).
        .target(name: "TesseraTestSupport", dependencies: ["LinearAlgebra", "ProfileLoading", "AudienceGenerator"],
                path: "Tests/TesseraTestSupport"),
        .testTarget(name: "ClusteringTests", dependencies: ["Clustering", "ProfileLoading", "TesseraTestSupport"]),
        .testTarget(name: "FactorizationTests", dependencies: ["Factorization", "ProfileLoading", "TesseraTestSupport"]),
        .testTarget(name: "SegmentInsightsTests", dependencies: ["SegmentInsights", "TesseraTestSupport"]),
        // Fixtures/vendor: the board vendors' API documents the exports are checked against (read by path).
        .testTarget(name: "WallExportTests", dependencies: ["WallExport", "SegmentInsights"], exclude: ["Fixtures"]),
        .testTarget(name: "TesseraTests", dependencies: ["Tessera", "TesseraTestSupport",
                                                    .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "TesseraCLITests", dependencies: ["Tessera", "TesseraTestSupport"]),
    ] + mpiTargets,
    swiftLanguageModes: [.v5]
)
