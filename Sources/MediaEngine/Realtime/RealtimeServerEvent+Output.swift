/// Payloads of the streamed output events: `response.output_audio.*`, `response.output_audio_transcript.*`
/// and `response.output_text.*`. Each names its place in the response: `responseID`, `itemID`,
/// `outputIndex` (the item's index in the response) and `contentIndex` (the part's index in the item).
extension RealtimeServerEvent {
    /// `response.output_audio.delta`: a chunk of the model's audio in the session's output format.
    /// Hot (tens per second per call): the engine reads these through `OutputAudioDeltaFrame.scan` first
    /// and only falls back to this type when the fast path declines.
    public struct OutputAudioDelta: Sendable, Hashable, WirePayload {
        public var eventID: String?
        public var responseID: String
        public var itemID: String
        public var outputIndex: Int
        public var contentIndex: Int
        /// Base64 audio.
        public var delta: String

        public init(eventID: String? = nil, responseID: String, itemID: String, outputIndex: Int = 0,
                    contentIndex: Int = 0, delta: String) {
            self.eventID = eventID
            self.responseID = responseID
            self.itemID = itemID
            self.outputIndex = outputIndex
            self.contentIndex = contentIndex
            self.delta = delta
        }

        init(wire c: WireDecoding) throws {
            let ref = try OutputRef(wire: c)
            (eventID, responseID, itemID, outputIndex, contentIndex) = (ref.eventID, ref.responseID, ref.itemID, ref.outputIndex, ref.contentIndex)
            delta = try c.required("delta")
        }

        func encode(wire c: inout WireEncoding) throws {
            try OutputRef(eventID: eventID, responseID: responseID, itemID: itemID, outputIndex: outputIndex,
                          contentIndex: contentIndex).encode(wire: &c)
            try c.encode(delta, forKey: "delta")
        }
    }

    /// `response.output_audio.done`: generation of this audio part finished (playback has not).
    public struct OutputAudioDone: Sendable, Hashable, WirePayload {
        public var eventID: String?
        public var responseID: String
        public var itemID: String
        public var outputIndex: Int
        public var contentIndex: Int

        public init(eventID: String? = nil, responseID: String, itemID: String, outputIndex: Int = 0, contentIndex: Int = 0) {
            self.eventID = eventID
            self.responseID = responseID
            self.itemID = itemID
            self.outputIndex = outputIndex
            self.contentIndex = contentIndex
        }

        init(wire c: WireDecoding) throws {
            let ref = try OutputRef(wire: c)
            (eventID, responseID, itemID, outputIndex, contentIndex) = (ref.eventID, ref.responseID, ref.itemID, ref.outputIndex, ref.contentIndex)
        }

        func encode(wire c: inout WireEncoding) throws {
            try OutputRef(eventID: eventID, responseID: responseID, itemID: itemID, outputIndex: outputIndex,
                          contentIndex: contentIndex).encode(wire: &c)
        }
    }

    /// `response.output_audio_transcript.delta` and `response.output_text.delta`: a piece of text.
    public struct OutputTextDelta: Sendable, Hashable, WirePayload {
        public var eventID: String?
        public var responseID: String
        public var itemID: String
        public var outputIndex: Int
        public var contentIndex: Int
        public var delta: String

        public init(eventID: String? = nil, responseID: String, itemID: String, outputIndex: Int = 0,
                    contentIndex: Int = 0, delta: String) {
            self.eventID = eventID
            self.responseID = responseID
            self.itemID = itemID
            self.outputIndex = outputIndex
            self.contentIndex = contentIndex
            self.delta = delta
        }

        init(wire c: WireDecoding) throws {
            let ref = try OutputRef(wire: c)
            (eventID, responseID, itemID, outputIndex, contentIndex) = (ref.eventID, ref.responseID, ref.itemID, ref.outputIndex, ref.contentIndex)
            delta = try c.required("delta")
        }

        func encode(wire c: inout WireEncoding) throws {
            try OutputRef(eventID: eventID, responseID: responseID, itemID: itemID, outputIndex: outputIndex,
                          contentIndex: contentIndex).encode(wire: &c)
            try c.encode(delta, forKey: "delta")
        }
    }

    /// `response.output_audio_transcript.done` (wire member `transcript`) and `response.output_text.done`
    /// (wire member `text`): the whole text of the part.
    public struct OutputTextDone: Sendable, Hashable {
        public var eventID: String?
        public var responseID: String
        public var itemID: String
        public var outputIndex: Int
        public var contentIndex: Int
        public var text: String

        public init(eventID: String? = nil, responseID: String, itemID: String, outputIndex: Int = 0,
                    contentIndex: Int = 0, text: String) {
            self.eventID = eventID
            self.responseID = responseID
            self.itemID = itemID
            self.outputIndex = outputIndex
            self.contentIndex = contentIndex
            self.text = text
        }

        init(wire c: WireDecoding, textKey: WireKey) throws {
            let ref = try OutputRef(wire: c)
            (eventID, responseID, itemID, outputIndex, contentIndex) = (ref.eventID, ref.responseID, ref.itemID, ref.outputIndex, ref.contentIndex)
            text = try c.required(textKey)
        }

        func encode(wire c: inout WireEncoding, textKey: WireKey) throws {
            try OutputRef(eventID: eventID, responseID: responseID, itemID: itemID, outputIndex: outputIndex,
                          contentIndex: contentIndex).encode(wire: &c)
            try c.encode(text, forKey: textKey)
        }
    }

    /// The members every streamed-output event shares (internal: the public types flatten them).
    struct OutputRef {
        var eventID: String?
        var responseID: String
        var itemID: String
        var outputIndex: Int
        var contentIndex: Int

        init(eventID: String?, responseID: String, itemID: String, outputIndex: Int, contentIndex: Int) {
            self.eventID = eventID
            self.responseID = responseID
            self.itemID = itemID
            self.outputIndex = outputIndex
            self.contentIndex = contentIndex
        }

        init(wire c: WireDecoding) throws {
            eventID = try c.optional("event_id")
            responseID = try c.required("response_id")
            itemID = try c.required("item_id")
            outputIndex = try c.required("output_index")
            contentIndex = try c.required("content_index")
        }

        func encode(wire c: inout WireEncoding) throws {
            try c.optional(eventID, "event_id")
            try c.encode(responseID, forKey: "response_id")
            try c.encode(itemID, forKey: "item_id")
            try c.encode(outputIndex, forKey: "output_index")
            try c.encode(contentIndex, forKey: "content_index")
        }
    }
}
