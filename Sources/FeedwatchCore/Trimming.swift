extension StringProtocol {
    /// Without leading and trailing white space (Unicode's, as `Character.isWhitespace` has it):
    /// what Foundation's `trimmingCharacters(in: .whitespacesAndNewlines)` does, without Foundation.
    public func trimmingWhitespace() -> String {
        // Nearly always nothing to trim: ASCII non-space at both ends says so without walking
        // `Character`s (this runs for every header line of every response).
        let whole = String(self)
        if let first = whole.utf8.first, let last = whole.utf8.last, first > 0x20, first < 0x80, last > 0x20, last < 0x80 {
            return whole
        }
        var s = whole[...]
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
