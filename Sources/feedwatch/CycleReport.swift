import Config
import Poller

/// The lines a person reads about poll cycles, as pure functions of what a cycle did: counts with
/// their plurals right, feeds named as the config names them, and an idle daemon that says it is
/// alive every so often instead of logging every empty cycle.
enum CycleReport {
    /// How long an idle `run` stays quiet before it says it is alive (a heartbeat).
    static let heartbeatSeconds: Double = 15 * 60

    /// `polled 3 feeds: 2 new items, 1 alert, 1 failed` / `polled 1 feed: nothing new`.
    static func line(_ s: PollCycle.Summary) -> String {
        var parts: [String] = []
        if s.newItems > 0 { parts.append(count(s.newItems, "new item")) }
        if s.newAlerts > 0 || s.newItems > 0 { parts.append(count(s.newAlerts, "alert")) }
        if !s.failures.isEmpty { parts.append("\(s.failures.count) failed") }
        if s.interrupted > 0 { parts.append("\(s.interrupted) cut short by the stop (still due)") }
        if s.deferred > 0 { parts.append("\(s.deferred) set aside for another writer's newer stories (still due)") }
        return "polled \(count(s.polled, "feed")): " + (parts.isEmpty ? "nothing new" : parts.joined(separator: ", "))
    }

    /// Whether a cycle is worth an info line in `run`: it found something or something failed.
    static func isNews(_ s: PollCycle.Summary) -> Bool {
        s.newItems > 0 || s.newAlerts > 0 || !s.failures.isEmpty || s.interrupted > 0 || s.deferred > 0 || !s.moves.isEmpty
    }

    /// A configured page whose announced feed is polled instead.
    static func move(_ m: FeedMove, names: [String: String]) -> String {
        "\(names[m.configured].map { "\($0): " } ?? "")\(m.configured) is a web page; polling the feed it announces from the next poll on: "
            + "\(m.announced) (write that URL in the config in place of the page's)"
    }

    /// `42 feeds, next poll in 4m, outbox empty`: what an idle daemon says now and then.
    static func heartbeat(feeds: Int, nextPollIn: Int64?, pending: Int, dead: Int) -> String {
        "\(count(feeds, "feed")), " + nextPoll(nextPollIn) + ", " + outbox(pending: pending, dead: dead)
    }

    /// `next poll in 4m` (`next poll now` when one is already due).
    static func nextPoll(_ seconds: Int64?) -> String {
        guard let seconds else { return "no poll scheduled" }
        return seconds <= 0 ? "next poll now" : "next poll in \(rough(seconds))"
    }

    /// `42s`, `4m` (rounded up), `2h5m`, `3d4h`: a wait as a person reads it.
    static func rough(_ seconds: Int64) -> String {
        if seconds < 60 { return "\(seconds)s" }
        let minutes = (seconds + 59) / 60
        if minutes < 60 { return "\(minutes)m" }
        if minutes < 24 * 60 { return "\(minutes / 60)h" + (minutes % 60 == 0 ? "" : "\(minutes % 60)m") }
        let hours = minutes / 60
        return "\(hours / 24)d" + (hours % 24 == 0 ? "" : "\(hours % 24)h")
    }

    static func outbox(pending: Int, dead: Int) -> String {
        (pending == 0 ? "outbox empty" : "outbox \(pending) pending") + (dead > 0 ? ", \(dead) dead-lettered" : "")
    }

    /// A feed as a person knows it: the config's name, else its URL.
    static func feed(_ url: String, names: [String: String]) -> String { names[url] ?? url }

    /// Where alerts go, for the start line: `stdout, /srv/alerts.jsonl, digest /srv/digest.log every 1h`.
    /// A webhook shows only its host: chat webhook URLs are secrets.
    static func destinations(_ sinks: [SinkConfig]) -> String {
        sinks.map { s -> String in
            switch s.kind {
            case .stdout: "stdout"
            case .file(let path): path
            case .digest(let path, let every): "digest \(path) every \(ConfigSummary.duration(every))"
            case .webhook(let hook): "webhook to \(URLHost.of(hook.url))"
            case .exec(let command): "command \(command[0])"
            case .email(let mail): "mail to \(mail.to.joined(separator: ", "))" + (mail.everySeconds.map { " every \(ConfigSummary.duration($0))" } ?? "")
            }
        }.joined(separator: ", ")
    }

    /// `1 feed`, `2 feeds`.
    static func count(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
}

/// The host of a URL, for lines that must not print the rest of it.
enum URLHost {
    static func of(_ url: String) -> String {
        let rest = url.split(separator: "://", maxSplits: 1).last ?? Substring(url)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return String(authority.split(separator: "@").last ?? authority)
    }
}
