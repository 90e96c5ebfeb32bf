import Foundation
import Testing
import TestSupport
import FeedParse
import FeedwatchCore

/// Random mutations of every fixture, for a bounded time: the parser must neither crash nor hang,
/// must give a feed or a `FeedParseError`, and must stay chunk-invariant on broken input too.
/// `FEEDWATCH_FUZZ_SECONDS` lengthens the run (default 4 s, as part of `make test`).
@Suite struct MutationFuzzTests {
    static let budget = Double(ProcessInfo.processInfo.environment["FEEDWATCH_FUZZ_SECONDS"] ?? "") ?? 4

    static let dictionary: [[UInt8]] = [
        "<", ">", "&", "&amp;", "&nbsp;", "&#", "&#x", ";", "<![CDATA[", "]]>", "<!--", "-->", "</item>", "<item>",
        "<entry>", "</entry>", "\"", "'", "=", "<?xml version=\"1.0\" encoding=\"", "\u{FEFF}", "xmlns=\"",
        "<!DOCTYPE x [<!ENTITY e \"&e;\">]>", "&e;", "xml:base=\"../\"", "type=\"xhtml\"", "<div>", "</div>",
    ].map { Array($0.utf8) } + [[0xFF], [0xC3], [0xE2, 0x82], [0x00], [0xFE, 0xFF], [0x0B]]

    static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = input
        for _ in 0..<Int.random(in: 1...8, using: &rng) {
            guard !b.isEmpty else { b = dictionary.randomElement(using: &rng)!; continue }
            let i = Int.random(in: 0..<b.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: b[i] = UInt8.random(in: 0...255, using: &rng)
            case 1: b.insert(contentsOf: dictionary.randomElement(using: &rng)!, at: i)
            case 2: b.removeSubrange(i..<min(b.count, i + Int.random(in: 1...64, using: &rng)))
            case 3:
                let j = Int.random(in: i..<min(b.count, i + 256), using: &rng)
                b.insert(contentsOf: b[i...j], at: Int.random(in: 0...b.count, using: &rng))
            case 4: b.removeSubrange(i...)  // truncate
            default: b[i] ^= 1 << UInt8.random(in: 0...7, using: &rng)
            }
        }
        return b
    }

    @Test func mutatedFixturesNeverCrashAndStayChunkInvariant() {
        let corpus = Fixtures.cases.map { ($0, Fixtures.bytes($0)) }
        var rng = SplitMix64(seed: UInt64(ProcessInfo.processInfo.environment["FEEDWATCH_FUZZ_SEED"] ?? "") ?? 20261122)
        let deadline = Date().addingTimeInterval(Self.budget)
        var runs = 0
        while Date() < deadline {
            let (file, original) = corpus.randomElement(using: &rng)!
            let doc = Self.mutate(original, &rng)
            let whole = Fixtures.render(doc, file: file)
            #expect(whole.hasPrefix("{") || whole.hasPrefix("error: "))
            let sizes = (0..<16).map { _ in Int.random(in: 1...64, using: &rng) }
            let chunked = Fixtures.render(doc, file: file, chunks: sizes)
            #expect(chunked == whole, "chunking changed the result for a mutation of \(file)")
            if chunked != whole {
                let path = FileManager.default.temporaryDirectory.appendingPathComponent("feedwatch-fuzz-\(runs).bin")
                try? Data(doc).write(to: path)
                Issue.record("reproducer written to \(path.path)")
                return
            }
            runs += 1
        }
        #expect(runs > 0)
    }
}
