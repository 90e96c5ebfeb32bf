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
