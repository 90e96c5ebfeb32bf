import AlertDelivery
import ArgumentParser
import Config
import FeedwatchCore
import Poller
import Store
import StorePostgres

/// `feedwatch once`: one poll cycle over the feeds that are due, alerts delivered, then exit —
/// for cron, and for trying a config.
struct Once: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Poll every feed that is due once, deliver the alerts, and exit.",
        discussion: "Exit status: 0 all polled, 2 some feeds failed (the rest were still processed), 78 bad config, 1 other failure.")

    @OptionGroup var config: ConfigOption

    @Flag(help: ArgumentHelp(
        "Poll every feed now, whatever its interval.",
        discussion: "Still never a feed that is gone (HTTP 410), backing off after failures, or whose host asked to wait (Retry-After): those are listed on stderr with the time they may be polled again."))
    var all = false

    func run() throws {
        let loaded = try config.load()
        let matcher = try loaded.matcher()
        for warning in loaded.warnings { Diagnostics.warning(warning) }
        try loaded.prepareDirectories(log: Diagnostics.note)
        let (store, lock) = try loaded.openStoreForWriting("once")
        let summary: PollCycle.Summary
        var idle: String?
        do {
            let sinks = Delivery.sinks(for: loaded)
            for abandoned in try Delivery.register(store, sinks: sinks).abandoned {
                Diagnostics.warning(Delivery.warning(abandoned, configured: sinks))
            }
            let node = loaded.node()
            summary = try PollCycle(config: loaded, store: store, matcher: matcher, stories: PollCycle.storyIndex(loaded.stories), node: node)
                .run(all: all)
            try Delivery.deliverPending(store, to: Run.delivered(sinks, loaded, node: node), lease: Lease(node: node, seconds: 60),
                                        log: { Diagnostics.warning($0) })
            try Delivery.prune(store, config: loaded, now: Timestamp.now())
            if summary.polled == 0 && summary.interrupted == 0 {
                // Nothing was due: say so and when something will be, so `once` never looks idle for no reason.
                let now = Timestamp.now().secondsSince1970
                let pending = try Delivery.report(store, sinks: sinks).reduce(0) { $0 + $1.pending }
                idle = "nothing due: " + CycleReport.heartbeat(feeds: try store.feedCounts().feeds,
                                                               nextPollIn: try store.nextDue().map { $0.secondsSince1970 - now },
                                                               pending: pending, dead: 0)
                    + (all ? "" : " (`feedwatch once --all` polls every feed now)")
            }
        } catch {
            Diagnostics.error("\(error)")
            throw ExitCode.failure
        }
        withExtendedLifetime(lock) {}
        let names = loaded.feedNames
        for skip in summary.skipped { Diagnostics.warning("skipped \(CycleReport.feed(skip.url, names: names)): \(skip.reason)") }
        for (url, error) in summary.failures { Diagnostics.warning("\(CycleReport.feed(url, names: names)): \(error)") }
        for move in summary.moves { Diagnostics.note(CycleReport.move(move, names: names)) }
        // One line, always: a `once` that found nothing still says what it did.
        Diagnostics.note(idle ?? CycleReport.line(summary))
        // In a fleet: what serializing story placement cost this node, as `run` logs it per cycle.
        if let waited = (store as? PostgresStore)?.placementWaitSeconds, waited >= 0.01 {
            Diagnostics.note("\(Int(waited * 1000)) ms waiting for other nodes' story placement")
        }
        if !summary.failures.isEmpty { throw ExitCode(2) }
    }
}
