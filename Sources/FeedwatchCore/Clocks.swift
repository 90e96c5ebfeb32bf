internal import Glibc

extension Timestamp {
    /// The wall clock, to the second.
    public static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(secondsSince1970: Int64(ts.tv_sec))
    }
}

/// The wall clock with sub-second precision, for deadlines a server names: a `Timestamp` keeps
/// whole seconds, and a deadline computed from a truncated "now" ends up to a second early.
public enum WallClock {
    /// Seconds since 1970, with the fraction.
    public static func seconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

extension Timestamp {
    /// The first whole second at or after `seconds` (since 1970): a moment before which nothing
    /// may happen, kept at one-second resolution without ever moving earlier.
    public init(notBefore seconds: Double) {
        self.init(secondsSince1970: Int64(seconds.rounded(.up)))
    }
}

/// Seconds on CLOCK_MONOTONIC, for timeouts and intervals that a clock change must not bend.
public enum Monotonic {
    public static func seconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// A stop request with a grace period: work in flight when a stop is asked for (a transfer, a
/// webhook delivery, an exec command) gets `grace` seconds to finish, then is cut, so a daemon
/// stops within systemd's `TimeoutStopSec` whatever a receiver does. Asked from one thread.
public final class StopGrace: @unchecked Sendable {
    private let stopRequested: @Sendable () -> Bool
    private let grace: Double
    private var deadline: Double?

    public init(grace: Double = 5, stopRequested: @escaping @Sendable () -> Bool) {
        self.grace = grace
        self.stopRequested = stopRequested
    }

    /// Never stops.
    public static let never = StopGrace { false }

    /// Whether a stop has been asked for (nothing new should start).
    public var isStopping: Bool {
        if deadline != nil { return true }
        guard stopRequested() else { return false }
        deadline = Monotonic.seconds() + grace
        return true
    }

    /// Whether the grace period of a stop is over (what runs should be cut now).
    public var isExpired: Bool {
        guard isStopping, let deadline else { return false }
        return Monotonic.seconds() >= deadline
    }
}
