import AlertDelivery
import ArgumentParser
import Config
import FeedwatchCore
import Store

/// `feedwatch outbox`: what each sink still has to take, whether it is failing, and the
/// deliveries given up on; `retry ID` / `retry --all` requeues dead letters.
struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "Show pending and dead-lettered deliveries per sink; `retry ID` or `retry --all` requeues them.",
        discussion: "Requeued deliveries go out on the next cycle of `run` or `once`, before newer alerts. Exit status: 0.")

    @OptionGroup var config: ConfigOption

    @Flag(help: "JSON Lines, one sink per line.")
    var json = false

    @Argument(help: "`retry ID` requeues the dead-lettered delivery of alert ID (to every sink that gave it up).")
    var action: [String] = []

    @Flag(help: "With `retry`: requeue every dead letter.")
    var all = false

    func validate() throws {
        switch action.count {
        case 0 where !all: return
        case 1 where action[0] == "retry" && all: return
        case 2 where action[0] == "retry" && !all: return
        default: throw ValidationError("expected nothing, `retry ID`, or `retry --all`")
        }
    }

    func run() throws {
        let loaded = try config.load()
        let store = try loaded.openStore()
        do {
            if !action.isEmpty {
                let n = try store.requeue(alertID: all ? nil : action[1])
                if n == 0 { Diagnostics.warning(all ? "no dead letters to requeue" : "no dead letter for alert \(action[1])") }
                StandardOutput.write(Array("requeued \(n) deliver\(n == 1 ? "y" : "ies")\n".utf8))
                return
            }
            let reports = try Delivery.report(store, sinks: Delivery.sinks(for: loaded))
            StandardOutput.write(Array((json ? Self.jsonLines(reports) : Self.text(reports)).utf8))
        } catch {
            Diagnostics.error("\(error)")
            throw ExitCode.failure
        }
    }

    static func text(_ reports: [OutboxReport]) -> String {
        guard !reports.isEmpty else { return "no sinks configured\n" }
        var out = ""
        for r in reports {
            out += "\(r.sink)\n    \(r.pending) pending"
            if let s = r.state, s.attempts > 0 {
                out += " · failing: \(s.attempts) attempt\(s.attempts == 1 ? "" : "s")"
                    + (s.nextAttemptAt.map { ", next at \($0.rfc3339)" } ?? "") + (s.lastError.map { ", last error: \($0)" } ?? "")
            }
            out += " · \(r.dead.count) dead-lettered\n"
            for d in r.dead {
                out += "    dead \(d.alert.id) at \(d.deadAt.rfc3339) after \(d.attempts) attempt\(d.attempts == 1 ? "" : "s"): \(d.error)"
                    + (d.requeued ? " (requeued)" : "") + "\n"
            }
        }
        return out
    }

    static func jsonLines(_ reports: [OutboxReport]) -> String {
        var out = ""
        for r in reports {
            var w = JSONWriter()
            w.beginObject()
            w.field("sink", r.sink)
            w.field("pending", Int64(r.pending))
            w.field("attempts", Int64(r.state?.attempts ?? 0))
            w.field("next_attempt", (r.state?.attempts ?? 0) > 0 ? r.state?.nextAttemptAt?.rfc3339 : nil)
            w.field("last_error", r.state?.lastError)
            w.key("dead")
            w.beginArray()
            for d in r.dead {
                w.beginObject()
                w.field("alert_id", d.alert.id)
                w.field("attempts", Int64(d.attempts))
                w.field("error", d.error)
                w.field("dead_at", d.deadAt.rfc3339)
                w.field("requeued", bool: d.requeued)
                w.endObject()
            }
            w.endArray()
            w.endObject()
            out += String(decoding: w.bytes, as: UTF8.self) + "\n"
        }
        return out
    }
}
