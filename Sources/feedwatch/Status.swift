import ArgumentParser
import Config
import FeedwatchCore
import Store

/// `feedwatch status`: each configured feed's health, from the store.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show each feed's health: last fetch, HTTP status, errors in a row, next poll, items seen.")

    @OptionGroup var config: ConfigOption

    @Flag(help: "JSON Lines, one feed per line.")
    var json = false

    func run() throws {
        let loaded = try config.load()
        let store = try loaded.openStore()
        let names = loaded.feedNames
        let feeds: [FeedRecord]
        let holders: [Int64: String]
        do {
            feeds = try store.allFeeds()
            holders = try store.feedHolders()
        } catch {
            Diagnostics.error("\(error)")
            throw ExitCode.failure
        }
        if json {
            for f in feeds {
                var w = JSONWriter(pretty: false)
                w.beginObject()
                w.field("url", f.url)
                w.field("name", names[f.url])
                w.field("current_url", f.currentURL)
                w.field("last_fetch", f.lastFetchAt?.rfc3339)
                w.field("status", f.lastStatus.map(Int64.init))
                w.field("error", f.lastError)
                w.field("errors_in_row", Int64(f.errorsInRow))
                w.field("next_poll", f.gone ? nil : f.nextDueAt.rfc3339)
                w.field("gone", bool: f.gone)
                w.field("items_seen", Int64(f.itemsSeen))
                w.field("node", holders[f.id])  // the fleet node fetching it now; null when none (or one process's store)
                w.endObject()
                StandardOutput.write(w.bytes + Array("\n".utf8))
            }
            return
        }
        var out = ""
        for f in feeds {
            let state = f.gone ? "gone" : f.lastFetchAt == nil ? "never polled" : f.errorsInRow > 0 ? "failing (\(f.errorsInRow) in a row)" : "ok"
            out += "\(names[f.url].map { "\($0)  " } ?? "")\(f.url)\n"
            out += "    \(state)"
            if let at = f.lastFetchAt { out += " · last fetch \(at.rfc3339)" + (f.lastStatus.map { " (HTTP \($0))" } ?? "") }
            if !f.gone { out += " · next poll \(f.nextDueAt.rfc3339)" }
            out += " · \(f.itemsSeen) item\(f.itemsSeen == 1 ? "" : "s") seen\n"
            if let error = f.lastError, f.errorsInRow > 0 || f.gone { out += "    error: \(error)\n" }
            if f.currentURL != f.url { out += "    moved to \(f.currentURL)\n" }
            if let node = holders[f.id] { out += "    being fetched by node \(node)\n" }
        }
        if feeds.isEmpty { out = "no feeds in the store yet: run `feedwatch once` first\n" }
        StandardOutput.write(Array(out.utf8))
    }
}
