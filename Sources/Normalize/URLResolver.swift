/// Makes feed URLs absolute (RFC 3986 §5.2) and cleans what publishers leave in them: surrounding
/// white space, embedded newlines and tabs (dropped, as browsers do), and spaces or non-ASCII
/// bytes (percent-encoded). Foundation's `URL` is avoided: it rejects much of what real feeds
/// contain and costs more than this whole routine.
public enum URLResolver {
    /// `reference` made absolute against `base`; returned cleaned but unresolved when there is no
    /// usable base.
    public static func resolve(_ reference: String, against base: String?) -> String? {
        // Most links in feeds are already absolute, clean `http(s)` URLs: those come back as they
        // are, without the splitting and joining below (which would give the same string).
        isPlainAbsolute(reference) ? reference : resolveInFull(reference, against: base)
    }

    /// `resolve` without its shortcut (tests hold the shortcut to it).
    static func resolveInFull(_ reference: String, against base: String?) -> String? {
        let ref = clean(reference)
        guard !ref.isEmpty || base != nil else { return nil }
        let r = Parts(ref)
        if r.scheme != nil {
            var t = r
            t.scheme = r.scheme!.lowercased()
            t.path = removeDotSegments(r.path)
            return t.string
        }
        guard let base, let b = Optional(Parts(clean(base))), b.scheme != nil else {
            return ref.isEmpty ? nil : ref
        }
        var t = Parts()
        t.scheme = b.scheme!.lowercased()
        if r.authority != nil {
            t.authority = r.authority
            t.path = removeDotSegments(r.path)
            t.query = r.query
        } else {
            t.authority = b.authority
            if r.path.isEmpty {
                t.path = b.path
                t.query = r.query ?? b.query
            } else {
                if r.path.hasPrefix("/") {
                    t.path = removeDotSegments(r.path)
                } else {
                    t.path = removeDotSegments(merge(base: b, path: r.path))
                }
                t.query = r.query
            }
        }
        t.fragment = r.fragment
        return t.string
    }

    /// An `http:`/`https:` URL with a lower-case scheme, an authority, nothing `clean` would
    /// change and no "." or ".." segment.
    static func isPlainAbsolute(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { u in
            let rest: Int
            if u.starts(with: "https://".utf8) { rest = 8 } else if u.starts(with: "http://".utf8) { rest = 7 } else { return false }
            guard u.count > rest else { return false }
            var previous: UInt8 = 0
            for i in rest..<u.count {
                let b = u[i]
                switch b {
                case 0x00...0x20, 0x22, 0x3C, 0x3E, 0x5C, 0x5E, 0x60, 0x7B, 0x7C, 0x7D, 0x7F...: return false
                case 0x2E where previous == 0x2F: return false  // a segment starting with "."
                default: previous = b
                }
            }
            return true
        }
    }

    /// Whether `s` starts with a URI scheme (`https:`, `file:`, `mailto:` …).
    public static func isAbsolute(_ s: String) -> Bool { Parts(s).scheme != nil }

    /// The `file:///abs/path` URL of an absolute file-system path.
    public static func fileURL(path: String) -> String { "file://" + clean(path) }

    // MARK: - Pieces

    private struct Parts {
        var scheme: String?
        var authority: String?
        var path = ""
        var query: String?
        var fragment: String?

        init() {}

        /// RFC 3986 appendix B, without a regex; it splits on ASCII delimiters in the UTF-8 view,
        /// as walking `Character`s costs far more for URLs that are nearly all ASCII.
        init(_ s: String) {
            let u = s.utf8
            var start = u.startIndex
            var stop = u.endIndex
            if let colon = u.firstIndex(of: 0x3A), let first = u.first, Self.isAlpha(first),
               u[u.startIndex..<colon].allSatisfy({ Self.isAlpha($0) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2B || $0 == 0x2D || $0 == 0x2E }) {
                scheme = String(s[..<colon])
                start = u.index(after: colon)
            }
            if let hash = u[start...].firstIndex(of: 0x23) {
                fragment = String(s[u.index(after: hash)...])
                stop = hash
            }
            if let q = u[start..<stop].firstIndex(of: 0x3F) {
                query = String(s[u.index(after: q)..<stop])
                stop = q
            }
            if u[start..<stop].starts(with: [0x2F, 0x2F]) {
                let a = u.index(start, offsetBy: 2)
                let slash = u[a..<stop].firstIndex(of: 0x2F) ?? stop
                authority = String(s[a..<slash])
                start = slash
            }
            path = String(s[start..<stop])
        }

        private static func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }

        var string: String {
            var out = ""
            if let scheme { out += scheme + ":" }
            if let authority { out += "//" + authority }
            out += path
            if let query { out += "?" + query }
            if let fragment { out += "#" + fragment }
            return out
        }
    }

    private static func merge(base: Parts, path: String) -> String {
        if base.authority != nil && base.path.isEmpty { return "/" + path }
        guard let slash = base.path.lastIndex(of: "/") else { return path }
        return String(base.path[...slash]) + path
    }

    /// RFC 3986 §5.2.4.
    static func removeDotSegments(_ path: String) -> String {
        guard hasDotSegment(path) else { return path }
        var input = Substring(path)
        var output: [Substring] = []
        let absolute = input.hasPrefix("/")
        if absolute { input = input.dropFirst() }
        let segments = input.split(separator: "/", omittingEmptySubsequences: false)
        for (i, seg) in segments.enumerated() {
            let last = i == segments.count - 1
            if seg == "." {
                if last { output.append("") }
            } else if seg == ".." {
                if !output.isEmpty { output.removeLast() }
                if last { output.append("") }
            } else {
                output.append(seg)
            }
        }
        return (absolute ? "/" : "") + output.joined(separator: "/")
    }

    /// Whether some segment of `path` is "." or ".." (a dot inside a name, as in "a.html", is not).
    private static func hasDotSegment(_ path: String) -> Bool {
        var previous: UInt8 = 0x2F
        for b in path.utf8 {
            if b == 0x2E && previous == 0x2F { return true }
            previous = b
        }
        return false
    }

    /// Trims, drops ASCII tab/newline, and percent-encodes bytes that may not appear in a URI.
    static func clean(_ s: String) -> String {
        var out = [UInt8]()
        out.reserveCapacity(s.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for b in s.utf8 where b != 0x09 && b != 0x0A && b != 0x0D {
            switch b {
            case 0x00..<0x20, 0x20, 0x22, 0x3C, 0x3E, 0x5C, 0x5E, 0x60, 0x7B, 0x7C, 0x7D, 0x7F...:
                if b == 0x20 && (out.isEmpty) { continue }
                out.append(0x25); out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 0xF)])
            default:
                out.append(b)
            }
        }
        // Trailing spaces were encoded as %20 above; a URL never ends in one on purpose.
        while out.count >= 3 && out[out.count - 3] == 0x25 && out[out.count - 2] == 0x32 && out[out.count - 1] == 0x30 {
            out.removeLast(3)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
