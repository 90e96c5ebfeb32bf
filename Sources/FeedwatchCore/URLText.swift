/// The few pieces of a URL read straight from its bytes, where a full parse (`URLResolver`) is
/// more than the hot path needs: per-host limits for every fetch, the site of every new item.
public enum URLText {
    /// The host with its port, lower-cased, user info dropped; "" without "scheme://".
    public static func hostAndPort(of url: String) -> String {
        let u = Array(url.utf8)
        guard let start = afterScheme(u) else { return "" }
        let end = u[start...].firstIndex { $0 == 0x2F || $0 == 0x3F || $0 == 0x23 } ?? u.count
        let hostStart = (u[start..<end].lastIndex(of: 0x40)).map { $0 + 1 } ?? start
        return String(decoding: u[hostStart..<end].map { $0 &- 0x41 < 26 ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// The path ("/" when there is none), without query and fragment; "" without "scheme://".
    public static func path(of url: String) -> String {
        let u = Array(url.utf8)
        guard let start = afterScheme(u) else { return "" }
        guard let slash = u[start...].firstIndex(of: 0x2F) else { return "/" }
        let end = u[slash...].firstIndex { $0 == 0x3F || $0 == 0x23 } ?? u.count
        return String(decoding: u[slash..<end], as: UTF8.self)
    }

    /// `url` if it may leave as a link a person can follow — `http`, `https` or `mailto` — else
    /// `nil`. A feed is hostile input: a `javascript:` or `data:` link must never become a chat
    /// message's link target, a notification's click action or a line in a terminal.
    public static func followableLink(_ url: String) -> String? {
        let lower = url.utf8.prefix(8).map { $0 &- 0x41 < 26 ? $0 | 0x20 : $0 }
        for scheme in ["http://", "https://", "mailto:"] where lower.starts(with: scheme.utf8) { return url }
        return nil
    }

    /// Index just past "://", if the text has it before any "/".
    private static func afterScheme(_ u: [UInt8]) -> Int? {
        var i = 0
        while i + 2 < u.count, u[i] != 0x2F {
            if u[i] == 0x3A && u[i + 1] == 0x2F && u[i + 2] == 0x2F { return i + 3 }
            i += 1
        }
        return nil
    }
}
