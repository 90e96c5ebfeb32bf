/// Collects UTF-8 text while collapsing every run of Unicode White_Space (U+00A0 included) into
/// one U+0020 and trimming both ends — the contract's rule for every text field. It works on bytes
/// so that the common ASCII case never decodes a `Character`.
///
/// Every text field of every format passes through here, so this is also where text is made safe
/// to print: control characters (C0, DEL, C1, NUL) count as white space, and bidirectional
/// overrides and isolates are dropped (see `Separator`). And it is where a field's size is bounded
/// while it is collected: past `limit` Unicode scalars nothing more is kept.
public struct TextAccumulator {
    public private(set) var bytes: [UInt8] = []
    private var pendingSpace = false
    /// Most Unicode scalars kept; `Int.max` for no limit.
    public let limit: Int
    /// Whether text past `limit` was thrown away.
    public private(set) var truncated = false
    /// `bytes[..<countedBytes]` holds exactly `countedScalars` scalars. Counting is lazy: only a
    /// field that may be near its limit is ever counted, so the common case costs nothing.
    private var countedBytes = 0
    private var countedScalars = 0

    public init(capacity: Int = 0, limit: Int = .max) {
        self.limit = max(0, limit)
        // A scalar is at most four bytes: no need to reserve more than the limit can hold.
        bytes.reserveCapacity(self.limit >= capacity / 4 ? capacity : self.limit * 4)
    }

    /// Marks a word boundary (a block element, a `<br>`): a space appears if more text follows.
    public mutating func breakWord() { pendingSpace = true }

    public mutating func append(_ s: String) {
        var s = s
        s.withUTF8 { append($0) }
    }

    public mutating func append(_ p: UnsafeBufferPointer<UInt8>) {
        guard !truncated else { return }
        let n = p.count
        var i = 0
        var runStart = 0
        let raw = UnsafeRawPointer(p.baseAddress)
        while i < n {
            // Printable ASCII words separated by single spaces are most text: eight bytes at a
            // time, when they need nothing done.
            if let raw, i + 8 <= n, Self.isPlainBlock(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
                i += 8
                continue
            }
            let b = p[i]
            if b > 0x20 && b < 0x7F { i += 1; continue }
            if b < 0x80 {
                // One plain space between two words is already what collapsing would produce: keep
                // it inside the run, so a run is copied once rather than word by word.
                if b == 0x20 && i > runStart && i + 1 < n && p[i + 1] > 0x20 && p[i + 1] < 0x7F { i += 2; continue }
                // White space, a C0 control or DEL: all become one space.
                flushRun(p, runStart, i)
                pendingSpace = true
                i += 1
                runStart = i
                continue
            }
            // Only four lead bytes start a character that is not kept as it is; any other
            // character is skipped whole.
            guard b == 0xC2 || (b >= 0xE1 && b <= 0xE3) else {
                i += b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
                continue
            }
            let (w, kind) = Separator.at(p, i)
            if w == 0 { i += b == 0xC2 ? 2 : 3; continue }
            flushRun(p, runStart, i)
            if kind == .space { pendingSpace = true }
            i += w
            runStart = i
        }
        flushRun(p, runStart, min(n, i))
    }

    /// Whether eight bytes (little-endian) are all printable ASCII or spaces, with no space
    /// first, last or next to another — so every space in them is a single space between two
    /// words, which collapsing keeps as it is. A false "no" only costs the byte-wise path.
    @inline(__always)
    static func isPlainBlock(_ w: UInt64) -> Bool {
        let high: UInt64 = 0x8080_8080_8080_8080, ones: UInt64 = 0x0101_0101_0101_0101
        guard w & high == 0,                          // ASCII
              (w &- 0x2020_2020_2020_2020) & high == 0, // nothing below U+0020
              (w &+ ones) & high == 0,                 // no DEL
              w & 0xFF != 0x20, w >> 56 != 0x20 else { return false }
        let x = w ^ 0x2020_2020_2020_2020
        let spaces = (x &- ones) & ~x & high
        return spaces & (spaces << 8) == 0
    }

