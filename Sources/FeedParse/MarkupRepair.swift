import Glibc
import Normalize

/// Rewrites entity references before libxml2 sees them, outside CDATA sections and comments:
///
/// - `&amp;`, `&lt;` … and HTML's named entities (`&nbsp;`, `&mdash;`, `&eacute;` …, which feeds
///   use freely but XML does not define) become numeric references such as `&#160;`;
/// - a bare `&` (`Q&A`, `?a=1&b=2`) and an `&name;` that neither XML nor HTML defines become
///   `&#38;`, so the text reads as written.
///
/// Why here and not in libxml2: without a DTD, libxml2 reports an undefined entity and drops it,
/// swallows the name after a bare `&` ("Q&A session" → "Q session"), and, once a document has had
/// any well-formedness error, drops even `&amp;` (2.9's `xmlParseReference` returns early when
/// `!wellFormed`). Numeric references take none of those paths.
///
/// Entities the document declares in its internal subset are expanded here too, as escaped
/// character data, within `DeclaredEntities`' bounds (internal only, 4 KB, 3 levels, no
/// recursion, 1 MB a document): libxml2 never expands anything, so billion-laughs and XXE
/// documents stay inert.
///
/// Chunk-invariant: a construct cut by a chunk boundary is held back until it is complete.
struct MarkupRepair {
    private enum Mode { case markup, cdata, comment }
    private var mode = Mode.markup
    private var carry: [UInt8] = []
    /// The document's `<!DOCTYPE`, while its end has not been seen.
    private var doctype: DoctypeRecorder?
    private var sawDoctype = false
    /// The entities its internal subset declares, once it has ended.
    private var declared: DeclaredEntities?
    /// Declared entities refused, with the first line each was used on and why.
    private(set) var refusedEntities: [(name: String, line: Int, why: String)] = []
    /// Whether the internal subset was longer than `DoctypeRecorder.maxBytes`.
    private(set) var doctypeTooLong = false
    /// Line number of the start of `carry` (1-based), for warnings.
    private var line = 1
    private(set) var bareAmpersands = 0
    /// HTML entities recovered, with the first line each was seen on, in order of appearance.
    private(set) var recoveredEntities: [(name: String, line: Int)] = []
    private(set) var undefinedEntities: [(name: String, line: Int)] = []
    private var seenNames: Set<String> = []
    private let entities: HTMLEntities

    init(entities: HTMLEntities) { self.entities = entities }

    /// Longest entity name we look for; a longer run of name characters is not a reference.
    private static let maxReference = 40

    mutating func process(_ input: UnsafeBufferPointer<UInt8>, final: Bool,
                          emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        if carry.isEmpty {
            run(input, final: final, scanned: 0, emit: emit)
        } else {
            var joined = carry
            let scanned = carry.count
            carry.removeAll()
            joined.append(contentsOf: input)
            joined.withUnsafeBufferPointer { run($0, final: final, scanned: scanned, emit: emit) }
        }
    }

