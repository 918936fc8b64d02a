import Foundation

/// A value bound to a statement parameter or read from a result column, in the few types the store's
/// schema uses. Times are `integer` milliseconds since the Unix epoch (UTC) in both backends.
enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case double(Double)
    case text(String)
    /// PostgreSQL `boolean`; SQLite stores it as the integer 0 or 1.
    case bool(Bool)

    init(_ value: String?) { self = value.map { .text($0) } ?? .null }
    init(_ value: Int) { self = .integer(Int64(value)) }
    init(_ value: Int?) { self = value.map { .integer(Int64($0)) } ?? .null }
    init(_ value: Int64?) { self = value.map { .integer($0) } ?? .null }
    init(_ value: Bool) { self = .bool(value) }
    init(_ value: Date?) { self = value.map { .integer(Self.milliseconds($0)) } ?? .null }
    init(_ value: UUID) { self = .text(value.uuidString.lowercased()) }

    /// Milliseconds since the Unix epoch, rounded to the nearest.
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
}

/// One result row, read by column position (the store's statements name their columns explicitly,
/// so positions are fixed by the statement text next to the decoder).
struct SQLRow: Sendable {
    let values: [SQLValue]

    func text(_ column: Int) throws -> String {
        guard let value = try optionalText(column) else { throw SQLFailure.decoding(column, "unexpected NULL") }
        return value
    }

    func optionalText(_ column: Int) throws -> String? {
        switch try value(column) {
        case .null: nil
        case .text(let text): text
        case .integer(let number): String(number)
        case let other: throw SQLFailure.decoding(column, "expected text, found \(other)")
        }
    }

    func int64(_ column: Int) throws -> Int64 {
        guard let value = try optionalInt64(column) else { throw SQLFailure.decoding(column, "unexpected NULL") }
        return value
    }

    func optionalInt64(_ column: Int) throws -> Int64? {
        switch try value(column) {
        case .null: nil
        case .integer(let number): number
        case .double(let number) where number.rounded() == number: Int64(number)
        case .text(let text) where Int64(text) != nil: Int64(text)
        case let other: throw SQLFailure.decoding(column, "expected an integer, found \(other)")
        }
    }

    func int(_ column: Int) throws -> Int { Int(try int64(column)) }
    func optionalInt(_ column: Int) throws -> Int? { try optionalInt64(column).map { Int($0) } }

    func bool(_ column: Int) throws -> Bool {
        switch try value(column) {
        case .bool(let flag): flag
        case .integer(let number): number != 0
        case let other: throw SQLFailure.decoding(column, "expected a boolean, found \(other)")
        }
    }

    func date(_ column: Int) throws -> Date { Self.date(milliseconds: try int64(column)) }
    func optionalDate(_ column: Int) throws -> Date? { try optionalInt64(column).map(Self.date(milliseconds:)) }

    func uuid(_ column: Int) throws -> UUID {
        let text = try text(column)
        guard let id = UUID(uuidString: text) else { throw SQLFailure.decoding(column, "not a UUID: \(text)") }
        return id
    }

    private func value(_ column: Int) throws -> SQLValue {
        guard values.indices.contains(column) else { throw SQLFailure.decoding(column, "no such column") }
        return values[column]
    }

    private static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000)
    }
}
