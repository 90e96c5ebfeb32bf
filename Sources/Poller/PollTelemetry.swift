import CoreMetrics
import HTTPTransport

/// The poller's counters of work done, through swift-metrics: nothing unless the process
/// bootstrapped a metrics backend (`run` with `http:`), so other commands pay a no-op call.
/// Names follow Prometheus conventions; `README.md` lists them.
enum PollTelemetry {
    /// One transfer's end: outcome (`ok`, `not_modified`, `not_a_feed`, `gone`, `error`), status class, time and size.
    static func fetched(_ r: FetchResponse, parsedOK: Bool?, bytes: Int) {
        let outcome = r.error != nil ? "error" : r.status == 304 ? "not_modified" : r.status == 410 ? "gone"
            : (200..<300).contains(r.status) ? (parsedOK == true ? "ok" : "not_a_feed") : "error"
        let statusClass = r.status >= 100 && r.status < 600 ? "\(r.status / 100)xx" : "none"
        Counter(label: "feedwatch_fetches_total", dimensions: [("outcome", outcome), ("status_class", statusClass)]).increment()
        if let seconds = r.seconds { Timer(label: "feedwatch_fetch_duration_seconds").recordNanoseconds(Int64(seconds * 1e9)) }
        Recorder(label: "feedwatch_fetch_size_bytes").record(bytes)
    }

    /// A document's items: how many the parser gave, how many were new to the store.
    static func items(parsed: Int, stored: Int) {
        Counter(label: "feedwatch_items_parsed_total").increment(by: parsed)
        Counter(label: "feedwatch_items_stored_total").increment(by: stored)
    }

    static func alert(topics: [String]) {
        for topic in topics { Counter(label: "feedwatch_alerts_total", dimensions: [("topic", topic)]).increment() }
    }

    static func cycle(seconds: Double) {
        Timer(label: "feedwatch_cycle_duration_seconds").recordNanoseconds(Int64(seconds * 1e9))
    }
}
