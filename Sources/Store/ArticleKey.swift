internal import FeedwatchCore

/// What makes two items the same article, across feeds: the link they lead to, once wrappers and
/// tracking are taken off, or — on the same site — the same title and summary. Different outlets
/// running the same wire text are not the same article (they are coverage of one story), so the
/// text key includes the site.
public enum ArticleKey {
    /// Query parameters that only track the reader.
    static let trackingParameters: Set<String> = [
        "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid", "_hsenc", "_hsmi", "mkt_tok", "oly_enc_id", "oly_anon_id",
    ]

    /// The canonical form of an article link: `EntryKey.normalizedLink` (scheme and host case,
    /// default ports, fragment, `utm_*`) plus more tracking parameters dropped and redirect
    /// wrappers unwrapped (`google.com/url?q=…`, Google News article links whose target can be
    /// recovered). `nil` for something that is not an http(s) URL.
    public static func link(_ raw: String) -> String? {
        link(normalized: EntryKey.normalizedLink(raw))
    }

    /// `link` from what `EntryKey.normalizedLink` made of it.
    static func link(normalized: String) -> String? {
        var link = normalized
        guard link.hasPrefix("http://") || link.hasPrefix("https://") else { return nil }
        for _ in 0..<3 {  // a wrapper around a wrapper
            guard let inner = unwrap(link) else { break }
            link = EntryKey.normalizedLink(inner)
        }
        return link.utf8.contains(0x3F) ? dropTracking(link) : link
    }

    /// Title and summary on one site, as a 64-bit hash, or `nil` when either is missing (a title
    /// alone repeats too often on one site: "Morning briefing"). The text is compared as the
    /// parser normalized it (white space already collapsed), eight bytes a step: it runs for
    /// every new item.
    public static func text(site: String, title: String?, summary: String?) -> Int64? {
        guard let title, !title.isEmpty, let summary, !summary.isEmpty else { return nil }
        var h = EntryKey.WordHash()
        let site = site.lowercased()
        for var part in [site, title, summary] { part.withUTF8 { h.add($0) } }
        return clustered(site: site, h.value.0)
    }

    /// Keys of one site share their top 12 bits, so the items of one document land together in
    /// the dedupe indexes instead of on a page each (every page a commit touches is written
    /// again); 52 bits stay for the article, ample within one site.
    private static func clustered(site: String, _ hash: UInt64) -> Int64 {
        var s = FoldingHash(folding: false)
        var name = site
        name.withUTF8 { s.add($0) }
        return Int64(bitPattern: (UInt64(bitPattern: s.value) & 0xFFF) << 52 | (hash & (1 << 52 - 1)))
    }

    /// The 64-bit key stored for a canonical link (an index of integers is far cheaper to keep
    /// and search than one of URLs; 2^-64 per pair is no practical collision risk for dedupe).
    public static func linkHash(_ canonical: String) -> Int64 {
        var h = FoldingHash(folding: false)
        var s = canonical
        s.withUTF8 { h.add($0) }
        return clustered(site: site(of: canonical), UInt64(bitPattern: h.value))
    }

    /// FNV-1a over bytes, optionally with ASCII case folded and white space runs collapsed.
    private struct FoldingHash {
        var state: UInt64 = 0xCBF2_9CE4_8422_2325
        let folding: Bool
        private var pendingSpace = false

        init(folding: Bool = true) { self.folding = folding }

        @inline(__always) private mutating func step(_ b: UInt8) { state = (state ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }

        mutating func add(_ p: UnsafeBufferPointer<UInt8>) {
            guard folding else { for b in p { step(b) }; return }
            for b in p {
                if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { pendingSpace = true; continue }
                if pendingSpace { step(0x20); pendingSpace = false }
                step(b &- 0x41 < 26 ? b | 0x20 : b)
            }
        }

        mutating func separate() {
            pendingSpace = false
            step(0)
        }

        var value: Int64 { Int64(bitPattern: state) }
    }

    /// The host of a URL, without port and `www.`: the site an item belongs to.
    public static func site(of url: String) -> String {
        var host = Substring(URLText.hostAndPort(of: url))
        if host.last != "]", let colon = host.lastIndex(of: ":") { host = host[..<colon] }
        return String(host.hasPrefix("www.") ? host.dropFirst(4) : host)
    }

    private static func unwrap(_ link: String) -> String? {
        guard link.utf8.count > 20, mentionsGoogle(link) else { return nil }
        let host = site(of: link)
        // https://www.google.com/url?q=TARGET (or url=TARGET), as Google Alerts feeds link.
        if host == "google.com" || host.hasPrefix("google."), URLText.path(of: link).hasPrefix("/url") {
            for (name, value) in query(link) where name == "q" || name == "url" {
                let target = percentDecoded(value)
                if target.hasPrefix("http://") || target.hasPrefix("https://") { return target }
            }
        }
        // https://news.google.com/rss/articles/ID: older IDs are base64url of a small record that
        // holds the target URL as plain bytes; newer ones do not, and stay as they are.
        if host == "news.google.com" {
            let path = URLText.path(of: link)
            for prefix in ["/rss/articles/", "/articles/"] where path.hasPrefix(prefix) {
                let id = path.dropFirst(prefix.count).prefix { $0 != "/" && $0 != "?" }
                if let bytes = Base64.decode(String(id), urlSafe: true), let target = embeddedURL(bytes) { return target }
            }
        }
        return nil
    }

    /// A byte search (String's generic `contains` costs thousands of instructions per call).
    private static func mentionsGoogle(_ s: String) -> Bool {
        let needle = Array("google.".utf8), u = Array(s.utf8)
        guard u.count >= needle.count else { return false }
        for i in 0...(u.count - needle.count) where u[i] == 0x67 && u[i..<(i + needle.count)].elementsEqual(needle) { return true }
        return false
    }

    private static func query(_ link: String) -> [(String, String)] {
        guard let q = link.firstIndex(of: "?") else { return [] }
        return link[link.index(after: q)...].prefix { $0 != "#" }.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1)
            return (String(parts[0]).lowercased(), parts.count > 1 ? String(parts[1]) : "")
        }
    }

    private static func dropTracking(_ link: String) -> String {
        guard let q = link.firstIndex(of: "?") else { return link }
        let kept = link[link.index(after: q)...].split(separator: "&").filter { pair in
            let name = pair.prefix { $0 != "=" }.lowercased()
            return !trackingParameters.contains(name) && !name.hasPrefix("utm_")
        }
        return String(link[..<q]) + (kept.isEmpty ? "" : "?" + kept.joined(separator: "&"))
    }

    static func percentDecoded(_ s: String) -> String {
        var out: [UInt8] = []
        let bytes = Array(s.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x25, i + 2 < bytes.count, let v = UInt8(String(decoding: bytes[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                out.append(v)
                i += 3
            } else {
                out.append(bytes[i] == 0x2B ? 0x20 : bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The first `http(s)://` URL spelled out in `bytes`, up to the first byte a URL cannot hold.
    static func embeddedURL(_ bytes: [UInt8]) -> String? {
        let https = Array("https://".utf8), http = Array("http://".utf8)
        for start in bytes.indices {
            let rest = bytes[start...]
            guard rest.starts(with: https) || rest.starts(with: http) else { continue }
            let end = rest.firstIndex { $0 <= 0x20 || $0 >= 0x7F || $0 == 0x22 || $0 == 0x3C || $0 == 0x3E } ?? bytes.endIndex
            let url = String(decoding: bytes[start..<end], as: UTF8.self)
            return url.count > 10 ? url : nil
        }
        return nil
    }
}
