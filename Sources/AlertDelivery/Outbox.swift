internal import Glibc
public import Config
public import FeedwatchCore
public import Store

/// The outbox: every stored alert is queued for every sink by being in the store (it is written
/// with its item, in one transaction); each sink reads past its own cursor, in order. A sink that
/// fails waits — exponential backoff with jitter from seconds up to six hours, or the receiver's
/// `Retry-After` — and after `max_attempts` or `max_age` the alerts it could not take are
/// dead-lettered (kept, listed by `feedwatch outbox`, sent again after `outbox retry`) so they no
/// longer hold up the ones behind. A cursor moves only after the sink confirmed, so a `kill -9`
/// loses nothing: at worst the last batch goes out again, with the same ids.
public enum Delivery {
    /// First wait after a failure; doubled per failure in a row, up to `maxBackoff`.
    static let firstBackoff = 2
    static let maxBackoff = 6 * 3_600

    /// A sink the store keeps a place for that the config no longer names, with alerts it never
    /// took: what an edit of a sink's URL, path or command (without `name:`) leaves behind.
    public struct AbandonedSink: Sendable {
        public var name: String
        /// Alerts after its place in the queue (all of them, whatever its topics were).
        public var pending: Int
        public var dead: Int
    }

    /// Gives each configured sink its place in the queue now, as the config is loaded (see
    /// `DeliveryStore.registerSinks`), and returns the sinks the store knows that the config does not
    /// name but that still had alerts to take.
    public static func register(_ store: DeliveryStore, sinks: [AlertSink]) throws(StoreError) -> (added: [String], abandoned: [AbandonedSink]) {
        let added = try store.registerSinks(sinks.map(\.name))
        return (added, try abandoned(store, sinks: sinks))
    }

    public static func abandoned(_ store: DeliveryStore, sinks: [AlertSink]) throws(StoreError) -> [AbandonedSink] {
        let configured = Set(sinks.map(\.name))
        let dead = try store.deadLetters(sink: nil)
        var out: [AbandonedSink] = []
        for (name, state) in try store.knownSinks() where !configured.contains(name) {
            let pending = try store.alertCount(after: state.cursor)
            let letters = dead.filter { $0.sink == name }.count
            if pending > 0 || letters > 0 { out.append(AbandonedSink(name: name, pending: pending, dead: letters)) }
        }
        return out.sorted { $0.name < $1.name }
    }

    /// The warning a config edit that abandons a sink's alerts deserves, with the way out.
    public static func warning(_ a: AbandonedSink, configured: [AlertSink]) -> String {
        // The likely successor: the one configured sink of the same kind, if there is one.
        let kind = a.name.prefix { $0 != ":" }
        let same = configured.filter { $0.name.prefix { $0 != ":" } == kind }
        let target = same.count == 1 ? " '\(same[0].name)'" : " NEW-SINK"
        return "the sink '\(a.name)' is no longer in the config but had \(a.pending) alert\(a.pending == 1 ? "" : "s") it had not taken"
            + (a.dead > 0 ? " and \(a.dead) dead-lettered" : "")
            + ": `feedwatch outbox move '\(a.name)'\(target)` hands them to a configured sink, `feedwatch outbox forget '\(a.name)'` drops them"
            + " (give a sink a `name:` to keep its place when you edit its URL, path or command)"
    }

