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
    /// The original runs, by placeholder index.
    private(set) var runs: [Range<Int>] = []

    static let placeholderLead: UInt8 = 0xEE
    static let maxRuns = 4096
    /// Shorter runs are not worth a placeholder.
    static let minRun = 12

    /// `nil` when compaction would not help or is not safe (the fragment already holds characters
    /// from the placeholder block U+E000–U+EFFF).
    init?(_ p: UnsafeBufferPointer<UInt8>) {
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
            emitRun(p, runStart..<i)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: p[i..<end]))
            i = end
            runStart = end
        }
        // The rest (a trailing run, or everything after an uncertain construct) goes as it is.
        if i >= n {
            emitRun(p, runStart..<n)
        } else {
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: p[runStart..<n]))
        }
        guard bytes.count * 4 < p.count * 3 else { return nil }  // saved too little to bother
    }

    private mutating func emitRun(_ p: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) {
        guard !r.isEmpty else { return }
        // Runs libxml2 must decode (`&`) or may treat as ignorable white space stay as they are.
        let run = UnsafeBufferPointer(rebasing: p[r])
        let blank = !run.contains(where: { $0 > 0x20 })
        if r.count < Self.minRun || runs.count >= Self.maxRuns || blank
            || memchr(run.baseAddress!, 0x26, run.count) != nil {
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: p[r]))
            return
        }
        let k = runs.count
        runs.append(r)
        bytes.append(Self.placeholderLead)
        bytes.append(0x80 | UInt8(k >> 6))
        bytes.append(0x80 | UInt8(k & 0x3F))
    }

    /// The placeholder index encoded at `p[i...]`, which starts with `placeholderLead`.
    static func index(_ p: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        guard i + 2 < p.count else { return nil }
        return Int(p[i + 1] & 0x3F) << 6 | Int(p[i + 2] & 0x3F)
    }

    // MARK: - Scanning constructs the way libxml2 delimits them

    /// End (exclusive) of a start tag at `i`, honouring quoted attribute values; for `script` and
    /// `style` the end of the matching close tag, since libxml2 reads their bodies as raw text up to
    /// `</name` (case-insensitive). `nil` if unterminated.
    private static func startTagEnd(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        let n = p.count
        var j = i + 1
        while j < n, isLetter(p[j]) || (p[j] >= 0x30 && p[j] <= 0x39) { j += 1 }
        let name = UnsafeBufferPointer(rebasing: p[(i + 1)..<j])
        var quote: UInt8 = 0
        while j < n {
            let c = p[j]
            if quote != 0 {
                if c == quote { quote = 0 }
            } else if c == 0x22 || c == 0x27 {
                quote = c
            } else if c == 0x3E {
                break
            } else if c == 0x3C {
                return nil  // a '<' inside a tag: libxml2 has its own recovery for that
            }
            j += 1
        }
        guard j < n else { return nil }
        let tagEnd = j + 1
        let closer: StaticString
        if equalsIgnoringCase(name, "script") {
            closer = "</script"
        } else if equalsIgnoringCase(name, "style") {
            closer = "</style"
        } else {
            return tagEnd
        }
        guard let close = findCaseInsensitive(p, from: tagEnd, closer) else { return nil }
        return endTagEnd(p, close)
    }

    private static func equalsIgnoringCase(_ a: UnsafeBufferPointer<UInt8>, _ s: StaticString) -> Bool {
        guard a.count == s.utf8CodeUnitCount else { return false }
        for t in 0..<a.count where a[t] | 0x20 != s.utf8Start[t] { return false }
        return true
    }

    /// End of `</name>` at `i`; only the plain form (optional spaces before `>`) is accepted.
    private static func endTagEnd(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        let n = p.count
        var j = i + 2
        while j < n, isLetter(p[j]) || (p[j] >= 0x30 && p[j] <= 0x39) { j += 1 }
        while j < n, p[j] == 0x20 || p[j] == 0x0A || p[j] == 0x09 || p[j] == 0x0D { j += 1 }
        return j < n && p[j] == 0x3E ? j + 1 : nil
    }

    private static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }

    private static func hasPrefix(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, _ s: StaticString) -> Bool {
        let k = s.utf8CodeUnitCount
        guard p.count - i >= k else { return false }
        for t in 0..<k where p[i + t] != s.utf8Start[t] { return false }
        return true
    }

    private static func find(_ p: UnsafeBufferPointer<UInt8>, from: Int, _ s: StaticString) -> Int? {
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
