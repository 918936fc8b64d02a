import Foundation

/// Decodes inbound Twilio Media Streams text frames into `TwilioMessage`s.
///
/// `media` messages (about 50 per second per call) and `mark` echoes go through a byte scanner
/// (`TwilioMessageScanner`) that returns a media payload's base64 text as a range of the input. Anything
/// the scanner does not handle in place (other events, JSON escapes inside strings, malformed input)
/// goes to `JSONDecoder`, which is also the source of every error, so both paths agree on what is valid.
public struct TwilioMessageDecoder: Sendable {
    /// 64 KiB: a real Twilio message is under 1 KiB; anything near this is hostile or broken.
    public static let defaultMaxMessageBytes = 64 * 1024

    /// Larger messages are refused with `TwilioMessageError.tooLarge` before any parsing.
    public let maxMessageBytes: Int

    public init(maxMessageBytes: Int = TwilioMessageDecoder.defaultMaxMessageBytes) {
        self.maxMessageBytes = maxMessageBytes
    }

    /// Decodes one text frame. For `.media`, text fields may be `.slice` ranges of `message`: read them
    /// before the frame's storage is reused.
    public func decode(_ message: UnsafeRawBufferPointer) throws(TwilioMessageError) -> TwilioMessage {
        guard message.count <= maxMessageBytes else {
            throw .tooLarge(byteCount: message.count, limit: maxMessageBytes)
        }
        if let message = TwilioMessageScanner.scan(message) { return message }
        return try decodeWithJSONDecoder(message)
    }

    /// Convenience for tests and non-hot paths.
    public func decode(_ message: [UInt8]) throws(TwilioMessageError) -> TwilioMessage {
        try message.withUnsafeBytes { bytes in
            Result { () throws(TwilioMessageError) in try decode(bytes) }
        }.get()
    }

    /// The general path alone (no media fast path): every field is `.owned`. Used as the fallback and
    /// as the reference the fast path is tested against.
    public func decodeWithJSONDecoder(_ message: UnsafeRawBufferPointer) throws(TwilioMessageError) -> TwilioMessage {
        guard message.count <= maxMessageBytes else {
            throw .tooLarge(byteCount: message.count, limit: maxMessageBytes)
        }
        let data = Data(message)
        let envelope = try Self.decodeWire(TwilioWire.Envelope.self, from: data)
        guard let event = envelope.event else { throw .missingField("event") }
        switch event {
        case "connected":
            let wire = try Self.decodeWire(TwilioWire.Connected.self, from: data)
            return .connected(.init(protocol: wire.protocol, version: wire.version))
        case "start":
            return .start(try Self.start(Self.decodeWire(TwilioWire.Start.self, from: data)))
        case "media":
            return .media(try Self.media(Self.decodeWire(TwilioWire.Media.self, from: data)))
        case "dtmf":
            return .dtmf(try Self.dtmf(Self.decodeWire(TwilioWire.DTMF.self, from: data)))
        case "mark":
            let wire = try Self.decodeWire(TwilioWire.Mark.self, from: data)
            return .mark(.init(
                sequenceNumber: try Self.number(wire.sequenceNumber, "sequenceNumber"),
                streamSid: try Self.require(wire.streamSid, "streamSid"),
                name: try Self.require(Self.require(wire.mark, "mark").name, "mark.name")))
        case "stop":
            let wire = try Self.decodeWire(TwilioWire.Stop.self, from: data)
            let body = try Self.require(wire.stop, "stop")
            return .stop(.init(
                sequenceNumber: try Self.number(wire.sequenceNumber, "sequenceNumber"),
                streamSid: try Self.require(wire.streamSid, "streamSid"),
                accountSid: try Self.require(body.accountSid, "stop.accountSid"),
                callSid: try Self.require(body.callSid, "stop.callSid")))
        default:
            return .unknown(event: event)
        }
    }

    // MARK: - Event builders