    /// Delivers what each sink has not yet taken and is due to try. Sinks have their place in the
    /// queue from `register` (when the config is loaded); one that was not registered gets it
    /// now, after the newest alert, and delivers from the next round — so a sink added to the
    /// config gets the alerts from then on, not the whole history.
    /// `lease`: this process's claim on each sink while it delivers it (recorded by a shared store
    /// only: a sink another node is delivering is left to it).
    public static func deliverPending(_ store: DeliveryStore, to sinks: [AlertSink], lease: Lease = Lease(node: "local", seconds: 60),
                                      now: Timestamp = Timestamp.now(), random: () -> Double = { Double.random(in: 0..<1) },
                                      stop: StopGrace = .never, log: (String) -> Void = { _ in }, progress: () -> Void = {}) throws {
        // Every configured sink was registered when the config was loaded (`register`).
        for sink in sinks {
            if stop.isStopping { return }  // what is not delivered stays pending for the next start
            guard var state = try store.sinkState(sink: sink.name) else {
                _ = try store.registerSinks([sink.name])  // a caller that did not register: from now on
                continue
            }
            if let next = state.nextAttemptAt, next > now { continue }  // backing off
            if let gated = sink as? GatedSink, try !gated.opens(store, now: now) { continue }  // a digest mail's period
            guard try store.claimSink(sink.name, lease: lease) else { continue }
            defer { try? store.releaseSink(sink.name, lease: lease) }  // not releasing only makes the next claimer wait out the lease
            // Read again under the claim: another node may have delivered it until a moment ago.
            state = try store.sinkState(sink: sink.name) ?? state
            if let next = state.nextAttemptAt, next > now { continue }
            do {
                try deliver(store, sink, state: &state, now: now, random: random, stop: stop, log: log, progress: progress)
            } catch let error as StoreError where error.kind == .conflict {
                // A shared store: this node's lease ran out mid-batch and another node took the
                // sink over; it delivers from the cursor. The other sinks still get their round.
                log("\(sink.name): \(error.message)")
                continue
            } catch let error as StoreError {
                throw error
            } catch {
                // A local sink (a full disk, a closed stdout): it waits like any failing sink, but
                // its alerts are never dead-lettered.
                let attempts = state.attempts + 1
                let next = Timestamp(secondsSince1970: now.secondsSince1970 + Int64(spread(backoff(attempts), random)))
                try store.fail(sink: sink.name, attempts: attempts, nextAttemptAt: next, error: "\(error)")
                log("\(sink.name): \(error); next try at \(next.rfc3339)")
            }
            progress()
            for notice in sink.drainNotices() { log(notice) }
            // A summary that cannot be written (a full disk) is that sink's failure, not the round's:
            // the sinks after it still get their alerts.
            do {
                if let periodic = sink as? PeriodicSink { try periodic.tick(store, now: now) }
            } catch let error as SinkError {
                log("\(sink.name): \(error)")
            }
        }
    }

    private static func deliver(_ store: DeliveryStore, _ sink: AlertSink, state: inout SinkState, now: Timestamp,
                                random: () -> Double, stop: StopGrace, log: (String) -> Void, progress: () -> Void) throws {
        // Dead letters requeued by `outbox retry` go first.
        for letter in try store.deadLetters(sink: sink.name) where letter.requeued {
            do {
                defer { progress() }
                try sink.deliver([try letter.alert.content.get()])
                try store.removeDeadLetter(sink: sink.name, position: letter.alert.position)
            } catch let failure {
                if stop.isStopping { return }  // cut by the stop: not the receiver's failure
                try failed(store, sink, [letter.alert], failure, state: &state, now: now, random: random, log: log, requeued: true)
                return
            }
        }
        while true {
            let batch = try store.alerts(after: state.cursor, limit: 500)
            guard let last = batch.last else { break }
            // A record that cannot be read is dead-lettered for this sink with the reason, in its
            // place in the order: it neither passes silently nor holds up the ones behind.
            if let broken = batch.first(where: { $0.alert == nil }) {
                let before = batch.prefix { $0.alert != nil }
                guard try deliverReadable(store, sink, Array(before), through: before.last?.position, state: &state, now: now,
                                          random: random, stop: stop, log: log, progress: progress), !stop.isStopping else { return }
                if case .failure(let why) = broken.content {
                    try store.deadLetter(sink: sink.name, [broken], attempts: 0, error: why.description, at: now, cursor: broken.position)
                    log("\(sink.name): dead-lettered \(broken.id): \(why)")
                }
                state.cursor = broken.position
                continue
            }
            guard try deliverReadable(store, sink, batch, through: last.position, state: &state, now: now, random: random, stop: stop,
                                      log: log, progress: progress)
            else { return }
        }
        if state.attempts > 0 || state.nextAttemptAt != nil {
            try store.fail(sink: sink.name, attempts: 0, nextAttemptAt: now, error: "")
        }
    }

