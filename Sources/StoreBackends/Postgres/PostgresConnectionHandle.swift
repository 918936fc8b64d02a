import CPostgres
import Foundation

/// Owns one libpq connection (`PGconn`, closed with `PQfinish` in `deinit`) and its prepared
/// statements. Not thread-safe: only ever used by its ``PostgresConnection`` actor, on that actor's
/// own thread. Every statement with parameters is sent with them separately (`PQprepare` once per
/// statement text, then `PQexecPrepared` or, for batches, `PQsendQueryPrepared`); values are never
/// spliced into SQL text.
final class PostgresConnectionHandle {
    /// Statements sent per pipeline sync point. Each writer statement's results are a few dozen bytes,
    /// so what the server has to send back before we read it stays far below any socket buffer: the
    /// blocking-mode pipeline deadlock libpq warns about (both sides blocked writing) cannot happen.
    static let pipelineChunk = 64

    private let connection: OpaquePointer
    /// Statement text -> server-side prepared statement name, for this connection's session.
    private var preparedStatements: [String: String] = [:]
    /// Set when the connection was left in a state it cannot be reused from (a pipeline not drained).
    private var unusable = false

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

    var isConnected: Bool { !unusable && PQstatus(connection) == CONNECTION_OK }

    /// Reconnects with the same parameters (blocking); prepared statements are gone with the old session.
    func reset() throws {
        preparedStatements.removeAll()
        unusable = false
        PQreset(connection)
        guard isConnected else {
            throw SQLFailure(.connection, "cannot reconnect to PostgreSQL: \(lastError)")
        }
    }

    /// Runs one statement; throws ``SQLFailure`` when the server reports an error.
    @discardableResult
    func execute(_ sql: String, _ parameters: [SQLValue]) throws -> PostgresResult {
        if parameters.isEmpty {
            return try check(PQexecParams(connection, sql, 0, nil, nil, nil, nil, 0))
        }
        let name = try prepare(sql)
        return try withParameterPointers(parameters) { count, values in
            try check(PQexecPrepared(connection, name, count, values, nil, nil, 0))
        }
    }

    /// Runs statements that return no rows back to back in libpq's pipeline mode (one round trip per
    /// ``pipelineChunk`` statements instead of one per statement), inside the caller's transaction.
    /// Stops at the first failure and throws it; the caller rolls the transaction back.
    func executePipelined(_ statements: [BoundStatement]) throws {
        guard !statements.isEmpty else { return }
        let names = try statements.map { try prepare($0.sql) }
        guard PQenterPipelineMode(connection) == 1 else {
            throw SQLFailure(.connection, "cannot enter pipeline mode: \(lastError)")
        }
        defer {
            // Fails only when results are still pending (a send failed mid-chunk): never reuse this session.
            if PQexitPipelineMode(connection) != 1 { unusable = true }
        }
        var start = 0
        while start < statements.count {
            let end = min(start + Self.pipelineChunk, statements.count)
            for index in start..<end {
                let sent = try withParameterPointers(statements[index].parameters) { count, values in
                    PQsendQueryPrepared(connection, names[index], count, values, nil, nil, 0)
                }
                guard sent == 1 else { throw SQLFailure(.connection, "PostgreSQL connection lost: \(lastError)") }
            }
            guard PQpipelineSync(connection) == 1 else {
                throw SQLFailure(.connection, "PostgreSQL connection lost: \(lastError)")
            }
            if let failure = try collectPipelineResults(count: end - start) { throw failure }
            start = end
        }
    }

    /// Reads the results of `count` pipelined statements and of the sync point after them; returns the
    /// first failure (statements after it come back as "aborted").
    private func collectPipelineResults(count: Int) throws -> SQLFailure? {
        var failure: SQLFailure?
        for _ in 0..<count {
            guard let raw = PQgetResult(connection) else {
                throw SQLFailure(.connection, "PostgreSQL connection lost: \(lastError)")
            }
            let result = PostgresResult(raw)
            if failure == nil, !result.succeeded, result.status != PGRES_PIPELINE_ABORTED {
                failure = result.failure(connectionBroken: PQstatus(connection) != CONNECTION_OK)
            }
            // Each statement's results end with a null result.
            while let extra = PQgetResult(connection) { PQclear(extra) }
        }
        guard let raw = PQgetResult(connection) else {
            throw SQLFailure(.connection, "PostgreSQL connection lost: \(lastError)")
        }
        let sync = PostgresResult(raw)
        if failure == nil, sync.status != PGRES_PIPELINE_SYNC {
            failure = sync.failure(connectionBroken: PQstatus(connection) != CONNECTION_OK)
        }
        return failure
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

    /// Calls `body` with the parameters as C strings (NULL for SQL NULL), valid only during the call.
    private func withParameterPointers<T>(
        _ parameters: [SQLValue], _ body: (Int32, [UnsafePointer<CChar>?]) throws -> T
    ) throws -> T {
        var copies: [UnsafeMutablePointer<CChar>?] = []
        copies.reserveCapacity(parameters.count)
        defer { copies.forEach { free($0) } }
        for value in parameters {
            guard let text = Self.text(value) else {
                copies.append(nil)
                continue
            }
            guard let copy = strdup(text) else {
                throw SQLFailure(.contention, "out of memory binding a PostgreSQL parameter; retry")
            }
            copies.append(copy)
        }
        return try body(Int32(copies.count), copies.map { UnsafePointer($0) })
    }

    /// The text form PostgreSQL parses for each parameter (nil is SQL NULL).
    private static func text(_ value: SQLValue) -> String? {
        switch value {
        case .null: nil
        case .integer(let number): String(number)
        case .double(let number):
            number.isFinite ? String(number) : (number.isNaN ? "NaN" : (number > 0 ? "Infinity" : "-Infinity"))
        case .text(let text): text
        case .bool(let flag): flag ? "true" : "false"
        }
    }
}

extension String {
    fileprivate var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
