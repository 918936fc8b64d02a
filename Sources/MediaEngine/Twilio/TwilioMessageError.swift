/// Why an inbound Twilio Media Streams message was refused. Each case names the field at fault, so
/// the stream handler can log it and decide to ignore the message or close the stream with a reason.
public enum TwilioMessageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text frame is larger than the decoder's limit (a Twilio message is well under 1 KiB).
    case tooLarge(byteCount: Int, limit: Int)
    /// Not JSON, or not a JSON object.
    case malformedJSON(detail: String)
    /// A required field is absent, e.g. `start.callSid`.
    case missingField(String)
    /// A field has the wrong JSON type, e.g. `start.mediaFormat.sampleRate` given as a string.
    case wrongType(field: String, expected: String)
    /// A numeric string field (`sequenceNumber`, `media.chunk`, `media.timestamp`) is not a non-negative integer.
    case invalidNumber(field: String, value: String)
    /// A field has a value outside its allowed set, e.g. `media.track` = "sideways".
    case invalidValue(field: String, value: String, expected: String)
    /// `start.mediaFormat` is not μ-law, 8000 Hz, mono; the engine cannot carry this stream.
    case unsupportedMediaFormat(TwilioMediaFormat)

    public var description: String {
        switch self {
        case .tooLarge(let byteCount, let limit):
            "Twilio message of \(byteCount) bytes exceeds the \(limit)-byte limit; dropping it"
        case .malformedJSON(let detail):
            "Twilio message is not a JSON object: \(detail)"
        case .missingField(let field):
            "Twilio message lacks the required field '\(field)'"
        case .wrongType(let field, let expected):
            "Twilio message field '\(field)' should be \(expected)"
        case .invalidNumber(let field, let value):
            "Twilio message field '\(field)' should be a decimal integer string, got '\(value)'"
        case .invalidValue(let field, let value, let expected):
            "Twilio message field '\(field)' is '\(value)', expected \(expected)"
        case .unsupportedMediaFormat(let format):
            "Twilio stream format \(format.encoding) \(format.sampleRate) Hz \(format.channels) ch is not supported; "
                + "only audio/x-mulaw 8000 Hz mono is"
        }
    }
}
