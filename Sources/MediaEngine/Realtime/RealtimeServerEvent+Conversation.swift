/// Payloads of the `conversation.item.*` server events, including the caller's (asynchronous)
/// input-audio transcription.
extension RealtimeServerEvent {
    /// `conversation.item.added` / `.done` (GA) and `.created` (beta name, still sent): an item was inserted
    /// (model items arrive `in_progress` and empty) or finalized.
    public struct ConversationItemEvent: Sendable, Hashable, WirePayload {
        public var eventID: String?
        public var item: RealtimeItem
        public var previousItemID: String?

        public init(eventID: String? = nil, item: RealtimeItem, previousItemID: String? = nil) {
            self.eventID = eventID
            self.item = item
            self.previousItemID = previousItemID
        }

        init(wire c: WireDecoding) throws {
            eventID = try c.optional("event_id")
            item = try c.required("item")
            previousItemID = try c.optional("previous_item_id")
        }

        func encode(wire c: inout WireEncoding) throws {
            try c.optional(eventID, "event_id")
            try c.encode(item, forKey: "item")
            try c.optional(previousItemID, "previous_item_id")
        }
    }

    /// `conversation.item.truncated`: the acknowledgement of our `conversation.item.truncate`.
    public struct ItemTruncated: Sendable, Hashable, WirePayload {
        public var eventID: String?
        public var itemID: String
        public var contentIndex: Int
        /// Where the item's audio now ends, ms.
        public var audioEndMs: Int

        public init(eventID: String? = nil, itemID: String, contentIndex: Int = 0, audioEndMs: Int) {
            self.eventID = eventID
            self.itemID = itemID
            self.contentIndex = contentIndex
            self.audioEndMs = audioEndMs
        }

        init(wire c: WireDecoding) throws {
            eventID = try c.optional("event_id")
            itemID = try c.required("item_id")
            contentIndex = try c.required("content_index")
            audioEndMs = try c.required("audio_end_ms")
        }

        func encode(wire c: inout WireEncoding) throws {
            try c.optional(eventID, "event_id")
            try c.encode(itemID, forKey: "item_id")
            try c.encode(contentIndex, forKey: "content_index")
            try c.encode(audioEndMs, forKey: "audio_end_ms")
        }
    }

    /// `conversation.item.deleted`.
    public struct ItemDeleted: Sendable, Hashable, WirePayload {
        public var eventID: String?
        public var itemID: String

        public init(eventID: String? = nil, itemID: String) {
            self.eventID = eventID
            self.itemID = itemID
        }

        init(wire c: WireDecoding) throws {
            eventID = try c.optional("event_id")
            itemID = try c.required("item_id")
        }

        func encode(wire c: inout WireEncoding) throws {
            try c.optional(eventID, "event_id")
            try c.encode(itemID, forKey: "item_id")
        }
    }

    /// `conversation.item.input_audio_transcription.delta`: part of the caller's transcript.
    public struct InputTranscriptionDelta: Sendable, Hashable, WirePayload {
        public var eventID: String?
        public var itemID: String
        public var contentIndex: Int?
        public var delta: String?

        public init(eventID: String? = nil, itemID: String, contentIndex: Int? = nil, delta: String?) {
            self.eventID = eventID
            self.itemID = itemID
            self.contentIndex = contentIndex
            self.delta = delta
        }

        init(wire c: WireDecoding) throws {
            eventID = try c.optional("event_id")
            itemID = try c.required("item_id")
            contentIndex = try c.optional("content_index")
            delta = try c.optional("delta")
        }

        func encode(wire c: inout WireEncoding) throws {
            try c.optional(eventID, "event_id")
            try c.encode(itemID, forKey: "item_id")
            try c.optional(contentIndex, "content_index")
            try c.optional(delta, "delta")
        }
    }

    /// `conversation.item.input_audio_transcription.completed`: the caller's whole utterance as text.
    public struct InputTranscriptionCompleted: Sendable, Hashable, WirePayload {
        public var eventID: String?
        public var itemID: String
        public var contentIndex: Int
        public var transcript: String
        /// Billing: `{"type":"duration","seconds":…}` or `{"type":"tokens",…}`, kept as sent.
        public var usage: JSONValue?

        public init(eventID: String? = nil, itemID: String, contentIndex: Int = 0, transcript: String, usage: JSONValue? = nil) {
            self.eventID = eventID
            self.itemID = itemID
            self.contentIndex = contentIndex
            self.transcript = transcript
            self.usage = usage
        }

        init(wire c: WireDecoding) throws {
            eventID = try c.optional("event_id")
            itemID = try c.required("item_id")
            contentIndex = try c.required("content_index")
            transcript = try c.required("transcript")
            usage = try c.optional("usage")
        }

        func encode(wire c: inout WireEncoding) throws {
            try c.optional(eventID, "event_id")
            try c.encode(itemID, forKey: "item_id")
            try c.encode(contentIndex, forKey: "content_index")
            try c.encode(transcript, forKey: "transcript")
            try c.optional(usage, "usage")
        }
    }

    /// `conversation.item.input_audio_transcription.failed`.
    public struct InputTranscriptionFailed: Sendable, Hashable, WirePayload {
        public var eventID: String?
        public var itemID: String
        public var contentIndex: Int
        public var error: RealtimeErrorDetails

        public init(eventID: String? = nil, itemID: String, contentIndex: Int = 0, error: RealtimeErrorDetails) {
            self.eventID = eventID
            self.itemID = itemID
            self.contentIndex = contentIndex
            self.error = error
        }

        init(wire c: WireDecoding) throws {
            eventID = try c.optional("event_id")
            itemID = try c.required("item_id")
            contentIndex = try c.required("content_index")
            error = try c.required("error")
        }

        func encode(wire c: inout WireEncoding) throws {
            try c.optional(eventID, "event_id")
            try c.encode(itemID, forKey: "item_id")
            try c.encode(contentIndex, forKey: "content_index")
            try c.encode(error, forKey: "error")
        }
    }
}
