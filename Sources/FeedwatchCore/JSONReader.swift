/// Reads one JSON document (RFC 8259: no comments or bare words; a trailing comma in an object or
/// array is let pass, as Foundation's reader lets it, so what decoded before decodes now) into a
/// `JSONValue` tree, with the byte offset of the first thing that is not JSON in its error.
/// Hand-written for the alert record, read back once per alert and sink: Foundation's
/// `JSONDecoder` with a `Decodable` wire type took ~30 µs a record, a tenth of a cycle in which
/// 200,000 items match (`perf record`, BENCHMARKS.md "Cost"); this takes a few.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// The number as written: the reader does not decide what it is a number of.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in the order written (a key written twice: the last one counts, as in `member`).
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// An object's member (the last one, should a key be written twice); nil for anything else.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.0 == key }?.1
    }
}

public struct JSONReadError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

public enum JSONReader {
    /// Containers nested deeper than this are refused: a stored record is never deeper than 4.
    static let maxDepth = 64

    public static func read(_ text: String) throws(JSONReadError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { bytes in
            Result { () throws(JSONReadError) -> JSONValue in
                var r = Cursor(bytes: bytes)
                let value = try r.value(depth: 0)
                r.skipSpace()
                guard r.i == bytes.count else { throw r.error("unexpected text after the document") }
                return value
            }
        }
        return try result.get()
    }

    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        func error(_ what: String) -> JSONReadError {
            JSONReadError(description: i < bytes.count ? "\(what) at byte \(i)" : "\(what) at the end (byte \(i))")
        }

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        }

        mutating func value(depth: Int) throws(JSONReadError) -> JSONValue {
            skipSpace()
            guard i < bytes.count else { throw error("expected a value") }
            switch bytes[i] {
            case 0x7B: return try object(depth: depth + 1)
            case 0x5B: return try array(depth: depth + 1)
            case 0x22: return .string(try string())
            case 0x74: try word("true"); return .bool(true)
            case 0x66: try word("false"); return .bool(false)
            case 0x6E: try word("null"); return .null
            case 0x2D, 0x30...0x39: return .number(try number())
            default: throw error("expected a value")
            }
        }

        mutating func word(_ w: StaticString) throws(JSONReadError) {
            let n = w.utf8CodeUnitCount
            guard i + n <= bytes.count, (0..<n).allSatisfy({ bytes[i + $0] == w.utf8Start[$0] }) else { throw error("expected a value") }
            i += n
        }

        mutating func object(depth: Int) throws(JSONReadError) -> JSONValue {
            guard depth <= JSONReader.maxDepth else { throw error("nested too deep") }
            i += 1
            var members: [(String, JSONValue)] = []
            skipSpace()
            if i < bytes.count, bytes[i] == 0x7D { i += 1; return .object(members) }
            while true {
                skipSpace()
                if members.count > 0, i < bytes.count, bytes[i] == 0x7D { i += 1; return .object(members) }  // after a trailing comma
                guard i < bytes.count, bytes[i] == 0x22 else { throw error("expected a key") }
                let key = try string()
                skipSpace()
                guard i < bytes.count, bytes[i] == 0x3A else { throw error("expected ':'") }
                i += 1
                members.append((key, try value(depth: depth)))
                skipSpace()
                guard i < bytes.count else { throw error("unterminated object") }
                if bytes[i] == 0x2C { i += 1; continue }
                guard bytes[i] == 0x7D else { throw error("expected ',' or '}'") }
                i += 1
                return .object(members)
            }
        }

        mutating func array(depth: Int) throws(JSONReadError) -> JSONValue {
            guard depth <= JSONReader.maxDepth else { throw error("nested too deep") }
            i += 1
            var elements: [JSONValue] = []
            skipSpace()
            if i < bytes.count, bytes[i] == 0x5D { i += 1; return .array(elements) }
            while true {
                skipSpace()
                if elements.count > 0, i < bytes.count, bytes[i] == 0x5D { i += 1; return .array(elements) }  // after a trailing comma
                elements.append(try value(depth: depth))
                skipSpace()
                guard i < bytes.count else { throw error("unterminated array") }
                if bytes[i] == 0x2C { i += 1; continue }
                guard bytes[i] == 0x5D else { throw error("expected ',' or ']'") }
                i += 1
                return .array(elements)
            }
        }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, returned as written.
        mutating func number() throws(JSONReadError) -> String {
            let start = i
            func digits() -> Int {
                let from = i
                while i < bytes.count, bytes[i] &- 0x30 < 10 { i += 1 }
                return i - from
            }
            if bytes[i] == 0x2D { i += 1 }
            guard i < bytes.count, bytes[i] &- 0x30 < 10 else { throw error("bad number") }
            if bytes[i] == 0x30 { i += 1 } else { _ = digits() }
            if i < bytes.count, bytes[i] == 0x2E {
                i += 1
                guard digits() > 0 else { throw error("bad number") }
            }
            if i < bytes.count, bytes[i] | 0x20 == 0x65 {
                i += 1
                if i < bytes.count, bytes[i] == 0x2B || bytes[i] == 0x2D { i += 1 }
                guard digits() > 0 else { throw error("bad number") }
            }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        }

        /// A string at `i` (its opening quote), escapes resolved. Control characters must be
        /// escaped; a `\u` escape of half a surrogate pair must have its other half.
        mutating func string() throws(JSONReadError) -> String {
            i += 1
            let start = i
            // The common case: no escape, copied as it is.
            while i < bytes.count, bytes[i] != 0x22, bytes[i] != 0x5C, bytes[i] >= 0x20 { i += 1 }
            guard i < bytes.count else { throw error("unterminated string") }
            if bytes[i] == 0x22 {
                defer { i += 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
            }
            var out = Array(bytes[start..<i])
            while true {
                guard i < bytes.count else { throw error("unterminated string") }
                let b = bytes[i]
                if b == 0x22 {
                    i += 1
                    return String(decoding: out, as: UTF8.self)
                }
                guard b >= 0x20 else { throw error("unescaped control character in a string") }
                guard b == 0x5C else {
                    out.append(b)
                    i += 1
                    continue
                }
                i += 1
                guard i < bytes.count else { throw error("unterminated string") }
                let e = bytes[i]
                i += 1
                switch e {
                case 0x22, 0x5C, 0x2F: out.append(e)
                case 0x62: out.append(0x08)
                case 0x66: out.append(0x0C)
                case 0x6E: out.append(0x0A)
                case 0x72: out.append(0x0D)
                case 0x74: out.append(0x09)
                case 0x75:
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard i + 1 < bytes.count, bytes[i] == 0x5C, bytes[i + 1] == 0x75 else { throw error("unpaired surrogate") }
                        i += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw error("unpaired surrogate")
                    }
                    out.append(contentsOf: String(Unicode.Scalar(scalar)!).utf8)
                default:
                    i -= 1
                    throw error("bad escape")
                }
            }
        }

        mutating func hex4() throws(JSONReadError) -> UInt32 {
            guard i + 4 <= bytes.count else { throw error("bad \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[i]
                let d: UInt8
                switch c {
                case 0x30...0x39: d = c - 0x30
                case 0x41...0x46: d = c - 0x41 + 10
                case 0x61...0x66: d = c - 0x61 + 10
                default: throw error("bad \\u escape")
                }
                v = v << 4 | UInt32(d)
                i += 1
            }
            return v
        }
    }
}
