/// A free-form configuration value: the `settings` of a plugin in `plugins.yaml`, kept as a typed tree
/// for each plugin to interpret (and validate) later.
///
/// Plain YAML scalars are typed by JSON's rules, not YAML 1.1's: `true`/`false`, `null`/`~`/empty,
/// JSON-style integers and decimals; everything else (including `yes`, `no`, `+97235550100` and `0123`)
/// stays a string. Quoted scalars are always strings.
public enum ConfigValue: Sendable, Hashable, Encodable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([ConfigValue])
    case map([String: ConfigValue])

    /// The value at `key` if this is a map.
    public subscript(key: String) -> ConfigValue? {
        if case .map(let entries) = self { return entries[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var intValue: Int? {
        if case .int(let value) = self { return value }
        return nil
    }

    /// Integers widen to `Double` (so `timeout: 5` reads as 5.0).
    public var doubleValue: Double? {
        switch self {
        case .double(let value): value
        case .int(let value): Double(value)
        default: nil
        }
    }

    public var listValue: [ConfigValue]? {
        if case .list(let value) = self { return value }
        return nil
    }

    public var mapValue: [String: ConfigValue]? {
        if case .map(let value) = self { return value }
        return nil
    }

    /// A YAML-ish one-line rendering, for logs and error messages.
    public var description: String {
        switch self {
        case .null: "null"
        case .bool(let value): String(value)
        case .int(let value): String(value)
        case .double(let value): String(value)
        case .string(let value): "'\(value)'"
        case .list(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .map(let entries):
            "{" + entries.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .bool(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .int(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .double(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .string(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .list(let values):
            var container = encoder.singleValueContainer()
            try container.encode(values)
        case .map(let entries):
            var container = encoder.singleValueContainer()
            try container.encode(entries)
        }
    }

    /// Types a plain (unquoted) YAML scalar by JSON's rules.
    static func typedPlainScalar(_ text: String) -> ConfigValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        guard isJSONNumber(text) else { return .string(text) }
        if let integer = Int(text) { return .int(integer) }
        if let decimal = Double(text), decimal.isFinite { return .double(decimal) }
        return .string(text)
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    private static func isJSONNumber(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        func digits() -> Int {
            let count = bytes.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
            bytes = bytes.dropFirst(count)
            return count
        }
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        let leadingZero = bytes.first == UInt8(ascii: "0")
        let integerDigits = digits()
        guard integerDigits > 0, !(leadingZero && integerDigits > 1) else { return false }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            guard digits() > 0 else { return false }
        }
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return bytes.isEmpty
    }
}
