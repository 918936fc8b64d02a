import Foundation

/// An event the engine sends to the model (OpenAI Realtime GA, protocols.md B.3). GA shapes only: there
/// is no way to build a beta-shaped event, and nothing here knows the `OpenAI-Beta` header.
///
/// Every event can carry an `eventID` of the engine's choosing; a failing event is named by it in the
/// server's `error.event_id`. Encode with `jsonText()` / `jsonBytes()`. For `input_audio_buffer.append`,
/// 50 times a second per call, use the allocation-free `InputAudioAppendFrame.write` instead.
///
/// Decoding exists for the local simulator, which receives these events.
public enum RealtimeClientEvent: Sendable, Hashable {
    case sessionUpdate(RealtimeSessionConfig, eventID: String? = nil)
    /// Base64 audio in the session's input format. Not acknowledged by the server.
    case inputAudioBufferAppend(audioBase64: String, eventID: String? = nil)
    /// Manual commit (not needed with server VAD). Errors on an empty buffer.
    case inputAudioBufferCommit(eventID: String? = nil)
    case inputAudioBufferClear(eventID: String? = nil)
    /// `previousItemID`: "root" inserts at the start, an item id inserts after that item, nil appends.
    case conversationItemCreate(RealtimeItem, previousItemID: String? = nil, eventID: String? = nil)
    /// Cuts an assistant audio item after `audioEndMs` milliseconds of its audio (an integer, clamped by the
    /// caller to the audio actually sent) and deletes the transcript of the unheard part.
    case conversationItemTruncate(itemID: String, contentIndex: Int = 0, audioEndMs: Int, eventID: String? = nil)
    case conversationItemDelete(itemID: String, eventID: String? = nil)
    case responseCreate(RealtimeResponseParameters? = nil, eventID: String? = nil)
    /// Cancels the active response (or `responseID`). Errors, harmlessly, when none is active.
    case responseCancel(responseID: String? = nil, eventID: String? = nil)

    /// The `type` string on the wire.
    public var type: String {
        switch self {
        case .sessionUpdate: return "session.update"
        case .inputAudioBufferAppend: return "input_audio_buffer.append"
        case .inputAudioBufferCommit: return "input_audio_buffer.commit"
        case .inputAudioBufferClear: return "input_audio_buffer.clear"
        case .conversationItemCreate: return "conversation.item.create"
        case .conversationItemTruncate: return "conversation.item.truncate"
        case .conversationItemDelete: return "conversation.item.delete"
        case .responseCreate: return "response.create"
        case .responseCancel: return "response.cancel"
        }
    }

    /// The client-chosen `event_id`, if any.
    public var eventID: String? {
        switch self {
        case .sessionUpdate(_, let id), .inputAudioBufferAppend(_, let id), .inputAudioBufferCommit(let id),
             .inputAudioBufferClear(let id), .conversationItemCreate(_, _, let id),
             .conversationItemTruncate(_, _, _, let id), .conversationItemDelete(_, let id),
             .responseCreate(_, let id), .responseCancel(_, let id):
            return id
        }
    }

    /// The event as compact JSON text (one WebSocket text frame).
    public func jsonText() throws(RealtimeEventEncodingError) -> String {
        String(decoding: try RealtimeJSON.encode(self), as: UTF8.self)
    }

    /// The event as compact JSON, UTF-8 bytes.
    public func jsonBytes() throws(RealtimeEventEncodingError) -> [UInt8] {
        try RealtimeJSON.encode(self)
    }

    /// Decodes one client event (simulator side). Unknown types throw `.unsupportedClientEvent`.
    public static func decode(_ bytes: [UInt8]) throws(RealtimeEventDecodingError) -> RealtimeClientEvent {
        try RealtimeJSON.decode(RealtimeClientEvent.self, from: Data(bytes))
    }

    /// Decodes one client event from a text frame.
    public static func decode(_ text: String) throws(RealtimeEventDecodingError) -> RealtimeClientEvent {
        try decode(Array(text.utf8))
    }
}

extension RealtimeClientEvent: Codable {
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

    private static func decodeBody(type: String, from c: WireDecoding) throws -> RealtimeClientEvent {
        let eventID: String? = try c.optional("event_id")
        switch type {
        case "session.update":
            return .sessionUpdate(try c.required("session"), eventID: eventID)
        case "input_audio_buffer.append":
            return .inputAudioBufferAppend(audioBase64: try c.required("audio"), eventID: eventID)
        case "input_audio_buffer.commit":
            return .inputAudioBufferCommit(eventID: eventID)
        case "input_audio_buffer.clear":
            return .inputAudioBufferClear(eventID: eventID)
        case "conversation.item.create":
            return .conversationItemCreate(try c.required("item"), previousItemID: try c.optional("previous_item_id"),
                                           eventID: eventID)
        case "conversation.item.truncate":
            return .conversationItemTruncate(itemID: try c.required("item_id"), contentIndex: try c.required("content_index"),
                                             audioEndMs: try c.required("audio_end_ms"), eventID: eventID)
        case "conversation.item.delete":
            return .conversationItemDelete(itemID: try c.required("item_id"), eventID: eventID)
        case "response.create":
            return .responseCreate(try c.optional("response"), eventID: eventID)
        case "response.cancel":
            return .responseCancel(responseID: try c.optional("response_id"), eventID: eventID)
        default:
            throw RealtimeEventDecodingError.unsupportedClientEvent(type: type, eventID: eventID)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: WireKey.self)
        try c.encode(type, forKey: "type")
        try c.optional(eventID, "event_id")
        switch self {
        case .sessionUpdate(let session, _):
            try c.encode(session, forKey: "session")
        case .inputAudioBufferAppend(let audio, _):
            try c.encode(audio, forKey: "audio")
        case .inputAudioBufferCommit, .inputAudioBufferClear:
            break
        case .conversationItemCreate(let item, let previousItemID, _):
            try c.encode(item, forKey: "item")
            try c.optional(previousItemID, "previous_item_id")
        case .conversationItemTruncate(let itemID, let contentIndex, let audioEndMs, _):
            try c.encode(itemID, forKey: "item_id")
            try c.encode(contentIndex, forKey: "content_index")
            try c.encode(audioEndMs, forKey: "audio_end_ms")
        case .conversationItemDelete(let itemID, _):
            try c.encode(itemID, forKey: "item_id")
        case .responseCreate(let parameters, _):
            try c.optional(parameters, "response")
        case .responseCancel(let responseID, _):
            try c.optional(responseID, "response_id")
        }
    }
}
