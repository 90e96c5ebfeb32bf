import AlertDelivery
import ArgumentParser
import Config
import FeedwatchCore
import Glibc
import Logging
import Poller
import Service
import Store
import StorePostgres
import TopicQuery

/// `feedwatch run`: the daemon. Polls what is due, delivers alerts, then sleeps until the next
/// feed or delivery retry is due (an idle daemon uses no CPU) or a signal comes: SIGTERM/SIGINT
/// stop it cleanly (transfers in flight get a few seconds, what finished is committed), SIGHUP
/// re-reads the config (a broken one keeps the old running). Under systemd it speaks sd_notify:
/// READY once the config is loaded and the store migrated, STATUS after every cycle, WATCHDOG
/// while the store answers, RELOADING/READY around a reload, STOPPING on the way out.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the daemon: poll feeds as they fall due until SIGTERM or SIGINT.",
        discussion: "SIGHUP reloads the config. Exit status: 0 clean stop, 78 bad config, 1 other fatal error.")

    @OptionGroup var config: ConfigOption

    func run() throws {
        // Signals are taken synchronously, with sigtimedwait, between cycles: the poll in progress
        // finishes and is committed before a stop; nothing runs in a signal handler. The mask is
        // set before the delivery thread starts, which inherits it.
        var signals = sigset_t()
        sigemptyset(&signals)
        for s in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&signals, s) }
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        signal(SIGPIPE, SIG_IGN)
        let environment = Self.environment()
        DaemonLogHandler.bootstrap(environment: environment)
        let notifier = SystemdNotifier(environment: environment)

        var loaded = try config.loadForServing()
        var matcher = try loaded.matcher()
        for warning in loaded.warnings { Log.warning(warning) }
        try loaded.prepareDirectories(log: { Log.info($0) })
        var (store, lock) = try loaded.openStoreForWriting("run")
        defer { withExtendedLifetime(lock) {} }  // held until the process ends
        // A stop lets a delivery in flight finish within the grace transfers get, no longer.
        let stopSignal = StopSignal()
        let stop = StopGrace(stopRequested: { stopSignal.isRaised || Self.stopPending() })
        var sinks = Delivery.sinks(for: loaded, stop: stop)
        // Every configured sink has its place in the queue from now on, before anything is polled.
        do {
            for abandoned in try Delivery.register(store, sinks: sinks).abandoned {
                Log.warning(Delivery.warning(abandoned, configured: sinks))
            }
        } catch {
            Diagnostics.error("cannot register the sinks in the store: \(error)")
            throw ExitCode.failure
        }
        // The web page, API and /metrics, in a process of its own, when `http:` is set.
        let metrics = DaemonMetrics(loaded)
        defer { metrics?.stop() }
        // In a fleet (a PostgreSQL store) this node's name goes on its leases; its delivery
        // thread also looks for alerts other nodes stored, every few seconds, and leaves sinks
        // pinned to another node alone.
        let node = loaded.node()
        let fleet = loaded.postgresURI != nil
        // Delivery runs on its own thread, over its own connection to the store.
        let delivery: DeliveryWorker
        do {
            delivery = try DeliveryWorker(store: try loaded.openStore(), sinks: Self.delivered(sinks, loaded, node: node), stopSignal: stopSignal,
                                          grace: stop, lease: Lease(node: node, seconds: loaded.poll.timeout + 30), idleRound: fleet ? 2 : nil,
                                          warning: { Log.warning($0) }, error: { Log.error($0) }, afterRound: { metrics?.publish() })
        } catch {
            Diagnostics.error("cannot start delivery: \(error)")
            throw ExitCode.failure
        }
        defer { delivery.stop() }
        Log.info("started: \(CycleReport.count(loaded.feeds.count, "feed")), \(CycleReport.count(loaded.topics.count, "topic")), store \(loaded.storeName)" + (fleet ? ", node \(node)" : ""))
        Log.info("alerts go to: \(CycleReport.destinations(loaded.sinks))")
        notifier.notify("READY=1", "STATUS=started, \(loaded.feeds.count) feeds")

        // The stories of the last days, held across cycles (filled from the store in the first).
        var stories = PollCycle.storyIndex(loaded.stories)
        var lastPrune: Int64 = 0
        // When an info line last said something: an idle daemon says it is alive every 15 minutes.
        var lastSaid = Monotonic.seconds()
        var firstCycle = true  // whatever it found, the first cycle says when the next poll is
        var placementWait = 0.0
        var lastWatchdog = 0.0
        // Keep-alives, only while the store answers this thread and the delivery thread is not
        // stuck: a daemon stuck on its database is restarted.
        func watchdog(force: Bool = false) {
            guard let interval = notifier.watchdogInterval else { return }
            let now = Monotonic.seconds()
            guard force || now - lastWatchdog >= interval * 0.9 else { return }
            do {
                _ = try store.nextDue()
            } catch {
                return Log.warning("the store does not answer (\(error)): no watchdog keep-alive")
            }
            guard delivery.isHealthy(budget: 2 * interval) else {
                return Log.warning("delivery has made no progress for \(Int(2 * interval)) s: no watchdog keep-alive")
            }
            notifier.notify("WATCHDOG=1")
            lastWatchdog = now
        }
        var reloadProblem: String?
        while true {
            do {
                let summary = try PollCycle(config: loaded, store: store, matcher: matcher, stories: stories, node: node, stopRequested: Self.stopPending,
                                            progress: { watchdog() }).run(all: false)
                if summary.newAlerts > 0 { delivery.wake() }
                let now = Timestamp.now()
                if now.secondsSince1970 - lastPrune >= 3_600 {  // retention, hourly
                    try Delivery.prune(store, config: loaded, now: now)
                    lastPrune = now.secondsSince1970
                }
                // In a fleet: how long this cycle waited for other nodes' story placement.
                let waited = (store as? PostgresStore).map { $0.placementWaitSeconds - placementWait } ?? 0
                placementWait += waited
                if waited >= 0.01 { Log.info("\(Int(waited * 1000)) ms waiting for other nodes' story placement") }
                // A store that does not answer here is this cycle's error, logged below with its cause.
                let nextIn = try store.nextDue().map { $0.secondsSince1970 - Timestamp.now().secondsSince1970 }
                if CycleReport.isNews(summary) {
                    Log.info(CycleReport.line(summary) + "; " + CycleReport.nextPoll(nextIn))
                    lastSaid = Monotonic.seconds()
                } else {
                    if summary.polled > 0 { Log.debug(CycleReport.line(summary)) }
                    if firstCycle || Monotonic.seconds() - lastSaid >= CycleReport.heartbeatSeconds {
                        let pending = try Delivery.report(store, sinks: sinks).reduce(0) { $0 + $1.pending }
                        let dead = try store.deadLetters(sink: nil).filter { !$0.requeued }.count
                        Log.info(CycleReport.heartbeat(feeds: loaded.feeds.count, nextPollIn: nextIn, pending: pending, dead: dead))
                        lastSaid = Monotonic.seconds()
                    }
                }
                firstCycle = false
                for move in summary.moves { Log.info(CycleReport.move(move, names: loaded.feedNames)) }
                for (url, error) in summary.failures { Log.warning("\(CycleReport.feed(url, names: loaded.feedNames)): \(error)", ["feed.url": "\(url)"]) }
                metrics?.publish()
                notifier.notify("STATUS=" + Self.status(store: store, sinks: sinks) + (reloadProblem.map { "; \($0)" } ?? ""))
            } catch {
                Log.error("\(error)")
                notifier.notify("STATUS=error: \(error)")
            }
            watchdog()

            // Sleep until the next feed is due (at most an hour, so a clock change is noticed),
            // waking for the watchdog in between. Delivery keeps its own time on its own thread.
            let now = Timestamp.now().secondsSince1970
            var next = now + 3_600
            do {
                if let due = try store.nextDue() { next = min(next, due.secondsSince1970) }
            } catch {
                // The store is away (a database server restarting, a disk full): try again within
                // a minute, or the feeds' interval when that is shorter — the next cycle finds it
                // back (a dropped PostgreSQL connection is opened again) and nothing waits longer
                // than it would have.
                let retry = min(60, max(1, loaded.poll.interval))
                Log.warning("cannot read when the next feed is due (\(error)); trying again in \(retry) s")
                next = now + Int64(retry)
            }
            var wait = Double(max(1, next - now))
            if let interval = notifier.watchdogInterval { wait = min(wait, max(0.1, interval - (Monotonic.seconds() - lastWatchdog))) }
            var timeout = timespec(tv_sec: Int(wait), tv_nsec: Int((wait - wait.rounded(.down)) * 1e9))
            let got = sigtimedwait(&signals, nil, &timeout)
            switch got {
            case SIGTERM, SIGINT:
                notifier.notify("STOPPING=1", "STATUS=stopping")
                Log.info("stopping on \(got == SIGTERM ? "SIGTERM" : "SIGINT")")
                delivery.stop()  // the delivery in flight gets the grace period, then what is left stays pending
                return
            case SIGHUP:
                notifier.notify("RELOADING=1", "MONOTONIC_USEC=\(SystemdNotifier.monotonicMicroseconds())", "STATUS=reloading")
                do {
                    let fresh = try config.loadQuietly()
                    matcher = try fresh.matcher()
                    for made in try WrittenPaths.prepare(fresh, storePath: fresh.storePath) { Log.info(made) }
                    let newStore = fresh.storePath != loaded.storePath
                    if newStore { (store, lock) = try fresh.openStoreForWriting("run") }
                    if newStore || fresh.stories != loaded.stories { stories = PollCycle.storyIndex(fresh.stories) }
                    loaded = fresh
                    sinks = Delivery.sinks(for: loaded, stop: stop)  // files are opened afresh: rotation is picked up
                    // A sink the new config adds starts here; one it drops (or renames) is said.
                    for abandoned in try Delivery.register(store, sinks: sinks).abandoned {
                        Log.warning(Delivery.warning(abandoned, configured: sinks))
                    }
                    // The delivery thread gets its own connection and its own sink objects.
                    delivery.replace(store: try loaded.openStore(), sinks: Self.delivered(Delivery.sinks(for: loaded, stop: stop), loaded, node: node))
                    reloadProblem = nil
                    metrics?.reload(loaded)
                    Log.info("reloaded \(loaded.file): \(CycleReport.count(loaded.feeds.count, "feed")), \(CycleReport.count(loaded.topics.count, "topic"))")
                } catch {
                    reloadProblem = "reload failed, running the previous config: \(error)"
                    Log.error("reload failed, keeping the running config: \(error)")
                }
                notifier.notify("READY=1", "STATUS=" + (reloadProblem ?? "reloaded, \(loaded.feeds.count) feeds"))
                watchdog(force: true)
            default:
                watchdog()  // a timeout: something is due, or the watchdog
            }
        }
    }

    /// The sinks this node delivers: all but those pinned (`node:`) to another node.
    static func delivered(_ sinks: [AlertSink], _ config: Config, node: String) -> [AlertSink] {
        zip(sinks, config.sinks).filter { $0.1.node == nil || $0.1.node == node }.map(\.0)
    }

    /// "polling 240 feeds, 3 failing, outbox 0": what `systemctl status` shows.
    private static func status(store: FeedStore, sinks: [AlertSink]) -> String {
        do {
            let (feeds, failing) = try store.feedCounts()
            let pending = try Delivery.report(store, sinks: sinks).reduce(0) { $0 + $1.pending }
            let dead = try store.deadLetters(sink: nil).filter { !$0.requeued }.count
            return "polling \(feeds) feeds, \(failing) failing, outbox \(pending)" + (dead > 0 ? ", \(dead) dead-lettered" : "")
        } catch {
            Log.warning("cannot read the status from the store: \(error)")
            return "the store does not answer: \(error)"
        }
    }

    private static func environment() -> [String: String] {
        var out: [String: String] = [:]
        var e = environ
        while let entry = e.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") { out[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
            e += 1
        }
        return out
    }


    /// Whether SIGTERM or SIGINT is waiting (they are blocked, so they wait until taken).
    private static func stopPending() -> Bool {
        var pending = sigset_t()
        sigpending(&pending)
        return sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1
    }
}

/// The daemon's log, through swift-log (`DaemonLogHandler`: journald priorities under systemd).
enum Log {
    private static let logger = Logger(label: "feedwatch")
    static func debug(_ message: String, _ metadata: Logger.Metadata? = nil) { logger.debug("\(message)", metadata: metadata) }
    static func info(_ message: String, _ metadata: Logger.Metadata? = nil) { logger.info("\(message)", metadata: metadata) }
    static func warning(_ message: String, _ metadata: Logger.Metadata? = nil) { logger.warning("\(message)", metadata: metadata) }
    static func error(_ message: String, _ metadata: Logger.Metadata? = nil) { logger.error("\(message)", metadata: metadata) }
}
