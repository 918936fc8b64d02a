/// A failure reported by a backend, sorted into the kinds the store reacts to differently. Backends
/// throw only this; `SQLStore` turns it into a `StoreError` that callers can act on.
struct SQLFailure: Error, Sendable, CustomStringConvertible {
    enum Kind: Sendable, Equatable {
        /// The server cannot be reached or the connection broke: transient.
        case connection
        /// Busy, locked, serialization failure, deadlock: transient, retry the transaction.
        case contention
        case uniqueViolation
        case foreignKeyViolation
        /// PostgreSQL's exclusion constraint (overlapping appointments).
        case exclusionViolation
        case checkViolation
        case notNullViolation
        /// An error raised on purpose by a trigger (SQLite `RAISE(ABORT, ...)`, PL/pgSQL `RAISE`).
        case raised
        /// A result that does not have the shape the store expects (a bug or a foreign schema).
        case decoding
        case other
    }

    let kind: Kind
    let message: String
    /// The constraint's name when the backend reports it.
    let constraint: String?

    init(_ kind: Kind, _ message: String, constraint: String? = nil) {
        self.kind = kind
        self.message = message
        self.constraint = constraint
    }

    static func decoding(_ column: Int, _ problem: String) -> SQLFailure {
        SQLFailure(.decoding, "column \(column): \(problem)")
    }

    var isTransient: Bool { kind == .connection || kind == .contention }

    var description: String {
        constraint.map { "\(message) (constraint \($0))" } ?? message
    }
}
