import Glibc

/// Shrinks an HTML fragment before libxml2's HTML parser sees it. That parser spends most of its
/// time on text, character by character; yet a text run with no `&` and no markup needs nothing
/// from it but its position in the element structure. So each such run is replaced by one
/// private-use character (U+E000 + index), libxml2 parses the much shorter skeleton — tags,
/// comments, `script`/`style` bodies, entity-bearing text, all verbatim, so structure, implied and
/// auto-closed elements come out exactly as before — and the SAX handler puts the runs back.
///
/// Whatever the scan is not sure about (an odd `<`, a declaration, an unterminated tag) ends the
/// compaction: the rest of the fragment goes to libxml2 untouched.
struct HTMLSkeleton {
    /// The fragment with long plain runs replaced by placeholders.
    private(set) var bytes: [UInt8] = []
    /// The text each placeholder stands for: ranges of `arena`.
    private(set) var runs: [Range<Int>] = []
    /// Run texts with their character references already decoded.
    private(set) var arena: [UInt8] = []

    static let placeholderLead: UInt8 = 0xEE
    static let maxRuns = 4096
    /// Shorter runs are not worth a placeholder.
    static let minRun = 12

    /// `nil` when compaction would not help or is not safe (the fragment already holds characters
    /// from the placeholder block U+E000–U+EFFF).
    init?(_ p: UnsafeBufferPointer<UInt8>, entities: HTMLEntities) {
        guard p.count >= 256, let base = p.baseAddress, memchr(base, Int32(Self.placeholderLead), p.count) == nil
        else { return nil }
        bytes.reserveCapacity(p.count / 3)
        let n = p.count
        var i = 0
        var runStart = 0
        scan: while i < n {
            // Jump to the next '<' (memchr is vectorised; text is most of the fragment).
            guard let lt = memchr(base + i, 0x3C, n - i) else { i = n; break scan }
            i = base.distance(to: lt.assumingMemoryBound(to: UInt8.self))
            // Close the text run, then copy the construct verbatim.
            let end: Int?
            let next = i + 1 < n ? p[i + 1] : 0
            if Self.isLetter(next) {
                end = Self.startTagEnd(p, i)
            } else if next == 0x2F, i + 2 < n, Self.isLetter(p[i + 2]) {
                end = Self.endTagEnd(p, i)
            } else if Self.hasPrefix(p, i, "<!--"), i + 4 < n, p[i + 4] != 0x3E, p[i + 4] != 0x2D {
                end = Self.find(p, from: i + 4, "-->").map { $0 + 3 }
            } else {
                end = nil  // declarations, processing instructions, a lone '<': leave to libxml2
            }
            guard let end, runs.count < Self.maxRuns else { break scan }
            emitRun(p, runStart..<i, entities)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: p[i..<end]))
            i = end
            runStart = end
        }
        // The rest (a trailing run, or everything after an uncertain construct) goes as it is.
        if i >= n {
            emitRun(p, runStart..<n, entities)
        } else {
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: p[runStart..<n]))
        }
        guard bytes.count * 4 < p.count * 3 else { return nil }  // saved too little to bother
    }

    private mutating func emitRun(_ p: UnsafeBufferPointer<UInt8>, _ r: Range<Int>, _ entities: HTMLEntities) {
        guard !r.isEmpty else { return }
        let run = UnsafeBufferPointer(rebasing: p[r])
        // Runs libxml2 may treat as ignorable white space, or too short to matter, stay as they are.
        guard r.count >= Self.minRun, runs.count < Self.maxRuns, run.contains(where: { $0 > 0x20 }) else {
            bytes.append(contentsOf: run)
            return
        }
        let start = arena.count
        guard Self.decodeReferences(run, into: &arena, entities) else {
            // A reference libxml2 must judge for itself (`&amp;`, `&copy` without `;`, …).
            arena.removeSubrange(start...)
            bytes.append(contentsOf: run)
            return
        }
        let k = runs.count
        runs.append(start..<arena.count)
        bytes.append(Self.placeholderLead)
        bytes.append(0x80 | UInt8(k >> 6))
        bytes.append(0x80 | UInt8(k & 0x3F))
    }

    /// Appends `run` to `out` with `&name;` (HTML 4 names, as libxml2 knows them) and `&#N;` /
    /// `&#xH;` decoded. Returns false — leave the run to libxml2 — for anything else after an `&`,
    /// and for references to `&` or `<`, which libxml2 would read differently once decoded.
    static func decodeReferences(_ run: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], _ entities: HTMLEntities) -> Bool {
        guard let base = run.baseAddress else { return true }
        var i = 0
        let n = run.count
        while i < n {
            guard let amp = memchr(base + i, 0x26, n - i) else { break }
            let a = base.distance(to: amp.assumingMemoryBound(to: UInt8.self))
            out.append(contentsOf: UnsafeBufferPointer(rebasing: run[i..<a]))
            var j = a + 1
            var value: UInt32?
            if j < n && run[j] == 0x23 {
                j += 1
                let hex = j < n && (run[j] | 0x20) == 0x78
                if hex { j += 1 }
                var v: UInt32 = 0
                let digits = j
                while j < n, j - digits < 7, let d = Self.digit(run[j], hex: hex) { v = v * (hex ? 16 : 10) + d; j += 1 }
                if j > digits { value = v }
            } else {
                let nameStart = j
                while j < n, j - nameStart < 12, (run[j] | 0x20) >= 0x61 && (run[j] | 0x20) <= 0x7A || (run[j] >= 0x30 && run[j] <= 0x39 && j > nameStart) { j += 1 }
                if j > nameStart, j < n, run[j] == 0x3B {
                    value = entities.value(UnsafeBufferPointer(rebasing: run[nameStart..<j]))
                }
            }
            // Only a terminated reference to an XML character other than '&' and '<'.
            guard let v = value, j < n, run[j] == 0x3B, v != 0x26, v != 0x3C, Self.isXMLChar(v),
                  let scalar = Unicode.Scalar(v) else { return false }
            out.append(contentsOf: String(scalar).utf8)
            i = j + 1
        }
        if i < n { out.append(contentsOf: UnsafeBufferPointer(rebasing: run[i..<n])) }
        return true
    }

    private static func digit(_ b: UInt8, hex: Bool) -> UInt32? {
        if b >= 0x30 && b <= 0x39 { return UInt32(b - 0x30) }
        if hex, (b | 0x20) >= 0x61 && (b | 0x20) <= 0x66 { return UInt32((b | 0x20) - 0x61 + 10) }
        return nil
    }

    /// XML 1.0's Char production, which libxml2 checks character references against.
    private static func isXMLChar(_ v: UInt32) -> Bool {
        v == 0x9 || v == 0xA || v == 0xD || (0x20...0xD7FF).contains(v) || (0xE000...0xFFFD).contains(v)
            || (0x10000...0x10FFFF).contains(v)
    }

    /// The placeholder index encoded at `p[i...]`, which starts with `placeholderLead`.
    static func index(_ p: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        guard i + 2 < p.count else { return nil }
        return Int(p[i + 1] & 0x3F) << 6 | Int(p[i + 2] & 0x3F)
    }

    // MARK: - Scanning constructs the way libxml2 delimits them

    /// End (exclusive) of a start tag at `i`, or `nil` unless the tag is regular:
    /// `<name (attr (= value)?)* /?>` with names as libxml2 reads them and values quoted, or unquoted
    /// without quotes, `<`, `=` or backquote. Irregular tags get libxml2's own recovery, which a
    /// scan of ours could not predict (where a stray quote ends a value, say), so compaction stops.
    /// For `script` and `style` the end is that of the matching close tag, since libxml2 reads their
    /// bodies as raw text up to `</name`.
    static func startTagEnd(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        let n = p.count
        var j = i + 1
        while j < n, isLetter(p[j]) || isDigit(p[j]) { j += 1 }
        let name = UnsafeBufferPointer(rebasing: p[(i + 1)..<j])
        // After the name: white space, "/>" or ">" only.
        while true {
            let spaceStart = j
            while j < n, isSpace(p[j]) { j += 1 }
            guard j < n else { return nil }
            if p[j] == 0x3E { j += 1; break }
            if p[j] == 0x2F { guard j + 1 < n, p[j + 1] == 0x3E else { return nil }; j += 2; break }
            // An attribute must be preceded by white space.
            guard j > spaceStart, isNameStart(p[j]) else { return nil }
            while j < n, isNameByte(p[j]) { j += 1 }
            var k = j
            while k < n, isSpace(p[k]) { k += 1 }
            guard k < n, p[k] == 0x3D else { continue }  // a bare attribute
            k += 1
            while k < n, isSpace(p[k]) { k += 1 }
            guard k < n else { return nil }
            if p[k] == 0x22 || p[k] == 0x27 {
                let quote = p[k]
                k += 1
                while k < n, p[k] != quote { k += 1 }
                guard k < n else { return nil }
                k += 1
                // After a quoted value: white space, "/>" or ">".
                guard k < n, isSpace(p[k]) || p[k] == 0x3E || p[k] == 0x2F else { return nil }
            } else {
                let valueStart = k
                while k < n, !isSpace(p[k]), p[k] != 0x3E {
                    if p[k] == 0x22 || p[k] == 0x27 || p[k] == 0x3C || p[k] == 0x3D || p[k] == 0x60 { return nil }
                    k += 1
                }
                // "/>" right after an unquoted value is part of the value for libxml2: avoid it.
                guard k > valueStart, k < n, p[k - 1] != 0x2F else { return nil }
            }
            j = k
        }
        let isScript = equalsIgnoringCase(name, "script")
        guard isScript || equalsIgnoringCase(name, "style") else { return j }
        let closer: StaticString = isScript ? "</script" : "</style"
        // Only the exact close tag: libxml2 would end the body at "</scriptx" too, but then keep
        // the element open.
        guard let close = findCaseInsensitive(p, from: j, closer) else { return nil }
        let after = close + closer.utf8CodeUnitCount
        guard after < n, !isLetter(p[after]), !isDigit(p[after]) else { return nil }
        return endTagEnd(p, close)
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D }
    /// libxml2's `htmlParseHTMLName`: a letter, '_', ':' or '.', then also digits and '-'.
    private static func isNameStart(_ b: UInt8) -> Bool { isLetter(b) || b == 0x5F || b == 0x3A || b == 0x2E }
    private static func isNameByte(_ b: UInt8) -> Bool { isNameStart(b) || isDigit(b) || b == 0x2D }

    private static func equalsIgnoringCase(_ a: UnsafeBufferPointer<UInt8>, _ s: StaticString) -> Bool {
        guard a.count == s.utf8CodeUnitCount else { return false }
        for t in 0..<a.count where a[t] | 0x20 != s.utf8Start[t] { return false }
        return true
    }

    /// End of `</name>` at `i`; only the plain form (optional spaces before `>`) is accepted.
    static func endTagEnd(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        let n = p.count
        var j = i + 2
        while j < n, isLetter(p[j]) || (p[j] >= 0x30 && p[j] <= 0x39) { j += 1 }
        while j < n, p[j] == 0x20 || p[j] == 0x0A || p[j] == 0x09 || p[j] == 0x0D { j += 1 }
        return j < n && p[j] == 0x3E ? j + 1 : nil
    }

    static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }

    static func hasPrefix(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, _ s: StaticString) -> Bool {
        let k = s.utf8CodeUnitCount
        guard p.count - i >= k else { return false }
        for t in 0..<k where p[i + t] != s.utf8Start[t] { return false }
        return true
    }

    static func find(_ p: UnsafeBufferPointer<UInt8>, from: Int, _ s: StaticString) -> Int? {
        var j = from
        while j < p.count {
            if p[j] == s.utf8Start[0] && hasPrefix(p, j, s) { return j }
            j += 1
        }
        return nil
    }

    private static func findCaseInsensitive(_ p: UnsafeBufferPointer<UInt8>, from: Int, _ s: StaticString) -> Int? {
        let k = s.utf8CodeUnitCount
        var j = from
        outer: while j + k <= p.count {
            for t in 0..<k where (p[j + t] | 0x20) != (s.utf8Start[t] | 0x20) {
                j += 1
                continue outer
            }
            return j
        }
        return nil
    }
}
