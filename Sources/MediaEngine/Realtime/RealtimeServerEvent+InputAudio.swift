/// Payloads of the session and `input_audio_buffer.*` server events.
///
/// Times (`audioStartMs`, `audioEndMs`) are milliseconds on the input timeline: counted from the first
/// audio appended in this session, with `audioStartMs` including the VAD's `prefix_padding_ms`.
extension RealtimeServerEvent {
    /// `session.created` / `session.updated`: the server's full effective configuration.
    public struct Session: Sendable, Hashable, WirePayload {
        public var eventID: String?
        /// The whole session object as sent, for logging and for settings this engine does not model.
        public var session: JSONValue

        public init(eventID: String? = nil, session: JSONValue) {
            self.eventID = eventID
            self.session = session
        }

        /// `session.audio.input.format`, nil if absent or unknown. Check it is `.pcmu` on the Twilio path.
        public var inputAudioFormat: RealtimeAudioFormat? { RealtimeAudioFormat(json: session["audio"]?["input"]?["format"]) }
        /// `session.audio.output.format`, nil if absent or unknown.
        public var outputAudioFormat: RealtimeAudioFormat? { RealtimeAudioFormat(json: session["audio"]?["output"]?["format"]) }

        init(wire c: WireDecoding) throws {
            eventID = try c.optional("event_id")
            session = try c.required("session")
        }

        func encode(wire c: inout WireEncoding) throws {
            try c.optional(eventID, "event_id")
            try c.encode(session, forKey: "session")
        }
    }

    /// `input_audio_buffer.speech_started`: the barge-in trigger (protocols.md C).
    public struct SpeechStarted: Sendable, Hashable, WirePayload {
        public var eventID: String?
        /// Where speech began on the input timeline, ms (includes prefix padding).
        public var audioStartMs: Int
        /// The user item this speech will become.
        public var itemID: String

        public init(eventID: String? = nil, audioStartMs: Int, itemID: String) {
            self.eventID = eventID
            self.audioStartMs = audioStartMs
            self.itemID = itemID
        }

        init(wire c: WireDecoding) throws {
            eventID = try c.optional("event_id")
            audioStartMs = try c.required("audio_start_ms")
            itemID = try c.required("item_id")
        }

        func encode(wire c: inout WireEncoding) throws {
            try c.optional(eventID, "event_id")
            try c.encode(audioStartMs, forKey: "audio_start_ms")
            try c.encode(itemID, forKey: "item_id")
        }
    }

    /// `input_audio_buffer.speech_stopped`.
    public struct SpeechStopped: Sendable, Hashable, WirePayload {
        public var eventID: String?
        /// Where speech ended on the input timeline, ms.
        public var audioEndMs: Int
        public var itemID: String

        public init(eventID: String? = nil, audioEndMs: Int, itemID: String) {
            self.eventID = eventID
            self.audioEndMs = audioEndMs
            self.itemID = itemID
        }

        init(wire c: WireDecoding) throws {
            eventID = try c.optional("event_id")
            audioEndMs = try c.required("audio_end_ms")
            itemID = try c.required("item_id")
        }

        func encode(wire c: inout WireEncoding) throws {
            try c.optional(eventID, "event_id")
            try c.encode(audioEndMs, forKey: "audio_end_ms")
            try c.encode(itemID, forKey: "item_id")
        }
    }

    /// `input_audio_buffer.committed`: the buffered audio became user item `itemID`.
    public struct InputAudioCommitted: Sendable, Hashable, WirePayload {
        public var eventID: String?
        public var itemID: String
        public var previousItemID: String?

        public init(eventID: String? = nil, itemID: String, previousItemID: String? = nil) {
            self.eventID = eventID
            self.itemID = itemID
            self.previousItemID = previousItemID
        }

        init(wire c: WireDecoding) throws {
            eventID = try c.optional("event_id")
            itemID = try c.required("item_id")
            previousItemID = try c.optional("previous_item_id")
        }

        func encode(wire c: inout WireEncoding) throws {
            try c.optional(eventID, "event_id")
            try c.encode(itemID, forKey: "item_id")
            try c.optional(previousItemID, "previous_item_id")
        }
    }

    /// `input_audio_buffer.timeout_triggered`: server VAD's `idle_timeout_ms` elapsed without speech.
    public struct InputAudioTimeout: Sendable, Hashable, WirePayload {
        public var eventID: String?
        public var audioStartMs: Int
        public var audioEndMs: Int
        public var itemID: String

        public init(eventID: String? = nil, audioStartMs: Int, audioEndMs: Int, itemID: String) {
            self.eventID = eventID
            self.audioStartMs = audioStartMs
            self.audioEndMs = audioEndMs
            self.itemID = itemID
        }

        init(wire c: WireDecoding) throws {
            eventID = try c.optional("event_id")
            audioStartMs = try c.required("audio_start_ms")
            audioEndMs = try c.required("audio_end_ms")
            itemID = try c.required("item_id")
        }

        func encode(wire c: inout WireEncoding) throws {
            try c.optional(eventID, "event_id")
            try c.encode(audioStartMs, forKey: "audio_start_ms")
            try c.encode(audioEndMs, forKey: "audio_end_ms")
            try c.encode(itemID, forKey: "item_id")
        }
    }
}
