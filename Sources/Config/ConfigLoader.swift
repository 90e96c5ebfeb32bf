internal import FeedwatchCore
internal import Glibc
internal import Normalize
internal import TopicQuery

/// Reads a config file into a `Config`. Reading goes on past a bad value so that one run reports
/// every problem; any problem at all makes the whole file fail (exit 78), since a daemon half
/// configured is worse than one that refuses to start.
public enum ConfigLoader {
    /// `environment` answers `${NAME}` references (default: the process environment).
    public static func load(path: String, environment: @escaping (String) -> String? = ConfigLoader.processEnvironment) throws(ConfigErrors) -> Config {
        let text: String
        do {
            text = try readFile(path)
        } catch {
            throw ConfigErrors([error])
        }
        return try parse(text, file: path, environment: environment)
    }

    public static func processEnvironment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

    /// `file` names the text in errors and is the base for relative paths.
    public static func parse(_ text: String, file: String,
                             environment: @escaping (String) -> String? = ConfigLoader.processEnvironment) throws(ConfigErrors) -> Config {
        var reader = ConfigReader(source: YAMLSource(file: file, text: text), environment: environment)
        let config = reader.read()
        guard reader.errors.isEmpty, let config else {
            throw ConfigErrors(reader.errors.isEmpty ? [ConfigError(file: file, message: "cannot read config")] : reader.errors)
        }
        return config
    }

    private static func readFile(_ path: String) throws(ConfigError) -> String {
        let bytes = try readBytes(path, what: "config")
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigError(file: path, message: "config is not valid UTF-8")
        }
        return text
    }

    /// A whole file, up to 16 MB.
    static func readBytes(_ path: String, what: String) throws(ConfigError) -> [UInt8] {
        do throws(LocalFile.Failure) {
            return try LocalFile(path: path).readAll(limit: 16 << 20)
        } catch {
            throw ConfigError(file: path, message: "cannot read \(what): \(error.reason)")
        }
    }
}

/// Walks the YAML tree section by section, recording errors as it goes.
struct ConfigReader {
    let source: YAMLSource
    private(set) var errors: [ConfigError] = []
    /// What is valid but left out or probably not meant (an OPML outline that is not a feed URL).
    private(set) var warnings: [String] = []

    /// Answers `${NAME}` in values, so secrets stay out of the file.
    let environment: (String) -> String?

    init(source: YAMLSource, environment: @escaping (String) -> String?) {
        self.source = source
        self.environment = environment
    }

    static let sections: [String] = ["state", "node", "first_fetch_window", "poll", "store", "feeds", "topics", "sinks", "health", "stories", "http"]

    mutating func read() -> Config? {
        let root: YAMLNode?
        do {
            root = try source.root()
        } catch {
            errors.append(error)
            return nil
        }
        var config = Config(file: source.file, state: nil, firstFetchWindow: .seconds(48 * 3_600), poll: PollSettings(),
                            feeds: [], topics: [], sinks: [])
        guard let root else {
            errors.append(ConfigError(file: source.file, message: "config is empty: it needs at least feeds and topics"))
            return nil
        }
        guard let entries = mapping(root, "the config") else { return nil }
        var feedsNode: YAMLNode?, topicsNode: YAMLNode?, sinksNode: YAMLNode?
        for entry in entries {
            let (key, value) = (entry.key, entry.value)
            switch key {
            case "state": config.state = state(value)
            case "node":
                if let text = string(value, "node") {
                    if text.isEmpty || text.unicodeScalars.contains(where: { $0.value <= 0x20 }) {
                        fail("node: needs a name without spaces or control characters", value)
                    } else {
                        config.node = text
                    }
                }
            case "first_fetch_window": config.firstFetchWindow = firstFetchWindow(value) ?? config.firstFetchWindow
            case "poll": config.poll = poll(value)
            case "store": config.keepDays = keepDays(value) ?? config.keepDays
            case "health": config.health = health(value)
            case "stories": config.stories = stories(value) ?? config.stories
            case "http": config.http = http(value)
            case "feeds": feedsNode = value
            case "topics": topicsNode = value
            case "sinks": sinksNode = value
            default: unknownKey(key, entry.keyNode, known: Self.sections, in: "the config")
            }
        }
        if let feedsNode { config.feeds = feeds(feedsNode) }
        if let topicsNode { config.topics = topics(topicsNode, feeds: config.feeds) }
        // Without a sinks section alerts go to standard output, which systemd sends to the journal.
        config.sinks = sinksNode.map { sinks($0, topics: Set(config.topics.map(\.name))) } ?? [SinkConfig(kind: .stdout(format: .text), topics: nil)]
        config.warnings = warnings
        return config
    }