    @inline(__always)
    private mutating func flushRun(_ p: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) {
        guard from < to, !truncated else { return }
        let space = pendingSpace && !bytes.isEmpty
        pendingSpace = false
        // Scalars never outnumber bytes: while the bytes fit, so do the scalars.
        if limit == .max || to - from <= limit - (countedScalars + (bytes.count - countedBytes) + (space ? 1 : 0)) {
            if space { bytes.append(0x20) }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: p[from..<to]))
            return
        }
        appendCut(UnsafeBufferPointer(rebasing: p[from..<to]), space: space)
    }

    /// Appends what fits of `run` under the limit, and marks the text truncated if not all did.
    @inline(never)
    private mutating func appendCut(_ run: UnsafeBufferPointer<UInt8>, space: Bool) {
        countScalars()
        var room = limit - countedScalars
        if space && room > 0 { bytes.append(0x20); room -= 1 }
        // Keep `room` scalars of the run: stop before the lead byte of the next one.
        var end = 0, kept = 0
        while end < run.count {
            if run[end] & 0xC0 != 0x80 {
                if kept == room { break }
                kept += 1
            }
            end += 1
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: run[0..<end]))
        if end < run.count {
            truncated = true
            while bytes.last == 0x20 { bytes.removeLast() }
        }
    }

    private mutating func countScalars() {
        var k = countedBytes
        while k < bytes.count {
            if bytes[k] & 0xC0 != 0x80 { countedScalars += 1 }
            k += 1
        }
        countedBytes = bytes.count
    }

    /// The collected text, or `nil` when nothing but white space was seen.
    public var string: String? { bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }

    /// Collapses and trims `text`; `nil` if nothing is left.
    public static func collapse(_ text: String) -> String? {
        var acc = TextAccumulator(capacity: text.utf8.count)
        acc.append(text)
        return acc.string
    }

    /// Collapses and trims `text`, keeping at most `limit` Unicode scalars.
    public static func collapse(_ text: String, limit: Int) -> (text: String?, truncated: Bool) {
        var acc = TextAccumulator(capacity: text.utf8.count, limit: limit)
        acc.append(text)
        return (acc.string, acc.truncated)
    }

    /// `verbatim` for a string.
    public static func verbatim(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { verbatim($0) }
    }

    /// Text kept as written (ids, URLs, dates), only trimmed — but made as safe to print as any
    /// other field: control characters other than tab and line breaks become spaces, and
    /// bidirectional controls are dropped.
    public static func verbatim(_ p: UnsafeBufferPointer<UInt8>) -> String? {
        // Almost always there is nothing to neutralise: trim and decode straight from `p`.
        if isPrintableASCII(p) { return trimmed(p) }
        var out = [UInt8]()
        out.reserveCapacity(p.count)
        var i = 0
        while i < p.count {
            let b = p[i]
            // Printable ASCII, and the white space that ids and URLs keep as written.
            if (b > 0x20 && b < 0x7F) || b == 0x09 || b == 0x0A || b == 0x0D { out.append(b); i += 1; continue }
            let (w, kind) = Separator.at(p, i)
            switch (w, kind) {
            case (0, _): out.append(b); i += 1
            case (_, .space): out.append(0x20); i += w
            case (_, .drop): i += w
            }
        }
        return out.withUnsafeBufferPointer { trimmed($0) }
    }

    /// Whether `p` is printable ASCII (spaces, tabs and line breaks included), eight bytes at a
    /// time.
    private static func isPrintableASCII(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let raw = UnsafeRawPointer(p.baseAddress) else { return true }
        var i = 0
        let high: UInt64 = 0x8080_8080_8080_8080
        while i + 8 <= p.count {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            // ASCII, nothing below U+0020 (tabs and line breaks are), no DEL.
            guard w & high == 0, (w &- 0x2020_2020_2020_2020) & high == 0,
                  (w &+ 0x0101_0101_0101_0101) & high == 0 else { break }
            i += 8
        }
        while i < p.count {
            let b = p[i]
            if b >= 0x7F || (b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D) { return false }
            i += 1
        }
        return true
    }

    /// `p` without white space at either end, as a string; `nil` if nothing is left.
    private static func trimmed(_ p: UnsafeBufferPointer<UInt8>) -> String? {
        func blank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        var start = 0, end = p.count
        while start < end, blank(p[start]) { start += 1 }
        while end > start, blank(p[end - 1]) { end -= 1 }
        guard start < end else { return nil }
        return String(decoding: UnsafeBufferPointer(rebasing: p[start..<end]), as: UTF8.self)
    }
}

/// The characters text collection does not keep as they are.
///
/// - White space (Unicode White_Space) collapses into one space, as the contract says.
/// - Control characters — C0 (NUL included), DEL, C1 (U+0080–U+009F, whether they came as bytes,
///   as `&#x9b;` or as a JSON `\u009b`) — are treated as white space: the README promises that they
///   become spaces, and raw they would drive a terminal (ESC, CSI) or end a C string (NUL).
/// - Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) are dropped:
///   unbalanced in a one-line field they reorder everything printed after them on the line, which
///   is how a title can disguise a link or a file name. Marks (U+200E, U+200F) are harmless and kept.
enum Separator {
    enum Kind { case space, drop }

    /// Length in bytes of the special character at `i` (0 for any other) and what to do with it.
    @inline(__always)
    static func at(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> (Int, Kind) {
        let b = p[i]
        if b < 0x80 { return (b <= 0x20 || b == 0x7F) ? (1, .space) : (0, .space) }
        let n = p.count
        switch b {
        case 0xC2:
            // U+0080–U+009F (C1, NEL among them) and U+00A0.
            if i + 1 < n, p[i + 1] <= 0xA0 { return (2, .space) }
        case 0xE1:
            if i + 2 < n, p[i + 1] == 0x9A, p[i + 2] == 0x80 { return (3, .space) }
        case 0xE2:
            guard i + 2 < n else { return (0, .space) }
            let b1 = p[i + 1], b2 = p[i + 2]
            if b1 == 0x80 {
                if (0x80...0x8A).contains(b2) || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF { return (3, .space) }
                if (0xAA...0xAE).contains(b2) { return (3, .drop) }
            }
            if b1 == 0x81 {
                if b2 == 0x9F { return (3, .space) }
                if (0xA6...0xA9).contains(b2) { return (3, .drop) }
            }
        case 0xE3:
            if i + 2 < n, p[i + 1] == 0x80, p[i + 2] == 0x80 { return (3, .space) }
        default: break
        }
        return (0, .space)
    }
}
