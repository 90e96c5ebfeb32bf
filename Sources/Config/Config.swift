public import TopicQuery

/// The config file, read and checked: every value typed, every default filled in, every relative
/// path made absolute against the config file's own directory (so the daemon's working directory
/// never matters).
public struct Config: Sendable {
    /// The file it was read from.
    public var file: String
    /// The store: an SQLite file, or a `postgresql://` URI (a fleet's shared store); `nil` when
    /// not set (the daemon then uses an SQLite file in `$STATE_DIRECTORY`).
    public var state: String?
    /// `node:`: this process's name in a fleet (what its leases are recorded under); `nil`: from
    /// `$FEEDWATCH_NODE`, else hostname:pid.
    public var node: String?
    public var firstFetchWindow: FirstFetchWindow
    public var poll: PollSettings
    public var feeds: [FeedEntry]
    public var topics: [Topic]
    public var sinks: [SinkConfig]
    /// Days an item's text and alert record are kept; its dedupe key stays for good.
    public var keepDays: Int = 90
    /// Feed health alerts; `nil`: none.
    public var health: HealthSettings?
    /// How items are grouped into stories.
    public var stories = StorySettings()
    /// What reading the file left out or found odd, for `check-config`, `run` and `once` to say.
    public var warnings: [String] = []
    /// The web page, API and metrics (`http:`); `nil`: no server.
    public var http: HTTPSettings?
}

/// The `http:` section: where the page, API and `/metrics` listen, and the token they require.
public struct HTTPSettings: Equatable, Sendable {
    /// An IP address literal (`127.0.0.1`, `::1`) or `localhost`.
    public var host: String
    /// 0 picks a free port (the daemon logs which).
    public var port: Int
    /// The environment variable holding the bearer token, and its value (read when the config is).
    public var tokenEnv: String?
    public var token: String?
    /// `token_env` names a variable that is unset or empty: an error for the commands that serve
    /// (`run`, `serve`), which must not serve without the token; the others never read it.
    public var missingToken: ConfigError?

    public init(host: String, port: Int, tokenEnv: String? = nil, token: String? = nil, missingToken: ConfigError? = nil) {
        self.host = host
        self.port = port
        self.tokenEnv = tokenEnv
        self.token = token
        self.missingToken = missingToken
    }

    /// Whether only this machine can connect: 127.0.0.0/8, ::1 or localhost.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

/// The `stories:` section.
public struct StorySettings: Equatable, Sendable {
    /// Seconds an item stays a possible match for newer ones.
    public var window = 72 * 3_600
    /// Least similarity to join a story; `nil`: the tuned default.
    public var threshold: Double?

    public init(window: Int = 72 * 3_600, threshold: Double? = nil) {
        self.window = window
        self.threshold = threshold
    }
}

/// When a feed's health is worth an alert (to the sinks with `health: true`).
public struct HealthSettings: Equatable, Sendable {
    /// Polls failed in a row before a feed counts as failing (its recovery alerts too).
    public var failingAfter: Int?
    /// A feed silent for this many times its usual gap between new items counts as silent.
    public var silentAfter: Int?

    public init(failingAfter: Int? = nil, silentAfter: Int? = nil) {
        self.failingAfter = failingAfter
        self.silentAfter = silentAfter
    }
}

/// How old an item in a newly added feed may be and still alert.
public enum FirstFetchWindow: Equatable, Sendable {
    case all
    case seconds(Int)
}

public struct PollSettings: Equatable, Sendable {
    /// Default seconds between polls of one feed.
    public var interval = 900
    public var concurrency = 32
    public var perHost = 2
    /// Seconds one transfer may take in all.
    public var timeout = 30
    public var maxBody = 10 << 20
    /// What a feed's or server's freshness (`ttl`, `max-age`, `Expires`), or adaptive polling,
    /// may stretch an interval to.
    public var maxInterval = 86_400
    /// Adaptive polling: a feed that publishes rarely is polled less often (`poll.adaptive`).
    public var adaptive = false
    /// The shortest interval adaptive polling may choose; `nil`: the feed's own interval (so
    /// it only ever lengthens intervals, unless this is set lower).
    public var minInterval: Int?

    public init(interval: Int = 900, concurrency: Int = 32, perHost: Int = 2, timeout: Int = 30, maxBody: Int = 10 << 20,
                maxInterval: Int = 86_400) {
        self.interval = interval
        self.concurrency = concurrency
        self.perHost = perHost
        self.timeout = timeout
        self.maxBody = maxBody
        self.maxInterval = maxInterval
    }
}

/// One entry of `feeds:`.
public enum FeedEntry: Equatable, Sendable {
    case feed(FeedSource)
    /// Every feed listed in an OPML file (absolute path).
    case opml(path: String)
}

public struct FeedSource: Equatable, Sendable {
    /// An `http(s)` URL, or an absolute `file:` path for local feeds.
    public var url: String
    public var name: String?
    /// Seconds; `nil` for `poll.interval`.
    public var interval: Int?

