/// Why a Realtime event could not be decoded. Unknown event types and unknown keys are never errors
/// (server events map an unknown type to `.unknown(type:)`); only broken JSON and known events that lack a
/// required field, or carry a field of the wrong kind, are.
///
/// What to do: log it with the raw frame and drop the frame; the session stays usable.
public enum RealtimeEventDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The frame is not JSON, or not a JSON object.
    case malformedJSON(reason: String)
    /// A field the event cannot do without is absent or null. `field` is a dotted path ("response.id").
    case missingField(eventType: String?, field: String)
    /// A field is present but has the wrong JSON kind or an impossible value.
    case invalidField(eventType: String?, field: String, reason: String)
    /// A client event type this engine does not model (only client-event decoding, used by the simulator,
    /// reports this; server events never do).
    case unsupportedClientEvent(type: String, eventID: String?)

    public var description: String {
        switch self {
        case .malformedJSON(let reason):
            return "malformed Realtime event JSON: \(reason)"
        case .missingField(let type, let field):
            return "Realtime event \(type ?? "<no type>") is missing required field '\(field)'"
        case .invalidField(let type, let field, let reason):
            return "Realtime event \(type ?? "<no type>") has an invalid '\(field)': \(reason)"
        case .unsupportedClientEvent(let type, _):
            return "unsupported Realtime client event type '\(type)'"
        }
    }
}

/// Why a Realtime event could not be encoded: a value JSON cannot carry (NaN or infinite numbers).
/// What to do: fix the configuration value named in the message.
public enum RealtimeEventEncodingError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidValue(String)

    public var description: String {
        switch self {
        case .invalidValue(let reason): return "cannot encode Realtime event: \(reason)"
        }
    }
}
