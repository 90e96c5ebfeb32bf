import ArgumentParser
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

    @OptionGroup var input: SourceOptions

    @Option(help: "Output format: json (one object: the feed and every item, each field always present; for scripts) or text (for people).")
    var format: Format = .json

    func validate() throws {
        guard input.source != nil else { throw ValidationError("Missing expected argument '<source>'") }
    }

    func run() throws {
        let parsed = try input.parse()
        switch format {
        case .json:
            parsed.writeJSON(pretty: true) { StandardOutput.write($0) }
        case .text:
            StandardOutput.write(Array(TextReport.render(parsed).utf8))
            for w in parsed.warnings { Diagnostics.warning(w) }
        }
    }
}