    public init(url: String, name: String? = nil, interval: Int? = nil) {
        self.url = url
        self.name = name
        self.interval = interval
    }
}

/// One entry of `sinks:`.
public struct SinkConfig: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case stdout(format: OutputFormat)
        case file(path: String)
        case digest(path: String, everySeconds: Int)
        case webhook(Webhook)
        /// A command run per alert (no shell), the alert JSON on its standard input.
        case exec(command: [String])
        /// Mail through an SMTP server (see `Email`).
        case email(Email)
    }

    public enum OutputFormat: String, Equatable, Sendable, CaseIterable { case text, json }

    /// Which alerts of a story a sink takes: every one (with the running size), the story's
    /// first only, or the first and then those that bring its coverage to 3, 5, 10 and 25.
    public enum StoryPolicy: String, Equatable, Sendable, CaseIterable { case every, first, milestones }

    public struct Webhook: Equatable, Sendable {
        public var url: String
        /// The environment variable holding the `whsec_…` signing secret; unsigned without one.
        public var secretEnv: String?
        public var format: WebhookFormat
        /// Alerts per request: 1 sends one record, more send a JSON array (`json` format only).
        public var batch: Int

        public init(url: String, secretEnv: String? = nil, format: WebhookFormat = .json, batch: Int = 1) {
            self.url = url
            self.secretEnv = secretEnv
            self.format = format
            self.batch = batch
        }
    }

    /// The body a webhook sends: the alert record, or the shape a chat service expects.
    public enum WebhookFormat: String, Equatable, Sendable, CaseIterable { case json, slack, discord, ntfy }

    /// How a sink that can fail (webhook, exec, email) retries.
    public struct Retry: Equatable, Sendable {
        /// Seconds one attempt (request, command) may take.
        public var timeout: Int
        /// Attempts before a delivery is dead-lettered.
        public var maxAttempts: Int
        /// Seconds after the alert was created before a failing delivery is dead-lettered.
        public var maxAge: Int

        public init(timeout: Int = 10, maxAttempts: Int = 30, maxAge: Int = 3 * 86_400) {
            self.timeout = timeout
            self.maxAttempts = maxAttempts
            self.maxAge = maxAge
        }
    }

    public var kind: Kind
    /// Topic names this sink wants; `nil` for all.
    public var topics: [String]?
    public var retry: Retry
    /// Whether feed health alerts come here too (`health: true`).
    public var health: Bool
    public var stories: StoryPolicy
    /// `name:`: the sink's identity in the store (its place in the queue, its dead letters), kept
    /// when its URL, path or command is edited; without it the identity is made of those.
    public var name: String?
    /// `node:` (stdout, file, digest): in a fleet only the node of that name delivers it — a
    /// file on one machine's disk; without it, whichever node holds the sink's lease does.
    public var node: String?

    public init(kind: Kind, topics: [String]? = nil, retry: Retry = Retry(), health: Bool = false, stories: StoryPolicy = .every,
                name: String? = nil, node: String? = nil) {
        self.name = name
        self.node = node
        self.kind = kind
        self.topics = topics
        self.retry = retry
        self.health = health
        self.stories = stories
    }
}

extension Config {
    /// The names the config gives its feeds, by URL (for output people read).
    public var feedNames: [String: String] {
        Dictionary(feeds.compactMap { entry -> (String, String)? in
            guard case .feed(let f) = entry, let name = f.name else { return nil }
            return (f.url, name)
        }, uniquingKeysWith: { a, _ in a })
    }

    /// The store's path: `state` if set, else `$STATE_DIRECTORY/feedwatch.sqlite` (systemd), else
    /// `feedwatch.sqlite` beside the config file.
    /// The PostgreSQL store's URI, when `state` names one (`postgresql://` or `postgres://`).
    public var postgresURI: String? {
        guard let state, Config.isPostgresURI(state) else { return nil }
        return state
    }

    public static func isPostgresURI(_ s: String) -> Bool {
        s.hasPrefix("postgresql://") || s.hasPrefix("postgres://")
    }

    /// This process's node name: `node:`, else `$FEEDWATCH_NODE`, else hostname:pid.
    public func nodeName(environment: (String) -> String?, hostname: String, pid: Int32) -> String {
        if let node, !node.isEmpty { return node }
        if let env = environment("FEEDWATCH_NODE"), !env.isEmpty { return env }
        return "\(hostname):\(pid)"
    }

    public func statePath(stateDirectory: String?) -> String {
        if let state { return state }
        if let dir = stateDirectory, !dir.isEmpty {
            // systemd may list several directories, separated by colons: the first is ours.
            return String(dir.split(separator: ":").first ?? Substring(dir)) + "/feedwatch.sqlite"
        }
        let slash = file.lastIndex(of: "/")
        return (slash.map { String(file[..<$0]) } ?? ".") + "/feedwatch.sqlite"
    }

    /// Where the config is, per the contract: `--config`, else `$FEEDWATCH_CONFIG`, else
    /// `./feedwatch.yaml`, else `/etc/feedwatch/feedwatch.yaml`. `exists` is asked only for the
    /// two defaults; an explicit path that does not exist is the caller's error to report.
    public static func locate(explicit: String?, environment: [String: String], exists: (String) -> Bool) -> String? {
        if let explicit { return explicit }
        if let env = environment["FEEDWATCH_CONFIG"], !env.isEmpty { return env }
        return ["./feedwatch.yaml", "/etc/feedwatch/feedwatch.yaml"].first(where: exists)
    }
}
