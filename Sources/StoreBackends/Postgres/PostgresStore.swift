import MediaEngine

/// Opens the production store: PostgreSQL through libpq, migrated to the latest schema before it is
/// returned. Several engine nodes can share one database; their migrations serialize on an advisory lock.
public enum PostgresStore {
    /// Connects, creates `configuration.schema` if set, and migrates.
    /// Throws `StoreError.unavailable` when the server cannot be reached, `StoreError.setupFailed` when
    /// the schema cannot be created or migrated (the message names the step), `StoreError.schemaTooNew`
    /// when the database was migrated by a newer engine.
    public static func connect(_ configuration: PostgresConfiguration) async throws -> SQLStore {
        let database = try await openDatabase(configuration)
        do {
            try await PostgresMigrations.migrator.migrate(database)
        } catch {
            await database.close()
            throw error
        }
        return SQLStore(database: database)
    }

    /// The database with its schema created but not migrated (for migration tests).
    static func openDatabase(_ configuration: PostgresConfiguration) async throws -> PostgresDatabase {
        if let schema = configuration.schema, !PostgresConfiguration.isValidSchemaName(schema) {
            throw StoreError.setupFailed("invalid schema name '\(schema)': use lowercase letters, digits and _")
        }
        let database = PostgresDatabase(configuration: configuration)
        guard let schema = configuration.schema else { return database }
        do {
            try await database.write { session in
                _ = try session.query("SELECT pg_advisory_xact_lock(\(PostgresMigrations.lockKey))", [])
                try session.execute("CREATE SCHEMA IF NOT EXISTS \(schema)", [])
            }
            return database
        } catch let failure as SQLFailure {
            await database.close()
            throw failure.isTransient
                ? StoreError.unavailable(failure.description)
                : StoreError.setupFailed("creating schema \(schema): \(failure)")
        }
    }

    /// Drops `configuration.schema` and everything in it. For the throwaway schemas of tests and
    /// benchmarks only; does nothing when no schema is set.
    public static func dropSchema(_ configuration: PostgresConfiguration) async throws {
        guard let schema = configuration.schema, PostgresConfiguration.isValidSchemaName(schema) else { return }
        let database = PostgresDatabase(configuration: PostgresConfiguration(
            connectionString: configuration.connectionString, poolSize: 1))
        do {
            _ = try await database.write { session in
                try session.execute("DROP SCHEMA IF EXISTS \(schema) CASCADE", [])
            }
            await database.close()
        } catch {
            await database.close()
            throw error
        }
    }
}
