import ArgumentParser
import Config
import FeedParse
import FeedwatchCore
import Glibc

/// `feedwatch add URL`: finds the feed at URL — the URL itself, or the feed a web page announces
/// — and appends it to the config's `feeds:` list, keeping the rest of the file as written. The
/// new file is loaded (every check `check-config` makes) before it replaces the old one, so a
/// running daemon's next SIGHUP never reads a broken config.
struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add a feed to the config: a feed URL, or a site whose page announces its feed.",
        discussion: """
            Reads URL (a feed, or a web page with <link rel="alternate" type="application/rss+xml" …>), \
            then appends the feed to the config's feeds: list, named by --name or the feed's title. \
            Comments and layout are kept. `systemctl reload feedwatch` (SIGHUP) makes a running daemon poll it. \
            Exit status: 0 added (or already there), 65 no feed found, 66 cannot fetch, 78 bad config.
            """)

    @OptionGroup var config: ConfigOption

    @Argument(help: "A feed's URL, or a site's (its page is searched for the feed it announces).")
    var url: String

    @Option(help: "The name to give the feed (default: its title).")
    var name: String?

    func run() throws {
        let loaded = try config.load()
        let options = ParseOptions(maxBytes: loaded.poll.maxBody, maxItems: 10_000)
        let parsed: ParsedFeed
        let discovered: String?
        do {
            (parsed, discovered) = try DocumentSource.parseDiscovering(url, options: options, charset: nil, timeoutSeconds: loaded.poll.timeout)
        } catch let error as DocumentSource.Unreadable {
            Diagnostics.error(error.description)
            throw ExitStatus.noInput
        } catch let error as FeedParseError {
            Diagnostics.error("\(url): \(error), and it announces no feed")
            throw ExitStatus.dataError
        }
        // A file is written down by its absolute URL: the config resolves paths against its own directory.
        let feedURL = discovered ?? (DocumentSource.isURL(url) ? url : DocumentSource.documentURL(url) ?? url)
        if let discovered { Diagnostics.note("\(url) is a web page; it announces the feed \(discovered)") }
        let known = loaded.feeds.compactMap { entry -> String? in if case .feed(let f) = entry { f.url } else { nil } }
        if known.contains(feedURL) {
            Diagnostics.note("\(feedURL) is already in \(loaded.file)")
            return
        }
        let title = name ?? parsed.feed.title
        let text: String
        do {
            text = String(decoding: try LocalFile(path: loaded.file).readAll(limit: 16 << 20), as: UTF8.self)
        } catch {
            Diagnostics.error("cannot read \(loaded.file): \(error)")
            throw ExitCode.failure
        }
        let edited = ConfigEdit.appendingFeed(to: text, url: feedURL, name: title)
        // Checked as the daemon will read it, before it replaces the file.
        do {
            _ = try ConfigLoader.parse(edited, file: loaded.file)
        } catch {
            ConfigOption.report(error)
            Diagnostics.error("the config would not load with the feed added; \(loaded.file) is unchanged")
            throw ExitStatus.config
        }
        try Self.replace(loaded.file, with: edited)
        let count = known.count + 1
        Diagnostics.note("added \(title.map { "\($0) " } ?? "")<\(feedURL)> to \(loaded.file) (\(parsed.items.count) item\(parsed.items.count == 1 ? "" : "s") now; "
            + "\(count) feed\(count == 1 ? "" : "s") written out); `systemctl reload feedwatch` or SIGHUP makes a running daemon poll it")
    }

    /// Writes beside the file, then renames over it: a reader sees the old or the new, never half.
    /// The file's permission bits are kept.
    static func replace(_ path: String, with text: String) throws {
        var st = stat()
        let mode = stat(path, &st) == 0 ? st.st_mode & 0o7777 : 0o644
        let temporary = path + ".feedwatch-add"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else {
            Diagnostics.error("cannot write \(temporary): \(String(cString: strerror(errno)))")
            throw ExitCode.failure
        }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            offset += n
        }
        let synced = offset == bytes.count && fsync(fd) == 0
        close(fd)
        guard synced, rename(temporary, path) == 0 else {
            Diagnostics.error("cannot replace \(path): \(String(cString: strerror(errno)))")
            unlink(temporary)
            throw ExitCode.failure
        }
    }
}
