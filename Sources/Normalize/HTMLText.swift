internal import CXML2

/// HTML → plain text, as the contract defines it: tags removed, `script`/`style` bodies dropped,
/// block boundaries and `<br>` turned into one space, character references decoded, white space
/// collapsed. It runs libxml2's forgiving HTML parser in SAX mode, so no tree is ever built and
/// any tag soup a feed carries comes out as text.
public enum HTMLText {
    /// Converts `html`; `nil` when no text remains.
    public static func plainText(_ html: String) -> String? {
        var html = html
        return html.withUTF8 { plainText(utf8: $0) }
    }

    public static func plainText(utf8 html: UnsafeBufferPointer<UInt8>) -> String? {
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

    private static func convert(_ html: UnsafeBufferPointer<UInt8>) -> TextAccumulator {
        let collector = Collector(capacity: html.count)
        var sax = xmlSAXHandler()
        sax.startElement = { ctx, name, _ in Collector.from(ctx).start(name) }
        sax.endElement = { ctx, name in Collector.from(ctx).end(name) }
        sax.characters = { ctx, ch, len in Collector.from(ctx).text(ch, len) }
        sax.ignorableWhitespace = { ctx, ch, len in Collector.from(ctx).text(ch, len) }
        sax.cdataBlock = { ctx, ch, len in Collector.from(ctx).text(ch, len) }
        sax.serror = { _, _ in }
        let user = Unmanaged.passUnretained(collector).toOpaque()
        withExtendedLifetime(collector) {
            guard let ctxt = htmlCreatePushParserCtxt(&sax, user, nil, 0, nil, XML_CHAR_ENCODING_UTF8) else { return }
            defer { htmlFreeParserCtxt(ctxt) }
            let options: Int32 = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue
                | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_NONET.rawValue
                | HTML_PARSE_COMPACT.rawValue)
            htmlCtxtUseOptions(ctxt, options)
            html.withMemoryRebound(to: CChar.self) { chars in
                var offset = 0
                // Feed in bounded pieces: htmlParseChunk takes an Int32 length.
                repeat {
                    let n = min(chars.count - offset, 1 << 20)
                    let last = offset + n >= chars.count
                    _ = htmlParseChunk(ctxt, chars.baseAddress.map { $0 + offset }, Int32(n), last ? 1 : 0)
                    offset += n
                } while offset < chars.count
            }
        }
        return collector.acc
    }

    /// Receives the SAX events of one conversion.
    private final class Collector {
        var acc: TextAccumulator
        /// Depth inside elements whose text is not content (`script`, `style`, …).
        var skipDepth = 0

        init(capacity: Int) { acc = TextAccumulator(capacity: capacity) }

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
            acc.append(UnsafeBufferPointer(start: ch, count: Int(len)))
        }
    }
}
