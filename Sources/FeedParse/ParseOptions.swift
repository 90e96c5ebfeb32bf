/// Limits that keep any input — hostile, broken or merely huge — to bounded time and memory.
public struct ParseOptions: Sendable, Equatable {
    /// Largest document accepted, in bytes as the parser receives them (after HTTP decompression).
    public var maxBytes: Int
    /// Elements nested deeper than this are skipped, with a warning; at 8× this the parse stops.
    public var maxDepth: Int
    /// Items past this count are dropped, with a warning.
    public var maxItems: Int
    /// Distinct warnings kept; the rest are counted.
    public var maxWarnings: Int

    public init(maxBytes: Int = 10 * 1024 * 1024, maxDepth: Int = 128, maxItems: Int = 10_000, maxWarnings: Int = 50) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxItems = maxItems
        self.maxWarnings = maxWarnings
    }
}

/// Why a document could not be turned into a feed at all. Anything short of these is a warning.
public enum FeedParseError: Error, Equatable, CustomStringConvertible {
    case empty
    case notAFeed(String)
    case tooLarge(limit: Int)

    public var description: String {
        switch self {
        case .empty: return "empty document"
        case .notAFeed(let why): return "not a feed: \(why)"
        case .tooLarge(let limit): return "document exceeds the size cap of \(ByteCount.format(limit))"
        }
    }
}

/// Formats byte counts the way the config writes them (`10MB`).
enum ByteCount {
    static func format(_ n: Int) -> String {
        if n % (1024 * 1024) == 0 { return "\(n / (1024 * 1024))MB" }
        if n % 1024 == 0 { return "\(n / 1024)KB" }
        return "\(n) bytes"
    }
}
