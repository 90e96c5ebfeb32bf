import Normalize

/// Follows a `<!DOCTYPE …>` declaration as its bytes stream past, keeping the internal subset
/// (`[ … ]`) for `DeclaredEntities`, and says where the declaration ends. It tracks quotes,
/// brackets and comments, so a `>` or `]` inside an entity value or a comment does not end it.
struct DoctypeRecorder {
    /// Most bytes of the declaration kept: entity declarations past this are not read.
    static let maxBytes = 64 * 1024

    private(set) var bytes: [UInt8] = []
    private(set) var overflowed = false
    private var quote: UInt8 = 0
    private var brackets = 0
    private var inComment = false
    /// The last three bytes seen, to find `<!--` and `-->` across chunk boundaries.
    private var recent: (UInt8, UInt8, UInt8) = (0, 0, 0)

    /// Reads `p[from...]`; returns the index just past the declaration's closing `>` when it is in
    /// `p`, else nil (everything was read, the declaration goes on).
    mutating func consume(_ p: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        var i = from
        while i < p.count {
            let b = p[i]
            i += 1
            if bytes.count < Self.maxBytes { bytes.append(b) } else { overflowed = true }
            defer { recent = (recent.1, recent.2, b) }
            if inComment {
                if b == 0x3E && recent.1 == 0x2D && recent.2 == 0x2D { inComment = false }
                continue
            }
            if quote != 0 {
                if b == quote { quote = 0 }
                continue
            }
            switch b {
            case 0x22, 0x27: quote = b
            case 0x5B: brackets += 1
            case 0x5D: brackets = max(0, brackets - 1)
            case 0x2D where recent == (0x3C, 0x21, 0x2D): inComment = true  // "<!--"
            case 0x3E where brackets == 0: return i
            default: break
            }
        }
        return nil
    }
}

/// The general entities a document declares in its internal subset, expanded safely.
///
/// XML lets a document name text once and use it anywhere (`<!ENTITY site "tag:example.com,2004:">`
/// then `<guid>&site;42</guid>`), and real feeds do. The expansion is what turned entities into an
/// attack (billion laughs: ten references to ten references … to "lol"), so it is bounded on every
/// axis: only internal entities (never `SYSTEM`/`PUBLIC`: nothing is ever loaded), at most
/// `maxLength` bytes for one entity's full expansion, references nested at most `maxDepth` deep, no
/// recursion, and at most `budget` bytes of expansion for the whole document. An entity that breaks
/// a bound is not expanded at all: its reference stays as written, with a warning. Parameter
/// entities (`%name;`) are not read.
final class DeclaredEntities {
    static let maxLength = 4096
    static let maxDepth = 3
    static let maxEntities = 1024
    static let budget = 1 << 20

    enum Expansion: Equatable {
        /// The replacement text, as UTF-8.
        case text([UInt8])
        /// Not expanded, and why.
        case refused(String)
    }

    /// Declared values, as written (after the quotes are removed); `nil` for an external entity.
    private var values: [String: [UInt8]?] = [:]
    private var expansions: [String: Expansion] = [:]
    private var spent = 0
    private let html: HTMLEntities

    init(subset: [UInt8], html: HTMLEntities) {
        self.html = html
        subset.withUnsafeBufferPointer { readDeclarations($0) }
    }

    var isEmpty: Bool { values.isEmpty }

    func declares(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        values[String(decoding: name, as: UTF8.self)] != nil
    }

    /// What `&name;` stands for; `nil` when the document does not declare `name`.
    func expansion(_ name: String) -> Expansion? {
        guard values[name] != nil else { return nil }
        if let done = expansions[name] { return charge(done) }
        let result: Expansion
        switch expand(name, depth: 0, open: []) {
        case .success(let bytes): result = .text(bytes)
        case .failure(let why): result = .refused(why.rawValue)
        }
        expansions[name] = result
        return charge(result)
    }

    /// Counts an expansion against the document's budget.
    private func charge(_ e: Expansion) -> Expansion {
        guard case .text(let bytes) = e else { return e }
        guard spent + bytes.count <= Self.budget else {
            return .refused("the document's entity expansion budget (\(Self.budget / 1024) KB) is spent")
        }
        spent += bytes.count
        return e
    }

    enum Refusal: String, Error {
        case external = "it is external, and nothing is ever loaded"
        case tooLong = "its expansion exceeds 4 KB"
        case tooDeep = "its references nest more than 3 deep"
        case recursive = "it refers to itself"
    }

    private func expand(_ name: String, depth: Int, open: [String]) -> Result<[UInt8], Refusal> {
        guard !open.contains(name) else { return .failure(.recursive) }
        guard depth <= Self.maxDepth else { return .failure(.tooDeep) }
        guard let declared = values[name], let value = declared else { return .failure(.external) }
        var out: [UInt8] = []
        var i = 0
        while i < value.count {
            let b = value[i]
            guard b == 0x26, let semicolon = value[(i + 1)...].prefix(41).firstIndex(of: 0x3B) else {
                out.append(b)
                i += 1
                if out.count > Self.maxLength { return .failure(.tooLong) }
                continue
            }
            let ref = Array(value[(i + 1)..<semicolon])
            if ref.first == 0x23, let scalar = Self.characterReference(ref) {
                Self.append(scalar, to: &out)
            } else if let scalar = ref.withUnsafeBufferPointer({ Self.predefined($0) ?? html.value($0) }) {
                Self.append(scalar, to: &out)
            } else if values[String(decoding: ref, as: UTF8.self)] != nil {
                switch expand(String(decoding: ref, as: UTF8.self), depth: depth + 1, open: open + [name]) {
                case .success(let inner): out.append(contentsOf: inner)
                case .failure(let why): return .failure(why)
                }
            } else {
                out.append(contentsOf: value[i...semicolon])  // undeclared: kept as written
            }
            i = semicolon + 1
            if out.count > Self.maxLength { return .failure(.tooLong) }
        }
        return .success(out)
    }

