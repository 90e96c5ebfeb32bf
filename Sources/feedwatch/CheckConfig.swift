import AlertDelivery
import ArgumentParser
import Config
import Glibc
import HTTPTransport
import Store
import StoreSQLite
import TopicQuery

/// `feedwatch check-config`: reads the config as the daemon would and shows what it understood —
/// each query written out with its precedence made explicit — or every error, with a caret.
struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the config and print a summary of it.",
        discussion: "Exit status: 0 valid, 78 invalid (each error names file, line and column, or the setting).")

    @OptionGroup var config: ConfigOption

    func run() throws {
        let loaded = try config.load()
        let (pathProblems, notes) = ConfigSummary.pathProblems(loaded)
        let problems = ConfigSummary.environmentErrors(loaded) + pathProblems
        for problem in problems { Diagnostics.error(problem) }
        if !problems.isEmpty { throw ExitStatus.config }
        for note in notes { Diagnostics.note(note) }
        StandardOutput.write(Array(ConfigSummary.render(loaded).utf8))
        for warning in ConfigSummary.warnings(loaded) { Diagnostics.warning(warning) }
        for warning in ConfigSummary.storeWarnings(loaded) { Diagnostics.warning(warning) }
    }
}

/// The human summary `check-config` prints.
enum ConfigSummary {
    static func render(_ c: Config) -> String {
        var out = "\(c.file): OK\n"
        // The path the store really takes here (systemd's state directory only under systemd).
        let where_ = getenv("STATE_DIRECTORY") != nil ? "  (systemd's $STATE_DIRECTORY)" : "  (beside the config; under systemd, in $STATE_DIRECTORY)"
        out += "state: \(c.storePath)" + (c.state == nil ? where_ : "") + "\n"
        switch c.firstFetchWindow {
        case .all: out += "first fetch: every item of a new feed alerts\n"
        case .seconds(let s): out += "first fetch: items of a new feed alert when at most \(duration(s)) old\n"
        }
        let p = c.poll
        out += "poll: every \(duration(p.interval)), \(p.concurrency) in flight, \(p.perHost) per host, "
            + "timeout \(duration(p.timeout)), max body \(size(p.maxBody)), intervals stretched to \(duration(p.maxInterval)) at most\n"
        if p.adaptive {
            out += "adaptive: a rarely publishing feed waits up to \(duration(p.maxInterval)), a busy one at least "
                + (p.minInterval.map(duration) ?? "its interval") + "\n"
        }

        out += "feeds: \(c.feeds.filter { if case .feed = $0 { true } else { false } }.count)\n"
        for entry in c.feeds {
            switch entry {
            case .feed(let f):
                let every = f.interval.map { "  every \(duration($0))" } ?? ""
                out += "  \(f.name.map { "\($0)  " } ?? "")\(f.url)\(every)\n"
            case .opml(let path):
                out += "  (the feeds of OPML \(path) follow the ones written out)\n"
            }
        }

        out += "topics: \(c.topics.count)\n"
        let width = min(32, c.topics.map(\.name.count).max() ?? 0)
        for t in c.topics {
            let pad = String(repeating: " ", count: max(0, width - t.name.count))
            let feeds = t.feeds.map { "  (feeds: \($0.joined(separator: ", ")))" } ?? ""
            let language = t.language.map { "  (stems: \($0))" } ?? ""
            out += "  \(t.name)\(pad)  \(t.query)\(language)\(feeds)\n"
        }

        if let h = c.health {
            out += "health alerts: " + ([h.failingAfter.map { "a feed failing \($0) polls in a row, and its recovery" },
                                         h.silentAfter.map { "a feed silent \($0)× its usual gap between items" }]
                .compactMap { $0 }.joined(separator: "; ").nonEmpty ?? "none configured") + "\n"
        }
        out += "stories: items within \(duration(c.stories.window)) of each other can join one story"
            + (c.stories.threshold.map { ", threshold \($0)" } ?? "") + "\n"
        out += "sinks: \(c.sinks.count)\n"
        for s in c.sinks {
            let policy = switch s.stories {
            case .every: ""
            case .first: "  (first alert of each story)"
            case .milestones: "  (stories at 1, 3, 5, 10, 25 items)"
            }
            let topics = (s.topics.map { "  (topics: \($0.joined(separator: ", ")))" } ?? "") + policy + (s.health ? "  (+ health alerts)" : "")
            switch s.kind {
            case .stdout(let format): out += "  stdout, \(format.rawValue)\(topics)\n"
            case .file(let path): out += "  file \(path)\(topics)\n"
            case .digest(let path, let every): out += "  digest \(path) every \(duration(every))\(topics)\n"
            case .webhook(let hook):
                out += "  webhook \(hook.url), \(hook.format.rawValue)\(hook.batch > 1 ? " in batches of \(hook.batch)" : "")"
                    + "\(hook.secretEnv.map { ", signed with $\($0)" } ?? ", unsigned")\(topics)\(retry(s.retry))\n"
            case .exec(let command):
                out += "  exec \(command.joined(separator: " "))\(topics)\(retry(s.retry))\n"
            case .email(let mail):
                out += "  email \(mail.to.joined(separator: ", ")) via \(mail.url), \(emailSecurity(mail))"
                    + (mail.everySeconds.map { ", a digest every \(duration($0))" } ?? ", a mail per alert") + "\(topics)\(retry(s.retry))\n"
            }
        }
        return out
    }

