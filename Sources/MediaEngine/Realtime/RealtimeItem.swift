/// A conversation item: a message (user, system or assistant), a function call, or a function call's output.
/// The engine creates items with `conversation.item.create` and the server reports them in
/// `conversation.item.added/.done` and `response.output_item.added/.done`.
///
/// Decoding is tolerant: only `type` is required, so MCP and future item kinds decode too (with their
/// extra members dropped). Key per-item state on `id`.
public struct RealtimeItem: Sendable, Hashable {
    public var id: String?
    public var type: Kind
    /// Messages only.
    public var role: Role?
    public var status: Status?
    /// Messages only: text, audio transcript, etc. (Audio bytes are never included by the server here.)
    public var content: [RealtimeContentPart]?
    /// Function calls: the function's name.
    public var name: String?
    /// Function calls and their outputs: the id that links the two.
    public var callID: String?
    /// Function calls: the arguments as JSON text. Possibly truncated JSON if `status` is not `completed`.
    public var arguments: String?
    /// Function call outputs: the result text (usually JSON) for the model.
    public var output: String?

    public init(id: String? = nil, type: Kind, role: Role? = nil, status: Status? = nil,
                content: [RealtimeContentPart]? = nil, name: String? = nil, callID: String? = nil,
                arguments: String? = nil, output: String? = nil) {
        self.id = id
        self.type = type
        self.role = role
        self.status = status
        self.content = content
        self.name = name
        self.callID = callID
        self.arguments = arguments
        self.output = output
    }

    /// A user text message: `{"type":"message","role":"user","content":[{"type":"input_text","text":…}]}`.
    public static func userText(_ text: String, id: String? = nil) -> RealtimeItem {
        RealtimeItem(id: id, type: .message, role: .user, content: [.inputText(text)])
    }

    /// A system text message (extra instructions inside the conversation).
    public static func systemText(_ text: String, id: String? = nil) -> RealtimeItem {
        RealtimeItem(id: id, type: .message, role: .system, content: [.inputText(text)])
    }

    /// An assistant text message (for re-seeding a new session with what the bot already said; the API
    /// does not let clients create assistant audio).
    public static func assistantText(_ text: String, id: String? = nil) -> RealtimeItem {
        RealtimeItem(id: id, type: .message, role: .assistant, content: [.outputText(text)])
    }

    /// A function's result: `{"type":"function_call_output","call_id":…,"output":…}`.
    public static func functionCallOutput(callID: String, output: String, id: String? = nil) -> RealtimeItem {
        RealtimeItem(id: id, type: .functionCallOutput, callID: callID, output: output)
    }

    /// `type`, open-ended so that new item kinds still decode.
    public struct Kind: RawRepresentable, Sendable, Hashable, Codable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let message = Kind(rawValue: "message")
        public static let functionCall = Kind(rawValue: "function_call")
        public static let functionCallOutput = Kind(rawValue: "function_call_output")
    }

    /// `role` of a message.
    public struct Role: RawRepresentable, Sendable, Hashable, Codable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let user = Role(rawValue: "user")
        public static let assistant = Role(rawValue: "assistant")
        public static let system = Role(rawValue: "system")
    }

    /// `status`. Run a function call only when it is `completed`.
    public struct Status: RawRepresentable, Sendable, Hashable, Codable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let inProgress = Status(rawValue: "in_progress")
        public static let completed = Status(rawValue: "completed")
        public static let incomplete = Status(rawValue: "incomplete")
    }
}

extension RealtimeItem: Codable {
    private enum CodingKeys: String, CodingKey {
        case id, type, role, status, content, name, arguments, output
        case callID = "call_id"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(String.self, forKey: .id)
        type = try c.decode(Kind.self, forKey: .type)
        role = try c.decodeIfPresent(Role.self, forKey: .role)
        status = try c.decodeIfPresent(Status.self, forKey: .status)
        content = try c.decodeIfPresent([RealtimeContentPart].self, forKey: .content)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        callID = try c.decodeIfPresent(String.self, forKey: .callID)
        arguments = try c.decodeIfPresent(String.self, forKey: .arguments)
        output = try c.decodeIfPresent(String.self, forKey: .output)
    }

    /// A message always gets a `content` array (`[]` when unset): the API's message items require one.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(id, forKey: .id)
        try c.encode(type, forKey: .type)
        try c.encodeIfPresent(role, forKey: .role)
        try c.encodeIfPresent(status, forKey: .status)
        if type == .message {
            try c.encode(content ?? [], forKey: .content)
        } else {
            try c.encodeIfPresent(content, forKey: .content)
        }
        try c.encodeIfPresent(name, forKey: .name)
        try c.encodeIfPresent(callID, forKey: .callID)
        try c.encodeIfPresent(arguments, forKey: .arguments)
        try c.encodeIfPresent(output, forKey: .output)
    }
}
