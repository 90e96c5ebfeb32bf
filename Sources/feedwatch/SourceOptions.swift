import ArgumentParser
import Config
import FeedParse
import FeedwatchCore

/// How `parse` and `classify` read SOURCE: the options both take, and one place that maps a
/// failure to its exit status (66 cannot read, 65 not a feed).
struct SourceOptions: ParsableArguments {
    @Argument(help: "A feed URL, a file, or - for standard input (a web page: the feed it announces).")
    var source: String?

    @Option(help: "The document's charset (overrides HTTP Content-Type and the XML declaration).")
    var charset: String?

    @Option(name: .customLong("max-size"), help: "Largest document accepted (e.g. 10MB, 512KB).")
    var maxSize: String = "10MB"

    @Option(name: .customLong("max-items"), help: "Items past this count are dropped, with a warning.")
    var maxItems: Int = 10_000

    @Option(help: "Seconds a URL fetch may take in all; a server slower than 256 bytes/s for half of it is cut off.")
    var timeout: Int = 30

    func validate() throws {
        guard ByteSize.parse(maxSize) != nil else {
            throw ValidationError("--max-size: \"\(maxSize)\" is not a size (examples: 10MB, 512KB, 65536)")
        }
        guard maxItems > 0 else { throw ValidationError("--max-items must be at least 1") }
        guard timeout > 0 else { throw ValidationError("--timeout must be at least 1 second") }
    }

    /// The URL SOURCE is known by (see `DocumentSource.documentURL`).
    var documentURL: String? { source.flatMap(DocumentSource.documentURL) }

    var parseOptions: ParseOptions { ParseOptions(maxBytes: ByteSize.parse(maxSize) ?? 10 << 20, maxItems: maxItems) }

    /// Reads and parses SOURCE, or reports why not and exits 66 / 65. A web page is searched for
    /// the feed it announces, which is read instead (said on stderr).
    func parse() throws -> ParsedFeed {
        guard let source else { throw ValidationError("Missing expected argument '<source>'") }
        let options = parseOptions
        do {
            let (feed, discovered) = try DocumentSource.parseDiscovering(source, options: options, charset: charset, timeoutSeconds: timeout)
            if let discovered { Diagnostics.note("\(source) is a web page; reading the feed it announces: \(discovered)") }
            return feed
        } catch let error as DocumentSource.Unreadable {
            Diagnostics.error(error.description)
            throw ExitStatus.noInput
        } catch let error as FeedParseError {
            Diagnostics.error("\(source): \(error)")
            throw ExitStatus.dataError
        }
    }
}
