/// A member name of a Realtime event object on the wire. The event enums decode and encode through one
/// keyed container of these, so an event is parsed in a single pass and its `type` picks which fields to
/// read; unknown members are simply never asked for.
struct WireKey: CodingKey, Hashable, ExpressibleByStringLiteral {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ name: String) { stringValue = name }
    init(stringLiteral name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

typealias WireDecoding = KeyedDecodingContainer<WireKey>
typealias WireEncoding = KeyedEncodingContainer<WireKey>

extension KeyedDecodingContainer where Key == WireKey {
    /// A required member: absent or null throws `DecodingError` (mapped to `.missingField` by the caller).
    func required<T: Decodable>(_ key: WireKey, as type: T.Type = T.self) throws -> T {
        try withKeyPath(key) { try decode(type, forKey: key) }
    }

    /// An optional member: absent and null both read as nil.
    func optional<T: Decodable>(_ key: WireKey, as type: T.Type = T.self) throws -> T? {
        try withKeyPath(key) { try decodeIfPresent(type, forKey: key) }
    }

    /// Foundation throws an internal, non-`DecodingError` error for a number that does not fit the requested
    /// type (1840.5 as `Int`), which its decoder later reports as "not valid JSON" with no coding path.
    /// The document was already parsed, so re-throw it as a `DecodingError` naming the member.
    private func withKeyPath<T>(_ key: WireKey, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DecodingError {
            throw error
        } catch let error as RealtimeEventDecodingError {
            throw error
        } catch {
            throw DecodingError.dataCorrupted(.init(
                codingPath: codingPath + [key],
                debugDescription: "value does not fit the expected type (\(error))", underlyingError: error))
        }
    }
}

extension KeyedEncodingContainer where Key == WireKey {
    /// Writes `value` unless it is nil (absent, not `null`, on the wire).
    mutating func optional<T: Encodable>(_ value: T?, _ key: WireKey) throws {
        try encodeIfPresent(value, forKey: key)
    }
}
