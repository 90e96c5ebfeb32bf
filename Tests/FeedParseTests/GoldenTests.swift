import Foundation
import Testing
import TestSupport
import FeedParse

/// Golden pairs: each fixture's output is compared with its recorded `.expected.json`.
/// Re-record after a deliberate change with `FEEDWATCH_RECORD=1 swift test`, then review the diff.
@Suite struct GoldenTests {
    static let recording = ProcessInfo.processInfo.environment["FEEDWATCH_RECORD"] == "1"

    @Test(arguments: Fixtures.cases)
    func matchesExpectedOutput(file: String) throws {
        let actual = Fixtures.render(Fixtures.bytes(file), file: file)
        let expectedURL = Fixtures.directory.appendingPathComponent(Fixtures.caseName(file) + ".expected.json")
        if Self.recording {
            try actual.write(to: expectedURL, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: expectedURL, encoding: .utf8)
        #expect(actual == expected, "\(file): output differs from \(expectedURL.lastPathComponent)")
    }

    /// The same document fed whole, byte by byte, and in random chunks gives identical output.
    @Test(arguments: Fixtures.cases)
    func isChunkInvariant(file: String) {
        let bytes = Fixtures.bytes(file)
        let whole = Fixtures.render(bytes, file: file)
        #expect(Fixtures.render(bytes, file: file, chunks: [1]) == whole, "\(file): byte-by-byte differs")
        for seed: UInt64 in 1...4 {
            var rng = SplitMix64(seed: seed)
            let sizes = (0..<64).map { _ in Int.random(in: 1...97, using: &rng) }
            #expect(Fixtures.render(bytes, file: file, chunks: sizes) == whole, "\(file): chunking with seed \(seed) differs")
        }
    }
}
