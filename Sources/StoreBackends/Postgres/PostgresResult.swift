import CPostgres

/// Owns one `PGresult` (freed with `PQclear` in `deinit`) and reads it into ``SQLRow``s.
final class PostgresResult {
    private let result: OpaquePointer

    init(_ result: OpaquePointer) { self.result = result }

    deinit { PQclear(result) }

    var status: ExecStatusType { PQresultStatus(result) }

    var succeeded: Bool { status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK }

    /// Rows changed by an INSERT, UPDATE or DELETE (0 for other statements).
    var affectedRows: Int { PQcmdTuples(result).flatMap { Int(String(cString: $0)) } ?? 0 }

    /// The rows, converted by column type: booleans, integers and floats become typed values; every
    /// other type is read as text (the store asks for text results).
    func rows() -> [SQLRow] {
        let rowCount = PQntuples(result)
        let columnCount = PQnfields(result)
        let types = (0..<columnCount).map { PQftype(result, $0) }
        var rows: [SQLRow] = []
        rows.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            var values: [SQLValue] = []
            values.reserveCapacity(Int(columnCount))
            for column in 0..<columnCount {
                guard PQgetisnull(result, row, column) == 0, let raw = PQgetvalue(result, row, column) else {
                    values.append(.null)
                    continue
                }
                values.append(Self.value(String(cString: raw), type: types[Int(column)]))
            }
            rows.append(SQLRow(values: values))
        }
        return rows
    }

    /// The server's error as a ``SQLFailure``, sorted by SQLSTATE.
    func failure(connectionBroken: Bool) -> SQLFailure {
        let message = PQresultErrorMessage(result).map { String(cString: $0) } ?? "unknown error"
        let state = field(UInt8(ascii: "C")) ?? ""
        let constraint = field(UInt8(ascii: "n"))
        return SQLFailure(
            Self.kind(sqlState: state, connectionBroken: connectionBroken),
            message.trimmingCharacters(in: .whitespacesAndNewlines), constraint: constraint)
    }

    private func field(_ code: UInt8) -> String? {
        PQresultErrorField(result, Int32(code)).map { String(cString: $0) }
    }

    static func kind(sqlState: String, connectionBroken: Bool) -> SQLFailure.Kind {
        // 08 connection exception, 53 insufficient resources (disk full, too many clients), 57 operator
        // intervention (shutdown, crash recovery, statement cancelled), 58 system error (I/O): transient.
        if connectionBroken || ["08", "53", "57", "58"].contains(where: sqlState.hasPrefix) { return .connection }
        switch sqlState {
        case "40001", "40P01", "55P03": return .contention  // serialization, deadlock, lock not available
        case "23505": return .uniqueViolation
        case "23503": return .foreignKeyViolation
        case "23P01": return .exclusionViolation
        case "23514": return .checkViolation
        case "23502": return .notNullViolation
        case "P0001": return .raised
        default: return .other
        }
    }

    // Type OIDs from pg_type.h: bool 16, int8 20, int2 21, int4 23, oid 26, float4 700, float8 701.
    private static func value(_ text: String, type: UInt32) -> SQLValue {
        switch type {
        case 16: .bool(text == "t")
        case 20, 21, 23, 26: Int64(text).map(SQLValue.integer) ?? .text(text)
        case 700, 701: Double(text).map(SQLValue.double) ?? .text(text)
        default: .text(text)
        }
    }
}
