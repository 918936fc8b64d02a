import Foundation
import MediaEngine

/// One step of a schema's history. Versions count up from 1; a released migration is never edited,
/// a change is a new migration.
struct Migration: Sendable {
    let version: Int
    let name: String
    /// Run in order, each on its own (PostgreSQL's extended protocol takes one statement at a time).
    let statements: [String]
}

/// Brings a database's schema to the latest version at start-up: idempotent (applied versions are
/// recorded in `kol_schema_migrations` and skipped), all steps in one transaction (a failed step leaves
/// the schema as it was), and refuses a database newer than the code.
struct SchemaMigrator: Sendable {
    let migrations: [Migration]
    /// Run first in the transaction: on PostgreSQL an advisory lock, so engine nodes starting together
    /// migrate one after the other.
    let lockStatement: String?

    var latestVersion: Int { migrations.last?.version ?? 0 }

    static let historyTable = "kol_schema_migrations"

    /// Applies every migration up to `target` (the latest when nil); returns the versions applied.
    @discardableResult
    func migrate(_ database: any SQLDatabase, upTo target: Int? = nil, at now: Date = Date()) async throws -> [Int] {
        let target = min(target ?? latestVersion, latestVersion)
        let migrations = migrations
        let lockStatement = lockStatement
        let latest = latestVersion
        do {
            return try await database.write { session in
                if let lockStatement { _ = try session.query(lockStatement, []) }
                try session.execute(
                    """
                    CREATE TABLE IF NOT EXISTS \(Self.historyTable) (
                        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms BIGINT NOT NULL)
                    """, [])
                let current = try Self.currentVersion(session)
                guard current <= latest else { throw StoreError.schemaTooNew(found: current, supported: latest) }
                var applied: [Int] = []
                for migration in migrations where migration.version > current && migration.version <= target {
                    for (index, statement) in migration.statements.enumerated() {
                        do {
                            try session.execute(statement, [])
                        } catch let failure as SQLFailure {
                            throw StoreError.setupFailed(
                                "migration \(migration.version) (\(migration.name)), statement \(index + 1): \(failure)")
                        }
                    }
                    try session.execute(
                        "INSERT INTO \(Self.historyTable) (version, name, applied_at_ms) VALUES ($1, $2, $3)",
                        [SQLValue(migration.version), .text(migration.name), SQLValue(now)])
                    applied.append(migration.version)
                }
                return applied
            }
        } catch let failure as SQLFailure {
            throw failure.isTransient
                ? StoreError.unavailable(failure.description)
                : StoreError.setupFailed("migrating the schema: \(failure)")
        }
    }

    /// The schema's version (0 for an empty database).
    func currentVersion(_ database: any SQLDatabase) async throws -> Int {
        try await database.write { session in
            try session.execute(
                """
                CREATE TABLE IF NOT EXISTS \(Self.historyTable) (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms BIGINT NOT NULL)
                """, [])
            return try Self.currentVersion(session)
        }
    }

    private static func currentVersion(_ session: any SQLSession) throws -> Int {
        try session.query("SELECT COALESCE(MAX(version), 0) FROM \(historyTable)", []).first?.int(0) ?? 0
    }
}
