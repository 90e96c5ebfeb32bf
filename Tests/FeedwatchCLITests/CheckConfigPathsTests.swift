import Foundation
import Testing

/// `check-config` catches what `run` would hit on this machine — directories it writes to, local
/// feed files — and prints the paths it will really use; `once` creates a missing directory.
@Suite struct CheckConfigPathsTests {
    private let dir: URL
    init() throws { dir = try BinaryRunner.temporaryDirectory() }

    private func config(_ text: String) throws -> String {
        let file = dir.appendingPathComponent("feedwatch.yaml")
        try Data(text.utf8).write(to: file)
        return file.path
    }

    @Test func missingDirectoriesAreNamedThenCreatedByOnce() throws {
        try Data("<rss version=\"2.0\"><channel><title>L</title><item><guid>1</guid><title>Police</title></item></channel></rss>".utf8)
            .write(to: dir.appendingPathComponent("local.xml"))
        let path = try config("""
            state: nodir/fw.sqlite
            first_fetch_window: all
            feeds: [{url: local.xml}]
            topics: {police: police}
            sinks:
              - file: {path: out/alerts.jsonl}
              - digest: {path: out/digest.log}
            """)
        let check = try BinaryRunner.run(["check-config", "--config", path])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("state: \(dir.path)/nodir/fw.sqlite\n"), "\(check.stdout)")
        #expect(check.stderr.contains("\(dir.path)/nodir does not exist yet; run and once create it (for the store)"), "\(check.stderr)")
        #expect(check.stderr.contains("\(dir.path)/out does not exist yet; run and once create it (for the file sink \(dir.path)/out/alerts.jsonl)"))
        #expect(!check.stderr.contains("digest"), "one line per directory")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("nodir").path), "checking creates nothing")

        let once = try BinaryRunner.run(["once", "--config", path])
        #expect(once.status == 0, "\(once.stderr)")
        #expect(once.stderr.contains("created \(dir.path)/nodir for the store"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/alerts.jsonl").path))
        #expect(try BinaryRunner.run(["check-config", "--config", path]).stderr.isEmpty)
    }

    @Test func whatCannotWorkIsAnError() throws {
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("adir"), withIntermediateDirectories: true)
        let path = try config("""
            feeds:
              - url: missing.xml
              - {url: adir, name: A Directory}
            topics: {police: police}
            sinks:
              - file: {path: feedwatch.yaml/x/alerts.jsonl}
            """)
        let check = try BinaryRunner.run(["check-config", "--config", path])
        #expect(check.status == 78)
        #expect(check.stderr.contains("feed \(dir.path)/missing.xml does not exist"), "\(check.stderr)")
        #expect(check.stderr.contains("feed A Directory (\(dir.path)/adir) is not a regular file"), "\(check.stderr)")
        #expect(check.stderr.contains("\(dir.path)/feedwatch.yaml/x cannot be created: \(dir.path)/feedwatch.yaml is not a directory (for the file sink"),
                "\(check.stderr)")
        let once = try BinaryRunner.run(["once", "--config", path])
        #expect(once.status == 1 && once.stderr.contains("is not a directory"), "\(once.stderr)")
    }

    /// An OPML outline that is not a feed URL is named with its line, not dropped silently.
    @Test func opmlOutlinesThatAreNotURLsAreWarnedAbout() throws {
        try Data("""
            <opml version="2.0"><body>
              <outline text="Good" xmlUrl="https://good.example/feed"/>
              <outline text="Podcast" xmlUrl="feed://pod.example/rss"/>
            </body></opml>
            """.utf8).write(to: dir.appendingPathComponent("feeds.opml"))
        let path = try config("feeds:\n  - opml: feeds.opml\ntopics: {t: x}\n")
        let check = try BinaryRunner.run(["check-config", "--config", path])
        #expect(check.status == 0)
        #expect(check.stdout.contains("feeds: 1\n") || check.stdout.contains("https://good.example/feed"), "\(check.stdout)")
        #expect(check.stderr.contains("warning: \(dir.path)/feeds.opml:3: outline \"Podcast\" skipped: its xmlUrl \"feed://pod.example/rss\" is not an http(s) URL"),
                "\(check.stderr)")
    }

    /// Outside systemd the store goes beside the config, and the summary says that path.
    @Test func theStorePathPrintedIsTheOneUsed() throws {
        let path = try config("feeds: []\ntopics: {t: x}\n")
        let plain = try BinaryRunner.run(["check-config", "--config", path], environment: ["STATE_DIRECTORY": nil])
        #expect(plain.stdout.contains("state: \(dir.path)/feedwatch.sqlite  (beside the config; under systemd, in $STATE_DIRECTORY)\n"), "\(plain.stdout)")
        let systemd = try BinaryRunner.run(["check-config", "--config", path], environment: ["STATE_DIRECTORY": dir.path + "/state"])
        #expect(systemd.stdout.contains("state: \(dir.path)/state/feedwatch.sqlite  (systemd's $STATE_DIRECTORY)\n"), "\(systemd.stdout)")
    }
}