    // MARK: Sections

    private mutating func firstFetchWindow(_ node: YAMLNode) -> FirstFetchWindow? {
        guard let text = string(node, "first_fetch_window") else { return nil }
        if text.lowercased() == "all" { return .all }
        guard let seconds = DurationValue.seconds(text) else {
            fail("first_fetch_window: \"\(text)\" is neither a duration (90s, 15m, 48h, 7d) nor \"all\"", node)
            return nil
        }
        return .seconds(seconds)
    }

    private mutating func poll(_ node: YAMLNode) -> PollSettings {
        var poll = PollSettings()
        guard let entries = mapping(node, "poll") else { return poll }
        for entry in entries {
            let (key, value) = (entry.key, entry.value)
            switch key {
            case "interval": poll.interval = duration(value, "poll.interval") ?? poll.interval
            case "concurrency": poll.concurrency = count(value, "poll.concurrency", max: 1_000) ?? poll.concurrency
            case "per_host": poll.perHost = count(value, "poll.per_host", max: 100) ?? poll.perHost
            case "timeout": poll.timeout = duration(value, "poll.timeout") ?? poll.timeout
            case "max_body": poll.maxBody = size(value, "poll.max_body") ?? poll.maxBody
            case "max_interval": poll.maxInterval = duration(value, "poll.max_interval") ?? poll.maxInterval
            case "min_interval": poll.minInterval = duration(value, "poll.min_interval") ?? poll.minInterval
            case "adaptive": poll.adaptive = bool(value, "poll.adaptive") ?? poll.adaptive
            default:
                unknownKey(key, entry.keyNode, known: ["interval", "concurrency", "per_host", "timeout", "max_body", "max_interval",
                                                       "min_interval", "adaptive"], in: "poll")
            }
        }
        return poll
    }

    private mutating func health(_ node: YAMLNode) -> HealthSettings? {
        guard let entries = mapping(node, "health") else { return nil }
        var h = HealthSettings()
        for entry in entries {
            switch entry.key {
            case "failing_after": h.failingAfter = count(entry.value, "health.failing_after", max: 1_000)
            case "silent_after": h.silentAfter = count(entry.value, "health.silent_after", max: 1_000)
            default: unknownKey(entry.key, entry.keyNode, known: ["failing_after", "silent_after"], in: "health")
            }
        }
        return h
    }

    private mutating func stories(_ node: YAMLNode) -> StorySettings? {
        guard let entries = mapping(node, "stories") else { return nil }
        var out = StorySettings()
        for entry in entries {
            switch entry.key {
            case "window": out.window = duration(entry.value, "stories.window") ?? out.window
            case "threshold":
                guard let text = string(entry.value, "stories.threshold") else { continue }
                if let t = Double(text), t > 0, t < 1 { out.threshold = t } else {
                    fail("stories.threshold: \"\(text)\" is not a number between 0 and 1 (the default is tuned; see BENCHMARKS.md)", entry.value)
                }
            default: unknownKey(entry.key, entry.keyNode, known: ["window", "threshold"], in: "stories")
            }
        }
        return out
    }

