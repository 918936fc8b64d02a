import Foundation
import GRDB

/// SQLite through GRDB: one database file in WAL mode (a `DatabasePool`: one writer, concurrent
/// readers). GRDB runs every access on its own dispatch queues, so the blocking SQLite calls never
/// occupy the caller's executor.
final class SQLiteDatabase: SQLDatabase {
    let dialect = SQLDialect.sqlite
    private let pool: DatabasePool

    /// Opens or creates the file at `path` (its directory must exist).
    init(path: String) throws {
        var configuration = Configuration()
        configuration.label = "kol.store"
        configuration.foreignKeysEnabled = true
        // Another process (an operator's sqlite3 shell) may hold a lock for a moment: wait, then fail.
        configuration.busyMode = .timeout(10)
        configuration.maximumReaderCount = 4
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw Self.failure(error)
        }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        do {
            return try await pool.write { db in try body(SQLiteSession(db: db)) }
        } catch {
            throw Self.failure(error)
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        do {
            return try await pool.read { db in try body(SQLiteSession(db: db)) }
        } catch {
            throw Self.failure(error)
        }
    }

    func close() async {
        try? pool.close()
    }

    /// Sorts GRDB's errors into ``SQLFailure`` kinds; other errors (a `StoreError` thrown by the store's
    /// own checks inside a transaction, a cancellation) pass through.
    static func failure(_ error: any Error) -> any Error {
        guard let error = error as? DatabaseError else { return error }
        let message = error.message ?? "\(error)"
        let kind: SQLFailure.Kind =
            switch error.extendedResultCode.rawValue {
            case 2067, 1555: .uniqueViolation  // SQLITE_CONSTRAINT_UNIQUE, _PRIMARYKEY
            case 787: .foreignKeyViolation  // SQLITE_CONSTRAINT_FOREIGNKEY
            case 275: .checkViolation  // SQLITE_CONSTRAINT_CHECK
            case 1299: .notNullViolation  // SQLITE_CONSTRAINT_NOTNULL
            case 1811: .raised  // SQLITE_CONSTRAINT_TRIGGER: RAISE(ABORT, ...)
            default:
                switch error.resultCode.rawValue {
                case 5, 6: .contention  // SQLITE_BUSY, SQLITE_LOCKED
                // SQLITE_NOMEM, _READONLY, _IOERR, _FULL, _CANTOPEN: the disk or the machine, retry later.
                case 7, 8, 10, 13, 14: .connection
                case 19: .checkViolation  // other SQLITE_CONSTRAINT
                default: .other
                }
            }
        return SQLFailure(kind, message)
    }
}

/// A GRDB `Database` seen as a ``SQLSession``; valid only inside the GRDB access that created it.
struct SQLiteSession: SQLSession {
    let db: Database

    func execute(_ sql: String, _ parameters: [SQLValue]) throws -> Int {
        if parameters.isEmpty, !sql.contains("$") {
            // Schema statements: not worth caching (and they may hold several statements).
            try db.execute(sql: sql)
        } else {
            let (text, arguments) = Self.positional(sql, parameters)
            try db.cachedStatement(sql: text).execute(arguments: arguments)
        }
        return db.changesCount
    }

    func executeBatch(_ statements: [BoundStatement]) throws {
        for statement in statements { _ = try execute(statement.sql, statement.parameters) }
    }

    func query(_ sql: String, _ parameters: [SQLValue]) throws -> [SQLRow] {
        let (text, arguments) = Self.positional(sql, parameters)
        return try Row.fetchAll(db.cachedStatement(sql: text), arguments: arguments).map { row in
            SQLRow(
                values: row.databaseValues.map { value in
                    switch value.storage {
                    case .null: .null
                    case .int64(let number): .integer(number)
                    case .double(let number): .double(number)
                    case .string(let text): .text(text)
                    case .blob(let data): .text(String(decoding: data, as: UTF8.self))
                    }
                })
        }
    }

    /// Rewrites `$n` placeholders as `?` and lays the arguments out in order of appearance (a
    /// parameter used twice is bound twice), outside quoted literals.
    static func positional(_ sql: String, _ parameters: [SQLValue]) -> (String, StatementArguments) {
        // Byte by byte: `$`, digits and `'` are ASCII, and UTF-8 never puts ASCII inside a longer
        // character, so this is the character walk without its grapheme breaking (a store write runs
        // it on every statement).
        let source = sql.utf8
        var text: [UInt8] = []
        text.reserveCapacity(source.count)
        var arguments: [(any DatabaseValueConvertible)?] = []
        var inLiteral = false
        var index = source.startIndex
        while index != source.endIndex {
            let byte = source[index]
            source.formIndex(after: &index)
            if byte == UInt8(ascii: "'") { inLiteral.toggle() }
            guard byte == UInt8(ascii: "$"), !inLiteral, index != source.endIndex, Self.isDigit(source[index]) else {
                text.append(byte)
                continue
            }
            var number = 0
            while index != source.endIndex, Self.isDigit(source[index]) {
                number = number &* 10 &+ Int(source[index] &- UInt8(ascii: "0"))
                source.formIndex(after: &index)
            }
            text.append(UInt8(ascii: "?"))
            let position = number - 1
            arguments.append(parameters.indices.contains(position) ? Self.argument(parameters[position]) : nil)
        }
        return (String(decoding: text, as: UTF8.self), StatementArguments(arguments))
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func argument(_ value: SQLValue) -> (any DatabaseValueConvertible)? {
        switch value {
        case .null: nil
        case .integer(let number): number
        case .double(let number): number
        case .text(let text): text
        case .bool(let flag): flag ? Int64(1) : Int64(0)
        }
    }
}
