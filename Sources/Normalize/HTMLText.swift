internal import CXML2
import Glibc

/// HTML → plain text, as the contract defines it: tags removed, `script`/`style` bodies dropped,
/// block boundaries and `<br>` turned into one space, character references decoded, white space
/// collapsed. It runs libxml2's forgiving HTML parser in SAX mode, so no tree is ever built and
/// any tag soup a feed carries comes out as text.
///
/// One converter keeps one libxml2 context for many fields: creating and freeing a context costs
/// more than parsing a typical description. Not thread-safe; use one per parse.
public final class HTMLTextConverter {
    private let ctxt: htmlParserCtxtPtr?
    private let collector = Collector()
    private let entities: HTMLEntities

    private static let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue
        | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_NONET.rawValue | HTML_PARSE_COMPACT.rawValue
        | HTML_PARSE_IGNORE_ENC.rawValue)

    /// - Parameter entities: the entity cache to share with other stages of the same parse.
    public init(entities: HTMLEntities = HTMLEntities()) {
        self.entities = entities
        LibXML2.prepare()
        ctxt = htmlNewParserCtxt()
        guard let ctxt else { return }
        var sax = xmlSAXHandler()
        sax.startElement = { ctx, name, _ in Collector.from(ctx).start(name) }
        sax.endElement = { ctx, name in Collector.from(ctx).end(name) }
        sax.characters = { ctx, ch, len in Collector.from(ctx).text(ch, len) }
        sax.ignorableWhitespace = { ctx, ch, len in Collector.from(ctx).text(ch, len) }
        sax.cdataBlock = { ctx, ch, len in Collector.from(ctx).text(ch, len) }
        sax.serror = { _, _ in }
        // htmlCtxtReset, which every read starts with, keeps both the handler and the user data.
        ctxt.pointee.sax.pointee = sax
        ctxt.pointee.userData = Unmanaged.passUnretained(collector).toOpaque()
    }

    deinit {
        if let ctxt { htmlFreeParserCtxt(ctxt) }
    }

    /// Converts `html`; `nil` when no text remains.
    public func plainText(_ html: String) -> String? {
        var html = html
        return html.withUTF8 { plainText(utf8: $0) }
    }

    public func plainText(utf8 html: UnsafeBufferPointer<UInt8>) -> String? {
        // Most RSS descriptions that are "HTML" hold no markup at all: skip the parser for them.
        if !html.contains(0x3C) && !html.contains(0x26) {
            var acc = TextAccumulator(capacity: html.count)
            acc.append(html)
            return acc.string
        }
        var text = convert(html)
        // Double-escaped HTML (`&amp;lt;p&amp;gt;`) is common in RSS: after one pass it still reads as
        // markup. One more pass turns it into text; a third level is not seen in practice.
        if Markup.containsKnownTag(text.bytes) {
            text = text.bytes.withUnsafeBufferPointer { convert($0) }
        }
        return text.string
    }

    /// One conversion pass as `plainText` runs it (with placeholders when they help).
    func onePass(utf8 html: UnsafeBufferPointer<UInt8>) -> String? {
        convert(html).string
    }

    /// The direct path alone: `nil` when it declines the fragment.
    func directPass(utf8 html: UnsafeBufferPointer<UInt8>) -> String?? {
        var acc = TextAccumulator(capacity: html.count)
        return PlainHTML.convert(html, entities: entities, into: &acc) ? .some(acc.string) : nil
    }

    /// libxml2's own reading of `html`, with no compaction: the reference `onePass` must match.
    func referencePass(utf8 html: UnsafeBufferPointer<UInt8>) -> String? {
        parse(html, texts: html, runs: [], capacity: html.count).string
    }

    private func convert(_ html: UnsafeBufferPointer<UInt8>) -> TextAccumulator {
        var direct = TextAccumulator(capacity: html.count)
        if PlainHTML.convert(html, entities: entities, into: &direct) { return direct }
        if let skeleton = HTMLSkeleton(html, entities: entities) {
            return skeleton.bytes.withUnsafeBufferPointer { source in
                skeleton.arena.withUnsafeBufferPointer { parse(source, texts: $0, runs: skeleton.runs, capacity: html.count) }
            }
        }
        return parse(html, texts: html, runs: [], capacity: html.count)
    }

    /// Runs libxml2's HTML parser (the pull parser over the whole fragment: its push parser re-scans
    /// the buffer for every token) over `source`; placeholders in its text stand for `runs` of
    /// `texts`. The input is always UTF-8, and a `<meta charset>` in it is ignored.
    private func parse(_ source: UnsafeBufferPointer<UInt8>, texts: UnsafeBufferPointer<UInt8>,
                       runs: [Range<Int>], capacity: Int) -> TextAccumulator {
        collector.reset(capacity: capacity, texts: texts, runs: runs)
        guard let ctxt, let base = source.baseAddress, !source.isEmpty, source.count < Int(Int32.max) else {
            return collector.acc
        }
        base.withMemoryRebound(to: CChar.self, capacity: source.count) {
            _ = htmlCtxtReadMemory(ctxt, $0, Int32(source.count), nil, "UTF-8", Self.options)
        }
        let result = collector.acc
        collector.reset(capacity: 0, texts: UnsafeBufferPointer(start: nil, count: 0), runs: [])
        return result
    }

    /// Receives the SAX events of one conversion.
    private final class Collector {
        var acc = TextAccumulator()
        /// Depth inside elements whose text is not content (`script`, `style`, …).
        var skipDepth = 0
        var texts = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        var runs: [Range<Int>] = []

        func reset(capacity: Int, texts: UnsafeBufferPointer<UInt8>, runs: [Range<Int>]) {
            acc = TextAccumulator(capacity: capacity)
            skipDepth = 0
            self.texts = texts
            self.runs = runs
        }

        static func from(_ ctx: UnsafeMutableRawPointer?) -> Collector {
            Unmanaged<Collector>.fromOpaque(ctx!).takeUnretainedValue()
        }

        func start(_ name: UnsafePointer<xmlChar>?) {
            switch Markup.role(of: name) {
            case .skipped: skipDepth += 1
            case .block: acc.breakWord()
            case .inline: break
            }
        }

        func end(_ name: UnsafePointer<xmlChar>?) {
            switch Markup.role(of: name) {
            case .skipped: skipDepth = max(0, skipDepth - 1)
            case .block: acc.breakWord()
            case .inline: break
            }
        }

        func text(_ ch: UnsafePointer<xmlChar>?, _ len: Int32) {
            guard skipDepth == 0, let ch, len > 0 else { return }
            let p = UnsafeBufferPointer(start: ch, count: Int(len))
            guard !runs.isEmpty else { return acc.append(p) }
            // libxml2 hands text over in whole characters, so a placeholder is never split.
            var from = 0
            var i = 0
            while i < p.count {
                guard let hit = memchr(p.baseAddress! + i, Int32(HTMLSkeleton.placeholderLead), p.count - i) else { break }
                i = p.baseAddress!.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                guard let k = HTMLSkeleton.index(p, at: i), k < runs.count else {
                    i += 1
                    continue
                }
                if from < i { acc.append(UnsafeBufferPointer(rebasing: p[from..<i])) }
                acc.append(UnsafeBufferPointer(rebasing: texts[runs[k]]))
                i += 3
                from = i
            }
            if from < p.count { acc.append(UnsafeBufferPointer(rebasing: p[from...])) }
        }
    }
}
