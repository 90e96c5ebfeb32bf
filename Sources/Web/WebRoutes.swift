public import FeedwatchCore

/// A request as the routes need it, whatever server library carried it.
public struct WebRequest: Sendable {
    public var method: String
    public var path: String
    /// Query items as sent, percent-decoded.
    public var query: [(name: String, value: String)]
    public var authorization: String?

    public init(method: String, path: String, query: [(name: String, value: String)], authorization: String?) {
        self.method = method
        self.path = path
        self.query = query
        self.authorization = authorization
    }

    public func value(_ name: String) -> String? { query.first { $0.name == name }?.value }
}

public struct WebResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]
    public var headers: [(String, String)]

    public init(status: Int, contentType: String, body: [UInt8], headers: [(String, String)] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }
}

/// Every path of the contract's `http:` section, as one function from a request to a response:
/// the decisions (auth, which page, which status) made here, the I/O (sockets, the store) at the
/// edges — so the whole surface is tested without a socket, and the server library is a detail.
public struct WebRoutes: Sendable {
    public let source: any WebDataSource
    /// The bearer token, when `http.token_env` names one.
    public let token: String?
    public let metrics: MetricsExposition
    /// Stories read for one page or feed at most.
    public static let maxStories = 500

    public init(source: any WebDataSource, token: String?, metrics: MetricsExposition) {
        self.source = source
        self.token = token
        self.metrics = metrics
    }

    /// Sent with every response. No script may run and nothing may load from elsewhere: the page
    /// needs neither, and feed text is hostile. `/style.css` is the one resource it loads.
    public static let securityHeaders: [(String, String)] = [
        ("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Frame-Options", "DENY"),
        ("Cache-Control", "no-store"),
    ]

    public func respond(_ request: WebRequest, now: Timestamp) -> WebResponse {
        var response = route(request, now: now)
        response.headers = Self.securityHeaders + response.headers
        if request.method == "HEAD" { response.headers.append(("Content-Length", String(response.body.count))) }
        return response
    }

