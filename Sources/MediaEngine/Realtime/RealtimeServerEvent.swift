import Foundation

/// An event the model sends to the engine (OpenAI Realtime GA, protocols.md B.4).
///
/// Decoding is tolerant, like the SDK's models: unknown members are ignored and an unknown `type` becomes
/// `.unknown(type:)` (new event kinds appear between API versions). Decoding throws only for text that is
/// not a JSON object, or for a known event lacking a field it needs (`RealtimeEventDecodingError`).
/// `event_id`, which the server always sends, is kept but not required.
///
/// The hot `response.output_audio.delta` has a byte-level fast path: try `OutputAudioDeltaFrame.scan`
/// first and decode with `RealtimeServerEvent.decode` only when it returns nil.
///
/// Encodable too (GA JSON), for the local simulator that sends these events.
public enum RealtimeServerEvent: Sendable, Hashable {
    case sessionCreated(Session)
    case sessionUpdated(Session)
    case inputAudioSpeechStarted(SpeechStarted)
    case inputAudioSpeechStopped(SpeechStopped)
    case inputAudioCommitted(InputAudioCommitted)
    case inputAudioCleared(eventID: String?)
    case inputAudioTimeoutTriggered(InputAudioTimeout)
    case conversationItemAdded(ConversationItemEvent)
    /// The beta name, still in the GA SDK's union: handle it like `.conversationItemAdded`.
    case conversationItemCreated(ConversationItemEvent)
    case conversationItemDone(ConversationItemEvent)
    case conversationItemTruncated(ItemTruncated)
    case conversationItemDeleted(ItemDeleted)
    case inputTranscriptionDelta(InputTranscriptionDelta)
    case inputTranscriptionCompleted(InputTranscriptionCompleted)
    case inputTranscriptionFailed(InputTranscriptionFailed)
    case responseCreated(ResponseEvent)
    case responseDone(ResponseEvent)
    case responseOutputItemAdded(OutputItemEvent)
    case responseOutputItemDone(OutputItemEvent)
    case responseContentPartAdded(ContentPartEvent)
    case responseContentPartDone(ContentPartEvent)
    case responseOutputAudioDelta(OutputAudioDelta)
    case responseOutputAudioDone(OutputAudioDone)
    case responseOutputAudioTranscriptDelta(OutputTextDelta)
    case responseOutputAudioTranscriptDone(OutputTextDone)
    case responseOutputTextDelta(OutputTextDelta)
    case responseOutputTextDone(OutputTextDone)
    case responseFunctionCallArgumentsDelta(FunctionCallArgumentsDelta)
    case responseFunctionCallArgumentsDone(FunctionCallArgumentsDone)
    case rateLimitsUpdated(RateLimitsUpdated)
    case error(ErrorEvent)
    /// Any other type (MCP events, WebRTC-only events, future additions). Log and ignore.
    case unknown(type: String)

    /// Decodes one server event from a WebSocket text frame's UTF-8 bytes.
    public static func decode(_ bytes: [UInt8]) throws(RealtimeEventDecodingError) -> RealtimeServerEvent {
        try RealtimeJSON.decode(RealtimeServerEvent.self, from: Data(bytes))
    }

    /// Decodes one server event from UTF-8 bytes the caller owns (copied once into the JSON decoder).
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(RealtimeEventDecodingError) -> RealtimeServerEvent {
        try RealtimeJSON.decode(RealtimeServerEvent.self, from: Data(bytes))
    }

    /// Decodes one server event from a text frame.
    public static func decode(_ text: String) throws(RealtimeEventDecodingError) -> RealtimeServerEvent {
        try decode(Array(text.utf8))
    }

    /// The event as compact GA JSON text (simulator side).
    public func jsonText() throws(RealtimeEventEncodingError) -> String {
        String(decoding: try RealtimeJSON.encode(self), as: UTF8.self)
    }

    /// The event as compact GA JSON, UTF-8 bytes.
    public func jsonBytes() throws(RealtimeEventEncodingError) -> [UInt8] {
        try RealtimeJSON.encode(self)
    }
}

/// A server event's payload: read from and written to the event's own keyed container, next to `type`.
protocol WirePayload {
    init(wire c: WireDecoding) throws
    func encode(wire c: inout WireEncoding) throws
}

