import ArgumentParser
import Config
import FeedParse
import FeedwatchCore
import Store
import TopicQuery

/// `feedwatch classify SOURCE`: which of the config's topics each item of one document matches,
/// and why. What a user runs while tuning a query; no state is touched.
struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show which topics each item of a feed matches, and why.",
        discussion: """
            SOURCE is an http(s) URL, a file path, or - for standard input; topics come from the \
            config. Instead of SOURCE, --feeds reads every configured feed once, and --stored 7d \
            the items the store took in the last 7 days; both show which items would alert and the \
            story each would join, with the topics as they are now, and change nothing. \
            Exit status: 0 classified, 65 not a feed, 66 cannot read, 78 bad config.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var config: ConfigOption
    @OptionGroup var input: SourceOptions

    @Option(help: "Output format: text (for people) or json (for scripts).")
    var format: Format = .text

    @Flag(help: "Classify every configured feed, each fetched once (nothing is stored).")
    var feeds = false

    @Option(help: ArgumentHelp("Classify the items the store took within this long (90s, 15m, 24h, 7d), with the topics as they are now.",
                               valueName: "duration"))
    var stored: String?

    func validate() throws {
        let sources = (input.source != nil ? 1 : 0) + (feeds ? 1 : 0) + (stored != nil ? 1 : 0)
        guard sources == 1 else { throw ValidationError("give one of SOURCE, --feeds or --stored DURATION") }
        if let stored, DurationValue.seconds(stored) == nil {
            throw ValidationError("--stored: \"\(stored)\" is not a duration (examples: 24h, 7d)")
        }
    }

    func run() throws {
        let loaded = try config.load()
        let matcher = try loaded.matcher()
        if feeds || stored != nil { return try runMany(loaded, matcher) }
        let parsed = try input.parse()
        let url = input.documentURL
        // `feed:` terms search the name the config gives this feed, else the feed's own title.
        let configured = loaded.feeds.lazy.compactMap { entry -> FeedSource? in
            if case .feed(let f) = entry, f.url == url { return f }
            return nil
        }.first
        let feedName = configured?.name ?? parsed.feed.title
        let results = parsed.items.map { matcher.classify($0, feedName: feedName, feedURL: configured?.url ?? url) }

        switch format {
        case .json:
            var w = JSONWriter(pretty: true, capacity: 64 * 1024)
            w.beginObject()
            w.key("items")
            w.beginArray()
            for (item, topics) in zip(parsed.items, results) {
                ClassifyReport.write(item, topics, to: &w)
                if w.bytes.count >= 60 * 1024 { w.drain { StandardOutput.write($0) } }
            }
            w.endArray()
            w.endObject()
            w.drain { StandardOutput.write($0) }
            StandardOutput.write(Array("\n".utf8))
        case .text:
            StandardOutput.write(Array(ClassifyReport.text(parsed, results, topicCount: loaded.topics.count).utf8))
            for warning in parsed.warnings { Diagnostics.warning(warning) }
        }
    }
}

extension Classify {
    /// `--feeds` / `--stored`: read, classify, group, report.
    private func runMany(_ loaded: Config, _ matcher: TopicMatcher) throws {
        var entries: [ClassifyMany.Entry] = []
        var failures: [(feed: String, error: String)] = []
        let names = loaded.feedNames
        let now = Timestamp.now()
        if let stored, let seconds = DurationValue.seconds(stored) {
            let store = try loaded.openStore()
            let since = Timestamp(secondsSince1970: now.secondsSince1970 - Int64(seconds))
            do {
                for i in try store.storedItems(seenSince: since) {
                    let item = FeedItem(id: i.id, title: i.title, link: i.link, published: i.published, summary: i.summary)
                    entries.append(.init(feedURL: i.feedURL, feedName: names[i.feedURL], item: item, at: min(i.published ?? i.firstSeen, i.firstSeen)))
                }
            } catch {
                Diagnostics.error("cannot read the store: \(error)")
                throw ExitCode.failure
            }
        } else {
            let options = ParseOptions(maxBytes: loaded.poll.maxBody, maxItems: input.maxItems)
            for entry in loaded.feeds {
                guard case .feed(let f) = entry else { continue }
                do {
                    let (parsed, discovered) = try DocumentSource.parseDiscovering(f.url, options: options, charset: nil, timeoutSeconds: loaded.poll.timeout)
                    if let discovered { Diagnostics.note("\(f.name ?? f.url) is a web page; read the feed it announces: \(discovered)") }
                    for item in parsed.items {
                        entries.append(.init(feedURL: f.url, feedName: f.name ?? parsed.feed.title, item: item, at: min(item.published ?? now, now)))
                    }
                } catch {
                    failures.append((f.name ?? f.url, "\(error)"))
                    Diagnostics.warning("\(f.name ?? f.url): \(error)")
                }
            }
        }
        let (rows, stories) = ClassifyMany.classify(entries, matcher: matcher, settings: loaded.stories)
        switch format {
        case .json: StandardOutput.write(ClassifyMany.json(rows, stories))
        case .text: StandardOutput.write(Array(ClassifyMany.text(rows, stories, failures: failures).utf8))
        }
    }
}

/// `classify`'s two renderings.
enum ClassifyReport {
    typealias Result = [(topic: String, matches: [TermMatch])]

    static func write(_ item: FeedItem, _ topics: Result, to w: inout JSONWriter) {
        w.beginObject()
        w.field("id", item.id)
        w.field("title", item.title)
        w.field("link", item.link)
        MatchesJSON.write(topics, offsets: true, to: &w)
        w.endObject()
    }

    /// Per item: its title, then per topic the matched words in their context, «marked».
    static func text(_ feed: ParsedFeed, _ results: [Result], topicCount: Int) -> String {
        var out = ""
        var perTopic: [String: Int] = [:]
        var matched = 0
        for (n, (item, topics)) in zip(feed.items, results).enumerated() {
            out += "[\(n + 1)] \(item.title ?? "(untitled)")\n"
            if let link = item.link { out += "    \(link)\n" }
            if topics.isEmpty { out += "    no topic\n" } else { matched += 1 }
            for (topic, matches) in topics {
                perTopic[topic, default: 0] += 1
                out += "    \u{2713} \(topic)\n"
                var shown = Set<String>()
                for m in matches {
                    let line = "\(m.field.rawValue): \(m.term)  \(context(of: m, in: item))"
                    if shown.insert(line).inserted { out += "        \(line)\n" }
                }
            }
            out += "\n"
        }
        let counts = perTopic.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        out += "\(matched) of \(feed.items.count) item\(feed.items.count == 1 ? "" : "s") matched"
        out += topicCount == 0 ? " (the config has no topics)\n" : (counts.isEmpty ? "\n" : ": \(counts)\n")
        return out
    }

    /// The matched words with a few words either side: `…police «used facial recognition» on…`.
    static func context(of m: TermMatch, in item: FeedItem) -> String {
        let value: String?
        switch m.field {
        case .title: value = item.title
        case .summary: value = item.summary
        case .content: value = item.content
        case .author: value = item.authors.indices.contains(m.valueIndex) ? item.authors[m.valueIndex] : nil
        case .category: value = item.categories.indices.contains(m.valueIndex) ? item.categories[m.valueIndex] : nil
        case .feed: value = nil
        }
        guard let text = value, text.unicodeScalars.count >= m.end else { return "" }
        let scalars = Array(text.unicodeScalars)
        let before = 40, after = 40
        let from = max(0, m.start - before), to = min(scalars.count, m.end + after)
        func s(_ r: Range<Int>) -> String { String(String.UnicodeScalarView(scalars[r])) }
        return (from > 0 ? "\u{2026}" : "") + s(from..<m.start) + "\u{00AB}" + s(m.start..<m.end) + "\u{00BB}"
            + s(m.end..<to) + (to < scalars.count ? "\u{2026}" : "")
    }
}
