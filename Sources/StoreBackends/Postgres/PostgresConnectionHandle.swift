import CPostgres
import Foundation

/// Owns one libpq connection (`PGconn`, closed with `PQfinish` in `deinit`) and its prepared
/// statements. Not thread-safe: only ever used by its ``PostgresConnection`` actor, on that actor's
/// own thread. Every statement with parameters is sent with them separately (`PQprepare` once per
/// statement text, then `PQexecPrepared`); values are never spliced into SQL text.
final class PostgresConnectionHandle {
    private let connection: OpaquePointer
    /// Statement text -> server-side prepared statement name, for this connection's session.
    private var preparedStatements: [String: String] = [:]

    private init(connection: OpaquePointer) { self.connection = connection }

    deinit { PQfinish(connection) }

    /// Connects with libpq keyword/value pairs (blocking). Later pairs override earlier ones; a
    /// `dbname` holding a URI or a conninfo string is expanded in place.
    static func connect(_ parameters: [(key: String, value: String)]) throws -> PostgresConnectionHandle {
        let keys = parameters.map { strdup($0.key) }
        let values = parameters.map { strdup($0.value) }
        defer { (keys + values).forEach { free($0) } }
        guard !keys.contains(nil), !values.contains(nil) else {
            throw SQLFailure(.connection, "out of memory preparing the connection parameters")
        }
        let keyPointers = keys.map { UnsafePointer($0) } + [nil]
        let valuePointers = values.map { UnsafePointer($0) } + [nil]
        guard let connection = PQconnectdbParams(keyPointers, valuePointers, 1) else {
            throw SQLFailure(.connection, "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection))
            PQfinish(connection)
            throw SQLFailure(.connection, "cannot connect to PostgreSQL: \(message.trimmed)")
        }
        // Server notices ("extension already exists, skipping") would go to stderr by default; the
        // store reports what matters through its errors.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        return PostgresConnectionHandle(connection: connection)
    }

    var isConnected: Bool { PQstatus(connection) == CONNECTION_OK }

    /// Reconnects with the same parameters (blocking); prepared statements are gone with the old session.
    func reset() throws {
        preparedStatements.removeAll()
        PQreset(connection)
        guard isConnected else {
            throw SQLFailure(.connection, "cannot reconnect to PostgreSQL: \(lastError)")
        }
    }

    /// Runs one statement; throws ``SQLFailure`` when the server reports an error.
    @discardableResult
    func execute(_ sql: String, _ parameters: [SQLValue]) throws -> PostgresResult {
        let raw: OpaquePointer?
        if parameters.isEmpty {
            raw = PQexecParams(connection, sql, 0, nil, nil, nil, nil, 0)
        } else {
            let name = try prepare(sql)
            let texts = try parameters.map { value -> UnsafeMutablePointer<CChar>? in
                guard let text = Self.text(value) else { return nil }
                guard let copy = strdup(text) else { throw SQLFailure(.connection, "out of memory binding a parameter") }
                return copy
            }
            defer { texts.forEach { free($0) } }
            let pointers = texts.map { UnsafePointer($0) }
            raw = PQexecPrepared(connection, name, Int32(pointers.count), pointers, nil, nil, 0)
        }
        return try check(raw)
    }

    private func prepare(_ sql: String) throws -> String {
        if let name = preparedStatements[sql] { return name }
        let name = "kol_\(preparedStatements.count + 1)"
        try check(PQprepare(connection, name, sql, 0, nil))
        preparedStatements[sql] = name
        return name
    }

    @discardableResult
    private func check(_ raw: OpaquePointer?) throws -> PostgresResult {
        guard let raw else { throw SQLFailure(.connection, "PostgreSQL connection lost: \(lastError)") }
        let result = PostgresResult(raw)
        guard result.succeeded else { throw result.failure(connectionBroken: !isConnected) }
        return result
    }

    private var lastError: String { String(cString: PQerrorMessage(connection)).trimmed }

    /// The text form PostgreSQL parses for each parameter (nil is SQL NULL).
    private static func text(_ value: SQLValue) -> String? {
        switch value {
        case .null: nil
        case .integer(let number): String(number)
        case .double(let number): number.isFinite ? String(number) : (number.isNaN ? "NaN" : (number > 0 ? "Infinity" : "-Infinity"))
        case .text(let text): text
        case .bool(let flag): flag ? "true" : "false"
        }
    }
}

extension String {
    fileprivate var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