    /// `scanned`: how many leading bytes of `p` (carried from the last call) the doctype
    /// recorder has already read.
    private mutating func run(_ p: UnsafeBufferPointer<UInt8>, final: Bool, scanned: Int,
                              emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        guard let base = p.baseAddress else { return }
        let n = p.count
        // Where the doctype ends in `p` (n while it goes on, 0 when there is none open).
        var doctypeEnd = 0
        if doctype != nil { doctypeEnd = continueDoctype(p, from: scanned) }
        var i = 0
        var copied = 0           // p[..<copied] is already in `out`
        var out: [UInt8]? = nil  // allocated on the first rewrite only
        var end = n              // where this call's output stops (the rest is carried)
        // Line numbers are only needed for warnings and at the end of a call: count newlines
        // lazily, with memchr, up to where one is asked for.
        var counted = 0
        func lineNumber(at k: Int) -> Int {
            while counted < k, let nl = memchr(base + counted, 0x0A, k - counted) {
                self.line += 1
                counted = base.distance(to: nl.assumingMemoryBound(to: UInt8.self)) + 1
            }
            counted = max(counted, k)
            return self.line
        }
        // Positions of the next '&' and '<' (n when there is none), each searched for once.
        var nextAmp = -1, nextLt = -1
        func next(_ byte: UInt8, from k: Int) -> Int {
            memchr(base + k, Int32(byte), n - k).map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? n
        }
        scan: while i < n {
            if mode != .markup {
                // Look for "]]>" or "-->"; its first two bytes may end the previous chunk.
                let dash: UInt8 = mode == .cdata ? 0x5D : 0x2D
                guard let gt = memchr(base + i, 0x3E, n - i) else { i = n; break scan }
                i = base.distance(to: gt.assumingMemoryBound(to: UInt8.self)) + 1
                if i >= 3 && p[i - 2] == dash && p[i - 3] == dash { mode = .markup }
                continue
            }
            if nextAmp < i { nextAmp = next(0x26, from: i) }
            if nextLt < i { nextLt = next(0x3C, from: i) }
            i = min(nextAmp, nextLt)
            if i >= n { break scan }
            if p[i] == 0x3C {
                if !final && n - i < 9 && (Self.couldStart(p, i, "<![CDATA[") || Self.couldStart(p, i, "<!--")
                                           || (!sawDoctype && Self.couldStart(p, i, "<!DOCTYPE"))) {
                    end = i
                    break scan
                }
                if Self.matches(p, i, "<![CDATA[") { mode = .cdata; i += 9; continue }
                if Self.matches(p, i, "<!--") { mode = .comment; i += 4; continue }
                if !sawDoctype && Self.matches(p, i, "<!DOCTYPE") {
                    sawDoctype = true
                    doctype = DoctypeRecorder()
                    doctypeEnd = continueDoctype(p, from: i + 9)
                    i += 9
                    continue
                }
                i += 1
                continue
            }
            let r = reference(p, i, final: final, inDoctype: i < doctypeEnd)
            if case .incomplete = r {
                end = i
                break scan
            }
            if case .valid(let len) = r { i += len; continue }
            if out == nil { out = []; out!.reserveCapacity(n + 64) }
            out!.append(contentsOf: UnsafeBufferPointer(rebasing: p[copied..<i]))
            switch r {
            case .numeric(let value, let len, let htmlName):
                if let htmlName, i >= doctypeEnd { note(htmlName, recovered: true, line: lineNumber(at: i)) }
                Self.appendNumericReference(value, to: &out!)
                i += len
            case .declared(let name, let len):
                let key = String(decoding: name, as: UTF8.self)
                switch declared!.expansion(key) {
                case .text(let text)?:
                    out!.append(contentsOf: DeclaredEntities.escaped(text))
                    i += len
                case .refused(let why)?:
                    refuse(key, why: why, line: lineNumber(at: i))
                    out!.append(contentsOf: Self.literalAmpersand)
                    i += 1
                case nil:
                    out!.append(contentsOf: Self.literalAmpersand)
                    i += 1
                }
            case .undefined(let name):
                // Inside the doctype, references are entity values' business: not worth a warning.
                if i >= doctypeEnd { note(name, recovered: false, line: lineNumber(at: i)) }
                out!.append(contentsOf: Self.literalAmpersand)
                i += 1
            default:  // a bare '&': a literal ampersand
                out!.append(contentsOf: Self.literalAmpersand)
                i += 1
            }
            copied = i
        }
        if i >= n && !final && mode != .markup {
            // Carry the last two bytes: they may begin "]]>" or "-->".
            end = max(copied, n - 2)
        }
        if var out {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: p[copied..<end]))
            out.withUnsafeBufferPointer { if !$0.isEmpty { emit($0) } }
        } else if end > 0 {
            emit(UnsafeBufferPointer(rebasing: p[0..<end]))
        }
        _ = lineNumber(at: end)
        if end < n { carry = Array(p[end..<n]) }
    }

    /// Reads the doctype from `from`; where it ends in `p`, or `p.count` if it goes on. Once it
    /// ends, its entity declarations are read.
    private mutating func continueDoctype(_ p: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        guard doctype != nil else { return 0 }
        guard let end = doctype!.consume(p, from: min(from, p.count)) else { return p.count }
        doctypeTooLong = doctype!.overflowed
        let table = DeclaredEntities(subset: doctype!.bytes, html: entities)
        declared = table.isEmpty ? nil : table
        doctype = nil
        return end
    }

    private mutating func refuse(_ name: String, why: String, line: Int) {
        guard refusedEntities.count < 100, !refusedEntities.contains(where: { $0.name == name }) else { return }
        refusedEntities.append((name, line, why))
    }

    private enum Reference {
        case valid(Int)
        /// Rewrite as `&#value;`; `htmlName` is set for an HTML entity XML does not define.
        case numeric(value: UInt32, length: Int, htmlName: UnsafeBufferPointer<UInt8>?)
        /// An entity the document declares (`DeclaredEntities` says what becomes of it). Only
        /// trivial payloads here: this enum is made for every reference in the document.
        case declared(UnsafeBufferPointer<UInt8>, length: Int)
        case undefined(UnsafeBufferPointer<UInt8>)
        case incomplete, bare
    }

    /// Records an entity name for the warnings, once per name, for a bounded number of names: a
    /// hostile document may invent millions.
    private mutating func note(_ name: UnsafeBufferPointer<UInt8>, recovered: Bool, line: Int) {
        guard seenNames.count < 500 else { return }
        let key = String(decoding: name, as: UTF8.self)
        guard seenNames.insert(key).inserted else { return }
        if recovered { recoveredEntities.append((key, line)) } else { undefinedEntities.append((key, line)) }
    }

    /// Examines the `&` at `i`, recording what it repairs.
    private mutating func reference(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, final: Bool, inDoctype: Bool) -> Reference {
        let n = p.count
        var j = i + 1
        if j < n && p[j] == 0x23 {  // &#…; or &#x…;
            j += 1
            var hex = false
            if j < n && (p[j] | 0x20) == 0x78 { hex = true; j += 1 }
            let digitsStart = j
            while j < n, j - i < 12, hex ? Self.isHex(p[j]) : (p[j] >= 0x30 && p[j] <= 0x39) { j += 1 }
            if j == n && !final && j - i < 12 { return .incomplete }
            if j < n && j > digitsStart && p[j] == 0x3B { return .valid(j + 1 - i) }
            bareAmpersands += 1
            return .bare
        }
        let nameStart = j
        while j < n, j - i <= Self.maxReference, Self.isNameByte(p[j], first: j == nameStart) { j += 1 }
        if j == n && !final && j - i <= Self.maxReference { return .incomplete }
        guard j < n, j > nameStart, p[j] == 0x3B else {
            bareAmpersands += 1
            return .bare
        }
        let name = UnsafeBufferPointer(rebasing: p[nameStart..<j])
        if let value = Self.predefined(name) { return .numeric(value: value, length: j + 1 - i, htmlName: nil) }
        if !inDoctype, let declared, declared.declares(name) { return .declared(name, length: j + 1 - i) }
        if let value = entities.value(name) { return .numeric(value: value, length: j + 1 - i, htmlName: name) }
        return .undefined(name)
    }

    /// `amp`, `lt`, `gt`, `quot`, `apos` → their code points, without building a string (escaped
    /// HTML holds thousands of these).
    @inline(__always)
    private static func predefined(_ n: UnsafeBufferPointer<UInt8>) -> UInt32? {
        switch n.count {
        case 2:
            if n[1] == 0x74 { if n[0] == 0x6C { return 60 }; if n[0] == 0x67 { return 62 } }  // lt, gt
        case 3:
            if n[0] == 0x61 && n[1] == 0x6D && n[2] == 0x70 { return 38 }  // amp
        case 4:
            if n[0] == 0x71 && n[1] == 0x75 && n[2] == 0x6F && n[3] == 0x74 { return 34 }  // quot
            if n[0] == 0x61 && n[1] == 0x70 && n[2] == 0x6F && n[3] == 0x73 { return 39 }  // apos
        default: break
        }
        return nil
    }

    /// `&#NNN;` for `value`.
    private static func appendNumericReference(_ value: UInt32, to out: inout [UInt8]) {
        out.append(0x26)
        out.append(0x23)
        // `&lt;`, `&amp;` (escaped HTML is full of them) and most HTML entities have two to four
        // digits: written directly, without the general loop.
        if value >= 10 && value < 10_000 {
            let v = Int(value)
            if v >= 1000 { out.append(UInt8(0x30 + v / 1000)) }
            if v >= 100 { out.append(UInt8(0x30 + v / 100 % 10)) }
            out.append(UInt8(0x30 + v / 10 % 10))
            out.append(UInt8(0x30 + v % 10))
            out.append(0x3B)
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var v = value
        withUnsafeMutableBytes(of: &digits) { d in
            repeat { d[count] = UInt8(0x30 + v % 10); v /= 10; count += 1 } while v > 0
            for k in stride(from: count - 1, through: 0, by: -1) { out.append(d[k]) }
        }
        out.append(0x3B)
    }

    private static let literalAmpersand: [UInt8] = Array("&#38;".utf8)

    private static func isHex(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x66)
    }

    private static func isNameByte(_ b: UInt8, first: Bool) -> Bool {
        let letter = (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A
        if first { return letter || b == 0x5F }
        return letter || (b >= 0x30 && b <= 0x39) || b == 0x2E || b == 0x2D || b == 0x5F
    }

    private static func matches(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, _ s: StaticString) -> Bool {
        s.utf8CodeUnitCount <= p.count - i && couldStart(p, i, s)
    }

    /// Whether the bytes from `i` on agree with `s` for as far as both go.
    private static func couldStart(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, _ s: StaticString) -> Bool {
        let sp = s.utf8Start
        for k in 0..<min(p.count - i, s.utf8CodeUnitCount) where p[i + k] != sp[k] { return false }
        return true
    }
}
