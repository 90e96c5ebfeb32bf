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
    /// Most text each field keeps.
    public var fieldLimits: FieldLimits

    public init(maxBytes: Int = 10 * 1024 * 1024, maxDepth: Int = 128, maxItems: Int = 10_000, maxWarnings: Int = 50,
                fieldLimits: FieldLimits = FieldLimits()) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxItems = maxItems
        self.maxWarnings = maxWarnings
        self.fieldLimits = fieldLimits
    }
}

/// The most text one field keeps, in Unicode scalars after normalization; longer text is cut at a
/// scalar boundary, with a warning. Without caps one item with a 9 MiB title took a poll cycle to
/// 300 MB: the title is copied into the store, the story index, every alert and every sink.
///
/// The sizes follow what the rest of the pipeline does with each field: a title is one line in a
/// terminal, a chat message or a mail subject; a summary travels in every alert record (64 K is
/// far beyond any real one); content is only matched against topics and stored, never sent, so
/// it may hold a long article; ids and URLs are compared and sent as written (servers themselves
/// refuse URLs past 8 KB); names, categories, languages and dates are words.
public struct FieldLimits: Sendable, Equatable {
    public var title: Int
    public var summary: Int
    public var content: Int
    /// Ids, links and enclosure URLs.
    public var identifier: Int
    /// Authors, categories, languages, dates, numbers.
    public var word: Int

    public init(title: Int = 2048, summary: Int = 65_536, content: Int = 1_048_576, identifier: Int = 8192, word: Int = 1024) {
        self.title = title
        self.summary = summary
        self.content = content
        self.identifier = identifier
        self.word = word
    }

    /// How much raw input (markup included) a field may buffer per scalar it keeps: enough for
    /// markup-heavy HTML, small enough that memory stays proportional to the caps.
    public static let sourceBytesPerScalar = 8
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
