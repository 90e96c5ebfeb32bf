/// A query that cannot be parsed, with the column of the offending character so that
/// `check-config` can point at it.
public struct QueryError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    /// 1-based, in characters of the query.
    public var column: Int

    public init(_ message: String, column: Int) {
        self.message = message
        self.column = column
    }

    public var description: String { "column \(column): \(message)" }

    /// The query, and under it a caret at the offending character:
    ///
    ///     "facial recognition AND (police
    ///                             ^
    public func caretDiagram(for query: String) -> String {
        let line = query.map { $0 == "\n" || $0 == "\t" ? " " : String($0) }.joined()
        return line + "\n" + String(repeating: " ", count: max(0, column - 1)) + "^"
    }
}
