import Config
import CoreMetrics
import Prometheus
import Synchronization

/// The daemon's counters of work done (`PollTelemetry`, `DeliveryTelemetry`) collected in a
/// Prometheus registry, and the `feedwatch-web` process that shows them — only when `http:` is
/// set; without it swift-metrics stays a no-op and no server process exists.
///
/// Both of the daemon's threads publish (the poller after a cycle, delivery after a round), so
/// the web process and what is sent to it are behind a lock.
final class DaemonMetrics: @unchecked Sendable {
    private let registry: PrometheusCollectorRegistry
    private var web: WebProcess?  // guarded by `lock`
    private var configFile: String  // guarded by `lock`
    private let lock = Mutex(())

    /// Routes swift-metrics to a registry (once per process) and starts the web process.
    init?(_ config: Config) {
        guard config.http != nil else { return nil }
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.valueHistogramBuckets["feedwatch_fetch_size_bytes"] = [1_024, 4_096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216]
        factory.durationHistogramBuckets["feedwatch_cycle_duration_seconds"] =
            [.milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(15), .seconds(30), .seconds(60), .seconds(300)]
        MetricsSystem.bootstrap(factory)
        configFile = config.file
        start()
    }

    private func start() {
        do {
            web = try WebProcess(configFile: configFile)
        } catch {
            Log.error("the web page is not served: \(error)")
        }
    }

    /// After a cycle or a delivery round: the counters to the web process, which is started
    /// again if it died.
    func publish() {
        lock.withLock { _ in publishLocked() }
    }

    private func publishLocked() {
        if let web, !web.isRunning {
            Log.warning("feedwatch-web (pid \(web.pid)) stopped; starting it again")
            self.web = nil
            start()
        }
        web?.send(registry)
    }

    /// A reload: the web process restarts on the new config (a changed `http:` or store).
    func reload(_ config: Config) {
        lock.withLock { _ in
            web?.stop()
            web = nil
            configFile = config.file
            if config.http != nil { start() }
            publishLocked()
        }
    }

    func stop() {
        lock.withLock { _ in
            web?.stop()
            web = nil
        }
    }
}
