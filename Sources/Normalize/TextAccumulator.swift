/// Collects UTF-8 text while collapsing every run of Unicode White_Space (U+00A0 included) into
/// one U+0020 and trimming both ends — the contract's rule for every text field. It works on bytes
/// so that the common ASCII case never decodes a `Character`.
public struct TextAccumulator {
    public private(set) var bytes: [UInt8] = []
    private var pendingSpace = false

    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    /// Marks a word boundary (a block element, a `<br>`): a space appears if more text follows.
    public mutating func breakWord() { pendingSpace = true }

    public mutating func append(_ s: String) {
        var s = s
        s.withUTF8 { append($0) }
    }

    public mutating func append(_ p: UnsafeBufferPointer<UInt8>) {
        let n = p.count
        var i = 0
        var runStart = 0
        while i < n {
            // Printable ASCII is most text: one comparison per byte.
            let b = p[i]
            if b > 0x20 && b < 0x80 { i += 1; continue }
            // One plain space between two words is already what collapsing would produce: keep it
            // inside the run, so a run is copied once rather than word by word.
            if b == 0x20 && i > runStart && i + 1 < n && p[i + 1] > 0x20 && p[i + 1] < 0x80 { i += 2; continue }
            let w = Self.whitespaceLength(p, at: i)
            if w == 0 { i += 1; continue }
            flushRun(p, runStart, i)
            pendingSpace = true
            i += w
            runStart = i
        }
        flushRun(p, runStart, n)
    }

    private mutating func flushRun(_ p: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) {
        guard from < to else { return }
        if pendingSpace && !bytes.isEmpty { bytes.append(0x20) }
        pendingSpace = false
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: p[from..<to]))
    }

    /// The collected text, or `nil` when nothing but white space was seen.
    public var string: String? { bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }

    /// Length in bytes of the White_Space character at `i`, or 0.
    @inline(__always)
    static func whitespaceLength(_ p: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let b = p[i]
        if b < 0x80 { return (b == 0x20 || (b >= 0x09 && b <= 0x0D)) ? 1 : 0 }
        let n = p.count
        switch b {
        case 0xC2:
            if i + 1 < n, p[i + 1] == 0x85 || p[i + 1] == 0xA0 { return 2 }
        case 0xE1:
            if i + 2 < n, p[i + 1] == 0x9A, p[i + 2] == 0x80 { return 3 }
        case 0xE2:
            guard i + 2 < n else { return 0 }
            let b1 = p[i + 1], b2 = p[i + 2]
            if b1 == 0x80, (0x80...0x8A).contains(b2) || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF { return 3 }
            if b1 == 0x81, b2 == 0x9F { return 3 }
        case 0xE3:
            if i + 2 < n, p[i + 1] == 0x80, p[i + 2] == 0x80 { return 3 }
        default: break
        }
        return 0
    }

    /// Collapses and trims `text`; `nil` if nothing is left.
    public static func collapse(_ text: String) -> String? {
        var acc = TextAccumulator(capacity: text.utf8.count)
        acc.append(text)
        return acc.string
    }
}
