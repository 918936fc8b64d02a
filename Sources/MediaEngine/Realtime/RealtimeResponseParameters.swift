/// The optional `response` object of `response.create`: overrides for this one response only.
/// An empty `response.create` (no parameters) is valid and uses the session's settings.
public struct RealtimeResponseParameters: Sendable, Hashable {
    /// `conversation`: where the response goes.
    public enum Conversation: String, Sendable, Hashable, Codable {
        /// "auto": added to the default conversation.
        case auto
        /// "none": out of band; the response is not added to the conversation.
        case outOfBand = "none"
    }

    public var instructions: String?
    public var toolChoice: RealtimeToolChoice?
    public var tools: [RealtimeFunctionTool]?
    public var conversation: Conversation?
    /// Up to 16 string pairs echoed back on the response (useful to tag out-of-band responses).
    public var metadata: [String: String]?
    public var outputModalities: [RealtimeOutputModality]?
    public var maxOutputTokens: RealtimeOutputTokenLimit?

    public init(instructions: String? = nil, toolChoice: RealtimeToolChoice? = nil, tools: [RealtimeFunctionTool]? = nil,
                conversation: Conversation? = nil, metadata: [String: String]? = nil,
                outputModalities: [RealtimeOutputModality]? = nil, maxOutputTokens: RealtimeOutputTokenLimit? = nil) {
        self.instructions = instructions
        self.toolChoice = toolChoice
        self.tools = tools
        self.conversation = conversation
        self.metadata = metadata
        self.outputModalities = outputModalities
        self.maxOutputTokens = maxOutputTokens
    }
}

extension RealtimeResponseParameters: Codable {
    private enum CodingKeys: String, CodingKey {
        case instructions, tools, conversation, metadata
        case toolChoice = "tool_choice"
        case outputModalities = "output_modalities"
        case maxOutputTokens = "max_output_tokens"
    }
}
