import ArgumentParser
import FeedParse
import FeedwatchCore

/// `feedwatch parse SOURCE`: one document in, its normalized form out; no state touched.
struct Parse: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Parse one feed document and print it normalized.",
        discussion: """
            SOURCE is an http(s) URL, a file path, or - for standard input. Exit status: 0 parsed, \
            65 not a feed or unrecoverable, 66 cannot read or fetch.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case json, text }

    @Argument(help: "A feed URL, a file, or - for standard input.")
    var source: String

    @Option(help: "Output format: json (the contract's schema) or text (for people).")
    var format: Format = .json

    @Option(help: "The document's charset (overrides HTTP Content-Type and the XML declaration).")
    var charset: String?

    @Option(name: .customLong("max-size"), help: "Largest document accepted (e.g. 10MB, 512KB).")
    var maxSize: String = "10MB"

    @Option(name: .customLong("max-items"), help: "Items past this count are dropped, with a warning.")
    var maxItems: Int = 10_000

    @Option(help: "Seconds a URL fetch may take in all; a server slower than 256 bytes/s for half of it is cut off.")
    var timeout: Int = 30

    func run() throws {
        guard let maxBytes = ByteSize.parse(maxSize) else {
            throw ValidationError("--max-size: \"\(maxSize)\" is not a size (examples: 10MB, 512KB, 65536)")
        }
        guard maxItems > 0 else { throw ValidationError("--max-items must be at least 1") }
        guard timeout > 0 else { throw ValidationError("--timeout must be at least 1 second") }
        let options = ParseOptions(maxBytes: maxBytes, maxItems: maxItems)
        let parsed: ParsedFeed
        do {
            parsed = try DocumentSource.parse(source, options: options, charset: charset, timeoutSeconds: timeout)
        } catch let error as DocumentSource.Unreadable {
            Diagnostics.error(error.description)
            throw ExitStatus.noInput
        } catch let error as FeedParseError {
            Diagnostics.error("\(source): \(error)")
            throw ExitStatus.dataError
        }

        switch format {
        case .json:
            parsed.writeJSON(pretty: true) { StandardOutput.write($0) }
        case .text:
            StandardOutput.write(Array(TextReport.render(parsed).utf8))
            for w in parsed.warnings { Diagnostics.warning(w) }
        }
    }
}
