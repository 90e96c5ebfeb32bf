public import FeedwatchCore
public import Prometheus

/// `/metrics`: the process's own counters (fetches, items, alerts, deliveries, cycle time —
/// whatever swift-metrics recorded in `registry`) followed by the store's figures, read at scrape
/// time into a registry of their own — so `serve`, which polls nothing, still reports how many
/// feeds fail and what waits in the outbox, and a sink that left the config leaves no stale series.
public struct MetricsExposition: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// The daemon's own counters, as exposition text, when this server runs beside `feedwatch run`.
    public let parent: (@Sendable () -> [UInt8])?

    /// `startTime`: seconds since 1970 when the process started.
    public init(registry: PrometheusCollectorRegistry, startTime: Double, parent: (@Sendable () -> [UInt8])? = nil) {
        self.registry = registry
        self.parent = parent
        Self.gauge(registry, "process_start_time", unit: "seconds", "When the process started, in seconds since 1970.").set(to: startTime)
        Self.gauge(registry, "build", unit: "info", "Always 1; the version of the running binary is its label.",
                   labels: [("version", FeedwatchVersion.string)]).set(to: 1)
    }

    public func text(_ source: any WebDataSource, now: Timestamp) throws -> [UInt8] {
        let figures = try source.figures(now: now)
        let sinks = try source.outbox()
        var out = registry.emitToBuffer()
        if let parent { out += parent() }
        out += Self.storeFigures(figures, sinks: sinks)
        return out
    }

    /// The store's figures as exposition text (a fresh registry each scrape).
    public static func storeFigures(_ f: StoreFigures, sinks: [WebSink]) -> [UInt8] {
        let r = PrometheusCollectorRegistry()
        for health in WebFeed.Health.allCases {
            gauge(r, "feeds", "Configured feeds by health: ok, failing, gone (HTTP 410), never_polled.", labels: [("health", health.rawValue)])
                .set(to: Double(f.feeds[health] ?? 0))
        }
        gauge(r, "store_items", "Items stored (their dedupe keys outlive their text).").set(to: Double(f.items))
        gauge(r, "store_alerts", "Alerts stored.").set(to: Double(f.alerts))
        gauge(r, "stories_open", "Stories within the grouping window, which can still grow.").set(to: Double(f.storiesOpen))
        gauge(r, "store_size", unit: "bytes", "Size of the store on disk (database and write-ahead log).").set(to: Double(f.sizeBytes))
        for s in sinks {
            gauge(r, "outbox_pending", "Alerts a sink has still to take.", labels: [("sink", s.name)]).set(to: Double(s.pending))
            gauge(r, "outbox_dead", "Deliveries given up on (dead letters) per sink.", labels: [("sink", s.name)]).set(to: Double(s.dead))
        }
        return r.emitToBuffer()
    }

    /// `feedwatch_NAME[_UNIT]`.
    static func gauge(_ r: PrometheusCollectorRegistry, _ name: String, unit: String = "", _ help: String,
                      labels: [(String, String)] = []) -> Gauge {
        r.makeGauge(descriptor: MetricNameDescriptor(namespace: "feedwatch", metricName: name, unitName: unit, helpText: help), labels: labels)
    }
}
