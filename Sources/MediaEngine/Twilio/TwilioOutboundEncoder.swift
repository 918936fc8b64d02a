/// Builds outbound Twilio Media Streams messages (engine -> Twilio) as JSON bytes, by hand.
///
/// One encoder per stream: the escaped JSON around the stream's `streamSid` is built once, so encoding a
/// `media` message is three appends into the caller's reusable buffer, with no allocation once that
/// buffer has grown to fit (reserve ~300 bytes plus the largest payload). Hand-building also keeps `/`
/// unescaped (`JSONEncoder` writes `\/`). Shapes: protocols.md A.5.
public struct TwilioOutboundEncoder: Sendable {
    /// The stream every message is addressed to (from `start`).
    public let streamSid: String

    private let mediaPrefix: [UInt8]   // {"event":"media","streamSid":"…","media":{"payload":"
    private let markPrefix: [UInt8]    // {"event":"mark","streamSid":"…","mark":{"name":"
    private let clearMessage: [UInt8]  // {"event":"clear","streamSid":"…"}
    private static let objectsSuffix: [UInt8] = Array("\"}}".utf8)

    public init(streamSid: String) {
        self.streamSid = streamSid
        var sid: [UInt8] = []
        JSONText.appendEscaped(streamSid.utf8, to: &sid)
        mediaPrefix = Array(#"{"event":"media","streamSid":""#.utf8) + sid + Array(#"","media":{"payload":""#.utf8)
        markPrefix = Array(#"{"event":"mark","streamSid":""#.utf8) + sid + Array(#"","mark":{"name":""#.utf8)
        clearMessage = Array(#"{"event":"clear","streamSid":""#.utf8) + sid + Array(#""}"#.utf8)
    }

    /// Replaces `output`'s contents with a `media` message carrying `payloadBase64`, the base64 text of
    /// raw μ-law/8000 bytes (no file header). The text is copied as is (escaped only if it is not base64).
    public func media(payloadBase64: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        output.removeAll(keepingCapacity: true)
        output.append(contentsOf: mediaPrefix)
        JSONText.appendEscaped(payloadBase64, to: &output)
        output.append(contentsOf: Self.objectsSuffix)
    }

    /// Convenience for tests and non-hot paths.
    public func media(payloadBase64: String, into output: inout [UInt8]) {
        output.removeAll(keepingCapacity: true)
        output.append(contentsOf: mediaPrefix)
        JSONText.appendEscaped(payloadBase64.utf8, to: &output)
        output.append(contentsOf: Self.objectsSuffix)
    }

    /// Replaces `output`'s contents with a `mark` message; Twilio echoes `name` back when playback
    /// reaches this point (or `clear` flushes it).
    public func mark(name: String, into output: inout [UInt8]) {
        output.removeAll(keepingCapacity: true)
        output.append(contentsOf: markPrefix)
        JSONText.appendEscaped(name.utf8, to: &output)
        output.append(contentsOf: Self.objectsSuffix)
    }

    /// Replaces `output`'s contents with a `clear` message: Twilio drops all unplayed audio at once.
    public func clear(into output: inout [UInt8]) {
        output.removeAll(keepingCapacity: true)
        output.append(contentsOf: clearMessage)
    }
}
