import CoreMetrics

/// Deliveries per sink by outcome (`delivered`, `failed`, `dead`) and how long a sink took,
/// through swift-metrics (a no-op unless `run` has `http:`).
enum DeliveryTelemetry {
    static func attempt(sink: String, outcome: String, alerts: Int, seconds: Double) {
        Counter(label: "feedwatch_deliveries_total", dimensions: [("sink", sink), ("outcome", outcome)]).increment(by: alerts)
        Timer(label: "feedwatch_delivery_duration_seconds", dimensions: [("sink", sink)]).recordNanoseconds(Int64(seconds * 1e9))
    }
}

extension DeliveryTelemetry {
    /// Given up on: dead-lettered.
    static func dead(sink: String, alerts: Int) {
        Counter(label: "feedwatch_deliveries_total", dimensions: [("sink", sink), ("outcome", "dead")]).increment(by: alerts)
    }
}