    /// Delivers `batch` (every record readable) and moves the cursor through `through` once the
    /// sink has taken what it wants of it. Returns false when the sink failed or a stop cut it.
    @discardableResult
    private static func deliverReadable(_ store: DeliveryStore, _ sink: AlertSink, _ batch: [StoredAlert], through last: Int64?,
                                        state: inout SinkState, now: Timestamp, random: () -> Double, stop: StopGrace,
                                        log: (String) -> Void, progress: () -> Void) throws -> Bool {
        guard let last else { return true }
        do {
            let (wanted, sizes) = try chosen(batch.filter { wants(sink, $0.alert!) }, for: sink, store)
            var offset = 0
            while offset < wanted.count {
                if stop.isStopping { return false }
                let chunk = Array(wanted[offset..<min(wanted.count, offset + max(1, sink.batchLimit))])
                let started = Monotonic.seconds()
                do {
                    defer { progress() }
                    try sink.deliver(chunk.map { $0.alert! })
                    DeliveryTelemetry.attempt(sink: sink.name, outcome: "delivered", alerts: chunk.count, seconds: Monotonic.seconds() - started)
                } catch let failure {
                    if stop.isStopping { return false }  // cut by the stop: not the receiver's failure
                    DeliveryTelemetry.attempt(sink: sink.name, outcome: "failed", alerts: chunk.count, seconds: Monotonic.seconds() - started)
                    if try failed(store, sink, chunk, failure, state: &state, now: now, random: random, log: log, requeued: false) {
                        offset += chunk.count
                        continue  // given up on: the next ones are tried
                    }
                    return false
                }
                offset += chunk.count
                // Past the alerts just taken (and any unwanted ones before them).
                let position = offset == wanted.count ? last : chunk.last!.position
                var taken: [String: Int] = [:]
                for alert in chunk { if let s = sizes[alert.id] { taken[s.story] = max(taken[s.story] ?? 0, s.size) } }
                try store.acknowledge(sink: sink.name, through: position, storySizes: taken)
                state.cursor = position
                if state.attempts > 0 {
                    log("\(sink.name): delivering again after \(state.attempts) failed attempts")
                    state.attempts = 0
                    state.nextAttemptAt = nil
                }
            }
            if wanted.isEmpty {
                try store.acknowledge(sink: sink.name, through: last, storySizes: [:])
                state.cursor = last
            }
        }
        return true
    }

    /// Handles a failed delivery of `chunk`. Returns true when the chunk was dead-lettered (the
    /// cursor is past it), false when the sink waits and tries the same chunk later.
    @discardableResult
    private static func failed(_ store: DeliveryStore, _ sink: AlertSink, _ chunk: [StoredAlert], _ error: Error, state: inout SinkState,
                               now: Timestamp, random: () -> Double, log: (String) -> Void, requeued: Bool) throws -> Bool {
        guard let retry = sink.retry else { throw error }
        let failure = error as? DeliveryFailure ?? DeliveryFailure("\(error)")
        let attempts = state.attempts + 1
        // A requeued dead letter is old by nature: only attempts count against it.
        let oldest = chunk.map(\.createdAt).min() ?? now
        let expired = !requeued && now.secondsSince1970 - oldest.secondsSince1970 >= Int64(retry.maxAge)
        if failure.permanent || attempts >= retry.maxAttempts || expired {
            let why = failure.permanent ? failure.description
                : expired ? "\(failure) (older than max_age after \(attempts) attempts)" : "\(failure) (\(attempts) attempts)"
            let cursor = requeued ? state.cursor : chunk.last!.position
            try store.deadLetter(sink: sink.name, chunk, attempts: attempts, error: why, at: now, cursor: cursor)
            DeliveryTelemetry.dead(sink: sink.name, alerts: chunk.count)
            log("\(sink.name): dead-lettered \(chunk.map(\.id).joined(separator: ", ")): \(why); `feedwatch outbox retry` sends it again")
            state.cursor = cursor
            state.attempts = 0
            return !requeued
        }
        var wait = spread(backoff(attempts), random)
        if let asked = failure.retryAfter { wait = max(wait, Int(asked.secondsSince1970 - now.secondsSince1970)) }
        let next = Timestamp(secondsSince1970: now.secondsSince1970 + Int64(max(1, wait)))
        try store.fail(sink: sink.name, attempts: attempts, nextAttemptAt: next, error: failure.description)
        log("\(sink.name): \(failure); attempt \(attempts) of \(retry.maxAttempts), next at \(next.rfc3339)")
        state.attempts = attempts
        state.nextAttemptAt = next
        return false
    }