    /// `http: {listen: HOST:PORT, token_env: NAME}`. Anything but loopback needs a token: the
    /// page shows what the store holds, and a port opened to the network by a typo must not.
    private mutating func http(_ node: YAMLNode) -> HTTPSettings? {
        guard let entries = mapping(node, "http") else { return nil }
        var listen: (String, YAMLNode)?, tokenEnv: (String, YAMLNode)?
        for entry in entries {
            switch entry.key {
            case "listen": listen = string(entry.value, "http.listen").map { ($0, entry.value) }
            case "token_env": tokenEnv = string(entry.value, "http.token_env").map { ($0, entry.value) }
            default: unknownKey(entry.key, entry.keyNode, known: ["listen", "token_env"], in: "http")
            }
        }
        guard let (text, listenNode) = listen else {
            fail("http: needs listen: HOST:PORT (for example 127.0.0.1:9464)", node)
            return nil
        }
        guard let (host, port) = HTTPListen.parse(text) else {
            fail("http.listen: \"\(text)\" is not HOST:PORT with an IP address (or localhost) and a port from 0 to 65535 (for example 127.0.0.1:9464)", listenNode)
            return nil
        }
        var settings = HTTPSettings(host: host, port: port)
        if let (name, tokenNode) = tokenEnv {
            settings.tokenEnv = name
            if let value = environment(name), !value.isEmpty {
                settings.token = value
            } else {
                settings.missingToken = source.error("http.token_env: environment variable \(name) is not set (or empty); the page is not served without its token",
                                                     at: tokenNode.mark)
            }
        } else if !settings.isLoopback {
            fail("http.listen: \(text) is reachable from other machines; set http.token_env to the variable holding a bearer token, or listen on 127.0.0.1", listenNode)
            return nil
        }
        return settings
    }

    private mutating func keepDays(_ node: YAMLNode) -> Int? {
        guard let entries = mapping(node, "store") else { return nil }
        var days: Int?
        for entry in entries {
            switch entry.key {
            case "keep_days": days = count(entry.value, "store.keep_days", max: 36_500)
            default: unknownKey(entry.key, entry.keyNode, known: ["keep_days"], in: "store")
            }
        }
        return days
    }