    /// How the mail travels: TLS from the start, STARTTLS (required, or when offered), AUTH.
    private static func emailSecurity(_ mail: SinkConfig.Email) -> String {
        let auth = mail.usernameEnv.map { " with AUTH as $\($0)" } ?? ""
        if mail.url.lowercased().hasPrefix("smtps://") { return "TLS\(auth)" }
        let tls = SMTPSecurity.tls(url: mail.url, configured: mail.starttls == .required ? .required : .whenOffered,
                                   hasCredentials: mail.usernameEnv != nil)
        return (tls == .required ? "STARTTLS required" : "STARTTLS when offered") + auth
    }

    private static func retry(_ r: SinkConfig.Retry) -> String {
        "; \(duration(r.timeout)) per attempt, dead-lettered after \(r.maxAttempts) attempts or \(duration(r.maxAge))"
    }

    /// Things that are valid but probably not what was meant.
    static func warnings(_ c: Config) -> [String] {
        var out = c.warnings
        if c.feeds.isEmpty { out.append("\(c.file): no feeds: nothing will be polled") }
        if c.topics.isEmpty { out.append("\(c.file): no topics: no item will alert") }
        for s in c.sinks {
            if case .webhook(let hook) = s.kind, let secret = hook.secretEnv, getenv(secret) == nil {
                out.append("\(c.file): webhook secret variable \(secret) is not set in this environment")
            }
            if case .email(let mail) = s.kind {
                for variable in [mail.usernameEnv, mail.passwordEnv].compactMap({ $0 }) where getenv(variable) == nil {
                    out.append("\(c.file): SMTP credential variable \(variable) is not set in this environment")
                }
            }
        }
        return out
    }

    /// What `run` would hit on this machine: a directory it writes to that is not there and
    /// cannot be made, or is not writable (errors), or that it will create (notes); a local feed
    /// file that is missing or not a regular file (errors).
    static func pathProblems(_ c: Config) -> (errors: [String], notes: [String]) {
        var errors: [String] = [], notes: [String] = []
        for target in WrittenPaths.directories(c, storePath: c.storePath) {
            switch WrittenPaths.inspect(target.directory) {
            case .ready: break
            case .creatable: notes.append("\(target.directory) does not exist yet; run and once create it (for \(target.purpose))")
            case .problem(let why): errors.append("\(c.file): \(why) (for \(target.purpose))")
            }
        }
        errors += WrittenPaths.unreadableFeeds(c).map { "\(c.file): \($0)" }
        return (errors, notes)
    }

    /// What the config refers to in the environment and is wrong there: a webhook secret that is
    /// set but not `whsec_` + base64 would fail every delivery (30 retries) before anyone saw it.
    static func environmentErrors(_ c: Config) -> [String] {
        var out: [String] = []
        for (i, s) in c.sinks.enumerated() {
            guard case .webhook(let hook) = s.kind, let variable = hook.secretEnv, let value = getenv(variable) else { continue }
            do throws(StandardWebhooks.SecretError) {
                _ = try StandardWebhooks.key(fromSecret: String(cString: value))
            } catch {
                out.append("\(c.file): sinks[\(i)].webhook.secret_env: $\(variable) is set but unusable: \(error)")
            }
        }
        return out
    }

    /// What the store says about this config: sinks it no longer names whose alerts would be
    /// abandoned (only when the store exists: checking a config never creates one).
    static func storeWarnings(_ c: Config) -> [String] {
        // A PostgreSQL store is not connected to by a config check (it may be another machine's).
        guard c.postgresURI == nil else { return [] }
        let path = c.storePath
        guard access(path, F_OK) == 0 else { return [] }
        do {
            let store = try SQLiteStore(path: path)
            let sinks = Delivery.sinks(for: c, environment: { _ in nil })
            return try Delivery.abandoned(store, sinks: sinks).map { Delivery.warning($0, configured: sinks) }
        } catch {
            return ["cannot read the store \(path): \(error)"]
        }
    }

    /// `90s`, `15m`, `1h30m`, `7d`: as the config writes durations.
    static func duration(_ seconds: Int) -> String {
        var rest = seconds, out = ""
        for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] where rest >= size {
            out += "\(rest / size)\(unit)"
            rest %= size
        }
        return out.isEmpty ? "0s" : out
    }

    static func size(_ bytes: Int) -> String {
        for (unit, factor) in [("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)] where bytes % factor == 0 {
            return "\(bytes / factor)\(unit)"
        }
        return "\(bytes) bytes"
    }
}

private extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
