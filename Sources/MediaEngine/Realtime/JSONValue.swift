import Foundation

/// Any JSON value: used where the Realtime protocol carries free-form JSON (tool parameter schemas,
/// function-call arguments once parsed, the server's effective session object, metadata).
///
/// JSON has one number type, and so does this enum: `1`, `1.0` and `1e0` are all `.number(1)`.
/// Encoding a whole `.number` writes it without a fraction (`300`, not `300.0`).
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

extension JSONValue {
    /// Parses JSON text (UTF-8). Throws `.malformedJSON` with the parser's reason.
    public init(parsing bytes: [UInt8]) throws(RealtimeEventDecodingError) {
        self = try RealtimeJSON.decode(JSONValue.self, from: Data(bytes))
    }

    /// Parses JSON text. Throws `.malformedJSON` with the parser's reason.
    public init(parsing text: String) throws(RealtimeEventDecodingError) {
        try self.init(parsing: Array(text.utf8))
    }

    /// Converts any encodable value to its JSON tree (for example a `RealtimeSessionConfig`, to send
    /// back as the effective session in `session.updated`).
    public init(encoding value: some Encodable) throws(RealtimeEventEncodingError) {
        let bytes = try RealtimeJSON.encode(value)
        do {
            self = try JSONValue(parsing: bytes)
        } catch {
            throw .invalidValue("re-parsing the encoded value failed: \(error)")
        }
    }

    /// Compact JSON text with sorted keys and unescaped slashes.
    public func jsonText() throws(RealtimeEventEncodingError) -> String {
        String(decoding: try RealtimeJSON.encode(self), as: UTF8.self)
    }

    /// The member `key` of an object, or nil for a missing key or a non-object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The element at `index` of an array, or nil when out of range or not an array.
    public subscript(index: Int) -> JSONValue? {
        if case .array(let elements) = self, elements.indices.contains(index) { return elements[index] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var doubleValue: Double? {
        if case .number(let d) = self { return d }
        return nil
    }

    /// The number as an `Int` when it is whole and in range; nil otherwise.
    public var intValue: Int? {
        guard case .number(let d) = self, d.rounded() == d, let i = Int(exactly: d) else { return nil }
        return i
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var isNull: Bool { self == .null }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let d = try? container.decode(Double.self) {
            self = .number(d)
        } else if let s = try? container.decode(String.self) {
            self = .string(s)
        } else if let a = try? container.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let b): try container.encode(b)
        case .number(let d):
            // Whole numbers go out as integers so that ids, counts and milliseconds look like integers.
            if d.rounded() == d, let i = Int(exactly: d) { try container.encode(i) } else { try container.encode(d) }
        case .string(let s): try container.encode(s)
        case .array(let a): try container.encode(a)
        case .object(let o): try container.encode(o)
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