    private func route(_ request: WebRequest, now: Timestamp) -> WebResponse {
        guard request.method == "GET" || request.method == "HEAD" else {
            return WebResponse(status: 405, contentType: "text/plain; charset=utf-8", body: Array("only GET and HEAD\n".utf8), headers: [("Allow", "GET, HEAD")])
        }
        // The health check answers a load balancer or systemd without the token; the stylesheet
        // and icon are public (a browser cannot send a bearer token for them) and hold nothing of
        // the store.
        switch request.path {
        case "/healthz": return health()
        case "/style.css": return WebResponse(status: 200, contentType: "text/css; charset=utf-8", body: Array(Stylesheet.css.utf8))
        case "/favicon.svg": return WebResponse(status: 200, contentType: "image/svg+xml", body: Array(Stylesheet.favicon.utf8))
        case "/favicon.ico": return WebResponse(status: 204, contentType: "image/x-icon", body: [])  // browsers ask; the page names the SVG
        default: break
        }
        if let token, !Self.authorized(request.authorization, token: token) {
            return WebResponse(status: 401, contentType: "text/plain; charset=utf-8", body: Array("a bearer token is required\n".utf8),
                               headers: [("WWW-Authenticate", "Bearer realm=\"feedwatch\"")])
        }
        do {
            switch request.path {
            case "/", "/index.html": return try index(request, now: now)
            case "/stories.atom": return try atom(request, now: now)
            case "/api/stories": return try apiStories(request, now: now)
            case "/api/feeds": return WebResponse(status: 200, contentType: "application/json", body: APIJSON.feeds(try source.feeds()))
            case "/metrics":
                return WebResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: try metrics.text(source, now: now))
            case let p where p.hasPrefix("/stories/"):
                let id = WebText.percentDecode(String(p.dropFirst("/stories/".count)))
                guard let story = try source.story(id: id) else {
                    return html(404, Pages.message(title: "No such story", "There is no story \(id) in the store."))
                }
                return html(200, Pages.story(story, now: now))
            default:
                return html(404, Pages.message(title: "Not found", "Nothing lives at \(request.path)."))
            }
        } catch let error as BadRequest {
            return WebResponse(status: 400, contentType: "text/plain; charset=utf-8", body: Array((error.message + "\n").utf8))
        } catch {
            return html(503, Pages.message(title: "The store does not answer", "\(error)"))
        }
    }

    private struct BadRequest: Error { var message: String }

    private func since(_ request: WebRequest, default fallback: String) throws(BadRequest) -> (String, Int) {
        let text = request.value("since") ?? fallback
        guard let seconds = WebText.duration(text) else {
            throw BadRequest(message: "since: \"\(text)\" is not a duration (examples: 90s, 15m, 24h, 7d)")
        }
        return (text, seconds)
    }

    private func limit(_ request: WebRequest) throws(BadRequest) -> Int {
        guard let text = request.value("limit") else { return Self.maxStories }
        guard let n = Int(text), n >= 1 else { throw BadRequest(message: "limit: \"\(text)\" is not a whole number from 1") }
        return min(n, Self.maxStories)
    }

    private func index(_ request: WebRequest, now: Timestamp) throws -> WebResponse {
        let (label, seconds) = try since(request, default: "24h")
        // One read serves both the list and the 7-day volume chart.
        let days = 7
        let from = Timestamp(secondsSince1970: now.secondsSince1970 - Int64(max(seconds, days * 86_400)))
        let all = try source.stories(since: from, limit: Self.maxStories)
        let cutoff = now.secondsSince1970 - Int64(seconds)
        let shown = all.filter { $0.lastSeen.secondsSince1970 >= cutoff }
        let page = Pages.index(stories: shown, volumes: TopicVolumeChart.volumes(all, days: days, now: now), feeds: try source.feeds(),
                               outbox: try source.outbox(), since: label, now: now)
        return html(200, page)
    }

    private func atom(_ request: WebRequest, now: Timestamp) throws -> WebResponse {
        let topic = request.value("topic").flatMap { $0.isEmpty ? nil : $0 }
        let (_, seconds) = try since(request, default: "7d")
        var stories = try source.stories(since: Timestamp(secondsSince1970: now.secondsSince1970 - Int64(seconds)), limit: Self.maxStories)
        if let topic { stories = stories.filter { $0.topics.contains(topic) } }
        // Newest growth first, as readers list entries.
        stories.sort { ($0.lastSeen, $0.id) > ($1.lastSeen, $1.id) }
        return WebResponse(status: 200, contentType: "application/atom+xml; charset=utf-8", body: Array(AtomFeed.render(stories, topic: topic, now: now).utf8))
    }

    private func apiStories(_ request: WebRequest, now: Timestamp) throws -> WebResponse {
        let (_, seconds) = try since(request, default: "24h")
        let stories = try source.stories(since: Timestamp(secondsSince1970: now.secondsSince1970 - Int64(seconds)), limit: try limit(request))
        return WebResponse(status: 200, contentType: "application/json", body: APIJSON.stories(stories))
    }

    private func health() -> WebResponse {
        do {
            try source.ping()
            return WebResponse(status: 200, contentType: "text/plain; charset=utf-8", body: Array("ok\n".utf8))
        } catch {
            return WebResponse(status: 503, contentType: "text/plain; charset=utf-8", body: Array("the store does not answer: \(error)\n".utf8))
        }
    }

    private func html(_ status: Int, _ page: String) -> WebResponse {
        WebResponse(status: status, contentType: "text/html; charset=utf-8", body: Array(page.utf8))
    }

    /// Compares the presented token with ours in time that depends only on their lengths, never
    /// on where they first differ, so the token cannot be guessed a byte at a time.
    public static func authorized(_ header: String?, token: String) -> Bool {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return false }
        let given = Array(header.utf8.dropFirst(7)), wanted = Array(token.utf8)
        var diff = UInt8(given.count == wanted.count ? 0 : 1)
        for i in 0..<wanted.count { diff |= wanted[i] ^ (i < given.count ? given[i] : 0) }
        return diff == 0 && !wanted.isEmpty
    }
}
