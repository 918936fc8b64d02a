/// One inbound `media` message: `{"event":"media","sequenceNumber":"2","streamSid":"MZ…",
/// "media":{"track":"inbound","chunk":"1","timestamp":"20","payload":"<base64 μ-law>"}}`.
///
/// On the hot path (`TwilioMessageDecoder`'s byte scanner) the `streamSid` and `payload` are byte ranges
/// of the message that was decoded, so producing a frame allocates nothing; read them with
/// `TwilioMessageText.withUTF8(in:_:)` while that message's bytes are still alive, and hand the payload's
/// base64 text to the project's `Base64` decoder.
public struct TwilioMediaFrame: Sendable, Equatable {
    /// `media.track`: `inbound` (caller audio) or `outbound`. A bidirectional stream sends only `inbound`.
    public enum Track: Sendable, Equatable {
        case inbound
        case outbound
    }

    /// Twilio's per-stream message counter (from the JSON string field).
    public var sequenceNumber: Int
    public var streamSid: TwilioMessageText
    public var track: Track
    /// Per-track media message counter, starting at 1.
    public var chunk: Int
    /// Presentation time of the first sample, in ms since the stream started.
    public var timestampMs: Int
    /// The base64 text of the raw μ-law/8000 bytes (not yet decoded).
    public var payload: TwilioMessageText

    public init(
        sequenceNumber: Int, streamSid: TwilioMessageText, track: Track, chunk: Int, timestampMs: Int,
        payload: TwilioMessageText
    ) {
        self.sequenceNumber = sequenceNumber
        self.streamSid = streamSid
        self.track = track
        self.chunk = chunk
        self.timestampMs = timestampMs
        self.payload = payload
    }
}

/// A string field of a decoded Twilio message: either a byte range of the message itself (the
/// allocation-free fast path; the text needed no JSON unescaping) or an owned string (the general path).
public enum TwilioMessageText: Sendable, Equatable {
    /// The field's UTF-8 text is exactly `message[range]` (byte offsets into the decoded message).
    case slice(Range<Int>)
    /// The field's text, unescaped by `JSONDecoder`.
    case owned(String)

    /// Calls `body` with the field's UTF-8 bytes. `message` must be the bytes this field was decoded from.
    /// Does not allocate for `.slice`, nor for `.owned` strings that are stored natively as UTF-8.
    public func withUTF8<R>(
        in message: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> R
    ) rethrows -> R {
        switch self {
        case .slice(let range):
            precondition(range.upperBound <= message.count, "TwilioMessageText: range outside the message")
            return try body(UnsafeRawBufferPointer(rebasing: message[range]))
        case .owned(let string):
            var text = string
            return try text.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
        }
    }

    /// The field as a `String` (allocates; for logs, tests and non-hot paths).
    public func string(in message: UnsafeRawBufferPointer) -> String {
        withUTF8(in: message) { String(decoding: $0, as: UTF8.self) }
    }

    /// The field as a `String` (allocates; for logs, tests and non-hot paths).
    public func string(in message: [UInt8]) -> String {
        message.withUnsafeBytes { string(in: $0) }
    }

    /// Whether the field's text equals `expected`, byte for byte, without allocating.
    public func equals(_ expected: String, in message: UnsafeRawBufferPointer) -> Bool {
        withUTF8(in: message) { bytes in
            var utf8 = expected.utf8.makeIterator()
            for byte in bytes {
                guard let next = utf8.next(), next == byte else { return false }
            }
            return utf8.next() == nil
        }
    }
}
