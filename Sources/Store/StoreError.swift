/// A failure of the store, whatever its engine: what kind (so a caller can tell a busy database
/// from a broken one without knowing SQLite's or PostgreSQL's codes) and what happened, with the
/// statement or file it concerns.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// Another writer holds what this one needs (and did not let go within the timeout).
        case busy
        /// The database cannot be opened or reached.
        case unavailable
        /// Written by a newer feedwatch, or not a feedwatch store.
        case schema
        /// What was decided no longer holds (an item another writer stored first, a lost lease):
        /// the caller decides again from fresh reads.
        case conflict
        /// A name the store does not know (a sink never registered).
        case notFound
        /// Full disk, corruption, I/O: anything else.
        case other
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
