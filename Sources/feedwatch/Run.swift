import AlertDelivery
import ArgumentParser
import Config
import FeedwatchCore
import Glibc
import Poller
import Store
import TopicQuery

/// `feedwatch run`: the daemon. Polls what is due, delivers alerts, then sleeps until the next
/// feed is due (an idle daemon uses no CPU) or a signal comes: SIGTERM/SIGINT stop it cleanly
/// (transfers in flight get a few seconds, what finished is committed), SIGHUP re-reads the
/// config (a broken one keeps the old running).
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the daemon: poll feeds as they fall due until SIGTERM or SIGINT.",
        discussion: "SIGHUP reloads the config. Exit status: 0 clean stop, 78 bad config, 1 other fatal error.")

    @OptionGroup var config: ConfigOption

    func run() throws {
        // Signals are taken synchronously, with sigtimedwait, between cycles: the poll in progress
        // finishes and is committed before a stop; nothing runs in a signal handler.
        var signals = sigset_t()
        sigemptyset(&signals)
        for s in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&signals, s) }
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        signal(SIGPIPE, SIG_IGN)

        var loaded = try config.load()
        var matcher = try loaded.matcher()
        var store = try loaded.openStore()
        Log.info("started: \(loaded.feeds.count) feeds, \(loaded.topics.count) topics, store \(loaded.statePath(stateDirectory: getenv("STATE_DIRECTORY").map { String(cString: $0) }))")

        var sinks = Delivery.sinks(for: loaded)
        var lastPrune: Int64 = 0
        // Sinks first seen now (or added by a reload) start from here, not from the history.
        var newSinksFrom = (try? store.lastAlertPosition()) ?? 0
        while true {
            do {
                let summary = try PollCycle(config: loaded, store: store, matcher: matcher, stopRequested: Self.stopPending).run(all: false)
                try Delivery.deliverPending(store, to: sinks, newSinksFrom: newSinksFrom, log: Log.warning)
                let now = PollCycle.wallClock()
                if now.secondsSince1970 - lastPrune >= 3_600 {  // retention, hourly
                    try Delivery.prune(store, config: loaded, now: now)
                    lastPrune = now.secondsSince1970
                }
                if summary.polled > 0 || summary.interrupted > 0 {
                    Log.info("polled \(summary.polled) feeds: \(summary.newItems) new items, \(summary.newAlerts) alerts, \(summary.failures.count) failed"
                        + (summary.interrupted > 0 ? ", \(summary.interrupted) cut short by the stop (still due)" : ""))
                }
                for (url, error) in summary.failures { Log.warning("\(url): \(error)") }
            } catch {
                Log.error("\(error)")
            }

            // Sleep until the next feed is due or a delivery is to be retried (at most an hour, so a
            // clock change is noticed).
            let now = PollCycle.wallClock().secondsSince1970
            let feedDue = (try? store.nextDue())??.secondsSince1970 ?? (now + 3_600)
            let next = min(feedDue, (try? Delivery.nextAttempt(store, sinks: sinks))??.secondsSince1970 ?? feedDue)
            var timeout = timespec(tv_sec: Int(max(1, min(3_600, next - now))), tv_nsec: 0)
            let got = sigtimedwait(&signals, nil, &timeout)
            switch got {
            case SIGTERM, SIGINT:
                Log.info("stopping on \(got == SIGTERM ? "SIGTERM" : "SIGINT")")
                return
            case SIGHUP:
                do {
                    let fresh = try config.loadQuietly()
                    matcher = try fresh.matcher()
                    if fresh.statePath(stateDirectory: nil) != loaded.statePath(stateDirectory: nil) { store = try fresh.openStore() }
                    loaded = fresh
                    sinks = Delivery.sinks(for: loaded)  // files are opened afresh: rotation is picked up
                    newSinksFrom = (try? store.lastAlertPosition()) ?? newSinksFrom
                    Log.info("reloaded \(loaded.file): \(loaded.feeds.count) feeds, \(loaded.topics.count) topics")
                } catch {
                    Log.error("reload failed, keeping the running config: \(error)")
                }
            default:
                break  // timeout: something is due
            }
        }
    }

    /// Whether SIGTERM or SIGINT is waiting (they are blocked, so they wait until taken).
    private static func stopPending() -> Bool {
        var pending = sigset_t()
        sigpending(&pending)
        return sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1
    }
}

/// The daemon's log lines on stderr, with a level, so journald and people can both read them.
enum Log {
    static func info(_ message: String) { Diagnostics.raw("feedwatch: \(message)\n") }
    static func warning(_ message: String) { Diagnostics.warning(message) }
    static func error(_ message: String) { Diagnostics.error(message) }
}
