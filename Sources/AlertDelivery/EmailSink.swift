public import Config
public import FeedwatchCore
internal import HTTPTransport
internal import Store

/// Mails alerts through an SMTP server: one mail per alert, threaded by story, or with `every`
/// one digest mail per period. The alerts wait in the outbox like any sink's: a digest's alerts
/// stay pending until its period is over, then go out in one mail, so a failed digest is retried
/// (4xx replies, no connection) or dead-lettered (5xx) whole, exactly as a webhook's request is.
public final class EmailSink: AlertSink {
    public let mail: SinkConfig.Email
    public let topics: Set<String>?
    public let retry: SinkConfig.Retry?
    public let wantsHealth: Bool
    public var storyPolicy = SinkConfig.StoryPolicy.every
    /// The config's `name:`, which keeps the sink's place in the queue across edits of its settings.
    public var identity: String?
    public var name: String { identity ?? "email:" + mail.url + "?to=" + mail.to.joined(separator: ",") }
    public var batchLimit: Int { mail.everySeconds == nil ? 1 : 500 }
    /// The daemon's stop: a transfer still running when its grace period ends is cut, and its
    /// alerts stay pending.
    public var stop = StopGrace.never
    /// The config's feed names by URL, for the failing feeds a digest lists.
    public var feedNames: [String: String] = [:]
    private let credentials: (username: String?, password: String?)
    /// What a digest's mail tells beyond its alerts, read from the store when its period opens.
    private var period: (start: Timestamp, failing: [FailingFeed])?
    /// Whether this round's delivery failed and is to be retried (the period then stays open).
    private var roundFailed = false

    /// `username`/`password`: the values of `username_env`/`password_env`, if set.
    public init(_ mail: SinkConfig.Email, username: String?, password: String?, topics: Set<String>?, retry: SinkConfig.Retry,
                health: Bool = false) {
        self.mail = mail
        self.topics = topics
        self.retry = retry
        self.wantsHealth = health
        credentials = (username, password)
    }

    public func deliver(_ alerts: [Alert]) throws {
        guard !alerts.isEmpty else { return }
        do {
            try send(alerts)
        } catch {
            if !error.permanent { roundFailed = true }
            throw error
        }
    }

    private func send(_ alerts: [Alert]) throws(DeliveryFailure) {
        if mail.usernameEnv != nil && (credentials.username == nil || credentials.password == nil) {
            let missing = credentials.username == nil ? mail.usernameEnv! : mail.passwordEnv!
            throw DeliveryFailure("the SMTP credential variable \(missing) is not set")
        }
        let now = Timestamp.now()
        let views = alerts.map(Self.mailAlert)
        let addresses = MailMessage.Addresses(from: mail.from, to: mail.to)
        let message = if mail.everySeconds != nil {
            MailMessage.digest(views, failing: period?.failing ?? [], from: period?.start ?? now, to: now, addresses, date: now)
        } else {
            MailMessage.alert(views[0], addresses, date: now)
        }
        let hasCredentials = credentials.username != nil
        let envelope = SMTPTransfer.Envelope(
            url: mail.url, from: mail.from, recipients: mail.to, username: credentials.username, password: credentials.password,
            tls: SMTPSecurity.tls(url: mail.url, configured: mail.starttls == .required ? .required : .whenOffered, hasCredentials: hasCredentials))
        do {
            _ = try SMTPTransfer.send(envelope, message: message, timeoutSeconds: retry?.timeout ?? 30, stop: stop)
        } catch {
            throw Self.failure(error)
        }
    }

    /// SMTP's reply classes as the outbox's: a 5xx refusal is permanent (dead-lettered at once),
    /// a 4xx one and a transfer that got no refusal (no connection, TLS, a timeout) are retried.
    static func failure(_ f: SMTPTransfer.Failure) -> DeliveryFailure {
        let permanent = f.code.map { (500..<600).contains($0) } ?? false
        return DeliveryFailure(permanent ? "\(f.description): refused" : f.description, permanent: permanent)
    }

    /// The fields of an alert a mail shows.
    static func mailAlert(_ a: Alert) -> MailAlert {
        MailAlert(id: a.id, topics: a.isHealth ? [] : a.topics, feed: a.feed.title ?? a.feed.url, headline: a.headline,
                  link: a.link, published: a.item?.published?.rfc3339, summary: a.item?.summary, authors: a.item?.authors ?? [],
                  storyID: a.story?.id, storySize: a.story?.size ?? 1, isHealth: a.isHealth)
    }
}

/// The digest's period, kept in the store as the sink's summary time (as the digest file's is).
extension EmailSink: GatedSink, PeriodicSink {
    func opens(_ store: DeliveryStore, now: Timestamp) throws -> Bool {
        guard let every = mail.everySeconds else { return true }
        roundFailed = false
        guard let start = try store.sinkState(sink: name)?.summaryAt else {
            try store.setSummaryTime(sink: name, at: now)  // the first period starts now
            return false
        }
        guard now.secondsSince1970 - start.secondsSince1970 >= Int64(every) else { return false }
        let failing = try store.allFeeds().filter { $0.errorsInRow > 0 && !$0.gone }
            .sorted { ($0.errorsInRow, $1.url) > ($1.errorsInRow, $0.url) }
            .map { FailingFeed(feed: feedNames[$0.url] ?? $0.url, error: $0.lastError ?? "error", errorsInRow: $0.errorsInRow) }
        period = (start, failing)
        return true
    }

    /// After a round: a period whose mail went out (or that had nothing to send) ends now; one
    /// whose mail is to be retried stays open.
    func tick(_ store: DeliveryStore, now: Timestamp) throws {
        guard mail.everySeconds != nil, period != nil, !roundFailed else { return }
        try store.setSummaryTime(sink: name, at: now)
        period = nil
    }

    /// The period's end, or the retry after it when its mail failed (never a time already past,
    /// which would wake the daemon in a loop).
    func nextTick(_ store: DeliveryStore) throws -> Timestamp? {
        guard let every = mail.everySeconds, let state = try store.sinkState(sink: name), let start = state.summaryAt else { return nil }
        let end = Timestamp(secondsSince1970: start.secondsSince1970 + Int64(every))
        if state.attempts > 0, let retry = state.nextAttemptAt, retry > end { return retry }
        return end
    }
}

extension EmailSink: ConfigurableSink {}
