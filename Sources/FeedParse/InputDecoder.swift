/// The first stage of parsing: decides the document's charset from its first bytes and turns the
/// stream into clean UTF-8, so libxml2 never has to guess or recover from encoding errors.
///
/// Precedence (RFC 7303 §3): a byte-order mark, then the charset the caller got from HTTP
/// `Content-Type`, then the XML declaration, then UTF-8. A declaration of UTF-16/32 on bytes that
/// are plainly ASCII-compatible is a relabelling mistake and is ignored.
struct InputDecoder {
    private var sniffBuffer: [UInt8] = []
    private var decided = false
    private var iconv: IconvDecoder?
    private var sanitizer = UTF8Sanitizer()
    private let callerCharset: String?
    private(set) var warnings: [String] = []

    /// How many bytes we wait for to find the end of an XML declaration.
    private static let sniffLimit = 1024

    init(callerCharset: String?) { self.callerCharset = callerCharset }

    /// Adds a warning about the byte stream found by a later stage.
    mutating func note(_ warning: String) { warnings.append(warning) }

    /// Decodes `input`, handing UTF-8 to `emit`.
    mutating func feed(_ input: UnsafeBufferPointer<UInt8>, emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        if decided { return decode(input, final: false, emit: emit) }
        sniffBuffer.append(contentsOf: input)
        guard Self.canDecide(sniffBuffer) else { return }
        let buffered = sniffBuffer
        sniffBuffer = []
        buffered.withUnsafeBufferPointer { decide(on: $0, final: false, emit: emit) }
    }

    mutating func finish(emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        if !decided {
            let buffered = sniffBuffer
            sniffBuffer = []
            buffered.withUnsafeBufferPointer { decide(on: $0, final: true, emit: emit) }
        } else {
            decode(UnsafeBufferPointer(start: nil, count: 0), final: true, emit: emit)
        }
        if sanitizer.invalidSequences > 0 {
            warnings.append("invalid UTF-8: \(sanitizer.invalidSequences) byte sequence(s) replaced with U+FFFD")
        }
        if sanitizer.controlCharacters > 0 {
            warnings.append("\(sanitizer.controlCharacters) control character(s) not allowed in XML replaced with spaces")
        }
        if let iconv, iconv.invalidBytes > 0 {
            warnings.append("\(iconv.invalidBytes) byte(s) invalid in \(iconv.name) replaced with U+FFFD")
        }
    }

