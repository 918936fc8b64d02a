/// Payloads of the response lifecycle events: `response.created/.done`, `response.output_item.*`,
/// `response.content_part.*` and `response.function_call_arguments.*`.
extension RealtimeServerEvent {
    /// `response.created` (mark a response active) and `response.done` (always sent; clear it).
    public struct ResponseEvent: Sendable, Hashable, WirePayload {
        public var eventID: String?
        public var response: RealtimeResponse

        public init(eventID: String? = nil, response: RealtimeResponse) {
            self.eventID = eventID
            self.response = response
        }

        init(wire c: WireDecoding) throws {
            eventID = try c.optional("event_id")
            response = try c.required("response")
        }

        func encode(wire c: inout WireEncoding) throws {
            try c.optional(eventID, "event_id")
            try c.encode(response, forKey: "response")
        }
    }

    /// `response.output_item.added` / `.done`. A `.done` `function_call` item with status `completed`
    /// carries the call to run.
    public struct OutputItemEvent: Sendable, Hashable, WirePayload {
        public var eventID: String?
        public var responseID: String
        public var outputIndex: Int
        public var item: RealtimeItem

        public init(eventID: String? = nil, responseID: String, outputIndex: Int = 0, item: RealtimeItem) {
            self.eventID = eventID
            self.responseID = responseID
            self.outputIndex = outputIndex
            self.item = item
        }

        init(wire c: WireDecoding) throws {
            eventID = try c.optional("event_id")
            responseID = try c.required("response_id")
            outputIndex = try c.required("output_index")
            item = try c.required("item")
        }

        func encode(wire c: inout WireEncoding) throws {
            try c.optional(eventID, "event_id")
            try c.encode(responseID, forKey: "response_id")
            try c.encode(outputIndex, forKey: "output_index")
            try c.encode(item, forKey: "item")
        }
    }

    /// `response.content_part.added` / `.done`; `part.type` is "audio" or "text".
    public struct ContentPartEvent: Sendable, Hashable, WirePayload {
        public var eventID: String?
        public var responseID: String
        public var itemID: String
        public var outputIndex: Int
        public var contentIndex: Int
        public var part: RealtimeContentPart

        public init(eventID: String? = nil, responseID: String, itemID: String, outputIndex: Int = 0,
                    contentIndex: Int = 0, part: RealtimeContentPart) {
            self.eventID = eventID
            self.responseID = responseID
            self.itemID = itemID
            self.outputIndex = outputIndex
            self.contentIndex = contentIndex
            self.part = part
        }

        init(wire c: WireDecoding) throws {
            let ref = try OutputRef(wire: c)
            (eventID, responseID, itemID, outputIndex, contentIndex) = (ref.eventID, ref.responseID, ref.itemID, ref.outputIndex, ref.contentIndex)
            part = try c.required("part")
        }

        func encode(wire c: inout WireEncoding) throws {
            try OutputRef(eventID: eventID, responseID: responseID, itemID: itemID, outputIndex: outputIndex,
                          contentIndex: contentIndex).encode(wire: &c)
            try c.encode(part, forKey: "part")
        }
    }

    /// `response.function_call_arguments.delta`: a piece of the arguments' JSON text.
    public struct FunctionCallArgumentsDelta: Sendable, Hashable, WirePayload {
        public var eventID: String?
        public var responseID: String
        public var itemID: String
        public var outputIndex: Int
        public var callID: String
        public var delta: String

        public init(eventID: String? = nil, responseID: String, itemID: String, outputIndex: Int = 0,
                    callID: String, delta: String) {
            self.eventID = eventID
            self.responseID = responseID
            self.itemID = itemID
            self.outputIndex = outputIndex
            self.callID = callID
            self.delta = delta
        }

        init(wire c: WireDecoding) throws {
            eventID = try c.optional("event_id")
            responseID = try c.required("response_id")
            itemID = try c.required("item_id")
            outputIndex = try c.required("output_index")
            callID = try c.required("call_id")
            delta = try c.required("delta")
        }

        func encode(wire c: inout WireEncoding) throws {
            try c.optional(eventID, "event_id")
            try c.encode(responseID, forKey: "response_id")
            try c.encode(itemID, forKey: "item_id")
            try c.encode(outputIndex, forKey: "output_index")
            try c.encode(callID, forKey: "call_id")
            try c.encode(delta, forKey: "delta")
        }
    }

    /// `response.function_call_arguments.done`: the complete call. Parse `arguments` with
    /// `JSONValue(parsing:)`, run the tool, answer with a `function_call_output` item for `callID`, then
    /// `response.create`.
    public struct FunctionCallArgumentsDone: Sendable, Hashable, WirePayload {
        public var eventID: String?
        public var responseID: String
        public var itemID: String
        public var outputIndex: Int
        public var callID: String
        public var name: String
        /// JSON text.
        public var arguments: String

        public init(eventID: String? = nil, responseID: String, itemID: String, outputIndex: Int = 0,
                    callID: String, name: String, arguments: String) {
            self.eventID = eventID
            self.responseID = responseID
            self.itemID = itemID
            self.outputIndex = outputIndex
            self.callID = callID
            self.name = name
            self.arguments = arguments
        }

        init(wire c: WireDecoding) throws {
            eventID = try c.optional("event_id")
            responseID = try c.required("response_id")
            itemID = try c.required("item_id")
            outputIndex = try c.required("output_index")
            callID = try c.required("call_id")
            name = try c.required("name")
            arguments = try c.required("arguments")
        }

        func encode(wire c: inout WireEncoding) throws {
            try c.optional(eventID, "event_id")
            try c.encode(responseID, forKey: "response_id")
            try c.encode(itemID, forKey: "item_id")
            try c.encode(outputIndex, forKey: "output_index")
            try c.encode(callID, forKey: "call_id")
            try c.encode(name, forKey: "name")
            try c.encode(arguments, forKey: "arguments")
        }
    }
}
