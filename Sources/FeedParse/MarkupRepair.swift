internal import CXML2

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
/// `!wellFormed`). Numeric references take none of those paths. Declared entities are never
/// expanded, which also keeps billion-laughs and XXE documents inert.
///
/// Chunk-invariant: a construct cut by a chunk boundary is held back until it is complete.
struct MarkupRepair {
    private enum Mode { case markup, cdata, comment }
    private var mode = Mode.markup
    private var carry: [UInt8] = []
    /// Line number of the start of `carry` (1-based), for warnings.
    private var line = 1
    private(set) var bareAmpersands = 0
    /// HTML entities recovered, with the first line each was seen on, in order of appearance.
    private(set) var recoveredEntities: [(name: String, line: Int)] = []
    private(set) var undefinedEntities: [(name: String, line: Int)] = []
    private var seenNames: Set<String> = []

    /// Longest entity name we look for; a longer run of name characters is not a reference.
    private static let maxReference = 40

    mutating func process(_ input: UnsafeBufferPointer<UInt8>, final: Bool,
                          emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        if carry.isEmpty {
            run(input, final: final, emit: emit)
        } else {
            var joined = carry
            carry.removeAll()
            joined.append(contentsOf: input)
            joined.withUnsafeBufferPointer { run($0, final: final, emit: emit) }
        }
    }

    private mutating func run(_ p: UnsafeBufferPointer<UInt8>, final: Bool, emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        let n = p.count
        var i = 0
        var copied = 0        // p[..<copied] is already in `out`
        var out: [UInt8]? = nil  // allocated on the first rewrite only
        var end = n           // where this call's output stops (the rest is carried)
        var lineAtEnd = line
        scan: while i < n {
            let b = p[i]
            if b == 0x0A { line += 1; i += 1; continue }
            if mode != .markup {
                // Look for "]]>" or "-->"; its first two bytes may end the previous chunk.
                let dash: UInt8 = mode == .cdata ? 0x5D : 0x2D
                if b == 0x3E && i >= 2 && p[i - 1] == dash && p[i - 2] == dash { mode = .markup }
                i += 1
                continue
            }
            if b == 0x3C {
                if !final && n - i < 9 && (Self.couldStart(p, i, "<![CDATA[") || Self.couldStart(p, i, "<!--")) {
                    end = i
                    lineAtEnd = line
                    break scan
                }
                if Self.matches(p, i, "<![CDATA[") { mode = .cdata; i += 9; continue }
                if Self.matches(p, i, "<!--") { mode = .comment; i += 4; continue }
                i += 1
            } else if b == 0x26 {
                let r = reference(p, i, final: final)
                if case .incomplete = r {
                    end = i
                    lineAtEnd = line
                    break scan
                }
                if case .valid(let len) = r { i += len; continue }
                if out == nil { out = []; out!.reserveCapacity(n + 64) }
                out!.append(contentsOf: UnsafeBufferPointer(rebasing: p[copied..<i]))
                switch r {
                case .numeric(let value, let len):
                    out!.append(contentsOf: "&#\(value);".utf8)
                    i += len
                default:  // bare or undefined: a literal ampersand
                    out!.append(contentsOf: Self.literalAmpersand)
                    i += 1
                }
                copied = i
            } else {
                i += 1
            }
        }
        if i >= n {
            end = n
            lineAtEnd = line
            if !final && mode != .markup {
                // Carry the last two bytes: they may begin "]]>" or "-->".
                end = max(copied, n - 2)
                lineAtEnd = line - p[end..<n].filter { $0 == 0x0A }.count
            }
        }
        if var out {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: p[copied..<end]))
            out.withUnsafeBufferPointer { if !$0.isEmpty { emit($0) } }
        } else if end > 0 {
            emit(UnsafeBufferPointer(rebasing: p[0..<end]))
        }
        if end < n { carry = Array(p[end..<n]) }
        line = lineAtEnd
    }

    private enum Reference {
        case valid(Int)
        case numeric(value: UInt32, length: Int)
        case incomplete, bare, undefined
    }

    /// Examines the `&` at `i`, recording what it repairs.
    private mutating func reference(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, final: Bool) -> Reference {
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
        let name = String(decoding: UnsafeBufferPointer(rebasing: p[nameStart..<j]), as: UTF8.self)
        if let value = Self.xmlPredefined[name] { return .numeric(value: value, length: j + 1 - i) }
        // Remember a bounded number of names: a hostile document may invent millions.
        let firstTime = seenNames.count < 500 && seenNames.insert(name).inserted
        if let entity = htmlEntityLookup(name) {
            if firstTime { recoveredEntities.append((name, line)) }
            return .numeric(value: entity.pointee.value, length: j + 1 - i)
        }
        if firstTime { undefinedEntities.append((name, line)) }
        return .undefined
    }

    private static let xmlPredefined: [String: UInt32] = ["amp": 38, "lt": 60, "gt": 62, "quot": 34, "apos": 39]
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
