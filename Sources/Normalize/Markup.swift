/// What HTML elements mean for plain text. Shared by the HTML converter and by the feed parser,
/// which meets the same elements inline in Atom `xhtml` content.
public enum Markup {
    public enum Role { case inline, block, skipped }

    /// Elements whose boundaries separate words ("a<p>b" is "a b", while "a<b>b</b>" is "ab").
    static let blockElements: Set<String> = [
        "address", "article", "aside", "blockquote", "br", "caption", "center", "dd", "details", "dialog",
        "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
        "h5", "h6", "header", "hgroup", "hr", "iframe", "img", "legend", "li", "main", "nav", "ol",
        "option", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
        "tr", "ul", "video", "audio", "source", "picture",
    ]

    /// Elements whose text is never content.
    static let skippedElements: Set<String> = ["script", "style", "template", "head", "noscript", "title"]

    public static func role(of name: UnsafePointer<UInt8>?) -> Role {
        guard let name else { return .inline }
        let s = String(cString: name)
        return role(of: s)
    }

    public static func role(of name: String) -> Role {
        // Names from the HTML parser are lower case already; XHTML ones may not be.
        let lower = name.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) ? name.lowercased() : name
        if skippedElements.contains(lower) { return .skipped }
        if blockElements.contains(lower) { return .block }
        return .inline
    }

    /// Tags seen in escaped HTML; a text that still holds one of these after conversion was
    /// escaped twice.
    static let telltaleTags: Set<String> = [
        "a", "b", "i", "u", "p", "br", "em", "strong", "div", "span", "img", "ul", "ol", "li", "h1", "h2",
        "h3", "h4", "h5", "h6", "blockquote", "table", "tr", "td", "figure", "iframe", "hr", "pre", "code",
        "small", "sup", "sub", "font", "section", "article", "header", "footer", "nav", "center", "script",
        "style",
    ]

    /// Whether `text` holds something like `<p>`, `</a>` or `<img src=…>` with a common HTML name.
    public static func containsKnownTag(_ text: [UInt8]) -> Bool {
        scanTags(text) { telltaleTags.contains($0) }
    }

    /// Whether `text` holds anything shaped like a tag (`<name`, `</name`): the contract's test for
    /// whether an RSS title is HTML.
    public static func containsTag(_ text: [UInt8]) -> Bool {
        scanTags(text) { _ in true }
    }

    private static func scanTags(_ t: [UInt8], _ accept: (String) -> Bool) -> Bool {
        var i = 0
        let n = t.count
        while i < n {
            guard t[i] == 0x3C else { i += 1; continue }
            var j = i + 1
            if j < n && t[j] == 0x2F { j += 1 }
            let nameStart = j
            while j < n, isAlnum(t[j]), j - nameStart < 12 { j += 1 }
            if j > nameStart, isAlpha(t[nameStart]), j < n,
               t[j] == 0x3E || t[j] == 0x20 || t[j] == 0x2F || t[j] == 0x0A || t[j] == 0x09 {
                let name = String(decoding: t[nameStart..<j], as: UTF8.self).lowercased()
                if accept(name) { return true }
            }
            i += 1
        }
        return false
    }

    @inline(__always) private static func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
    @inline(__always) private static func isAlnum(_ b: UInt8) -> Bool { isAlpha(b) || (b >= 0x30 && b <= 0x39) }
}