    /// The alerts of `alerts` that `sink`'s story policy lets through, with the story sizes to
    /// record for it once they are delivered. `first`: a story's first alert this sink takes;
    /// `milestones`: that, then each alert that brings the story to 3, 5, 10 or 25 items or past
    /// it (an alert that is not delivered — a policy's skip — never counts).
    static func chosen(_ alerts: [StoredAlert], for sink: AlertSink, _ store: DeliveryStore) throws(StoreError)
        -> ([StoredAlert], [String: (story: String, size: Int)]) {
        guard sink.storyPolicy != .every else { return (alerts, [:]) }
        let stories = alerts.map { $0.alert?.story }
        var known = try store.storySizes(sink: sink.name, stories: stories.compactMap { $0?.id })
        var out: [StoredAlert] = []
        var sizes: [String: (story: String, size: Int)] = [:]  // by alert id
        for (alert, story) in zip(alerts, stories) {
            guard let story else { out.append(alert); continue }  // health alerts: not part of a story
            let last = known[story.id]
            let pass = switch sink.storyPolicy {
            case .every: true
            case .first: last == nil
            case .milestones: last == nil || milestones.contains { last! < $0 && $0 <= story.size }
            }
            guard pass else { continue }
            out.append(alert)
            known[story.id] = max(last ?? 0, story.size)
            sizes[alert.id] = (story.id, story.size)
        }
        return (out, sizes)
    }

    /// Coverage sizes a `milestones` sink hears about again.
    static let milestones = [3, 5, 10, 25]

    /// Whether `sink` takes `alert`: a feed health alert only where asked for, an item's alert by
    /// its topics. The one topic filter, for delivery and the digest's summary alike.
    static func wants(_ sink: AlertSink, _ alert: Alert) -> Bool {
        if alert.isHealth { return sink.wantsHealth }
        guard let topics = sink.topics else { return true }
        return alert.topics.contains(where: topics.contains)
    }

    /// Seconds to wait after `attempts` failures in a row: 2, 4, 8 … up to six hours.
    public static func backoff(_ attempts: Int) -> Int {
        let n = max(1, attempts)
        return n > 20 ? maxBackoff : min(maxBackoff, firstBackoff << (n - 1))
    }

    private static func spread(_ seconds: Int, _ random: () -> Double) -> Int {
        Int((Double(seconds) * (0.9 + 0.2 * random())).rounded())
    }

    /// When delivery next has something to do: a sink's retry, or a digest's summary.
    public static func nextAttempt(_ store: DeliveryStore, sinks: [AlertSink]) throws -> Timestamp? {
        var soonest: Timestamp?
        func consider(_ t: Timestamp?) { if let t, soonest.map({ t < $0 }) ?? true { soonest = t } }
        for sink in sinks {
            let state = try store.sinkState(sink: sink.name)
            if let state, state.attempts > 0 { consider(state.nextAttemptAt) }
            if let periodic = sink as? PeriodicSink { consider(try periodic.nextTick(store)) }
        }
        return soonest
    }

    /// Retention: item text and delivered alert records older than `store.keep_days` go; dedupe
    /// keys stay.
    public static func prune(_ store: StoreMaintenance, config: Config, now: Timestamp) throws(StoreError) {
        let cutoff = Timestamp(secondsSince1970: now.secondsSince1970 - Int64(config.keepDays) * 86_400)
        _ = try store.prune(before: cutoff, sinks: sinks(for: config, environment: { _ in nil }).map(\.name))
    }

