// swift-tools-version:6.2
import PackageDescription

// Times story grouping: `swift run -c release --package-path Benchmarks/StoryGroup` (or make bench).
let package = Package(
    name: "StoryGroupBenchmark",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "feedwatch", path: "../..")],
    targets: [
        .executableTarget(
            name: "story-group-bench",
            dependencies: [.product(name: "Stories", package: "feedwatch"), .product(name: "FeedwatchCore", package: "feedwatch")],
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
    ]
)
