/// The SQL dialects the store speaks; the statements are shared, the schema is per dialect.
enum SQLDialect: Sendable {
    case sqlite
    case postgres
}

/// One transaction (or one autocommit read) on one connection. Only valid inside the closure it is
/// passed to, and used synchronously there: on the backend's own thread, never on the caller's.
///
/// Parameters are written `$1`, `$2`, ... in every dialect.
protocol SQLSession {
    /// Runs a statement that returns no rows; the number of rows it changed.
    @discardableResult
    func execute(_ sql: String, _ parameters: [SQLValue]) throws -> Int
    /// Runs a statement that returns rows (`SELECT`, or anything with `RETURNING`).
    func query(_ sql: String, _ parameters: [SQLValue]) throws -> [SQLRow]
    /// Runs statements that return no rows, in order, as fast as the backend can (PostgreSQL sends
    /// them without waiting for each result); throws the first failure.
    func executeBatch(_ statements: [BoundStatement]) throws
}

/// A statement and its parameter values, ready to run.
struct BoundStatement: Sendable {
    let sql: String
    let parameters: [SQLValue]
}

/// A database the store can run transactions on: SQLite through GRDB, PostgreSQL through libpq.
/// Both run the closure off the caller's executor (GRDB's writer queue; a connection's own thread).
protocol SQLDatabase: Sendable {
    var dialect: SQLDialect { get }
    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    /// Throws `SQLFailure`.
    @discardableResult
    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T
    /// Runs `body` for reading only (may run concurrently with other reads).
    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T
    /// Closes every connection; the database must not be used afterwards.
    func close() async
}