    private static func start(_ wire: TwilioWire.Start) throws(TwilioMessageError) -> TwilioMessage.Start {
        let body = try require(wire.start, "start")
        let wireFormat = try require(body.mediaFormat, "start.mediaFormat")
        let format = TwilioMediaFormat(
            encoding: try require(wireFormat.encoding, "start.mediaFormat.encoding"),
            sampleRate: try require(wireFormat.sampleRate, "start.mediaFormat.sampleRate"),
            channels: try require(wireFormat.channels, "start.mediaFormat.channels"))
        guard format == .muLaw8kMono else { throw .unsupportedMediaFormat(format) }
        guard let streamSid = body.streamSid ?? wire.streamSid else { throw .missingField("start.streamSid") }
        return .init(
            sequenceNumber: try number(wire.sequenceNumber, "sequenceNumber"),
            streamSid: streamSid,
            accountSid: try require(body.accountSid, "start.accountSid"),
            callSid: try require(body.callSid, "start.callSid"),
            tracks: body.tracks ?? [],
            customParameters: body.customParameters ?? [:],
            mediaFormat: format)
    }

    private static func media(_ wire: TwilioWire.Media) throws(TwilioMessageError) -> TwilioMediaFrame {
        let body = try require(wire.media, "media")
        let trackName = try require(body.track, "media.track")
        let track: TwilioMediaFrame.Track
        switch trackName {
        case "inbound": track = .inbound
        case "outbound": track = .outbound
        default: throw .invalidValue(field: "media.track", value: trackName, expected: "'inbound' or 'outbound'")
        }
        return .init(
            sequenceNumber: try number(wire.sequenceNumber, "sequenceNumber"),
            streamSid: .owned(try require(wire.streamSid, "streamSid")),
            track: track,
            chunk: try number(body.chunk, "media.chunk"),
            timestampMs: try number(body.timestamp, "media.timestamp"),
            payload: .owned(try require(body.payload, "media.payload")))
    }

    private static func dtmf(_ wire: TwilioWire.DTMF) throws(TwilioMessageError) -> TwilioMessage.DTMF {
        let body = try require(wire.dtmf, "dtmf")
        let digitText = try require(body.digit, "dtmf.digit")
        guard digitText.count == 1, let digit = digitText.first, "0123456789*#ABCD".contains(digit) else {
            throw .invalidValue(field: "dtmf.digit", value: digitText, expected: "one of 0-9, *, #, A-D")
        }
        return .init(
            sequenceNumber: try number(wire.sequenceNumber, "sequenceNumber"),
            streamSid: try require(wire.streamSid, "streamSid"),
            track: try require(body.track, "dtmf.track"),
            digit: digit)
    }

    // MARK: - Field helpers

    private static func require<T>(_ value: T?, _ field: String) throws(TwilioMessageError) -> T {
        guard let value else { throw .missingField(field) }
        return value
    }

    private static func number(_ text: String?, _ field: String) throws(TwilioMessageError) -> Int {
        let text = try require(text, field)
        guard let value = TwilioMessageScanner.decimal(text.utf8) else {
            throw .invalidNumber(field: field, value: text)
        }
        return value
    }

    private static func decodeWire<T: Decodable>(_ type: T.Type, from data: Data) throws(TwilioMessageError) -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw mapDecodingError(error)
        } catch {
            throw .malformedJSON(detail: "\(error)")
        }
    }

    private static func mapDecodingError(_ error: DecodingError) -> TwilioMessageError {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
                .joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .typeMismatch(_, let context) where context.codingPath.isEmpty:
            return .malformedJSON(detail: "the top level is not an object")
        case .typeMismatch(let type, let context):
            return .wrongType(field: path(context.codingPath), expected: jsonTypeName(type))
        case .valueNotFound(let type, let context):
            return .wrongType(field: path(context.codingPath), expected: jsonTypeName(type))
        case .keyNotFound(let key, let context):
            return .missingField(path(context.codingPath + [key]))
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return .malformedJSON(detail: context.debugDescription) }
            return .wrongType(field: path(context.codingPath), expected: "a value of the documented type")
        @unknown default:
            return .malformedJSON(detail: "\(error)")
        }
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        if type == String.self { return "a string" }
        if type == Int.self { return "an integer" }
        if type is [String].Type { return "an array of strings" }
        if type is [String: String].Type { return "an object of strings" }
        return "an object"
    }
}
