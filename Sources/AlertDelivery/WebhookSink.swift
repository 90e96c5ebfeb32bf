internal import FoundationEssentials
public import Config
public import FeedwatchCore
internal import HTTPTransport
internal import Scheduler

/// POSTs alerts to a URL: the contract's record as JSON (one per request, or arrays of up to
/// `batch`), or reshaped for a chat service (`slack`, `discord`, `ntfy`). Signed per Standard
/// Webhooks when a secret is configured: `webhook-id` is the alert id (the first of a batch), so a
/// receiver can drop a repeat. 2xx is delivered; 408, 429, 5xx and network failures are retried;
/// any other status is refused for good (dead-lettered at once).
public final class WebhookSink: AlertSink {
    public let hook: SinkConfig.Webhook
    public let topics: Set<String>?
    public let retry: SinkConfig.Retry?
    public let wantsHealth: Bool
    public var storyPolicy = SinkConfig.StoryPolicy.every
    private let key: Result<[UInt8], StandardWebhooks.SecretError>?
    /// The daemon's stop: a request still running when its grace period ends is cut, and its
    /// alerts stay pending.
    public var stop = StopGrace.never

    /// The config's `name:`, which keeps the sink's place in the queue across edits of its settings.
    public var identity: String?
    public var name: String { identity ?? "webhook:" + hook.url }
    public var batchLimit: Int { hook.format == .json ? hook.batch : 1 }

    /// `secret`: the `whsec_…` value of `secret_env`, if set.
    public init(_ hook: SinkConfig.Webhook, secret: String?, topics: Set<String>?, retry: SinkConfig.Retry, health: Bool = false) {
        self.hook = hook
        self.topics = topics
        self.retry = retry
        self.wantsHealth = health
        key = secret.map { s in Result { () throws(StandardWebhooks.SecretError) in try StandardWebhooks.key(fromSecret: s) } }
    }

    public func deliver(_ alerts: [Alert]) throws {
        guard let first = alerts.first else { return }
        if hook.secretEnv != nil && key == nil {
            throw DeliveryFailure("the webhook secret variable \(hook.secretEnv!) is not set")
        }
        let (body, contentType, extra) = WebhookPayload.body(for: alerts, format: hook.format, batched: hook.batch > 1)
        var headers = [("Content-Type", contentType)] + extra
        if let key {
            let timestamp = Timestamp.now().secondsSince1970
            let signature = try StandardWebhooks.signature(key: key.get(), id: first.id, timestamp: timestamp, body: body)
            headers += [("webhook-id", first.id), ("webhook-timestamp", String(timestamp)), ("webhook-signature", signature)]
        }
        let response: HTTPPost.Response
        do {
            response = try HTTPPost.send(hook.url, headers: headers, body: body, timeoutSeconds: retry?.timeout ?? 10, stop: stop)
        } catch {
            throw DeliveryFailure("\(error)")
        }
        switch response.status {
        case 200..<300:
            return
        case 408, 429, 500...:
            let after = response.retryAfter.flatMap { WebhookPayload.retryAfter($0) }
            throw DeliveryFailure("HTTP \(response.status)", retryAfter: after)
        default:
            throw DeliveryFailure("HTTP \(response.status): refused", permanent: true)
        }
    }
}

/// Request bodies by format. Chat formats carry one alert: its topics, title, feed and link.
enum WebhookPayload {
    static func body(for alerts: [Alert], format: SinkConfig.WebhookFormat, batched: Bool) -> ([UInt8], String, [(String, String)]) {
        switch format {
        case .json:
            let text = batched ? "[" + alerts.map(\.record).joined(separator: ",") + "]" : alerts[0].record
            return (Array(text.utf8), "application/json", [])
        case .slack, .discord:
            let v = alerts[0]
            var w = JSONWriter()
            w.beginObject()
            if format == .slack {
                // Slack's incoming webhooks: `text` in mrkdwn, a link as <url|label>.
                let title = v.headline
                w.field("text", "*[\(v.topics.joined(separator: ", "))]* " + (v.link.map { "<\($0)|\(escapeSlack(title))>" } ?? escapeSlack(title))
                    + " — \(escapeSlack(v.feed.title ?? v.feed.url))" + (v.storyNote.map { " (\(escapeSlack($0)))" } ?? ""))
            } else {
                // Discord's execute-webhook: `content`, at most 2,000 characters; no pings.
                let text = "**[\(v.topics.joined(separator: ", "))]** \(v.headline) — \(v.feed.title ?? v.feed.url)"
                    + (v.storyNote.map { " (\($0))" } ?? "") + (v.link.map { "\n\($0)" } ?? "")
                w.field("content", String(text.prefix(2_000)))
                w.key("allowed_mentions")
                w.beginObject()
                w.key("parse")
                w.beginArray()
                w.endArray()
                w.endObject()
            }
            w.endObject()
            return (w.bytes, "application/json", [])
        case .ntfy:
            // ntfy publishes the body as the message; title, tags and click target as headers.
            let a = alerts[0]
            // Where it belongs in its story, first: `story of 4 · first: The Verge, 09:53`.
            let message = (a.storyNote.map { "(\($0)) " } ?? "") + (a.item?.summary.map { String($0.prefix(1_000)) } ?? a.headline)
            var headers: [(String, String)] = []
            headers.append(("Title", headerSafe(a.item?.title ?? a.headline)))
            headers.append(("Tags", headerSafe(a.topics.joined(separator: ","))))
            if let link = a.link { headers.append(("Click", headerSafe(link))) }
            return (Array(message.utf8), "text/plain; charset=utf-8", headers)
        }
    }

    /// `&`, `<` and `>` are Slack's control characters in mrkdwn.
    static func escapeSlack(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.append(c)
            }
        }
        return out
    }

    /// Header values on one line, ASCII (ntfy decodes RFC 2047 too, but plain is enough).
    static func headerSafe(_ s: String) -> String {
        String(s.unicodeScalars.map { $0.value < 0x20 || $0.value > 0x7E ? " " : Character($0) }.prefix(250))
    }

    static func retryAfter(_ value: String) -> Timestamp? {
        FreshnessHeaders.retryAfter(value, receivedAt: WallClock.seconds())
    }
}