extension RealtimeServerEvent: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        let type: String
        do {
            type = try c.required("type")
        } catch let error as DecodingError {
            throw RealtimeJSON.map(error, eventType: nil)
        }
        do {
            self = try Self.decodeBody(type: type, from: c)
        } catch let error as DecodingError {
            throw RealtimeJSON.map(error, eventType: type)
        }
    }

    private static func decodeBody(type: String, from c: WireDecoding) throws -> RealtimeServerEvent {
        switch type {
        case "session.created": return .sessionCreated(try .init(wire: c))
        case "session.updated": return .sessionUpdated(try .init(wire: c))
        case "input_audio_buffer.speech_started": return .inputAudioSpeechStarted(try .init(wire: c))
        case "input_audio_buffer.speech_stopped": return .inputAudioSpeechStopped(try .init(wire: c))
        case "input_audio_buffer.committed": return .inputAudioCommitted(try .init(wire: c))
        case "input_audio_buffer.cleared": return .inputAudioCleared(eventID: try c.optional("event_id"))
        case "input_audio_buffer.timeout_triggered": return .inputAudioTimeoutTriggered(try .init(wire: c))
        case "conversation.item.added": return .conversationItemAdded(try .init(wire: c))
        case "conversation.item.created": return .conversationItemCreated(try .init(wire: c))
        case "conversation.item.done": return .conversationItemDone(try .init(wire: c))
        case "conversation.item.truncated": return .conversationItemTruncated(try .init(wire: c))
        case "conversation.item.deleted": return .conversationItemDeleted(try .init(wire: c))
        case "conversation.item.input_audio_transcription.delta": return .inputTranscriptionDelta(try .init(wire: c))
        case "conversation.item.input_audio_transcription.completed": return .inputTranscriptionCompleted(try .init(wire: c))
        case "conversation.item.input_audio_transcription.failed": return .inputTranscriptionFailed(try .init(wire: c))
        case "response.created": return .responseCreated(try .init(wire: c))
        case "response.done": return .responseDone(try .init(wire: c))
        case "response.output_item.added": return .responseOutputItemAdded(try .init(wire: c))
        case "response.output_item.done": return .responseOutputItemDone(try .init(wire: c))
        case "response.content_part.added": return .responseContentPartAdded(try .init(wire: c))
        case "response.content_part.done": return .responseContentPartDone(try .init(wire: c))
        case "response.output_audio.delta": return .responseOutputAudioDelta(try .init(wire: c))
        case "response.output_audio.done": return .responseOutputAudioDone(try .init(wire: c))
        case "response.output_audio_transcript.delta": return .responseOutputAudioTranscriptDelta(try .init(wire: c))
        case "response.output_audio_transcript.done":
            return .responseOutputAudioTranscriptDone(try .init(wire: c, textKey: "transcript"))
        case "response.output_text.delta": return .responseOutputTextDelta(try .init(wire: c))
        case "response.output_text.done": return .responseOutputTextDone(try .init(wire: c, textKey: "text"))
        case "response.function_call_arguments.delta": return .responseFunctionCallArgumentsDelta(try .init(wire: c))
        case "response.function_call_arguments.done": return .responseFunctionCallArgumentsDone(try .init(wire: c))
        case "rate_limits.updated": return .rateLimitsUpdated(try .init(wire: c))
        case "error": return .error(try .init(wire: c))
        default: return .unknown(type: type)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: WireKey.self)
        try c.encode(type, forKey: "type")
        switch self {
        case .sessionCreated(let p), .sessionUpdated(let p): try p.encode(wire: &c)
        case .inputAudioSpeechStarted(let p): try p.encode(wire: &c)
        case .inputAudioSpeechStopped(let p): try p.encode(wire: &c)
        case .inputAudioCommitted(let p): try p.encode(wire: &c)
        case .inputAudioCleared(let eventID): try c.optional(eventID, "event_id")
        case .inputAudioTimeoutTriggered(let p): try p.encode(wire: &c)
        case .conversationItemAdded(let p), .conversationItemCreated(let p), .conversationItemDone(let p):
            try p.encode(wire: &c)
        case .conversationItemTruncated(let p): try p.encode(wire: &c)
        case .conversationItemDeleted(let p): try p.encode(wire: &c)
        case .inputTranscriptionDelta(let p): try p.encode(wire: &c)
        case .inputTranscriptionCompleted(let p): try p.encode(wire: &c)
        case .inputTranscriptionFailed(let p): try p.encode(wire: &c)
        case .responseCreated(let p), .responseDone(let p): try p.encode(wire: &c)
        case .responseOutputItemAdded(let p), .responseOutputItemDone(let p): try p.encode(wire: &c)
        case .responseContentPartAdded(let p), .responseContentPartDone(let p): try p.encode(wire: &c)
        case .responseOutputAudioDelta(let p): try p.encode(wire: &c)
        case .responseOutputAudioDone(let p): try p.encode(wire: &c)
        case .responseOutputAudioTranscriptDelta(let p), .responseOutputTextDelta(let p): try p.encode(wire: &c)
        case .responseOutputAudioTranscriptDone(let p): try p.encode(wire: &c, textKey: "transcript")
        case .responseOutputTextDone(let p): try p.encode(wire: &c, textKey: "text")
        case .responseFunctionCallArgumentsDelta(let p): try p.encode(wire: &c)
        case .responseFunctionCallArgumentsDone(let p): try p.encode(wire: &c)
        case .rateLimitsUpdated(let p): try p.encode(wire: &c)
        case .error(let p): try p.encode(wire: &c)
        case .unknown: break
        }
    }
}