    private mutating func feeds(_ node: YAMLNode) -> [FeedEntry] {
        guard let list = sequence(node, "feeds") else { return [] }
        var out: [FeedEntry] = []
        var seen: [String: YAMLMark] = [:]
        var opmlFiles: [(path: String, node: YAMLNode)] = []
        for (i, item) in list.enumerated() {
            let what = "feeds[\(i)]"
            guard let entries = mapping(item, what) else { continue }
            if entries.contains(where: { $0.key == "opml" }) {
                for entry in entries where entry.key != "opml" {
                    let (key, value) = (entry.key, entry.keyNode)
                    fail("\(what): an opml entry takes no \"\(key)\"", value)
                }
                let node = entries.first { $0.key == "opml" }!.value
                if let path = string(node, "\(what).opml") {
                    out.append(.opml(path: absolutePath(path)))
                    opmlFiles.append((absolutePath(path), node))
                }
                continue
            }
            var source = FeedSource(url: "", name: nil, interval: nil)
            var urlNode: YAMLNode?
            for entry in entries {
            let (key, value) = (entry.key, entry.value)
                switch key {
                case "url": urlNode = value
                case "name": source.name = string(value, "\(what).name")
                case "interval": source.interval = duration(value, "\(what).interval")
                default: unknownKey(key, entry.keyNode, known: ["url", "name", "interval", "opml"], in: what)
                }
            }
            guard let urlNode else { fail("\(what): needs a url (or an opml path)", item); continue }
            guard let url = string(urlNode, "\(what).url") else { continue }
            guard let resolved = feedURL(url, urlNode, what) else { continue }
            if let first = seen[resolved] {
                fail("\(what): \(resolved) is already listed" + (" at line \(first.line)"), urlNode)
                continue
            }
            seen[resolved] = urlNode.mark
            source.url = resolved
            out.append(.feed(source))
        }
        // OPML lists come after the feeds written out, which win over them (a name, an interval).
        for (path, node) in opmlFiles {
            do {
                let bytes = try ConfigLoader.readBytes(path, what: "OPML file")
                let listed = try OPML.feeds(in: bytes, path: path)
                for (url, name) in listed.feeds where seen[url] == nil {
                    seen[url] = node.mark
                    out.append(.feed(FeedSource(url: url, name: name)))
                }
                for s in listed.skipped {
                    warnings.append("\(path):\(s.line): outline \(s.name.map { "\"\($0)\" " } ?? "")skipped: its xmlUrl \"\(s.url)\" is not an http(s) URL")
                }
            } catch let error as ConfigError {
                fail(error.message.hasPrefix("cannot") ? "\(error.message): \(path)" : error.message, node)
            } catch let error as OPML.Failure {
                fail(error.message, node)
            } catch {
                fail("\(path): \(error)", node)
            }
        }
        return out
    }

    /// An `http(s)` URL as written, or a local path / `file:` URL made absolute.
    private mutating func feedURL(_ url: String, _ node: YAMLNode, _ what: String) -> String? {
        // Looked at as bytes: a config may list 10,000 feeds.
        let scheme = url.utf8.prefix(8).map { $0 &- 0x41 < 26 ? $0 | 0x20 : $0 }
        let lower = String(decoding: scheme, as: UTF8.self)
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            guard url.utf8.count > (lower.hasPrefix("https") ? 8 : 7),
                  !url.utf8.contains(where: { $0 == 0x20 || (0x0A...0x0D).contains($0) }),
                  url.utf8.allSatisfy({ $0 < 0x80 }) || !url.contains(where: \.isNewline) else {
                fail("\(what).url: \"\(url)\" is not a valid URL", node)
                return nil
            }
            return url
        }
        if lower.hasPrefix("file:") {
            return URLResolver.fileURL(path: absolutePath("/" + url.dropFirst(5).drop { $0 == "/" }))
        }
        if let colon = url.firstIndex(of: ":"), url[..<colon].allSatisfy({ $0.isLetter }), url[url.index(after: colon)...].hasPrefix("//") {
            fail("\(what).url: only http, https and file URLs (or a local path) can be polled", node)
            return nil
        }
        return URLResolver.fileURL(path: absolutePath(url))
    }

    private mutating func topics(_ node: YAMLNode, feeds: [FeedEntry]) -> [Topic] {
        guard let entries = mapping(node, "topics") else { return [] }
        var out: [Topic] = []
        let feedIdentities = Set(feeds.flatMap { entry -> [String] in
            guard case .feed(let f) = entry else { return [] }
            return [f.url] + (f.name.map { [$0] } ?? [])
        })
        for entry in entries {
            let (name, value) = (entry.key, entry.value)
            guard !name.trimmingWhitespace().isEmpty else { fail("topics: a topic needs a name", entry.keyNode); continue }
            var queryNode = value
            var restricted: [String]?
            var language: String?
            if case .mapping(let m, _) = value {
                var found: YAMLNode?
                for (k, v) in m {
                    switch k.string ?? "" {
                    case "query": found = v
                    case "language":
                        guard let l = string(v, "topics.\(name).language") else { break }
                        if Topic.isSupported(language: l) { language = l } else {
                            fail("topic \"\(name)\": no stemmer for language \"\(l)\" (known: \(Topic.languages.joined(separator: ", ")); ISO codes such as en, de, fr work too)", v)
                        }
                    case "feeds":
                        restricted = stringList(v, "topics.\(name).feeds")
                        for (i, f) in (restricted ?? []).enumerated() where !feedIdentities.contains(f) {
                            fail("topic \"\(name)\": feeds[\(i)] \"\(f)\" is neither the name nor the url of a configured feed", v.items?[i] ?? v)
                        }
                    default: unknownKey(k.string ?? "?", k, known: ["query", "feeds", "language"], in: "topic \"\(name)\"")
                    }
                }
                guard let found else { fail("topic \"\(name)\": needs a query", value); continue }
                queryNode = found
            }
            guard case .scalar(let scalar) = queryNode, !scalar.isNull else {
                fail("topic \"\(name)\": the query must be a string, like 'police OR \"law enforcement\"'", queryNode)
                continue
            }
            let query: Query
            do {
                query = try QueryParser.parse(scalar.string)
                try TopicMatcher.validate(query)
            } catch let error as QueryError {
                queryError(error, topic: name, scalar)
                continue
            } catch {
                fail("topic \"\(name)\": \(error)", queryNode)
                continue
            }
            out.append(Topic(name: name, query: query, feeds: restricted, language: language))
        }
        return out
    }

    /// A query error, placed at the offending character of the query inside the file.
    private mutating func queryError(_ error: QueryError, topic: String, _ scalar: YAMLScalar) {
        let characterOffset = max(0, error.column - 1)
        // An error at the very end ("… expected") points just past the last character written,
        // not at the line break or block indentation that follows it.
        let written = scalar.string.reversed().drop { $0.isWhitespace }.count
        let scalarOffset = scalar.string.prefix(min(characterOffset, written)).unicodeScalars.count
        let message = "topic \"\(topic)\": \(error.message)"
        guard let at = source.position(ofScalarOffset: scalarOffset, in: scalar) else {
            return errors.append(source.error(message, at: scalar.mark))
        }
        errors.append(source.error(message, line: at.line, column: at.column))
    }

    private mutating func sinks(_ node: YAMLNode, topics: Set<String>) -> [SinkConfig] {
        guard let list = sequence(node, "sinks") else { return [] }
        let kinds = ["stdout", "file", "digest", "webhook", "exec", "email"]
        var out: [SinkConfig] = []
        var names = Set<String>()
        for (i, item) in list.enumerated() {
            let what = "sinks[\(i)]"
            guard let entries = mapping(item, what) else { continue }
            guard entries.count == 1, let (kind, body) = entries.first.map({ ($0.key, $0.value) }) else {
                fail("\(what): one sink per entry, written as one of \(kinds.joined(separator: ", ")) followed by its settings", item)
                continue
            }
            let settings: [Entry]
            if isNull(body) { settings = [] } else { guard let m = mapping(body, "\(what).\(kind)") else { continue }; settings = m }
            var values: [String: YAMLNode] = [:]
            var sinkTopics: [String]?
            let allowed: [String]
            switch kind {
            case "stdout": allowed = ["format", "topics", "health", "stories", "name", "node"]
            case "file": allowed = ["path", "topics", "health", "stories", "name", "node"]
            case "digest": allowed = ["path", "every", "topics", "health", "stories", "name", "node"]
            case "webhook": allowed = ["url", "secret_env", "topics", "format", "batch", "timeout", "max_attempts", "max_age", "health", "stories", "name"]
            case "exec": allowed = ["command", "topics", "timeout", "max_attempts", "max_age", "health", "stories", "name"]
            case "email":
                allowed = ["url", "from", "to", "username_env", "password_env", "starttls", "every", "topics", "timeout", "max_attempts",
                           "max_age", "health", "stories", "name"]
            default:
                unknownKey(kind, entries[0].keyNode, known: kinds, in: "sinks")
                continue
            }
            for entry in settings {
                let (key, value) = (entry.key, entry.value)
                guard allowed.contains(key) else { unknownKey(key, entry.keyNode, known: allowed, in: "\(what).\(kind)"); continue }
                if key == "topics" {
                    sinkTopics = stringList(value, "\(what).\(kind).topics")
                    for (j, t) in (sinkTopics ?? []).enumerated() where !topics.contains(t) {
                        fail("\(what).\(kind).topics[\(j)]: no topic is named \"\(t)\"", value.items?[j] ?? value)
                    }
                } else {
                    values[key] = value
                }
            }
            func required(_ key: String) -> YAMLNode? {
                if values[key] == nil { fail("\(what).\(kind): needs \(key)", isNull(body) ? item : body) }
                return values[key]
            }
            let sinkKind: SinkConfig.Kind?
            switch kind {
            case "stdout":
                var format = SinkConfig.OutputFormat.text
                if let f = values["format"], let text = string(f, "\(what).stdout.format") {
                    if let parsed = SinkConfig.OutputFormat(rawValue: text) { format = parsed } else {
                        fail("\(what).stdout.format: \"\(text)\" is not text or json", f)
                    }
                }
                sinkKind = .stdout(format: format)
            case "file":
                sinkKind = required("path").flatMap { string($0, "\(what).file.path") }
                    .map { .file(path: writablePath(absolutePath($0), "\(what).file.path", values["path"]!)) }
            case "digest":
                let path = required("path").flatMap { string($0, "\(what).digest.path") }
                let every = values["every"].map { duration($0, "\(what).digest.every") } ?? 3_600
                sinkKind = path.flatMap { p in every.map { .digest(path: writablePath(absolutePath(p), "\(what).digest.path", values["path"]!), everySeconds: $0) } }
            case "exec":
                let command = required("command").flatMap { stringList($0, "\(what).exec.command") }
                if let command, command.isEmpty || command[0].isEmpty, let node = values["command"] {
                    fail("\(what).exec.command: needs a program (a list: [program, arguments…])", node)
                }
                sinkKind = command.flatMap { $0.first?.isEmpty == false ? .exec(command: $0) : nil }
            case "email":
                sinkKind = email(values, at: isNull(body) ? item : body, what: "\(what).email")
            default:
                let url = required("url").flatMap { string($0, "\(what).webhook.url") }
                if let url, let node = values["url"], !(url.lowercased().hasPrefix("http://") || url.lowercased().hasPrefix("https://")) {
                    fail("\(what).webhook.url: \"\(url)\" is not an http(s) URL", node)
                }
                var hook = SinkConfig.Webhook(url: url ?? "")
                hook.secretEnv = values["secret_env"].flatMap { string($0, "\(what).webhook.secret_env") }
                if let f = values["format"], let text = string(f, "\(what).webhook.format") {
                    if let parsed = SinkConfig.WebhookFormat(rawValue: text) { hook.format = parsed } else {
                        fail("\(what).webhook.format: \"\(text)\" is not one of \(SinkConfig.WebhookFormat.allCases.map(\.rawValue).joined(separator: ", "))", f)
                    }
                }
                if let b = values["batch"], let n = count(b, "\(what).webhook.batch", max: 1_000) {
                    if n > 1 && hook.format != .json { fail("\(what).webhook.batch: only the json format sends batches", b) } else { hook.batch = n }
                }
                sinkKind = url.map { _ in .webhook(hook) }
            }
            var retry = SinkConfig.Retry(timeout: kind == "exec" || kind == "email" ? 30 : 10)
            if let v = values["timeout"] { retry.timeout = duration(v, "\(what).\(kind).timeout") ?? retry.timeout }
            if let v = values["max_attempts"] { retry.maxAttempts = count(v, "\(what).\(kind).max_attempts", max: 1_000) ?? retry.maxAttempts }
            if let v = values["max_age"] { retry.maxAge = duration(v, "\(what).\(kind).max_age") ?? retry.maxAge }
            let health = values["health"].flatMap { bool($0, "\(what).\(kind).health") } ?? false
            var policy = SinkConfig.StoryPolicy.every
            if let v = values["stories"], let text = string(v, "\(what).\(kind).stories") {
                if let parsed = SinkConfig.StoryPolicy(rawValue: text) { policy = parsed } else {
                    fail("\(what).\(kind).stories: \"\(text)\" is not one of \(SinkConfig.StoryPolicy.allCases.map(\.rawValue).joined(separator: ", "))", v)
                }
            }
            var name: String?
            if let v = values["name"], let text = string(v, "\(what).\(kind).name") {
                if text.isEmpty || text.unicodeScalars.contains(where: { $0.value < 0x20 }) {
                    fail("\(what).\(kind).name: needs a name of printable characters", v)
                } else if !names.insert(text).inserted {
                    fail("\(what).\(kind).name: another sink is named \"\(text)\" (each sink needs its own place in the queue)", v)
                } else {
                    name = text
                }
            }
            var pinned: String?
            if let v = values["node"], let text = string(v, "\(what).\(kind).node") {
                if text.isEmpty { fail("\(what).\(kind).node: needs a node name", v) } else { pinned = text }
            }
            if let sinkKind {
                out.append(SinkConfig(kind: sinkKind, topics: sinkTopics, retry: retry, health: health, stories: policy, name: name, node: pinned))
            }
        }
        return out
    }

    /// An `email` sink's settings: an `smtp`/`smtps` URL, addresses that cannot break an SMTP
    /// envelope or a header, credentials by environment variable only, both or neither.
    private mutating func email(_ values: [String: YAMLNode], at node: YAMLNode, what: String) -> SinkConfig.Kind? {
        func required(_ key: String, _ reader: inout ConfigReader) -> YAMLNode? {
            if values[key] == nil { reader.fail("\(what): needs \(key)", node) }
            return values[key]
        }
        let url = required("url", &self).flatMap { string($0, "\(what).url") }
        if let url, let node = values["url"] {
            let lower = url.lowercased()
            if !(lower.hasPrefix("smtp://") || lower.hasPrefix("smtps://")) || URLText.hostAndPort(of: url).isEmpty {
                fail("\(what).url: \"\(url)\" is not an smtp:// or smtps:// URL with a host", node)
            }
        }
        let from = required("from", &self).flatMap { string($0, "\(what).from") }
        if let from, let node = values["from"], !SinkConfig.Email.isAddress(from) {
            fail("\(what).from: \"\(from)\" is not an e-mail address (name@example.org)", node)
        }
        var to: [String]?
        if let node = required("to", &self) {
            // One address or a list of them.
            if case .scalar = node { to = string(node, "\(what).to").map { [$0] } } else { to = stringList(node, "\(what).to") }
            if let list = to, list.isEmpty { fail("\(what).to: needs at least one address", node) }
            for (j, address) in (to ?? []).enumerated() where !SinkConfig.Email.isAddress(address) {
                fail("\(what).to: \"\(address)\" is not an e-mail address (name@example.org)", node.items?[j] ?? node)
            }
        }
        var mail = SinkConfig.Email(url: url ?? "", from: from ?? "", to: to ?? [])
        mail.usernameEnv = values["username_env"].flatMap { string($0, "\(what).username_env") }
        mail.passwordEnv = values["password_env"].flatMap { string($0, "\(what).password_env") }
        if (mail.usernameEnv == nil) != (mail.passwordEnv == nil), let node = values["username_env"] ?? values["password_env"] {
            fail("\(what): username_env and password_env go together (AUTH needs both)", node)
        }
        if let v = values["starttls"], let text = string(v, "\(what).starttls") {
            if let parsed = SinkConfig.Email.StartTLS(rawValue: text) { mail.starttls = parsed } else {
                fail("\(what).starttls: \"\(text)\" is not one of \(SinkConfig.Email.StartTLS.allCases.map(\.rawValue).joined(separator: ", "))", v)
            }
        }
        if let v = values["every"] { mail.everySeconds = duration(v, "\(what).every") }
        guard url != nil, from != nil, to != nil else { return nil }
        return .email(mail)
    }

    /// `state`: an SQLite file's path (made absolute, checked writable), or a PostgreSQL URI —
    /// whose password must not be written in the file (PGPASSWORD, ~/.pgpass or a `${VAR}`).
    private mutating func state(_ node: YAMLNode) -> String? {
        guard case .scalar(let raw) = node, let value = string(node, "state") else { return nil }
        guard Config.isPostgresURI(value) else { return writablePath(absolutePath(value), "state", node) }
        if let password = Self.uriPassword(raw.string), !password.hasPrefix("${") {
            fail("state: the password is written in the config; leave it out and set PGPASSWORD, use ~/.pgpass, or write ${VAR}", node)
            return nil
        }
        return value
    }

    /// The password part of `scheme://user:password@host…`, as written.
    static func uriPassword(_ uri: String) -> String? {
        let marker = Array("://".utf8)
        let bytes = Array(uri.utf8)
        guard let start = (0..<max(bytes.count - 2, 0)).first(where: { Array(bytes[$0..<$0 + 3]) == marker }) else { return nil }
        let rest = Substring(String(decoding: bytes[(start + 3)...], as: UTF8.self))
        guard let at = rest.lastIndex(of: "@") else { return nil }
        let userInfo = rest[..<at]
        guard !userInfo.contains("/"), let colon = userInfo.firstIndex(of: ":") else { return nil }
        return String(userInfo[userInfo.index(after: colon)...])
    }

    // MARK: Typed values

    /// A mapping's entries; each key keeps its node, so errors about a key point at the key.
    private mutating func mapping(_ node: YAMLNode, _ what: String) -> [Entry]? {
        guard case .mapping(let m, _) = node else {
            fail("\(what) must be a mapping (key: value lines)", node)
            return nil
        }
        var out: [Entry] = []
        for (k, v) in m {
            guard case .scalar(let s) = k else { fail("\(what): keys must be plain words", k); continue }
            out.append(Entry(key: s.string, keyNode: k, value: v))
        }
        return out
    }

    struct Entry {
        var key: String
        var keyNode: YAMLNode
        var value: YAMLNode
    }

    private mutating func sequence(_ node: YAMLNode, _ what: String) -> [YAMLNode]? {
        if isNull(node) { return [] }
        guard let items = node.items else {
            fail("\(what) must be a list (lines starting with \"- \")", node)
            return nil
        }
        return items
    }

    private mutating func string(_ node: YAMLNode, _ what: String) -> String? {
        guard case .scalar(let s) = node, !isNull(node) else {
            fail("\(what) must be a single value", node)
            return nil
        }
        return expand(s.string, node, what)
    }

    /// `${NAME}` replaced by the environment variable's value; an unset one is an error.
    private mutating func expand(_ value: String, _ node: YAMLNode, _ what: String) -> String? {
        // Checked on bytes: this runs for every scalar of a config that may list 10,000 feeds.
        var previous: UInt8 = 0
        guard value.utf8.contains(where: { byte in
            defer { previous = byte }
            return previous == 0x24 && byte == 0x7B
        }) else { return value }
        var out = "", rest = Substring(value)
        while let open = rest.firstRange(of: "${") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                fail("\(what): \"${\" without a closing \"}\"", node)
                return nil
            }
            let name = String(rest[open.upperBound..<close])
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                fail("\(what): \"${\(name)}\" is not an environment variable name", node)
                return nil
            }
            guard let v = environment(name) else {
                fail("\(what): environment variable \(name) is not set", node)
                return nil
            }
            out += v
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    private mutating func stringList(_ node: YAMLNode, _ what: String) -> [String]? {
        if case .scalar = node, let one = string(node, what) { return [one] }
        guard let items = sequence(node, what) else { return nil }
        return items.compactMap { string($0, what) }
    }

    private mutating func duration(_ node: YAMLNode, _ what: String) -> Int? {
        guard let text = string(node, what) else { return nil }
        guard let seconds = DurationValue.seconds(text) else {
            fail("\(what): \"\(text)\" is not a duration (examples: 90s, 15m, 1h, 7d)", node)
            return nil
        }
        return seconds
    }

    private mutating func bool(_ node: YAMLNode, _ what: String) -> Bool? {
        guard let text = string(node, what) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            fail("\(what): \"\(text)\" is not true or false", node)
            return nil
        }
    }

    private mutating func size(_ node: YAMLNode, _ what: String) -> Int? {
        guard let text = string(node, what) else { return nil }
        guard let bytes = ByteSize.parse(text) else {
            fail("\(what): \"\(text)\" is not a size (examples: 512KB, 10MB)", node)
            return nil
        }
        return bytes
    }

    private mutating func count(_ node: YAMLNode, _ what: String, max: Int) -> Int? {
        guard let text = string(node, what) else { return nil }
        guard let n = Int(text), n >= 1, n <= max else {
            fail("\(what): \"\(text)\" is not a whole number from 1 to \(max)", node)
            return nil
        }
        return n
    }

    private func isNull(_ node: YAMLNode) -> Bool {
        if case .scalar(let s) = node { return s.isNull }
        return false
    }

    private mutating func unknownKey(_ key: String, _ node: YAMLNode, known: [String], in what: String) {
        let hint = known.first { editDistance($0, key) <= 2 }.map { " (did you mean \"\($0)\"?)" } ?? ""
        fail("\(what): unknown key \"\(key)\"\(hint); known: \(known.joined(separator: ", "))", node)
    }

    private mutating func fail(_ message: String, _ node: YAMLNode) {
        errors.append(source.error(message, at: node.mark))
    }

    /// Relative paths are relative to the config file's directory.
    /// A file the daemon will write: an existing directory (or anything but a regular file) at
    /// that path is an error now, not a failure at the first write.
    private mutating func writablePath(_ path: String, _ what: String, _ node: YAMLNode) -> String {
        var st = stat()
        if stat(path, &st) == 0 {
            let kind = st.st_mode & S_IFMT
            if kind == S_IFDIR {
                fail("\(what): \(path) is a directory; give the path of a file in it", node)
            } else if kind != S_IFREG {
                fail("\(what): \(path) is not a regular file", node)
            }
        }
        return path
    }

    private func absolutePath(_ path: String) -> String {
        LocalPath.absolute(path, relativeTo: LocalPath.absolute(LocalPath.directory(of: source.file)))
    }
}

/// Levenshtein distance, for "did you mean" hints on short keys.
private func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var row = Array(0...b.count)
    for i in 1...max(1, a.count) where !a.isEmpty {
        var previous = row[0]
        row[0] = i
        for j in 1...max(1, b.count) where !b.isEmpty {
            let saved = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
            previous = saved
        }
    }
    return row[b.count]
}
