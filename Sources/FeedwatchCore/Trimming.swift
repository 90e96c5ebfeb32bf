extension StringProtocol {
    /// Without leading and trailing white space (Unicode's, as `Character.isWhitespace` has it):
    /// what Foundation's `trimmingCharacters(in: .whitespacesAndNewlines)` does, without Foundation.
    public func trimmingWhitespace() -> String {
        var s = self[...]
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