    // MARK: Reading the declarations

    private func readDeclarations(_ p: UnsafeBufferPointer<UInt8>) {
        // Only the internal subset declares entities: from the first '[' on.
        guard var i = p.firstIndex(of: 0x5B) else { return }
        i += 1
        while i < p.count, values.count < Self.maxEntities {
            guard p[i] == 0x3C else { i += 1; continue }
            if Self.starts(p, i, "<!--") { i = Self.find(p, "-->", from: i + 4).map { $0 + 3 } ?? p.count; continue }
            if Self.starts(p, i, "<?") { i = Self.find(p, "?>", from: i + 2).map { $0 + 2 } ?? p.count; continue }
            if Self.starts(p, i, "<!ENTITY") { i = entityDeclaration(p, i + 8); continue }
            i = Self.endOfDeclaration(p, i + 1)
        }
    }

    /// Reads `<!ENTITY name "value">` from after the keyword; returns where the declaration ends.
    private func entityDeclaration(_ p: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int {
        var i = Self.skipSpace(p, start)
        guard i < p.count, p[i] != 0x25 else { return Self.endOfDeclaration(p, i) }  // %: a parameter entity
        let nameStart = i
        while i < p.count, !Self.isSpace(p[i]), p[i] != 0x22, p[i] != 0x27, p[i] != 0x3E { i += 1 }
        let name = String(decoding: p[nameStart..<i], as: UTF8.self)
        i = Self.skipSpace(p, i)
        guard !name.isEmpty, i < p.count else { return Self.endOfDeclaration(p, i) }
        let quote = p[i]
        if quote == 0x22 || quote == 0x27 {
            guard let close = p[(i + 1)...].firstIndex(of: quote) else { return p.count }
            if values[name] == nil { values[name] = .some(Array(p[(i + 1)..<close])) }  // the first declaration binds
            return Self.endOfDeclaration(p, close + 1)
        }
        if values[name] == nil { values[name] = .some(nil) }  // SYSTEM or PUBLIC: external
        return Self.endOfDeclaration(p, i)
    }

    /// Index past the `>` that ends the declaration containing `i`, skipping quoted text.
    private static func endOfDeclaration(_ p: UnsafeBufferPointer<UInt8>, _ from: Int) -> Int {
        var i = from
        var quote: UInt8 = 0
        while i < p.count {
            let b = p[i]
            i += 1
            if quote != 0 { if b == quote { quote = 0 }; continue }
            if b == 0x22 || b == 0x27 { quote = b } else if b == 0x3E { return i }
        }
        return i
    }

    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    private static func skipSpace(_ p: UnsafeBufferPointer<UInt8>, _ from: Int) -> Int {
        var i = from
        while i < p.count, isSpace(p[i]) { i += 1 }
        return i
    }

    private static func starts(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, _ s: String) -> Bool {
        p[i...].starts(with: s.utf8)
    }

    private static func find(_ p: UnsafeBufferPointer<UInt8>, _ s: String, from: Int) -> Int? {
        var i = from
        while i < p.count { if starts(p, i, s) { return i }; i += 1 }
        return nil
    }

    // MARK: Characters

    /// `#NNN` or `#xHHH` → a character XML allows (controls other than tab and line breaks are
    /// read as a space, as everywhere else).
    private static func characterReference(_ ref: [UInt8]) -> UInt32? {
        var digits = ref.dropFirst()
        var radix: UInt32 = 10
        if let x = digits.first, x | 0x20 == 0x78 { radix = 16; digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.count <= 8 else { return nil }
        var v: UInt32 = 0
        for d in digits {
            let n: UInt32
            switch d {
            case 0x30...0x39: n = UInt32(d - 0x30)
            case 0x61...0x66 where radix == 16, 0x41...0x46 where radix == 16: n = UInt32(d | 0x20) - 0x61 + 10
            default: return nil
            }
            v = v * radix + n
        }
        guard let scalar = Unicode.Scalar(v), v != 0xFFFE, v != 0xFFFF else { return nil }
        return scalar.value < 0x20 && scalar.value != 0x09 && scalar.value != 0x0A && scalar.value != 0x0D ? 0x20 : scalar.value
    }

    private static func predefined(_ n: UnsafeBufferPointer<UInt8>) -> UInt32? {
        switch String(decoding: n, as: UTF8.self) {
        case "lt": 60
        case "gt": 62
        case "amp": 38
        case "quot": 34
        case "apos": 39
        default: nil
        }
    }

    private static func append(_ value: UInt32, to out: inout [UInt8]) {
        guard let scalar = Unicode.Scalar(value) else { return }
        out.append(contentsOf: Array(String(Character(scalar)).utf8))
    }

    /// `text` as character data that means the same in element content and in attribute values:
    /// markup characters and quotes as numeric references, control characters as spaces.
    static func escaped(_ text: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count + 16)
        for b in text {
            switch b {
            case 0x26: out.append(contentsOf: Array("&#38;".utf8))
            case 0x3C: out.append(contentsOf: Array("&#60;".utf8))
            case 0x3E: out.append(contentsOf: Array("&#62;".utf8))
            case 0x22: out.append(contentsOf: Array("&#34;".utf8))
            case 0x27: out.append(contentsOf: Array("&#39;".utf8))
            case 0x00..<0x20 where b != 0x09 && b != 0x0A && b != 0x0D: out.append(0x20)
            default: out.append(b)
            }
        }
        return out
    }
}
