internal import CXML2
import Glibc
import Synchronization

/// The converter's first and fastest path. Most feed HTML is a few paragraphs with links and
/// emphasis: regular tags from a short list of everyday elements, properly nested, text with
/// ordinary character references. For such a fragment libxml2's HTML parser (with its fixed cost
/// per fragment, most of a cold poll's parse time) can only produce the text that stripping the
/// tags produces — a word break at each block element's start and end, nothing at inline ones —
/// so it is produced here directly. Anything else (another element, an end tag that is not the
/// innermost open element's, a lone `<`, a declaration, a reference libxml2 must judge, a control
/// character) returns `false` and the fragment goes to libxml2. A differential test holds this
/// path to libxml2's output.
///
/// What makes it exact is following libxml2's element stack: a start tag implicitly ends open
/// elements (`<h2>` ends an open `<p>`, whose own `</p>` then is stray and breaks nothing), and text
/// before any tag sits in an implied `<p>`. Which start tag ends which element is asked of libxml2
/// itself, once per pair, so it is right for whatever version is installed.
enum PlainHTML {
    private static let inlineElements = [
        "a", "abbr", "b", "cite", "code", "em", "i", "mark", "q", "s", "small", "span", "strong", "sub", "sup", "u",
    ]
    private static let blockElements = [
        "blockquote", "div", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ol", "p", "ul",
    ]
    /// Elements without content: no end tag may follow.
    private static let voidElements = ["br", "hr", "img"]

    private static let names = inlineElements + blockElements + voidElements

    private struct Element {
        var index: Int
        var isVoid: Bool
        var isBlock: Bool
    }

    private static let elements: [UInt64: Element] = {
        var table: [UInt64: Element] = [:]
        for (k, name) in names.enumerated() {
            table[Array(name.utf8).withUnsafeBufferPointer { Markup.nameKey($0)! }] =
                Element(index: k, isVoid: voidElements.contains(name), isBlock: Markup.role(of: name) == .block)
        }
        return table
    }()
    private static let paragraph = elements[Array("p".utf8).withUnsafeBufferPointer { Markup.nameKey($0)! }]!

    /// Whether a start tag of `names[new]` implicitly ends an open `names[old]`, by pair: 0 not
    /// yet asked, 1 yes, 2 no. Shared by every converter of the process (the poller's fetch
    /// thread and tests run converters on several threads).
    private static let autoCloses = Mutex([UInt8](repeating: 0, count: names.count * names.count))

    private static func closes(_ new: Element, _ old: Element) -> Bool {
        let slot = old.index * names.count + new.index
        if let known = autoCloses.withLock({ $0[slot] == 0 ? nil : $0[slot] == 1 }) { return known }
        let answer = probe(old: names[old.index], new: names[new.index])
        autoCloses.withLock { $0[slot] = answer ? 1 : 2 }
        return answer
    }