    /// The sinks of a config, as objects. `environment` reads webhook secrets and SMTP credentials.
    /// `stop`: the daemon's stop, which cuts a webhook request or an exec command still running
    /// when its grace period ends.
    public static func sinks(for config: Config, environment: (String) -> String? = Delivery.environment,
                             stop: StopGrace = .never) -> [AlertSink] {
        config.sinks.map { sink in
            let topics = sink.topics.map(Set.init)
            let made: ConfigurableSink = switch sink.kind {
            case .stdout(let format): StdoutSink(format: format, topics: topics, health: sink.health)
            case .file(let path): FileSink(path: path, topics: topics, health: sink.health)
            case .digest(let path, let every):
                {
                    let made = DigestSink(path: path, every: every, topics: topics, health: sink.health)
                    made.feedNames = config.feedNames
                    return made
                }()
            case .webhook(let hook):
                {
                    let made = WebhookSink(hook, secret: hook.secretEnv.flatMap(environment), topics: topics, retry: sink.retry, health: sink.health)
                    made.stop = stop
                    return made
                }()
            case .exec(let command):
                {
                    let made = ExecSink(command: command, topics: topics, retry: sink.retry, health: sink.health)
                    made.stop = stop
                    return made
                }()
            case .email(let mail):
                {
                    let made = EmailSink(mail, username: mail.usernameEnv.flatMap(environment), password: mail.passwordEnv.flatMap(environment),
                                         topics: topics, retry: sink.retry, health: sink.health)
                    made.stop = stop
                    made.feedNames = config.feedNames
                    return made
                }()
            }
            made.storyPolicy = sink.stories
            made.identity = sink.name.map { "name:" + $0 }
            return made
        }
    }

    public static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}

/// The sinks a config makes, whose story policy comes from their entry.
protocol ConfigurableSink: AlertSink {
    var storyPolicy: SinkConfig.StoryPolicy { get set }
    var identity: String? { get set }
}

extension StdoutSink: ConfigurableSink {}
extension FileSink: ConfigurableSink {}
extension DigestSink: ConfigurableSink {}
extension WebhookSink: ConfigurableSink {}
extension ExecSink: ConfigurableSink {}

/// A sink that takes alerts only while open (an email digest: once its period is over); until
/// then they wait in the outbox. `opens` may read what the sink needs from the store.
protocol GatedSink: AlertSink {
    func opens(_ store: DeliveryStore, now: Timestamp) throws -> Bool
}

/// A sink with work of its own on a clock (the digest's summary block).
protocol PeriodicSink: AlertSink {
    func tick(_ store: DeliveryStore, now: Timestamp) throws
    func nextTick(_ store: DeliveryStore) throws -> Timestamp?
}

/// What `feedwatch outbox` shows of one sink.
public struct OutboxReport: Sendable {
    public var sink: String
    /// Alerts past the cursor that this sink wants (by topic and story policy).
    public var pending: Int
    public var state: SinkState?
    public var dead: [DeadLetter]
}

extension Delivery {
    public static func report(_ store: DeliveryStore, sinks: [AlertSink]) throws(StoreError) -> [OutboxReport] {
        var out: [OutboxReport] = []
        for sink in sinks {
            let state = try store.sinkState(sink: sink.name)
            var pending = 0
            if let state {
                var cursor = state.cursor
                while true {
                    let batch = try store.alerts(after: cursor, limit: 1_000)
                    guard let last = batch.last else { break }
                    // An unreadable record counts: it is pending until delivery dead-letters it.
                    pending += try chosen(batch.filter { $0.alert.map { wants(sink, $0) } ?? true }, for: sink, store).0.count
                    cursor = last.position
                }
            }
            out.append(OutboxReport(sink: sink.name, pending: pending, state: state, dead: try store.deadLetters(sink: sink.name)))
        }
        return out
    }
}
