import Foundation
import Testing

/// Documents `parse` used to reject (exit 65) or misread, through the real binary.
@Suite struct ParseCoverageTests {
    private func parse(_ fixture: String) throws -> (status: Int32, doc: [String: Any]) {
        let r = try BinaryRunner.run(["parse", BinaryRunner.fixtures.appendingPathComponent(fixture).path])
        let doc = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] ?? [:]
        return (r.status, doc)
    }

    private func feedTitle(_ doc: [String: Any]) -> String? { (doc["feed"] as? [String: Any])?["title"] as? String }

    @Test func anEBCDICDocumentIsAFeed() throws {
        let (status, doc) = try parse("encoding-ebcdic-cp037.xml")
        #expect(status == 0)
        #expect(feedTitle(doc) == "EBCDIC US: Café ¢ «quoted» ¬")
    }

    @Test func anRSSRootInTheAtomNamespaceIsAFeed() throws {
        let (status, doc) = try parse("rss-root-in-atom-namespace.xml")
        #expect(status == 0)
        #expect(doc["format"] as? String == "rss2.0")
        #expect(feedTitle(doc) == "RSS in the Atom namespace")
    }

    @Test func aForeignCharsetAliasIsDecoded() throws {
        let (status, doc) = try parse("encoding-alias-maccentraleurope.xml")
        #expect(status == 0)
        #expect(feedTitle(doc) == "Čeština: Příliš žluťoučký kůň")
        #expect((doc["warnings"] as? [String])?.isEmpty == true)
    }

    @Test func internalEntitiesExpandInIds() throws {
        let (status, doc) = try parse("entities-internal-subset.xml")
        #expect(status == 0)
        #expect((doc["items"] as? [[String: Any]])?.first?["id"] as? String == "tag:example.com,2004:1")
    }
}