    /// Parses `<old><new>` with libxml2 and tells whether `old` ended before `new` began.
    private static func probe(old: String, new: String) -> Bool {
        LibXML2.prepare()
        guard let ctxt = htmlNewParserCtxt() else { return true }  // assume the worst: an extra break
        defer { htmlFreeParserCtxt(ctxt) }
        final class Events { var log: [String] = [] }
        let events = Events()
        var sax = xmlSAXHandler()
        sax.startElement = { ctx, name, _ in
            Unmanaged<Events>.fromOpaque(ctx!).takeUnretainedValue().log.append("<" + String(cString: name!))
        }
        sax.endElement = { ctx, name in
            Unmanaged<Events>.fromOpaque(ctx!).takeUnretainedValue().log.append("</" + String(cString: name!))
        }
        sax.serror = { _, _ in }
        ctxt.pointee.sax.pointee = sax
        ctxt.pointee.userData = Unmanaged.passUnretained(events).toOpaque()
        let html = "<\(old)><\(new)>"
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
            | HTML_PARSE_NONET.rawValue)
        _ = htmlCtxtReadMemory(ctxt, html, Int32(html.utf8.count), nil, "UTF-8", options)
        guard let opened = events.log.firstIndex(of: "<" + old), let next = events.log[(opened + 1)...].firstIndex(of: "<" + new)
        else { return true }
        return events.log[opened..<next].contains("</" + old)
    }

    /// The text of `p` appended to `acc`, or `false` (with `acc` in an undefined state) when the
    /// fragment is not plain enough to skip libxml2.
    static func convert(_ p: UnsafeBufferPointer<UInt8>, entities: HTMLEntities, into acc: inout TextAccumulator) -> Bool {
        guard let base = p.baseAddress else { return true }
        let n = p.count
        var open: [Element] = []
        var started = false  // an element (or text, in an implied `<p>`) has been seen
        var scratch: [UInt8] = []
        var i = 0
        while i < n {
            let lt = memchr(base + i, 0x3C, n - i).map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? n
            if lt > i {
                let run = UnsafeBufferPointer(rebasing: p[i..<lt])
                if !started, run.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) {
                    open.append(paragraph)  // text before any element: libxml2 puts it in a `<p>`
                    started = true
                }
                guard appendText(run, entities: entities, scratch: &scratch, into: &acc) else { return false }
            }
            guard lt < n else { break }
            let next = lt + 1 < n ? p[lt + 1] : 0
            if HTMLSkeleton.isLetter(next) {
                guard let end = HTMLSkeleton.startTagEnd(p, lt) else { return false }
                var j = lt + 1
                while j < end, HTMLSkeleton.isLetter(p[j]) || (p[j] >= 0x30 && p[j] <= 0x39) { j += 1 }
                guard let key = Markup.nameKey(UnsafeBufferPointer(rebasing: p[(lt + 1)..<j])), let element = elements[key] else { return false }
                started = true
                while let top = open.last, closes(element, top) {
                    open.removeLast()
                    if top.isBlock { acc.breakWord() }
                }
                if element.isBlock { acc.breakWord() }
                // `<x/>` is an element that ends at once, for libxml2 as here.
                if !element.isVoid && p[end - 2] != 0x2F { open.append(element) }
                i = end
            } else if next == 0x2F, lt + 2 < n, HTMLSkeleton.isLetter(p[lt + 2]) {
                guard let end = HTMLSkeleton.endTagEnd(p, lt) else { return false }
                var j = lt + 2
                while j < end, HTMLSkeleton.isLetter(p[j]) || (p[j] >= 0x30 && p[j] <= 0x39) { j += 1 }
                guard let key = Markup.nameKey(UnsafeBufferPointer(rebasing: p[(lt + 2)..<j])), let element = elements[key],
                      open.last?.index == element.index else { return false }
                open.removeLast()
                if element.isBlock { acc.breakWord() }
                i = end
            } else if HTMLSkeleton.hasPrefix(p, lt, "<!--"), lt + 4 < n, p[lt + 4] != 0x3E, p[lt + 4] != 0x2D,
                      let close = HTMLSkeleton.find(p, from: lt + 4, "-->") {
                i = close + 3  // a comment: no text, no break
            } else {
                return false
            }
        }
        return true
    }

    /// A text run: control characters (other than tab and line ends) and references libxml2
    /// reads its own way send the fragment to libxml2.
    private static func appendText(_ run: UnsafeBufferPointer<UInt8>, entities: HTMLEntities, scratch: inout [UInt8],
                                   into acc: inout TextAccumulator) -> Bool {
        var hasReference = false
        for b in run where b < 0x27 {
            if b == 0x26 { hasReference = true } else if b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D { return false }
        }
        guard hasReference else {
            acc.append(run)
            return true
        }
        scratch.removeAll(keepingCapacity: true)
        guard HTMLSkeleton.decodeReferences(run, into: &scratch, entities) else { return false }
        scratch.withUnsafeBufferPointer { acc.append($0) }
        return true
    }
}
