import Config
import FeedwatchCore
import Glibc
import Logging
import Prometheus
import Service
import StorePostgres
import Web

// `feedwatch-web --config PATH [--parent-metrics]`: the web page, API and /metrics of the config's
// `http:` section, over its store. `feedwatch serve` becomes this process (exec); `feedwatch run`
// starts it beside itself with `--parent-metrics`, then writes snapshots of its own counters to
// this process's standard input, and this process exits when that input closes — so it never
// outlives the daemon, even a `kill -9`ed one.
//
// A process of its own because its libraries (FlyingFox, and the full Foundation with libcurl
// that FlyingFox links) would otherwise load in every command: `parse` alone would grow by
// megabytes (BENCHMARKS.md). It also means no request can ever delay a poll or a delivery.

// A read-only server has nothing to finish: SIGTERM and SIGINT end it at once (`_exit` is safe in a
// handler), whichever thread takes them. SIGHUP is ignored: `run` restarts this process on a reload.
signal(SIGTERM) { _ in _exit(0) }
signal(SIGINT) { _ in _exit(0) }
signal(SIGHUP, SIG_IGN)
signal(SIGPIPE, SIG_IGN)

// Room for `ConnectionBudget.maxConnections` and a burst above it between two of
// `ConnectionWatch`'s passes: the soft limit on descriptors is often 1,024, the hard one far higher.
var descriptors = rlimit()
if getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &descriptors) == 0, descriptors.rlim_cur < min(descriptors.rlim_max, 16_384) {
    descriptors.rlim_cur = min(descriptors.rlim_max, 16_384)
    _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &descriptors)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 2, arguments[0] == "--config" else {
    printError("usage: feedwatch-web --config PATH [--parent-metrics] (normally started by `feedwatch serve` or `feedwatch run`)")
    exit(64)
}
let withParent = arguments.dropFirst(2).contains("--parent-metrics")
var environment: [String: String] = [:]
if let level = getenv("FEEDWATCH_LOG_LEVEL") { environment["FEEDWATCH_LOG_LEVEL"] = String(cString: level) }
if let stream = getenv("JOURNAL_STREAM") { environment["JOURNAL_STREAM"] = String(cString: stream) }
DaemonLogHandler.bootstrap(environment: environment)
let log = Logger(label: "feedwatch.web")

let config: Config
do {
    config = try ConfigLoader.load(path: arguments[1])
} catch {
    for e in error.errors { printError("\(e.file):\(e.line ?? 0):\(e.column ?? 0): error: \(e.message)") }
    exit(78)
}
guard let http = config.http else {
    printError("feedwatch: \(config.file) has no http: section (for example `http: {listen: 127.0.0.1:9464}`)")
    exit(78)
}
if let missing = http.missingToken {
    printError("\(missing.file):\(missing.line ?? 0):\(missing.column ?? 0): error: \(missing.message)")
    exit(78)
}

let registry = PrometheusCollectorRegistry()
let parent = ParentMetrics()
let daemonCounters = withParent ? parent.reader : nil
let exposition = MetricsExposition(registry: registry, startTime: Double(Timestamp.now().secondsSince1970), parent: daemonCounters)
let source = WebStoreAdapter(config: config)
let routes = WebRoutes(source: source, token: http.token, metrics: exposition)
let server: WebServer
do {
    server = try await WebServer.start(settings: http, routes: routes, log: log)
} catch {
    log.error("cannot listen on \(http.host):\(http.port): \(error)")
    exit(1)
}
// FlyingFox bounds no request's size or time, nor an idle connection's: this does (ConnectionBudget).
let watch: WorkerThread
do {
    watch = try ConnectionWatch.start(port: server.port, log: log)
} catch {
    log.error("\(error)")
    exit(1)
}
log.info("serving http://\(http.host.contains(":") ? "[\(http.host)]" : http.host):\(server.port)/ (store \(config.postgresURI.map(PostgresStore.redacted) ?? storePath(config)))")

if withParent {
    // The daemon's counters arrive on standard input; its end is ours.
    do {
        _ = try WorkerThread {
            parent.read(fd: 0)
            log.info("feedwatch run has gone: stopping")
            exit(0)
        }
    } catch {
        log.error("\(error)")
        exit(1)
    }
}
while true { pause() }  // the server's own threads do the work

/// A line on standard error (before logging is set up, or instead of it).
func printError(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

/// The store's path, as `feedwatch` opens it (systemd's state directory when `state` is unset).
func storePath(_ config: Config) -> String {
    config.statePath(stateDirectory: getenv("STATE_DIRECTORY").map { String(cString: $0) })
}
