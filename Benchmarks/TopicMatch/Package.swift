// swift-tools-version:6.2
import PackageDescription

// Times TopicMatcher: `swift run -c release --package-path Benchmarks/TopicMatch` (or make bench).
let package = Package(
    name: "TopicMatchBenchmark",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "feedwatch", path: "../..")],
    targets: [
        .executableTarget(
            name: "topic-match-bench",
            dependencies: [.product(name: "TopicQuery", package: "feedwatch"), .product(name: "FeedwatchCore", package: "feedwatch")],
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
    ]
)
