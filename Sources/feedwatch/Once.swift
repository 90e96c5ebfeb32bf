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

    @Flag(help: "Poll every feed now, whatever its interval (never one that is gone or backing off after failures).")
    var all = false

    func run() throws {
        let loaded = try config.load()
        let matcher = try loaded.matcher()
        let store = try loaded.openStore()
        let summary: PollCycle.Summary
        do {
            let start = try store.lastAlertPosition()
            summary = try PollCycle(config: loaded, store: store, matcher: matcher, stories: PollCycle.storyIndex(loaded.stories)).run(all: all)
            try Delivery.deliverPending(store, to: Delivery.sinks(for: loaded), newSinksFrom: start, log: { Diagnostics.warning($0) })
            try Delivery.prune(store, config: loaded, now: Timestamp.now())
        } catch {
            Diagnostics.error("\(error)")
            throw ExitCode.failure
        }
        for (url, error) in summary.failures { Diagnostics.warning("\(url): \(error)") }
        if !summary.failures.isEmpty { throw ExitCode(2) }
    }
}
