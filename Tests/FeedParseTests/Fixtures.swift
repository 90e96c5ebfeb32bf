import Foundation
import TestSupport
import FeedParse
import FeedwatchCore

/// The golden fixtures under `Tests/Fixtures/parse`: `<case>.xml` (or `.json`) with
/// `<case>.expected.json`, and optionally `<case>.charset` (the charset HTTP would announce).
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/parse")

    /// Every input document, by case name.
    static var cases: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { ($0.hasSuffix(".xml") || $0.hasSuffix(".json")) && !$0.hasSuffix(".expected.json") }.sorted()
    }

    static func bytes(_ name: String) -> [UInt8] {
        (try? [UInt8](Data(contentsOf: directory.appendingPathComponent(name)))) ?? []
    }

    static func caseName(_ file: String) -> String {
        String(file[..<file.lastIndex(of: ".")!])
    }

    static func charset(_ file: String) -> String? {
        let url = directory.appendingPathComponent(caseName(file) + ".charset")
        return (try? String(contentsOf: url, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The base every fixture is parsed against, as if fetched over HTTP.
    static func documentURL(_ file: String) -> String { "https://feeds.example.net/\(file)" }

    /// Parses `bytes` fed in the given chunk sizes (cycled), returning the contract JSON or the error.
    static func render(_ bytes: [UInt8], file: String, chunks: [Int]? = nil, options: ParseOptions = ParseOptions()) -> String {
        let parser = FeedParser(options: options, documentURL: documentURL(file), charset: charset(file))
        do {
            if let chunks {
                var offset = 0, k = 0
                while offset < bytes.count {
                    let n = min(max(1, chunks[k % chunks.count]), bytes.count - offset)
                    try parser.feed(Array(bytes[offset..<(offset + n)]))
                    offset += n
                    k += 1
                }
            } else {
                try parser.feed(bytes)
            }
            let feed = try parser.finish()
            var out = [UInt8]()
            feed.writeJSON(pretty: true) { out.append(contentsOf: $0) }
            return String(decoding: out, as: UTF8.self)
        } catch {
            return "error: \(error)\n"
        }
    }
}

