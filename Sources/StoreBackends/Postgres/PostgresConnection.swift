/// One pooled PostgreSQL connection: an actor whose executor is a thread of its own
/// (``DedicatedThreadExecutor``), so libpq's blocking calls run there and the compiler guarantees the
/// `PGconn` is touched by one thread at a time.
actor PostgresConnection {
    private nonisolated let executor: DedicatedThreadExecutor
    private var handle: PostgresConnectionHandle?

    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    init(name: String) {
        executor = DedicatedThreadExecutor(name: name)
    }

    deinit {
        // Nothing can enqueue on the executor any more: let its thread exit. The handle's own deinit
        // closes the connection.
        executor.stop()
    }

    /// Connects (blocking this connection's thread only).
    func open(_ parameters: [(key: String, value: String)]) throws {
        handle = try PostgresConnectionHandle.connect(parameters)
    }

    /// False once the connection broke; the pool then drops it.
    var isUsable: Bool { handle?.isConnected ?? false }

    func close() { handle = nil }

    /// Runs `body` between BEGIN and COMMIT (ROLLBACK when it throws). A connection found dead at BEGIN
    /// (the server restarted while it sat in the pool) is reconnected once, since nothing has run yet.
    func transaction<T: Sendable>(_ body: @Sendable (any SQLSession) throws -> T) throws -> T {
        let handle = try requireHandle()
        do {
            try handle.execute("BEGIN", [])
        } catch let failure as SQLFailure where failure.kind == .connection {
            try handle.reset()
            try handle.execute("BEGIN", [])
        }
        do {
            let value = try body(PostgresSession(handle: handle))
            try handle.execute("COMMIT", [])
            return value
        } catch {
            if handle.isConnected { _ = try? handle.execute("ROLLBACK", []) }
            throw error
        }
    }

    /// Runs `body` without a transaction (reads). Reads are idempotent, so a connection found dead is
    /// reconnected and the read retried once.
    func autocommit<T: Sendable>(_ body: @Sendable (any SQLSession) throws -> T) throws -> T {
        let handle = try requireHandle()
        do {
            return try body(PostgresSession(handle: handle))
        } catch let failure as SQLFailure where failure.kind == .connection {
            try handle.reset()
            return try body(PostgresSession(handle: handle))
        }
    }

    private func requireHandle() throws -> PostgresConnectionHandle {
        guard let handle else { throw SQLFailure(.connection, "the PostgreSQL connection is closed") }
        return handle
    }
}

/// A ``PostgresConnectionHandle`` seen as a ``SQLSession`` inside one transaction or read.
struct PostgresSession: SQLSession {
    let handle: PostgresConnectionHandle

    func execute(_ sql: String, _ parameters: [SQLValue]) throws -> Int {
        try handle.execute(sql, parameters).affectedRows
    }

    func query(_ sql: String, _ parameters: [SQLValue]) throws -> [SQLRow] {
        try handle.execute(sql, parameters).rows()
    }

    func executeBatch(_ statements: [BoundStatement]) throws {
        try handle.executePipelined(statements)
    }
}
