import AlertDelivery
import ArgumentParser
import Config
import FeedwatchCore
import Poller
import Store

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
        let (store, lock) = try loaded.openStoreForWriting("once")
        let summary: PollCycle.Summary
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
        } catch {
            Diagnostics.error("\(error)")
            throw ExitCode.failure
        }
        withExtendedLifetime(lock) {}
        for skip in summary.skipped { Diagnostics.warning("skipped \(skip.url): \(skip.reason)") }
        for (url, error) in summary.failures { Diagnostics.warning("\(url): \(error)") }
        if !summary.failures.isEmpty { throw ExitCode(2) }
    }
}
