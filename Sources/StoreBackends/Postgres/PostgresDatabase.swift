/// PostgreSQL as a ``SQLDatabase``: transactions and reads on connections lent by the pool, each
/// running on its connection's own thread.
final class PostgresDatabase: SQLDatabase {
    let dialect = SQLDialect.postgres
    let pool: PostgresConnectionPool

    init(configuration: PostgresConfiguration) {
        pool = PostgresConnectionPool(parameters: configuration.connectionParameters, size: configuration.poolSize)
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        try await pool.withConnection { try await $0.transaction(body) }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        try await pool.withConnection { try await $0.autocommit(body) }
    }

    func close() async { await pool.close() }
}
