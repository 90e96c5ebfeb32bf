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
    /// It reads every byte of every item of every fetched document, so it takes eight bytes a
    /// step (FNV's byte-at-a-time chain was a sizeable part of a cold cycle); it is compared
    /// only with itself, never shown.
    public static func contentHash(_ item: FeedItem) -> String {
        contentHash(item, normalizedLink: item.link.map(normalizedLink))
    }

    /// `contentHash` with the link already normalized (the dedupe keys need it too).
    static func contentHash(_ item: FeedItem, normalizedLink link: String?) -> String {
        var h = WordHash()
        for part in [item.title ?? "", item.summary ?? "", item.content ?? "", link ?? ""] {
            var part = part
            part.withUTF8 { h.add($0) }
        }
        return hex(h.value)
    }

    /// Scheme and host lower-cased, default port, fragment and `utm_*`/`fbclid`/`gclid`
    /// parameters dropped; the rest as written. Works on the UTF-8 bytes: it runs for every item
    /// of every fetched document.
    public static func normalizedLink(_ link: String) -> String {
        var link = link
        return link.withUTF8 { all -> String in
            var lo = 0, hi = all.count
            while lo < hi, all[lo] <= 0x20 { lo += 1 }
            while hi > lo, all[hi - 1] <= 0x20 { hi -= 1 }
            var p = UnsafeBufferPointer(rebasing: all[lo..<hi])
            if let hash = p.firstIndex(of: 0x23) { p = UnsafeBufferPointer(rebasing: p[..<hash]) }  // #fragment
            // "scheme://"
            var schemeEnd = -1
            for i in 0..<max(0, p.count - 2) where p[i] == 0x3A && p[i + 1] == 0x2F && p[i + 2] == 0x2F {
                schemeEnd = i
                break
            }
            guard schemeEnd > 0 else { return String(decoding: p, as: UTF8.self) }
            var out: [UInt8] = []
            out.reserveCapacity(p.count + 1)
            func lower(_ b: UInt8) -> UInt8 { b &- 0x41 < 26 ? b | 0x20 : b }
            for i in 0..<schemeEnd { out.append(lower(p[i])) }
            let https = out.elementsEqual("https".utf8), http = out.elementsEqual("http".utf8)
            out += [0x3A, 0x2F, 0x2F]
            var i = schemeEnd + 3
            let hostStart = out.count
            while i < p.count, p[i] != 0x2F, p[i] != 0x3F { out.append(lower(p[i])); i += 1 }
            let host = out[hostStart...]
            if http, host.count > 3, host.suffix(3).elementsEqual(":80".utf8) { out.removeLast(3) }
            if https, host.count > 4, host.suffix(4).elementsEqual(":443".utf8) { out.removeLast(4) }
            let queryStart = p[i...].firstIndex(of: 0x3F) ?? p.count
            if i == queryStart { out.append(0x2F) } else { out += p[i..<queryStart] }  // path, "/" if none
            if queryStart < p.count {
                var first = true
                for param in p[(queryStart + 1)...].split(separator: 0x26, omittingEmptySubsequences: true) {
                    let name = param.prefix { $0 != 0x3D }.lazy.map(lower)
                    if name.starts(with: "utm_".utf8) || name.elementsEqual("fbclid".utf8) || name.elementsEqual("gclid".utf8) { continue }
                    out.append(first ? 0x3F : 0x26)
                    out += param
                    first = false
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// 32 hex digits identifying `parts` (alert ids, story ids).
    public static func digest(_ parts: [String]) -> String { hex(fnv1a(parts)) }

    /// FNV-1a over the parts, each ended by a zero byte, widened to 128 bits by running two
    /// differently seeded 64-bit lanes: collisions between different items of one feed are then
    /// not a practical concern, without a crypto library.
    private static func fnv1a(_ parts: [String]) -> (UInt64, UInt64) {
        var a: UInt64 = 0xCBF2_9CE4_8422_2325, b: UInt64 = 0x6C62_272E_07BB_0142
        @inline(__always) func step(_ byte: UInt8) {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 ^ (b >> 29)
        }
        for var part in parts {
            // Over the contiguous UTF-8 bytes: no copy, no array per part.
            part.withUTF8 { for byte in $0 { step(byte) } }
            step(0)
        }
        return (a, b)
    }

    /// Two 64-bit multiply–rotate lanes over 8-byte words; each part's length is mixed in, so
    /// moving bytes between parts changes the value.
    struct WordHash {
        private var a: UInt64 = 0x9E37_79B9_7F4A_7C15
        private var b: UInt64 = 0xC2B2_AE3D_27D4_EB4F

        @inline(__always) private mutating func step(_ w: UInt64) {
            a = ((a ^ w) &* 0xFF51_AFD7_ED55_8CCD)
            a = (a << 31) | (a >> 33)
            b = ((b ^ w) &* 0xC4CE_B9FE_1A85_EC53)
            b = (b << 29) | (b >> 35)
        }

        mutating func add(_ p: UnsafeBufferPointer<UInt8>) {
            let raw = UnsafeRawBufferPointer(p)
            var i = 0
            while i + 8 <= raw.count {
                step(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                i += 8
            }
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < raw.count {
                tail |= UInt64(raw[i]) << shift
                shift += 8
                i += 1
            }
            step(tail)
            step(UInt64(raw.count))
        }

        /// Both lanes through a final avalanche (MurmurHash3's fmix64).
        var value: (UInt64, UInt64) {
            func mix(_ x: UInt64) -> UInt64 {
                var x = x
                x ^= x >> 33; x = x &* 0xFF51_AFD7_ED55_8CCD
                x ^= x >> 33; x = x &* 0xC4CE_B9FE_1A85_EC53
                return x ^ (x >> 33)
            }
            return (mix(a ^ b >> 7), mix(b &+ a))
        }
    }

    private static func hex(_ h: (UInt64, UInt64)) -> String {
        // By table into a fixed buffer: `String(_:radix:)` plus padding cost thousands of
        // instructions, twice per stored item.
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 32) { out in
            for (k, v) in [h.0, h.1].enumerated() {
                for i in 0..<16 { out[k * 16 + i] = digits.utf8Start[Int((v >> UInt64(60 - 4 * i)) & 0xF)] }
            }
            return 32
        }
    }
}