    private static func canDecide(_ b: [UInt8]) -> Bool {
        guard b.count >= 4 else { return false }
        if b.count >= sniffLimit { return true }
        if b.starts(with: ebcdicDeclarationStart) {
            return zip(b, b.dropFirst()).contains { $0 == 0x6F && $1 == 0x6E }  // "?>" in EBCDIC
        }
        // Only an XML declaration makes us wait, and only until its end.
        guard let start = b.firstIndex(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF })
        else { return false }  // only white space so far: a declaration may still follow
        guard b.count - start >= 5 else { return false }
        guard b[start] == 0x3C, b[start + 1] == 0x3F else { return true }
        return zip(b[start...], b[(start + 1)...]).contains { $0 == 0x3F && $1 == 0x3E }  // "?>"
    }

    private mutating func decide(on head: UnsafeBufferPointer<UInt8>, final: Bool, emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        decided = true
        var body = head
        var charset = Charset.utf8
        if let (bom, length) = Self.byteOrderMark(head) {
            charset = bom
            body = UnsafeBufferPointer(rebasing: head[length...])
        } else if let guess = Self.utf16WithoutBOM(head) {
            charset = guess
        } else if head.starts(with: Self.ebcdicDeclarationStart) {
            charset = ebcdicCharset(head)
        } else if let label = callerCharset ?? Self.declaredEncoding(head) {
            if let c = Charset(label: label), !c.isUTF16or32 {
                charset = c
            } else if Charset(label: label) == nil {
                warnings.append("unknown encoding \"\(label)\"; read as UTF-8")
            }
        }
        if case .iconv(let name) = charset {
            iconv = IconvDecoder(from: name)
            if iconv == nil { warnings.append("unsupported encoding \"\(name)\"; read as UTF-8") }
        }
        decode(body, final: final, emit: emit)
    }

    private mutating func decode(_ input: UnsafeBufferPointer<UInt8>, final: Bool, emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        if let iconv {
            var utf8 = [UInt8]()
            utf8.reserveCapacity(input.count * 2)
            iconv.decode(input, final: final, into: &utf8)
            utf8.withUnsafeBufferPointer { sanitizer.process($0, final: final, emit: emit) }
        } else {
            sanitizer.process(input, final: final, emit: emit)
        }
    }

    private static func byteOrderMark(_ b: UnsafeBufferPointer<UInt8>) -> (Charset, Int)? {
        func starts(_ p: [UInt8]) -> Bool { b.count >= p.count && zip(b, p).allSatisfy { $0 == $1 } }
        if starts([0xEF, 0xBB, 0xBF]) { return (.utf8, 3) }
        if starts([0xFF, 0xFE, 0x00, 0x00]) { return (.iconv("UTF-32LE"), 4) }
        if starts([0x00, 0x00, 0xFE, 0xFF]) { return (.iconv("UTF-32BE"), 4) }
        if starts([0xFE, 0xFF]) { return (.iconv("UTF-16BE"), 2) }
        if starts([0xFF, 0xFE]) { return (.iconv("UTF-16LE"), 2) }
        return nil
    }

    /// `<?xm` in EBCDIC (XML 1.0 appendix F): the same bytes in every EBCDIC code page.
    private static let ebcdicDeclarationStart: [UInt8] = [0x4C, 0x6F, 0xA7, 0x94]

    /// The EBCDIC code page of a document that starts with an EBCDIC XML declaration: the one the
    /// caller or the declaration names (read through cp037, whose letters every EBCDIC page
    /// shares), if it is an EBCDIC page; else cp037, the most common one.
    private mutating func ebcdicCharset(_ head: UnsafeBufferPointer<UInt8>) -> Charset {
        let fallback = Charset.iconv("CP037")
        var ascii = [UInt8]()
        if let decoder = IconvDecoder(from: "CP037") { decoder.decode(head, final: true, into: &ascii) }
        guard let label = callerCharset ?? ascii.withUnsafeBufferPointer({ Self.declaredEncoding($0) }) else { return fallback }
        if let named = Charset(label: label), named.isEBCDIC { return named }
        warnings.append("encoding \"\(label)\" is not EBCDIC, but the document is; read as cp037")
        return fallback
    }

    /// `<?` in UTF-16 without a BOM (XML 1.0 appendix F).
    private static func utf16WithoutBOM(_ b: UnsafeBufferPointer<UInt8>) -> Charset? {
        guard b.count >= 4 else { return nil }
        if b[0] == 0x3C && b[1] == 0 && b[2] == 0x3F && b[3] == 0 { return .iconv("UTF-16LE") }
        if b[0] == 0 && b[1] == 0x3C && b[2] == 0 && b[3] == 0x3F { return .iconv("UTF-16BE") }
        return nil
    }

    /// The `encoding="…"` pseudo-attribute of an XML declaration, read as ASCII.
    static func declaredEncoding(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        // Only a declaration at the very start counts (white space aside, which we tolerate).
        let start = b.firstIndex(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) ?? b.count
        guard b.count - start > 5, b[start] == 0x3C, b[start + 1] == 0x3F else { return nil }  // "<?"
        // Bytes, not `String.firstRange`: the generic string search cost more than the whole rest
        // of the sniffing, once per fetched document.
        var end = start + 2
        while end + 1 < b.count, !(b[end] == 0x3F && b[end + 1] == 0x3E) { end += 1 }
        guard end + 1 < b.count, b[start..<end].starts(with: "<?xml".utf8) else { return nil }
        let decl = b[start..<end]
        let name = Array("encoding".utf8)
        guard var i = decl.indices.first(where: { decl[$0...].starts(with: name) }) else { return nil }
        i += name.count
        while i < end, decl[i] == 0x20 || decl[i] == 0x3D || decl[i] == 0x09 { i += 1 }
        guard i < end, decl[i] == 0x22 || decl[i] == 0x27 else { return nil }
        let quote = decl[i]
        guard let close = decl[(i + 1)...].firstIndex(of: quote) else { return nil }
        return String(decoding: decl[(i + 1)..<close], as: UTF8.self)
    }
}
