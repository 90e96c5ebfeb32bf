public import FeedwatchCore

/// What makes an item the same item when a feed serves it again: its id as written, else its
/// link (normalized: host case, fragment and tracking parameters do not make a new item), else
/// its title and summary.
public enum EntryKey {
    public static func of(_ item: FeedItem) -> String {
        if let id = item.id, !id.isEmpty { return "id:" + id }
        if let link = item.link, !link.isEmpty { return "link:" + normalizedLink(link) }
        return "text:" + hex(fnv1a([item.title ?? "", item.summary ?? ""]))
    }

    /// A fingerprint of what a reader sees: a change means the item was edited (a new tracking
    /// parameter on its link is not an edit).
    public static func contentHash(_ item: FeedItem) -> String {
        hex(fnv1a([item.title ?? "", item.summary ?? "", item.content ?? "", item.link.map(normalizedLink) ?? ""]))
    }

    /// Scheme and host lower-cased, default port, fragment and `utm_*`/`fbclid`/`gclid`
    /// parameters dropped; the rest as written.
    public static func normalizedLink(_ link: String) -> String {
        var s = Substring(link.trimmingWhitespace())
        if let hash = s.firstIndex(of: "#") { s = s[..<hash] }
        guard let schemeEnd = s.firstRange(of: "://") else { return String(s) }
        let scheme = s[..<schemeEnd.lowerBound].lowercased()
        var rest = s[schemeEnd.upperBound...]
        let hostEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var host = rest[..<hostEnd].lowercased()
        rest = rest[hostEnd...]
        if scheme == "http" && host.hasSuffix(":80") { host.removeLast(3) }
        if scheme == "https" && host.hasSuffix(":443") { host.removeLast(4) }
        var path = rest, query = Substring("")
        if let q = rest.firstIndex(of: "?") {
            path = rest[..<q]
            query = rest[rest.index(after: q)...]
        }
        let kept = query.split(separator: "&").filter { param in
            let name = param.prefix { $0 != "=" }.lowercased()
            return !(name.hasPrefix("utm_") || name == "fbclid" || name == "gclid")
        }
        return scheme + "://" + host + (path.isEmpty ? "/" : path) + (kept.isEmpty ? "" : "?" + kept.joined(separator: "&"))
    }

    /// 32 hex digits identifying `parts` (alert ids, story ids).
    public static func digest(_ parts: [String]) -> String { hex(fnv1a(parts)) }

    /// FNV-1a over the parts, each ended by a zero byte, widened to 128 bits by running two
    /// differently seeded 64-bit lanes: collisions between different items of one feed are then
    /// not a practical concern, without a crypto library.
    private static func fnv1a(_ parts: [String]) -> (UInt64, UInt64) {
        var a: UInt64 = 0xCBF2_9CE4_8422_2325, b: UInt64 = 0x6C62_272E_07BB_0142
        for part in parts {
            for byte in part.utf8 + [0] {
                a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
                b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 ^ (b >> 29)
            }
        }
        return (a, b)
    }

    private static func hex(_ h: (UInt64, UInt64)) -> String {
        func pad(_ v: UInt64) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }
        return pad(h.0) + pad(h.1)
    }
}