extension RealtimeServerEvent {
    /// The `type` string on the wire.
    public var type: String {
        switch self {
        case .sessionCreated: return "session.created"
        case .sessionUpdated: return "session.updated"
        case .inputAudioSpeechStarted: return "input_audio_buffer.speech_started"
        case .inputAudioSpeechStopped: return "input_audio_buffer.speech_stopped"
        case .inputAudioCommitted: return "input_audio_buffer.committed"
        case .inputAudioCleared: return "input_audio_buffer.cleared"
        case .inputAudioTimeoutTriggered: return "input_audio_buffer.timeout_triggered"
        case .conversationItemAdded: return "conversation.item.added"
        case .conversationItemCreated: return "conversation.item.created"
        case .conversationItemDone: return "conversation.item.done"
        case .conversationItemTruncated: return "conversation.item.truncated"
        case .conversationItemDeleted: return "conversation.item.deleted"
        case .inputTranscriptionDelta: return "conversation.item.input_audio_transcription.delta"
        case .inputTranscriptionCompleted: return "conversation.item.input_audio_transcription.completed"
        case .inputTranscriptionFailed: return "conversation.item.input_audio_transcription.failed"
        case .responseCreated: return "response.created"
        case .responseDone: return "response.done"
        case .responseOutputItemAdded: return "response.output_item.added"
        case .responseOutputItemDone: return "response.output_item.done"
        case .responseContentPartAdded: return "response.content_part.added"
        case .responseContentPartDone: return "response.content_part.done"
        case .responseOutputAudioDelta: return "response.output_audio.delta"
        case .responseOutputAudioDone: return "response.output_audio.done"
        case .responseOutputAudioTranscriptDelta: return "response.output_audio_transcript.delta"
        case .responseOutputAudioTranscriptDone: return "response.output_audio_transcript.done"
        case .responseOutputTextDelta: return "response.output_text.delta"
        case .responseOutputTextDone: return "response.output_text.done"
        case .responseFunctionCallArgumentsDelta: return "response.function_call_arguments.delta"
        case .responseFunctionCallArgumentsDone: return "response.function_call_arguments.done"
        case .rateLimitsUpdated: return "rate_limits.updated"
        case .error: return "error"
        case .unknown(let type): return type
        }
    }

    /// The server's `event_id` (nil for `.unknown`, whose members are not kept).
    public var eventID: String? {
        switch self {
        case .sessionCreated(let p), .sessionUpdated(let p): return p.eventID
        case .inputAudioSpeechStarted(let p): return p.eventID
        case .inputAudioSpeechStopped(let p): return p.eventID
        case .inputAudioCommitted(let p): return p.eventID
        case .inputAudioCleared(let eventID): return eventID
        case .inputAudioTimeoutTriggered(let p): return p.eventID
        case .conversationItemAdded(let p), .conversationItemCreated(let p), .conversationItemDone(let p): return p.eventID
        case .conversationItemTruncated(let p): return p.eventID
        case .conversationItemDeleted(let p): return p.eventID
        case .inputTranscriptionDelta(let p): return p.eventID
        case .inputTranscriptionCompleted(let p): return p.eventID
        case .inputTranscriptionFailed(let p): return p.eventID
        case .responseCreated(let p), .responseDone(let p): return p.eventID
        case .responseOutputItemAdded(let p), .responseOutputItemDone(let p): return p.eventID
        case .responseContentPartAdded(let p), .responseContentPartDone(let p): return p.eventID
        case .responseOutputAudioDelta(let p): return p.eventID
        case .responseOutputAudioDone(let p): return p.eventID
        case .responseOutputAudioTranscriptDelta(let p), .responseOutputTextDelta(let p): return p.eventID
        case .responseOutputAudioTranscriptDone(let p), .responseOutputTextDone(let p): return p.eventID
        case .responseFunctionCallArgumentsDelta(let p): return p.eventID
        case .responseFunctionCallArgumentsDone(let p): return p.eventID
        case .rateLimitsUpdated(let p): return p.eventID
        case .error(let p): return p.eventID
        case .unknown: return nil
        }
    }
}
