import Foundation

/// The one place the Realtime event types meet Foundation's JSON coders (the slow, general path; the hot
/// audio events have byte-level fast paths in `InputAudioAppendFrame` and `OutputAudioDeltaFrame`).
///
/// Output is compact, with sorted keys (deterministic logs and fixtures) and unescaped `/` (base64 audio
/// is full of slashes; escaping them bloats frames and trips naive readers).
enum RealtimeJSON {
    private static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()
    private static let decoder = JSONDecoder()

    static func encode(_ value: some Encodable) throws(RealtimeEventEncodingError) -> [UInt8] {
        do {
            return Array(try encoder.encode(value))
        } catch let error as EncodingError {
            switch error {
            case .invalidValue(let value, let context):
                throw .invalidValue("\(value) at '\(path(context.codingPath))': \(context.debugDescription)")
            @unknown default:
                throw .invalidValue("\(error)")
            }
        } catch {
            throw .invalidValue("\(error)")
        }
    }

    /// Decodes `type` and maps every failure to a `RealtimeEventDecodingError`. Event types throw their own
    /// typed errors from `init(from:)` (they know the event type); those pass through unchanged.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws(RealtimeEventDecodingError) -> T {
        do {
            return try decoder.decode(type, from: data)
        } catch let error as RealtimeEventDecodingError {
            throw error
        } catch let error as DecodingError {
            throw map(error, eventType: nil)
        } catch {
            throw .malformedJSON(reason: "\(error)")
        }
    }

    /// Translates Foundation's `DecodingError` into our typed error for an event of `eventType`. With an
    /// `eventType` the JSON itself was valid (it parsed up to the event's `type`), so a failure without a
    /// coding path is still a field problem, not malformed JSON.
    static func map(_ error: DecodingError, eventType: String?) -> RealtimeEventDecodingError {
        if let eventType {
            switch error {
            case .typeMismatch(_, let context) where context.codingPath.isEmpty,
                 .dataCorrupted(let context) where context.codingPath.isEmpty:
                return .invalidField(eventType: eventType, field: "<unknown>", reason: context.debugDescription)
            default:
                break
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            return .missingField(eventType: eventType, field: path(context.codingPath + [key]))
        case .valueNotFound(_, let context):
            return .missingField(eventType: eventType, field: path(context.codingPath))
        case .typeMismatch(let expected, let context):
            if context.codingPath.isEmpty {
                return .malformedJSON(reason: "expected a JSON object: \(context.debugDescription)")
            }
            return .invalidField(eventType: eventType, field: path(context.codingPath),
                                 reason: "expected \(expected): \(context.debugDescription)")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                let underlying = context.underlyingError.map { " (\($0))" } ?? ""
                return .malformedJSON(reason: context.debugDescription + underlying)
            }
            return .invalidField(eventType: eventType, field: path(context.codingPath),
                                 reason: context.debugDescription)
        @unknown default:
            return .malformedJSON(reason: "\(error)")
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
