import Foundation
import TestSupport
import Testing

/// `feedwatch parse URL` through the real binary against a loopback server.
@Suite struct ParseURLTests {
    private func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func fetchesAndParsesAFeed() throws {
        let server = try FeedServer()
        let r = try BinaryRunner.run(["parse", server.url("/feed.xml")])
        #expect(r.status == 0)
        let golden = try String(contentsOf: BinaryRunner.fixtures.appendingPathComponent("rss2-basic.expected.json"), encoding: .utf8)
        #expect(r.stdout == golden)
        let request = try #require(server.requests.first)
        #expect(request.contains("User-Agent: feedwatch/"))
        #expect(request.contains("Accept: application/rss+xml"))
        #expect(request.contains("Accept-Encoding:"))
    }

    @Test func theContentTypeCharsetIsUsed() throws {
        let server = try FeedServer()
        let r = try BinaryRunner.run(["parse", server.url("/windows-1252")])
        #expect((try json(r.stdout)["feed"] as? [String: Any])?["title"] as? String == "HTTP says windows-1252: café “quoted”")
    }

    @Test func relativeLinksResolveAgainstTheURLAfterRedirects() throws {
        let server = try FeedServer()
        let r = try BinaryRunner.run(["parse", server.url("/moved")])
        #expect(r.status == 0)
        let item = try #require((try json(r.stdout)["items"] as? [[String: Any]])?.first)
        #expect(item["link"] as? String == server.url("/posts/1"))
    }

    @Test func compressedResponsesAreDecoded() throws {
        let server = try FeedServer()
        let r = try BinaryRunner.run(["parse", server.url("/gzip")])
        #expect(r.status == 0)
        #expect((try json(r.stdout)["format"]) as? String == "atom1.0")
    }

    @Test func httpErrorsAndNetworkFailuresExit66() throws {
        let server = try FeedServer()
        let missing = try BinaryRunner.run(["parse", server.url("/missing")])
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("HTTP 404"))
        let loop = try BinaryRunner.run(["parse", server.url("/loop")])
        #expect(loop.status == 66)
        #expect(loop.stderr.contains("more than 5 redirects"))
        // Port 1 on loopback: nothing listens there.
        let refused = try BinaryRunner.run(["parse", "http://127.0.0.1:1/feed.xml"])
        #expect(refused.status == 66)
    }

    @Test func aRedirectToALocalFileIsRefused() throws {
        let server = try FeedServer()
        let r = try BinaryRunner.run(["parse", server.url("/to-file")])
        #expect(r.status == 66)
        #expect(!r.stdout.contains("root:"))
        #expect(r.stderr.contains("only http and https"))
    }

    @Test func aWebPageIsNotAFeed() throws {
        let server = try FeedServer()
        let r = try BinaryRunner.run(["parse", server.url("/page")])
        #expect(r.status == 65)
    }

    @Test func aServerThatDripsBytesIsCutOff() throws {
        let server = try FeedServer()
        let start = Date()
        let r = try BinaryRunner.run(["parse", server.url("/drip"), "--timeout", "4"])
        #expect(r.status == 66)
        #expect(r.stderr.contains("timed out or too slow"))
        #expect(Date().timeIntervalSince(start) < 8)
    }

    @Test func aDeclaredLengthOverTheCapStopsTheTransfer() throws {
        let server = try FeedServer()
        let start = Date()
        let r = try BinaryRunner.run(["parse", server.url("/huge"), "--max-size", "1MB"])
        #expect(r.status == 65)
        #expect(r.stderr.contains("size cap"))
        #expect(Date().timeIntervalSince(start) < 10)
    }
}
