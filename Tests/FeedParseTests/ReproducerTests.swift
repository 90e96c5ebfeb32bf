import Foundation
import Testing
import FeedParse

/// Replays a fuzz reproducer: `FEEDWATCH_REPRO=/tmp/feedwatch-fuzz-N.bin swift test --filter Reproducer`
/// prints the whole and the byte-by-byte outputs when they differ.
@Suite struct ReproducerTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["FEEDWATCH_REPRO"] != nil))
    func replay() throws {
        let path = ProcessInfo.processInfo.environment["FEEDWATCH_REPRO"]!
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let whole = Fixtures.render(bytes, file: "repro.xml")
        let bytewise = Fixtures.render(bytes, file: "repro.xml", chunks: [1])
        if whole != bytewise { print("WHOLE:\n\(whole)\nBYTEWISE:\n\(bytewise)") }
        #expect(whole == bytewise)
    }
}
