import Config
import Testing

/// The `http:` section: addresses, the loopback rule, the token's variable.
@Suite struct HTTPSectionTests {
    static let base = "feeds: [{url: 'https://a.example/feed'}]\ntopics: {t: x}\n"

    private func load(_ http: String, environment: [String: String] = [:]) throws(ConfigErrors) -> Config {
        try ConfigLoader.parse(Self.base + http, file: "/etc/fw.yaml", environment: { environment[$0] })
    }

    @Test func listenAddresses() {
        #expect(HTTPListen.parse("127.0.0.1:9464")! == ("127.0.0.1", 9464))
        #expect(HTTPListen.parse("[::1]:0")! == ("::1", 0))
        #expect(HTTPListen.parse("localhost:80")! == ("localhost", 80))
        for bad in ["127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "256.0.0.1:80", "example.org:80", ":80", "[::1]80", "1.2.3:80", "127.0.0.1:8o"] {
            #expect(HTTPListen.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func offUnlessSetLoopbackWithoutToken() throws {
        #expect(try load("").http == nil)
        let http = try #require(try load("http: {listen: 127.0.0.1:9464}").http)
        #expect(http.host == "127.0.0.1" && http.port == 9464 && http.isLoopback && http.token == nil)
        #expect(try load("http: {listen: '[::1]:9464'}").http?.isLoopback == true)
    }

    @Test func anythingButLoopbackNeedsAToken() throws {
        do {
            _ = try load("http: {listen: 0.0.0.0:9464}")
            Issue.record("a network listener without a token was accepted")
        } catch {
            let e = try #require(error.errors.first)
            #expect(e.line == 3 && e.column == 16 && e.message.contains("token_env"), "\(e)")
        }
        let http = try #require(try load("http: {listen: 0.0.0.0:9464, token_env: T}", environment: ["T": "s3cret"]).http)
        #expect(http.token == "s3cret" && http.missingToken == nil)
        // An unset variable is not an error for commands that do not serve; it is kept for those that do.
        let unset = try #require(try load("http: {listen: 0.0.0.0:9464, token_env: T}").http)
        #expect(unset.token == nil && unset.missingToken?.line == 3 && unset.missingToken?.message.contains("T is not set") == true)
    }

    @Test func mistakesAreReportedWithTheirPlace() {
        for (text, fragment) in [("http: {listen: 'nowhere'}", "HOST:PORT"), ("http: {token_env: T}", "needs listen"),
                                 ("http: {listen: 127.0.0.1:1, tokn_env: T}", "did you mean \"token_env\""), ("http: 9464", "mapping")] {
            do {
                _ = try load(text)
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.errors.contains { $0.message.contains(fragment) && $0.line == 3 }, "\(text): \(error)")
            }
        }
    }
}
