import Foundation
import HTTPTransport
import TestSupport
import Testing

/// The multi-handle fetcher against the loopback server: validators, redirects, errors, limits.
@Suite struct FeedFetcherTests {
    private let limits = TransferLimits(maxBytes: 1 << 20, timeoutSeconds: 10)

    /// Fetches each request; returns responses and bodies in request order.
    private func fetch(_ requests: [FetchRequest], concurrency: Int = 8, perHost: Int = 2) throws -> [(FetchResponse, [UInt8])] {
        var bodies = [[UInt8]](repeating: [], count: requests.count)
        var responses = [FetchResponse?](repeating: nil, count: requests.count)
        try FeedFetcher(concurrency: concurrency, perHost: perHost, limits: limits).run(requests) { i, _, chunk in
            bodies[i] += chunk
        } done: { i, response in
            #expect(responses[i] == nil, "done twice for \(i)")
            responses[i] = response
        }
        return try responses.enumerated().map { (try #require($0.element), bodies[$0.offset]) }
    }

    @Test func hostsForPerHostLimitsAndRetryAfter() {
        #expect(FeedFetcher.host(of: "https://Example.ORG/feed.xml") == "example.org")
        #expect(FeedFetcher.host(of: "http://user:pw@Feeds.Example.org:8080?x=1") == "feeds.example.org:8080")
        #expect(FeedFetcher.host(of: "https://example.org#top") == "example.org")
        #expect(FeedFetcher.host(of: "https://[::1]:8443/x") == "[::1]:8443")
        #expect(FeedFetcher.host(of: "not a url") == "")
    }

    @Test func conditionalRequestsGet304WithoutABody() throws {
        let server = try FeedServer()
        let first = try fetch([FetchRequest(url: server.url("/etag"))])[0]
        #expect(first.0.status == 200 && first.0.error == nil && !first.1.isEmpty)
        #expect(first.0.headers["etag"] == "\"v1\"")
        #expect(first.0.headers["last-modified"] == "Wed, 21 Oct 2026 07:28:00 GMT")
        #expect(first.0.headers["cache-control"] == "max-age=3600")

        let again = try fetch([FetchRequest(url: server.url("/etag"), etag: "\"v1\"", lastModified: "Wed, 21 Oct 2026 07:28:00 GMT")])[0]
        #expect(again.0.status == 304 && again.0.error == nil && again.1.isEmpty)
        let sent = try #require(server.requests.last)
        #expect(sent.contains("If-None-Match: \"v1\""))
        #expect(sent.contains("If-Modified-Since: Wed, 21 Oct 2026 07:28:00 GMT"))
        #expect(sent.contains("User-Agent: feedwatch/"))
    }

    @Test func onlyAllPermanentRedirectsMoveTheFeed() throws {
        let server = try FeedServer()
        let r = try fetch([FetchRequest(url: server.url("/permanent")), FetchRequest(url: server.url("/temporary")),
                           FetchRequest(url: server.url("/permanent-then-temporary"))])
        #expect(r.map(\.0.status) == [200, 200, 200])
        #expect(r[0].0.permanentRedirect == server.url("/feed.xml"))
        #expect(r[1].0.permanentRedirect == nil)
        #expect(r[2].0.permanentRedirect == nil)
        #expect(r.allSatisfy { !$0.1.isEmpty })
    }

    @Test func errorsKeepTheirStatusAndHeaders() throws {
        let server = try FeedServer()
        let r = try fetch([FetchRequest(url: server.url("/gone")), FetchRequest(url: server.url("/busy")),
                           FetchRequest(url: server.url("/loop")), FetchRequest(url: "http://127.0.0.1:1/refused")])
        #expect(r[0].0.status == 410 && r[0].1.isEmpty)
        #expect(r[1].0.status == 429 && r[1].0.headers["retry-after"] == "120")
        #expect(r[2].0.error != nil)  // too many redirects
        #expect(r[3].0.status == 0 && r[3].0.error != nil)
    }

    @Test func theBodyCapAbortsTheTransfer() throws {
        let server = try FeedServer()
        let r = try fetch([FetchRequest(url: server.url("/huge"))])[0]
        #expect(r.0.error != nil)
    }

    @Test func neverMoreThanPerHostTransfersToOneHost() throws {
        let server = try FeedServer()
        let requests = (0..<8).map { FetchRequest(url: server.url("/slow/\($0)")) }
        let r = try fetch(requests, concurrency: 8, perHost: 2)
        #expect(r.allSatisfy { $0.0.status == 200 })
        let peaks = server.log.compactMap { $0.hasPrefix("in-flight ") ? Int($0.dropFirst(10)) : nil }
        #expect(peaks.max() == 2, "\(peaks)")
    }

    @Test func aStopCutsRunningTransfersAfterTheGraceAndStartsNoMore() throws {
        let server = try FeedServer()
        var ended: [Int: Error?] = [:]
        let start = Date()
        try FeedFetcher(concurrency: 1, perHost: 1, limits: TransferLimits(maxBytes: 1 << 20, timeoutSeconds: 60)).run(
            [FetchRequest(url: server.url("/drip")), FetchRequest(url: server.url("/feed.xml")), FetchRequest(url: server.url("/etag"))],
            stopRequested: { true }, grace: 1) { _, _, _ in } done: { i, response in
            ended[i] = response.error
        }
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(ended.count == 3)
        for i in 0..<3 {
            #expect((ended[i] ?? nil).map { "\($0)".hasSuffix("interrupted by shutdown") } == true)
        }
        #expect(server.requests.count == 1)  // only the drip had started
    }

    @Test func aThrowingConsumerAbortsOnlyItsTransfer() throws {
        let server = try FeedServer()
        struct Enough: Error {}
        var errors: [Bool] = [false, false]
        try FeedFetcher(concurrency: 2, perHost: 2, limits: limits).run(
            [FetchRequest(url: server.url("/feed.xml")), FetchRequest(url: server.url("/etag"))]) { i, _, _ in
            if i == 0 { throw Enough() }
        } done: { i, response in
            errors[i] = response.error is Enough
        }
        #expect(errors == [true, false])
    }
}
