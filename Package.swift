// swift-tools-version:6.2
import PackageDescription

/// Settings every target of ours shares: Swift 6 mode, warnings are errors, and imports that keep
/// the pipeline's layering honest (a module sees only what it imports, and re-exports nothing).
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .treatAllWarnings(as: .error),
]

/// The parse and match paths mutate buffers held by classes from inside libxml2 callbacks, millions of times
/// per document; run-time exclusivity checks cost ~4% there. Debug builds (and so every test run)
/// keep them, so a violation is still caught.
let hotPath: [SwiftSetting] = strict + [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "feedwatch",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "feedwatch", targets: ["feedwatch"]),
        // The web page, API and /metrics: a process of its own, which `serve` becomes and `run`
        // starts when `http:` is set, so no other command loads its libraries (BENCHMARKS.md).
        .executable(name: "feedwatch-web", targets: ["FeedwatchWeb"]),
        // For Benchmarks/TopicMatch, a separate package so that `make test` never builds it.
        .library(name: "TopicQuery", targets: ["TopicQuery"]),
        .library(name: "FeedwatchCore", targets: ["FeedwatchCore"]),
        // For Benchmarks/StoryGroup.
        .library(name: "Stories", targets: ["Stories"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
    ],
    targets: [
        // C libraries, through pkg-config. Nothing but headers and typed inline shims.
        .systemLibrary(
            name: "CXML2", pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]),
        // libcurl's headers (libcurl4-openssl-dev); the library itself is loaded on first use.
        // DWARF 4: Debian's valgrind, which the benchmarks use, cannot read clang's DWARF 5.
        .target(name: "CCurlLoader", cSettings: [.unsafeFlags(["-gdwarf-4"])], linkerSettings: [.linkedLibrary("dl")]),
        // HMAC-SHA256 from libcrypto (OpenSSL 3, which libcurl links), loaded on first use.
        .target(name: "CCryptoLoader", cSettings: [.unsafeFlags(["-gdwarf-4"])], linkerSettings: [.linkedLibrary("dl")]),

        // Pipeline stages, bottom up; each imports only what stands above it here.
        .target(name: "FeedwatchCore", swiftSettings: hotPath),
        .target(name: "Normalize", dependencies: ["CXML2", "FeedwatchCore"], swiftSettings: hotPath),
        .target(name: "HTTPTransport", dependencies: ["CCurlLoader", "FeedwatchCore"], swiftSettings: strict),
        // ICU (libicu-dev, which libxml2 already loads) behind one plain-C folding function.
        .target(name: "CTextFold", cSettings: [.unsafeFlags(["-gdwarf-4"])], linkerSettings: [.linkedLibrary("icuuc")]),
        // Snowball stemmers (libstemmer-dev) for topics with a `language`.
        .systemLibrary(name: "CStemmer", providers: [.apt(["libstemmer-dev"])]),
        .target(name: "TopicQuery", dependencies: ["CStemmer", "CTextFold", "FeedwatchCore"], swiftSettings: hotPath),
        .target(name: "FeedParse", dependencies: ["CXML2", "FeedwatchCore", "Normalize"], swiftSettings: hotPath),
        // libyaml (libyaml-dev), whose events the config reader composes into positioned nodes.
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        // SQLite (libsqlite3-dev) for the embedded store.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // When to poll each feed, and what a poll came to: the politeness rules as pure functions
        // of clock and outcome.
        .target(name: "Scheduler", dependencies: ["FeedwatchCore", "Normalize", "Store"], swiftSettings: strict),
        // Items reporting the same event, grouped online into stories (after classifying).
        .target(name: "Stories", dependencies: ["FeedwatchCore", "TopicQuery"], swiftSettings: hotPath),
        // One poll cycle end to end (fetch, parse, classify, group, store, alert).
        .target(
            name: "Poller",
            dependencies: ["Config", "FeedParse", "FeedwatchCore", "HTTPTransport", "Normalize", "Scheduler", "Stories", "Store", "TopicQuery",
                           .product(name: "CoreMetrics", package: "swift-metrics")],
            swiftSettings: strict),
        // Living under a service manager: sd_notify (by hand, no libsystemd) and log lines that
        // journald files under the right priority.
        .target(name: "Service", dependencies: [.product(name: "Logging", package: "swift-log")], swiftSettings: strict),
        // The last stage: alerts from the store to every sink, with retries and dead letters.
        .target(
            name: "AlertDelivery",
            dependencies: ["CCryptoLoader", "Config", "FeedwatchCore", "HTTPTransport", "Scheduler", "Store",
                           .product(name: "CoreMetrics", package: "swift-metrics")],
            swiftSettings: strict),
        // What Feedwatch remembers, as interfaces by client (feed queue, item ledger, outbox, read
        // models) and the records that cross them. No engine in it: the poller, delivery and
        // stories depend on this only.
        .target(name: "Store", dependencies: ["FeedwatchCore"], swiftSettings: strict),
        // The embedded engine behind those interfaces: one SQLite file.
        .target(name: "StoreSQLite", dependencies: ["CSQLite", "FeedwatchCore", "Store"], swiftSettings: strict),
        // libpq's headers (libpq-dev) to check the loader's prototypes; the library itself
        // (libpq5) is loaded on first use, so a command on an SQLite store maps none of it.
        .target(name: "CPostgresLoader", cSettings: [.unsafeFlags(["-gdwarf-4", "-I/usr/include/postgresql"])],
                linkerSettings: [.linkedLibrary("dl")]),
        // The engine a fleet shares: one PostgreSQL database, leases on feeds and sinks.
        .target(name: "StorePostgres", dependencies: ["CPostgresLoader", "FeedwatchCore", "Store"], swiftSettings: strict),
        // The YAML config, read into typed values; every error carries file, line and column.
        .target(name: "Config", dependencies: ["CXML2", "CYAML", "FeedwatchCore", "Normalize", "TopicQuery"], swiftSettings: strict),
        .executableTarget(
            name: "feedwatch",
            dependencies: [
                "AlertDelivery", "Config", "FeedwatchCore", "FeedParse", "HTTPTransport", "Normalize", "Poller", "Service", "Store", "StorePostgres", "StoreSQLite",
                "TopicQuery", "Web", .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "CoreMetrics", package: "swift-metrics"), .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict),
        // What the web page, the Atom feed, the API and /metrics show, as pure functions of plain
        // records (`WebDataSource`); knows no store engine (only the engine-free `Store` records) and no server library.
        .target(name: "Web", dependencies: ["FeedwatchCore", "Store", .product(name: "Prometheus", package: "swift-prometheus")], swiftSettings: strict),
        // TCP_INFO's byte counters (in <linux/tcp.h> only), for the web server's connection watch.
        .target(name: "CSocketInfo", cSettings: [.unsafeFlags(["-gdwarf-4"])]),
        // The `feedwatch-web` process: FlyingFox serving `Web`'s routes over the store.
        .executableTarget(
            name: "FeedwatchWeb",
            dependencies: [
                "AlertDelivery", "CSQLite", "CSocketInfo", "Config", "FeedwatchCore", "Service", "Store", "StorePostgres", "StoreSQLite", "Web",
                .product(name: "FlyingFox", package: "FlyingFox"), .product(name: "FlyingSocks", package: "FlyingFox"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict),

        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),
        // The in-memory store (and its fault-injecting wrapper) the poller and delivery tests run
        // on, and the conformance suite every store engine must pass.
        .target(name: "StoreTestSupport", dependencies: ["FeedwatchCore", "Store"], path: "Tests/StoreTestSupport", swiftSettings: strict),
        .testTarget(name: "FeedwatchCoreTests", dependencies: ["FeedwatchCore"], swiftSettings: strict),
        .testTarget(name: "PollerTests", dependencies: ["Poller", "Config", "FeedwatchCore", "Scheduler", "Stories", "Store", "StoreTestSupport", "TestSupport",
                                                   "TopicQuery"],
                    swiftSettings: strict),
        .testTarget(name: "AlertDeliveryTests", dependencies: ["AlertDelivery", "Config", "FeedwatchCore", "HTTPTransport", "Store", "StoreTestSupport"], swiftSettings: strict),
        .testTarget(name: "NormalizeTests", dependencies: ["Normalize", "FeedwatchCore", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "FeedParseTests", dependencies: ["FeedParse", "FeedwatchCore", "Normalize", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "FeedwatchCLITests", dependencies: ["feedwatch", "FeedwatchWeb", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "WebTests", dependencies: ["Web", "FeedwatchCore"], swiftSettings: strict),
        .testTarget(name: "HTTPTransportTests", dependencies: ["HTTPTransport", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "SchedulerTests", dependencies: ["Scheduler", "FeedwatchCore", "Store"], swiftSettings: strict),
        .testTarget(name: "StoreTests", dependencies: ["Store", "StorePostgres", "StoreSQLite", "StoreTestSupport", "CSQLite", "FeedwatchCore", "TestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "ConfigTests", dependencies: ["Config", "TopicQuery", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "StoriesTests", dependencies: ["Stories", "FeedwatchCore", "TestSupport", "TopicQuery"],
                    swiftSettings: strict),
        .testTarget(name: "TopicQueryTests", dependencies: ["TopicQuery", "FeedwatchCore", "TestSupport"], swiftSettings: strict),
    ]
)
