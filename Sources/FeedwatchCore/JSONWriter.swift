/// Writes JSON straight into a byte buffer, keys in the order they are written, with optional
/// two-space indentation. Hand-written because the contract fixes key order, because output for a
/// 5 MB feed must not be built as a tree first, and to keep Foundation out of the parse path.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    private let pretty: Bool
    private var depth = 0
    /// Whether the container being written already holds a value (so the next needs a comma).
    private var hasValue: [Bool] = [false]
    private var afterKey = false

    public init(pretty: Bool = false, capacity: Int = 4096) {
        self.pretty = pretty
        bytes.reserveCapacity(capacity)
    }

    /// Hands the bytes written so far to `sink` (to write them out) and starts afresh, so a long
    /// document streams out in pieces without being copied.
    public mutating func drain(_ sink: (UnsafeBufferPointer<UInt8>) -> Void) {
        bytes.withUnsafeBufferPointer(sink)
        bytes.removeAll(keepingCapacity: true)
    }

    public mutating func beginObject() { beginValue(); bytes.append(0x7B); open() }
    public mutating func endObject() { close(0x7D) }
    public mutating func beginArray() { beginValue(); bytes.append(0x5B); open() }
    public mutating func endArray() { close(0x5D) }

    public mutating func key(_ k: String) {
        separator()
        writeString(k)
        bytes.append(0x3A)
        if pretty { bytes.append(0x20) }
        afterKey = true
    }

    public mutating func string(_ s: String?) {
        guard let s else { return null() }
        beginValue()
        writeString(s)
    }

    public mutating func int(_ v: Int64?) {
        guard let v else { return null() }
        beginValue()
        bytes.append(contentsOf: String(v).utf8)
    }

    public mutating func bool(_ v: Bool) {
        beginValue()
        bytes.append(contentsOf: (v ? "true" : "false").utf8)
    }

    public mutating func null() {
        beginValue()
        bytes.append(contentsOf: "null".utf8)
    }

    /// Convenience for the common `"key": "value"` pair.
    public mutating func field(_ k: String, _ s: String?) { key(k); string(s) }
    public mutating func field(_ k: String, _ v: Int64?) { key(k); int(v) }
    public mutating func field(_ k: String, bool v: Bool) { key(k); bool(v) }
    public mutating func field(_ k: String, strings: [String]) {
        key(k)
        beginArray()
        for s in strings { string(s) }
        endArray()
    }

    // MARK: - Layout

    private mutating func beginValue() {
        if afterKey { afterKey = false; return }
        separator()
    }

    private mutating func separator() {
        if hasValue[depth] { bytes.append(0x2C) }
        hasValue[depth] = true
        if pretty && depth > 0 { newline() }
    }

    private mutating func open() {
        depth += 1
        if hasValue.count <= depth { hasValue.append(false) } else { hasValue[depth] = false }
    }

    private mutating func close(_ bracket: UInt8) {
        let nonEmpty = hasValue[depth]
        depth -= 1
        if pretty && nonEmpty { newline() }
        bytes.append(bracket)
        if depth == 0 && pretty { bytes.append(0x0A) }
    }

    private mutating func newline() {
        bytes.append(0x0A)
        for _ in 0..<depth { bytes.append(0x20); bytes.append(0x20) }
    }

    /// Whether any of eight bytes may be below 0x20, '"' or '\\' (false positives are fine: the
    /// caller then looks at each byte).
    @inline(__always)
    private static func mayNeedEscape(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        func hasZero(_ x: UInt64) -> Bool { (x &- ones) & ~x & highs != 0 }
        return (w &- 0x2020_2020_2020_2020) & ~w & highs != 0 || hasZero(w ^ 0x2222_2222_2222_2222)
            || hasZero(w ^ 0x5C5C_5C5C_5C5C_5C5C)
    }

    /// Bytes that JSON strings must escape: control characters, `"` and `\\`.
    private static let needsEscape: [Bool] = (0..<256).map { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }

    private mutating func writeString(_ s: String) {
        bytes.append(0x22)
        var s = s
        s.withUTF8 { utf8 in
            var start = 0
            var i = 0
            let n = utf8.count
            let raw = UnsafeRawPointer(utf8.baseAddress)
            while i < n {
                // Eight bytes at a time while none is a control character, '"' or '\\'.
                if let raw, i + 8 <= n, !Self.mayNeedEscape(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
                    i += 8
                    continue
                }
                let b = utf8[i]
                i += 1
                guard Self.needsEscape[Int(b)] else { continue }
                let i = i - 1
                if start < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i])) }
                start = i + 1
                bytes.append(0x5C)
                switch b {
                case 0x22: bytes.append(0x22)
                case 0x5C: bytes.append(0x5C)
                case 0x0A: bytes.append(0x6E)
                case 0x0D: bytes.append(0x72)
                case 0x09: bytes.append(0x74)
                case 0x08: bytes.append(0x62)
                case 0x0C: bytes.append(0x66)
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
                }
            }
            if start < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...])) }
        }
        bytes.append(0x22)
    }
}
