internal import FeedwatchCore
internal import Normalize

/// Feed autodiscovery: the feeds a web page announces in its `<link rel="alternate"
/// type="application/rss+xml|atom+xml|feed+json" href="…">` elements, as browsers and feed readers
/// find them. A pure function of the page's bytes and URL; tags are read by a small scanner
/// (attributes quoted, unquoted or bare, any case), comments and scripts skipped, and it stops at
/// `<body>`, where no such link belongs.
public enum FeedDiscovery {
    public struct Link: Equatable, Sendable {
        /// Absolute, resolved against the page's URL (or its `<base href>`).
        public var url: String
        /// `application/rss+xml`, `application/atom+xml`, `application/feed+json` (`json` too).
        public var type: String
        public var title: String?
    }

    /// Feed types pages announce (`application/json` is not one: WordPress announces its REST API with it).
    static let feedTypes: Set<String> = ["application/rss+xml", "application/atom+xml", "application/feed+json",
                                         "application/rdf+xml", "application/x-rss+xml"]

    /// Whether `bytes` look like an HTML page (not a feed that failed to parse).
    public static func looksLikeHTML(_ bytes: [UInt8]) -> Bool {
        // On bytes, ASCII-case-folded: it runs on every fetched document's first kilobytes, and
        // a lowercased String with three grapheme-aware searches was a sixth of a cold cycle's CPU.
        let head = bytes.prefix(4_096)
        let markers: [[UInt8]] = [Array("<html".utf8), Array("<!doctype html".utf8), Array("<head".utf8)]
        func lower(_ b: UInt8) -> UInt8 { b &- 0x41 < 26 ? b | 0x20 : b }
        var i = head.startIndex
        while let lt = head[i...].firstIndex(of: 0x3C) {  // <
            for m in markers where lt + m.count <= head.endIndex {
                var j = 1
                while j < m.count, lower(head[lt + j]) == m[j] { j += 1 }
                if j == m.count { return true }
            }
            i = lt + 1
        }
        return false
    }

    /// The feeds `html` announces, in document order, each once.
    public static func links(inHTML html: [UInt8], pageURL: String?) -> [Link] {
        var out: [Link] = []
        var base = pageURL
        var i = 0
        let n = html.count
        func lower(_ b: UInt8) -> UInt8 { b &- 0x41 < 26 ? b | 0x20 : b }
        func starts(_ s: String, at k: Int) -> Bool {
            let u = Array(s.utf8)
            guard k + u.count <= n else { return false }
            for j in 0..<u.count where lower(html[k + j]) != u[j] { return false }
            return true
        }
        func skip(past marker: String, from k: Int) -> Int {
            var k = k
            while k < n && !starts(marker, at: k) { k += 1 }
            return min(n, k + marker.utf8.count)
        }
        while i < n {
            guard html[i] == 0x3C else { i += 1; continue }  // <
            if starts("<!--", at: i) { i = skip(past: "-->", from: i + 4); continue }
            if starts("<script", at: i) { i = skip(past: "</script", from: i + 7); continue }
            if starts("<style", at: i) { i = skip(past: "</style", from: i + 6); continue }
            if starts("<body", at: i) { break }
            let isLink = starts("<link", at: i) && i + 5 < n && (html[i + 5] == 0x20 || html[i + 5] == 0x09 || html[i + 5] == 0x0A || html[i + 5] == 0x0D)
            let isBase = starts("<base", at: i) && i + 5 < n && (html[i + 5] == 0x20 || html[i + 5] == 0x09 || html[i + 5] == 0x0A || html[i + 5] == 0x0D)
            guard isLink || isBase else { i += 1; continue }
            let (attributes, end) = Self.attributes(html, from: i + 5)
            i = end
            if isBase {
                if let href = attributes["href"], let resolved = URLResolver.resolve(href, against: pageURL) { base = resolved }
                continue
            }
            let rel = (attributes["rel"] ?? "").lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
            let type = (attributes["type"] ?? "").lowercased().split(separator: ";").first.map { String($0).trimmingWhitespace() } ?? ""
            guard rel.contains("alternate"), Self.feedTypes.contains(type), let href = attributes["href"], !href.isEmpty,
                  let url = URLResolver.resolve(href, against: base) else { continue }
            guard !out.contains(where: { $0.url == url }) else { continue }
            out.append(Link(url: url, type: type, title: attributes["title"].flatMap { $0.isEmpty ? nil : $0 }))
        }
        return out
    }

    /// A tag's attributes from just after its name to its `>`; names lower-cased, values with
    /// their character references decoded. Returns them and the index after the tag.
    static func attributes(_ html: [UInt8], from start: Int) -> ([String: String], Int) {
        var out: [String: String] = [:]
        var i = start
        let n = html.count
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0C }
        while i < n {
            while i < n && (isSpace(html[i]) || html[i] == 0x2F) { i += 1 }
            guard i < n, html[i] != 0x3E else { break }
            let nameStart = i
            while i < n && !isSpace(html[i]) && html[i] != 0x3D && html[i] != 0x3E && html[i] != 0x2F { i += 1 }
            let name = String(decoding: html[nameStart..<i], as: UTF8.self).lowercased()
            while i < n && isSpace(html[i]) { i += 1 }
            var value = ""
            if i < n && html[i] == 0x3D {
                i += 1
                while i < n && isSpace(html[i]) { i += 1 }
                if i < n && (html[i] == 0x22 || html[i] == 0x27) {
                    let quote = html[i]
                    i += 1
                    let valueStart = i
                    while i < n && html[i] != quote { i += 1 }
                    value = String(decoding: html[valueStart..<min(i, n)], as: UTF8.self)
                    i += 1
                } else {
                    let valueStart = i
                    while i < n && !isSpace(html[i]) && html[i] != 0x3E { i += 1 }
                    value = String(decoding: html[valueStart..<i], as: UTF8.self)
                }
            }
            if !name.isEmpty && out[name] == nil { out[name] = decodeReferences(value) }
        }
        return (out, min(n, i + 1))
    }

    /// `&amp;`, `&quot;`, `&#39;`, `&#x2F;`, `&lt;`, `&gt;`: what hrefs and titles carry.
    static func decodeReferences(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = ""
        var rest = Substring(s)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            guard let semi = after.prefix(10).firstIndex(of: ";") else { out += "&"; rest = after; continue }
            let name = after[..<semi]
            let named = ["amp": "&", "quot": "\"", "apos": "'", "lt": "<", "gt": ">"][String(name)]
            var scalar: Unicode.Scalar?
            if name.hasPrefix("#x") || name.hasPrefix("#X") { scalar = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init) }
            else if name.hasPrefix("#") { scalar = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init) }
            if let text = named ?? scalar.map({ String($0) }) {
                out += text
                rest = after[after.index(after: semi)...]
            } else {
                out += "&"
                rest = after
            }
        }
        return out + rest
    }
}
