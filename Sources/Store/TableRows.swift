/// One table's rows as one engine hands them to another (`feedwatch migrate-store`): columns by
/// the name the receiving schema gives them, every value as text (`nil`: SQL NULL), so neither
/// engine sees the other's types. Tables come in an order that respects their references.
public struct TableRows: Sendable {
    public var table: String
    public var columns: [String]
    public var rows: [[String?]]

    public init(table: String, columns: [String], rows: [[String?]]) {
        self.table = table
        self.columns = columns
        self.rows = rows
    }
}
