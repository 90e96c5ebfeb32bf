internal import CXML2
internal import Normalize

/// The bridge between libxml2's push parser and `FeedBuilder`: it owns the parser context, turns
/// SAX2 callbacks into builder events, and libxml2's errors into warnings.
///
/// Safety: libxml2 is configured never to load anything (no DTD, no external entity, no network:
/// `XML_PARSE_NONET`, no `NOENT`/`DTDLOAD`/`HUGE`, a null external-entity loader) and to recover
/// from errors. Entity declarations are never recorded (no `entityDecl` handler), so libxml2
/// expands nothing — `MarkupRepair` has already rewritten every reference, expanding the
/// document's own internal entities within its bounds.
final class XMLFeedReader {
    let builder: FeedBuilder
    private var ctxt: xmlParserCtxtPtr?
    /// Namespace of each interned URI pointer: libxml2 hands back the same pointer for the same URI.
    private var namespaceCache: [UnsafeRawPointer: Namespace] = [:]
    private var sawDoctype = false
    /// Current element depth, counted here because libxml2 has no depth limit in SAX mode and its
    /// own stacks grow with depth: past `hardDepthLimit` the parse stops.
    private var depth = 0
    private var stoppedTooDeep = false
    private var hardDepthLimit: Int { builder.options.maxDepth * 8 }


    init(builder: FeedBuilder) {
        self.builder = builder
        LibXML2.prepare()
        var sax = xmlSAXHandler()
        sax.initialized = UInt32(XML_SAX2_MAGIC)
        sax.startElementNs = { user, localname, prefix, uri, nsCount, namespaces, attrCount, _, attributes in
            XMLFeedReader.from(user).startElement(localname, prefix, uri, Int(nsCount), namespaces, Int(attrCount), attributes)
        }
        sax.endElementNs = { user, localname, _, _ in
            XMLFeedReader.from(user).endElement(localname)
        }
        sax.characters = { user, ch, len in XMLFeedReader.from(user).characters(ch, len) }
        sax.cdataBlock = { user, ch, len in XMLFeedReader.from(user).characters(ch, len) }
        sax.internalSubset = { user, _, externalID, systemID in
            XMLFeedReader.from(user).doctype(external: externalID != nil || systemID != nil)
        }
        sax.serror = { user, error in
            guard let user, let error else { return }
            XMLFeedReader.from(user).report(error.pointee)
        }
        let user = Unmanaged.passUnretained(self).toOpaque()
        ctxt = xmlCreatePushParserCtxt(&sax, user, nil, 0, nil)
        let options = Int32(XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue | XML_PARSE_IGNORE_ENC.rawValue)
        xmlCtxtUseOptions(ctxt, options)
    }

    deinit {
        if let ctxt { xmlFreeParserCtxt(ctxt) }
    }

    private static func from(_ user: UnsafeMutableRawPointer?) -> XMLFeedReader {
        Unmanaged<XMLFeedReader>.fromOpaque(user!).takeUnretainedValue()
    }

    /// libxml2 is fed in fixed blocks of the stream, not in the pieces the network delivers:
    /// some of its recovery messages carry a position that depends on how much input it had
    /// buffered, and identical calls for identical bytes make the output fully chunk-invariant.
    static let blockSize = 32 * 1024
    private var staging: [UInt8] = []

    /// Parses the next piece of (clean UTF-8) document.
    func feed(_ p: UnsafeBufferPointer<UInt8>) {
        var rest = p
        while !rest.isEmpty {
            if staging.isEmpty && rest.count >= Self.blockSize {
                parse(UnsafeBufferPointer(rebasing: rest[..<Self.blockSize]), terminate: false)
                rest = UnsafeBufferPointer(rebasing: rest[Self.blockSize...])
                continue
            }
            let n = min(Self.blockSize - staging.count, rest.count)
            staging.append(contentsOf: UnsafeBufferPointer(rebasing: rest[..<n]))
            rest = UnsafeBufferPointer(rebasing: rest[n...])
            if staging.count == Self.blockSize {
                staging.withUnsafeBufferPointer { parse($0, terminate: false) }
                staging.removeAll(keepingCapacity: true)
            }
        }
    }

    func finish() {
        staging.withUnsafeBufferPointer { parse($0, terminate: true) }
        staging = []
    }

    private func parse(_ p: UnsafeBufferPointer<UInt8>, terminate: Bool) {
        guard let ctxt else { return }
        p.withMemoryRebound(to: CChar.self) {
            _ = xmlParseChunk(ctxt, $0.baseAddress, Int32($0.count), terminate ? 1 : 0)
        }
    }

    // MARK: - Callbacks

    private var currentLine: Int { Int(ctxt?.pointee.input?.pointee.line ?? 0) }

    private func startElement(_ localname: UnsafePointer<xmlChar>?, _ prefix: UnsafePointer<xmlChar>?,
                              _ uri: UnsafePointer<xmlChar>?, _ nsCount: Int,
                              _ namespaces: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?, _ attrCount: Int,
                              _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        guard let localname else { return }
        depth += 1
        if depth > hardDepthLimit {
            if !stoppedTooDeep, let ctxt {
                stoppedTooDeep = true
                builder.warnings.add(line: currentLine, "elements nested deeper than \(hardDepthLimit) levels: parsing stopped here")
                xmlStopParser(ctxt)
            }
            return
        }
        builder.line = currentLine
        let ns: Namespace
        if let uri {
            let key = UnsafeRawPointer(uri)
            if let cached = namespaceCache[key] {
                ns = cached
            } else {
                ns = Namespace(uri: String(cString: uri))
                namespaceCache[key] = ns
            }
        } else if let prefix {
            ns = Namespace(undeclaredPrefix: String(cString: prefix))
        } else {
            ns = .none
        }
        let attrs = Attributes(raw: attributes, count: attrCount, namespaceDeclarations: namespaces, namespaceCount: nsCount)
        builder.start(ns, String(cString: localname), attrs)
        if builder.isRejected, let ctxt { xmlStopParser(ctxt) }
    }

    private func endElement(_ localname: UnsafePointer<xmlChar>?) {
        depth -= 1
        builder.line = currentLine
        builder.end(localname.map { String(cString: $0) } ?? "")
    }

    private func characters(_ ch: UnsafePointer<xmlChar>?, _ len: Int32) {
        guard let ch, len > 0 else { return }
        builder.text(UnsafeBufferPointer(start: ch, count: Int(len)))
    }

    /// Only an external DTD is worth a warning: the internal subset's entities are expanded
    /// (`MarkupRepair`), and nothing else in a DTD changes a feed.
    private func doctype(external: Bool) {
        guard !sawDoctype, external else { return }
        sawDoctype = true
        builder.warnings.add(line: currentLine, "external DTD not loaded: nothing outside the document is ever read")
    }

    private func report(_ error: xmlError) {
        guard !builder.isRejected, !stoppedTooDeep, let message = error.message else { return }
        var text = String(cString: message)
        while text.last?.isWhitespace == true { text.removeLast() }
        builder.warnings.add(line: Int(error.line), text)
    }
}
