public import FeedwatchCore

/// Escaping and formatting shared by every renderer. Feed text is hostile: every string that came
/// from a feed, the config or a request goes through `html` (or `xml`) before it reaches output,
/// so a title with `<script>` is shown as text and an `"` cannot leave an attribute.
public enum WebText {
    /// Text for HTML element content and double-quoted attribute values.
    public static func html(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Characters XML 1.0 forbids (C0 controls but tab/LF/CR, U+FFFE/U+FFFF) would make
                // the Atom feed ill-formed; the same rule keeps the HTML clean.
                if isXMLChar(scalar) { out.unicodeScalars.append(scalar) } else { out += "\u{FFFD}" }
            }
        }
        return out
    }

    /// XML text and attribute values: the same escapes (`&#39;` is XML too).
    public static func xml(_ s: String) -> String { html(s) }

    static func isXMLChar(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }

    /// An `href` value: only `http:`/`https:` links and our own paths are kept; anything else
    /// (`javascript:`, `data:`) becomes `nil`, so a hostile feed cannot plant a script link.
    public static func safeLink(_ url: String?) -> String? {
        guard let url else { return nil }
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") || (url.hasPrefix("/") && !url.hasPrefix("//")) else { return nil }
        return url
    }

    /// Percent-encodes a path segment or query value (RFC 3986 unreserved characters kept).
    public static func percentEncode(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]], as: UTF8.self)
            }
        }
        return out
    }

    /// Decodes `%XX` and `+` (as a form submits them); malformed escapes are kept as written.
    public static func percentDecode(_ s: String) -> String {
        var bytes: [UInt8] = []
        var i = s.utf8.startIndex
        let u = s.utf8
        while i < u.endIndex {
            let b = u[i]
            if b == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else if b == UInt8(ascii: "%"), let j = u.index(i, offsetBy: 2, limitedBy: u.index(before: u.endIndex)),
                      let hi = hexValue(u[u.index(after: i)]), let lo = hexValue(u[j]) {
                bytes.append(hi << 4 | lo)
                i = j
            } else {
                bytes.append(b)
            }
            i = u.index(after: i)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The host of an URL (`https://www.example.org/feed` → `www.example.org`), or the URL itself.
    public static func host(of url: String) -> String {
        guard let scheme = url.firstRange(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return host.isEmpty ? url : String(host)
    }

    /// `90s`, `15m`, `24h`, `7d` in seconds (at most a year); `nil` for anything else.
    public static func duration(_ text: String) -> Int? {
        guard let unit = text.last, let n = Int(text.dropLast()), n > 0 else { return nil }
        let seconds: Int
        switch unit {
        case "s": seconds = n
        case "m": seconds = n * 60
        case "h": seconds = n * 3_600
        case "d": seconds = n * 86_400
        default: return nil
        }
        return seconds <= 366 * 86_400 ? seconds : nil
    }

    /// `2026-11-21 08:05 UTC`.
    public static func minute(_ t: Timestamp) -> String {
        let c = t.civil
        return "\(c.year)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute)) UTC"
    }

    /// `08:05`.
    public static func clock(_ t: Timestamp) -> String {
        let c = t.civil
        return "\(two(c.hour)):\(two(c.minute))"
    }

    /// `11-21`.
    public static func day(_ t: Timestamp) -> String {
        let c = t.civil
        return "\(two(c.month))-\(two(c.day))"
    }

    /// How long between two times, for people: `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`.
    public static func span(_ seconds: Int64) -> String {
        let s = max(0, seconds)
        if s < 60 { return "\(s) s" }
        if s < 3_600 { return "\(s / 60) min" }
        if s < 86_400 { return "\(s / 3_600) h" + (s % 3_600 >= 60 ? " \(s % 3_600 / 60) min" : "") }
        return "\(s / 86_400) d" + (s % 86_400 >= 3_600 ? " \(s % 86_400 / 3_600) h" : "")
    }

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
