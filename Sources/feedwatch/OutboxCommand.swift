import AlertDelivery
import ArgumentParser
import Config
import FeedwatchCore
import Store
import StoreSQLite

/// `feedwatch outbox`: what each sink still has to take, whether it is failing, and the
/// deliveries given up on; `retry ID` / `retry --all` requeues dead letters; `move` and `forget`
/// deal with the place in the queue of a sink the config no longer names.
struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "Show pending and dead-lettered deliveries per sink; `retry ID` or `retry --all` requeues them.",
        discussion: """
            Requeued deliveries go out on the next cycle of `run` or `once`, before newer alerts.
            A sink whose URL, path or command was edited (without a `name:`) is a new sink; the old one is listed \
            as no longer configured, with the alerts it had not taken. `move OLD NEW` hands them (and its dead \
            letters) to the configured sink NEW; `forget OLD` drops them.
            Exit status: 0; 1 for an unknown alert id or sink.
            """)

    @OptionGroup var config: ConfigOption

    @Flag(help: "JSON Lines, one sink per line.")
    var json = false

    @Argument(help: ArgumentHelp("`retry ID` requeues the dead-lettered delivery of alert ID (to every sink that gave it up); `move OLD NEW`; `forget OLD`.",
                                 valueName: "action"))
    var action: [String] = []

    @Flag(help: "With `retry`: requeue every dead letter.")
    var all = false

    func validate() throws {
        switch action.count {
        case 0 where !all: return
        case 1 where action[0] == "retry" && all: return
        case 2 where action[0] == "retry" && !all: return
        case 2 where action[0] == "forget" && !all: return
        case 3 where action[0] == "move" && !all: return
        default: throw ValidationError("expected nothing, `retry ID`, `retry --all`, `move OLD-SINK NEW-SINK` or `forget OLD-SINK`")
        }
    }

    func run() throws {
        let loaded = try config.load()
        let store = try loaded.openStore()
        let sinks = Delivery.sinks(for: loaded, environment: { _ in nil })
        do {
            switch action.first {
            case "retry":
                let n = try store.requeue(alertID: all ? nil : action[1])
                if n == 0 && !all {
                    Diagnostics.error("no dead letter for alert \(action[1]) (`feedwatch outbox` lists them)")
                    throw ExitCode.failure
                }
                if n == 0 { Diagnostics.warning("no dead letters to requeue") }
                StandardOutput.write(Array("requeued \(n) deliver\(n == 1 ? "y" : "ies")\n".utf8))
                return
            case "move", "forget":
                try moveOrForget(store, sinks: sinks)
                return
            default:
                let reports = try Delivery.report(store, sinks: sinks)
                let abandoned = try Delivery.abandoned(store, sinks: sinks)
                StandardOutput.write(Array((json ? Self.jsonLines(reports, abandoned) : Self.text(reports, abandoned)).utf8))
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            Diagnostics.error("\(error)")
            throw ExitCode.failure
        }
    }

    /// `move OLD NEW` / `forget OLD`: OLD must be a sink the store knows and the config no longer
    /// names (a configured sink's place is not to be dropped by accident); NEW a configured one.
    private func moveOrForget(_ store: FeedStore, sinks: [AlertSink]) throws {
        let old = action[1]
        let configured = Set(sinks.map(\.name))
        guard try store.knownSinks()[old] != nil else {
            Diagnostics.error("the store has no sink '\(old)' (`feedwatch outbox` lists those no longer configured)")
            throw ExitCode.failure
        }
        guard !configured.contains(old) else {
            Diagnostics.error("'\(old)' is still in the config; remove it from the config first")
            throw ExitCode.failure
        }
        if action[0] == "forget" {
            try store.forgetSink(old)
            StandardOutput.write(Array("forgot \(old)\n".utf8))
            return
        }
        let new = action[2]
        guard configured.contains(new) else {
            Diagnostics.error("no configured sink is named '\(new)'; configured: " + sinks.map { "'\($0.name)'" }.joined(separator: ", "))
            throw ExitCode.failure
        }
        try store.moveSink(old, to: new)
        StandardOutput.write(Array("moved the alerts \(old) had not taken, and its dead letters, to \(new)\n".utf8))
    }

    static func text(_ reports: [OutboxReport], _ abandoned: [Delivery.AbandonedSink] = []) -> String {
        guard !reports.isEmpty || !abandoned.isEmpty else { return "no sinks configured\n" }
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
        for a in abandoned {
            out += "\(a.name) (no longer configured)\n    \(a.pending) alert\(a.pending == 1 ? "" : "s") it had not taken · \(a.dead) dead-lettered"
                + " · `feedwatch outbox move '\(a.name)' NEW-SINK` hands them on, `forget` drops them\n"
        }
        return out
    }

    static func jsonLines(_ reports: [OutboxReport], _ abandoned: [Delivery.AbandonedSink] = []) -> String {
        var out = ""
        for a in abandoned {
            var w = JSONWriter()
            w.beginObject()
            w.field("sink", a.name)
            w.field("configured", bool: false)
            w.field("pending", Int64(a.pending))
            w.field("dead_count", Int64(a.dead))
            w.endObject()
            out += String(decoding: w.bytes, as: UTF8.self) + "\n"
        }
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
