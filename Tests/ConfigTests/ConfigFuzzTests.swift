import Config
import Testing
import TestSupport

/// Broken configs of every shape: the reader never crashes, and every error it reports points
/// inside the file.
@Suite struct ConfigFuzzTests {
    /// Pieces that break YAML, queries and values in interesting ways.
    static let splinters = ["'", "\"", ":", "- ", "{", "}", "[", "]", "\t", "\n", "  ", "#", "&a", "*a", "!!str ",
                            "|", ">", "(", ")", "NOT", "*", "\\", "\u{00A0}", "é", "顔", "\u{FEFF}", "---\n", "%YAML 1.2\n"]

    @Test func mutatedConfigsNeverCrashAndErrorsPointIntoTheFile() {
        var rng = SplitMix64(seed: 2026)
        let original = Array(ConfigLoaderTests.contractExample)
        var loaded = 0, refused = 0
        for _ in 0..<3_000 {
            var text = original
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let at = Int(rng.next() % UInt64(text.count + 1))
                switch rng.next() % 3 {
                case 0: text.insert(contentsOf: Self.splinters[Int(rng.next() % UInt64(Self.splinters.count))], at: at)
                case 1: if at < text.count { text.remove(at: at) }
                default: if at < text.count { text.removeSubrange(at..<min(text.count, at + Int(rng.next() % 30))) }
                }
            }
            let yaml = String(text)
            let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).count
            do {
                _ = try ConfigLoader.parse(yaml, file: ConfigLoaderTests.exampleDirectory + "/f.yaml")
                loaded += 1
            } catch {
                refused += 1
                #expect(!error.errors.isEmpty)
                for e in error.errors {
                    guard let line = e.line, let column = e.column else { continue }
                    #expect(line >= 1 && line <= lines + 1, "\(e) in:\n\(yaml)")
                    #expect(column >= 1, "\(e) in:\n\(yaml)")
                    #expect(line > lines || e.excerpt != nil, "\(e) in:\n\(yaml)")
                }
            }
        }
        // The mutations must exercise both outcomes, or the test proves nothing.
        #expect(loaded > 100 && refused > 100, "loaded \(loaded), refused \(refused)")
    }
}
