/// How big and how slow a request may be, and how long a connection may sit idle, before the web
/// server gives up on the connection.
///
/// FlyingFox reads a request's head line by line with no bound on its size or its time, and offers
/// no setting for either: a client sending header lines without end kept `feedwatch-web` busy
/// (measured: 5 s of CPU in 10 s, for one connection), one sending a byte now and then holds a
/// connection for ever, and idle keep-alive connections are never closed, so enough of them use up
/// the process's file descriptors. The server therefore watches its connections from outside,
/// through the kernel's byte counters for each (`TCP_INFO`): what a connection has received since
/// it was last answered is the request in progress. This is the decision, a pure function of those
/// counters and the clock; `feedwatch-web` samples them and closes what it is told to.
public struct ConnectionBudget: Sendable, Equatable {
    /// Largest request in progress: no endpoint takes a body, and a browser's request head is a
    /// few hundred bytes to a few KB (nginx refuses heads over 32 KB by default).
    public var maxRequestBytes: UInt64
    /// Longest a request may take from its first byte to its answer. The server answers a request
    /// whose handler overruns with 500 after 15 s, so this only ends clients that send, or read,
    /// too slowly.
    public var maxRequestSeconds: Double
    /// Longest a connection may carry nothing either way (nginx's `keepalive_timeout` is 75 s).
    public var maxIdleSeconds: Double
    /// Most connections held at once. Each costs a file descriptor, and FlyingFox stops accepting
    /// when it runs out of them; a dashboard and a few browsers hold a handful, so this is room
    /// for hundreds of people, far below the descriptors `feedwatch-web` raises its limit to.
    public var maxConnections: Int

    public static let standard = ConnectionBudget(maxRequestBytes: 64 * 1024, maxRequestSeconds: 30, maxIdleSeconds: 75, maxConnections: 512)

    public init(maxRequestBytes: UInt64, maxRequestSeconds: Double, maxIdleSeconds: Double, maxConnections: Int) {
        self.maxRequestBytes = maxRequestBytes
        self.maxRequestSeconds = maxRequestSeconds
        self.maxIdleSeconds = maxIdleSeconds
        self.maxConnections = maxConnections
    }

    /// The kernel's counters for one connection at one moment.
    public struct Sample: Sendable, Equatable {
        /// Bytes the client has sent.
        public var received: UInt64
        /// Bytes of ours the client has acknowledged: it moves when an answer has gone out.
        public var acked: UInt64
        /// Seconds on a monotonic clock.
        public var now: Double

        public init(received: UInt64, acked: UInt64, now: Double) {
            self.received = received
            self.acked = acked
            self.now = now
        }
    }

    /// What is remembered of a connection between samples.
    public struct Track: Sendable, Equatable {
        var received: UInt64
        var acked: UInt64
        /// `received` when the connection was last answered: the request in progress starts here.
        var answeredAt: UInt64
        /// When the request in progress was first seen; nil while none is.
        var pendingSince: Double?
        /// When either counter last moved.
        var activeAt: Double
    }

    public enum Verdict: Sendable, Equatable {
        case keep
        case tooLarge(bytes: UInt64)
        case tooSlow(seconds: Double)
        case idle(seconds: Double)
        case overCap(connections: Int)

        /// Why the connection was closed, for the log.
        public var reason: String? {
            switch self {
            case .keep: nil
            case .tooLarge(let bytes): "request over \(bytes) bytes without an answer"
            case .tooSlow(let seconds): "request unanswered after \(Int(seconds)) s"
            case .idle(let seconds): "idle for \(Int(seconds)) s"
            case .overCap(let connections): "more than \(connections) connections open"
            }
        }
    }

    /// The connection's new track and what to do with it. `track` is nil the first time it is
    /// seen; everything it received before then counts toward its first request if nothing has
    /// been answered yet.
    public func judge(_ track: Track?, _ sample: Sample) -> (Track, Verdict) {
        var t = track ?? Track(received: sample.received, acked: sample.acked,
                               answeredAt: sample.acked == 0 ? 0 : sample.received,
                               pendingSince: nil, activeAt: sample.now)
        if sample.received != t.received || sample.acked != t.acked { t.activeAt = sample.now }
        if sample.acked != t.acked {
            // Answered: what arrived up to now was that request (or is the next one, which is
            // then judged leniently by one sample's worth).
            t.answeredAt = sample.received
            t.pendingSince = nil
        }
        t.received = sample.received
        t.acked = sample.acked
        let pending = sample.received >= t.answeredAt ? sample.received - t.answeredAt : 0
        if pending == 0 {
            t.pendingSince = nil
        } else if t.pendingSince == nil {
            t.pendingSince = sample.now
        }
        if pending > maxRequestBytes { return (t, .tooLarge(bytes: maxRequestBytes)) }
        if let since = t.pendingSince, sample.now - since > maxRequestSeconds { return (t, .tooSlow(seconds: maxRequestSeconds)) }
        if sample.now - t.activeAt > maxIdleSeconds { return (t, .idle(seconds: maxIdleSeconds)) }
        return (t, .keep)
    }

    /// Which of the connections kept by `judge` to close, when more than `maxConnections` are
    /// open: idle ones before those with a request in progress (someone is waiting on those;
    /// a keep-alive costs its client only a new connection), and among each, the ones quiet the
    /// longest first.
    public func surplus<Key>(_ open: [(key: Key, track: Track)]) -> [Key] {
        guard open.count > maxConnections else { return [] }
        return open.sorted { a, b in
            (a.track.pendingSince == nil ? 0 : 1, a.track.activeAt) < (b.track.pendingSince == nil ? 0 : 1, b.track.activeAt)
        }.prefix(open.count - maxConnections).map(\.key)
    }
}
