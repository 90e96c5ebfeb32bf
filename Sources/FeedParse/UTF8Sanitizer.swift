/// Makes a byte stream valid for libxml2 as it streams past: invalid UTF-8 becomes U+FFFD (one per
/// maximal invalid subsequence, as Unicode recommends), and C0 control characters, which XML 1.0
/// forbids and which stop libxml2's parser, become spaces. A sequence split across two chunks is
/// held back until its end arrives, so the output never depends on how the input was chunked.
struct UTF8Sanitizer {
    private var pending: [UInt8] = []
    private(set) var invalidSequences = 0
    private(set) var controlCharacters = 0

    private static let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]

    /// Passes `input` on through `emit`, without copying when it is already clean.
    mutating func process(_ input: UnsafeBufferPointer<UInt8>, final: Bool,
                          emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        if pending.isEmpty, let clean = Self.cleanPrefixLength(input), clean == input.count {
            emit(input)
            if final { flushPending(emit: emit) }
            return
        }
        var joined = pending
        pending.removeAll()
        joined.append(contentsOf: input)
        var out = [UInt8]()
        out.reserveCapacity(joined.count + 16)
        joined.withUnsafeBufferPointer { repair($0, final: final, into: &out) }
        out.withUnsafeBufferPointer { if !$0.isEmpty { emit($0) } }
    }

    /// Called at end of input: a sequence still incomplete is invalid.
    mutating func finish(emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        flushPending(emit: emit)
    }

    private mutating func flushPending(emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        guard !pending.isEmpty else { return }
        let rest = pending
        pending.removeAll()
        var out = [UInt8]()
        rest.withUnsafeBufferPointer { repair($0, final: true, into: &out) }
        out.withUnsafeBufferPointer { emit($0) }
    }

    /// Length of the prefix that needs no repair, or nil if the whole buffer is clean up to a
    /// sequence cut off at its end (which also needs the slow path, to be held back).
    private static func cleanPrefixLength(_ p: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        let n = p.count
        let raw = UnsafeRawPointer(p.baseAddress)
        while i < n {
            // Eight ASCII bytes at a time: no high bit set, and none below 0x20.
            if let raw, i + 8 <= n {
                let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                if w & 0x8080_8080_8080_8080 == 0 && (w &- 0x2020_2020_2020_2020) & ~w & 0x8080_8080_8080_8080 == 0 {
                    i += 8
                    continue
                }
            }
            let b = p[i]
            if b >= 0x20 && b < 0x80 { i += 1; continue }
            if b < 0x20 {
                if b == 0x0A || b == 0x09 || b == 0x0D { i += 1; continue }
                return i
            }
            switch examine(p, at: i) {
            case .valid(let len): i += len
            case .invalid: return i
            case .truncated: return nil
            }
        }
        return i
    }

    private enum Sequence {
        case valid(Int)
        /// Invalid; skip this many bytes (the maximal subpart) for one U+FFFD.
        case invalid(Int)
        /// A valid start cut off by the end of the buffer.
        case truncated
    }

    /// Classifies the multi-byte sequence at `i` per Unicode Table 3-7.
    @inline(__always)
    private static func examine(_ p: UnsafeBufferPointer<UInt8>, at i: Int) -> Sequence {
        let b = p[i]
        let need: Int
        var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
        switch b {
        case 0xC2...0xDF: need = 1
        case 0xE0: need = 2; lo = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: need = 2
        case 0xED: need = 2; hi = 0x9F
        case 0xF0: need = 3; lo = 0x90
        case 0xF1...0xF3: need = 3
        case 0xF4: need = 3; hi = 0x8F
        default: return .invalid(1)
        }
        for j in 1...need {
            guard i + j < p.count else { return .truncated }
            let c = p[i + j]
            if j == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF) { return .invalid(j) }
        }
        // U+FFFE and U+FFFF are not XML characters either.
        if b == 0xEF, p[i + 1] == 0xBF, p[i + 2] >= 0xBE { return .invalid(3) }
        return .valid(need + 1)
    }

    private mutating func repair(_ p: UnsafeBufferPointer<UInt8>, final: Bool, into out: inout [UInt8]) {
        var i = 0
        let n = p.count
        while i < n {
            let b = p[i]
            if b < 0x80 {
                if b < 0x20 && b != 0x0A && b != 0x09 && b != 0x0D {
                    out.append(0x20)
                    controlCharacters += 1
                } else {
                    out.append(b)
                }
                i += 1
                continue
            }
            switch Self.examine(p, at: i) {
            case .valid(let len):
                out.append(contentsOf: UnsafeBufferPointer(rebasing: p[i..<(i + len)]))
                i += len
            case .truncated where !final:
                pending.append(contentsOf: UnsafeBufferPointer(rebasing: p[i...]))
                return
            case .truncated:
                out.append(contentsOf: Self.replacement)
                invalidSequences += 1
                i = n
            case .invalid(let skip):
                out.append(contentsOf: Self.replacement)
                invalidSequences += 1
                i += skip
            }
        }
    }
}
