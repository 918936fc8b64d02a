/// The GA session object sent in `session.update` (protocols.md B.3).
///
/// `session.update` merges: members left nil are omitted and keep their current server value. `type` is
/// always sent (GA requires it; its absence is what marks the retired beta shape). `model` cannot change
/// after connecting and `audio.output.voice` cannot change once the model has spoken, so set both in the
/// first update. There is deliberately no `temperature`: the GA session has none.
public struct RealtimeSessionConfig: Sendable, Hashable {
    /// `session.type`.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A speech-to-speech conversation (the engine's case).
        case realtime
        /// Transcription only.
        case transcription
    }

    public var type: Kind
    public var model: String?
    /// System instructions; `""` clears them.
    public var instructions: String?
    public var outputModalities: [RealtimeOutputModality]?
    public var audio: RealtimeAudioConfig?
    /// Function tools; `[]` clears them.
    public var tools: [RealtimeFunctionTool]?
    public var toolChoice: RealtimeToolChoice?
    public var maxOutputTokens: RealtimeOutputTokenLimit?

    public init(type: Kind = .realtime, model: String? = nil, instructions: String? = nil,
                outputModalities: [RealtimeOutputModality]? = nil, audio: RealtimeAudioConfig? = nil,
                tools: [RealtimeFunctionTool]? = nil, toolChoice: RealtimeToolChoice? = nil,
                maxOutputTokens: RealtimeOutputTokenLimit? = nil) {
        self.type = type
        self.model = model
        self.instructions = instructions
        self.outputModalities = outputModalities
        self.audio = audio
        self.tools = tools
        self.toolChoice = toolChoice
        self.maxOutputTokens = maxOutputTokens
    }
}

extension RealtimeSessionConfig: Codable {
    private enum CodingKeys: String, CodingKey {
        case type, model, instructions, audio, tools
        case outputModalities = "output_modalities"
        case toolChoice = "tool_choice"
        case maxOutputTokens = "max_output_tokens"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decode(Kind.self, forKey: .type)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        instructions = try c.decodeIfPresent(String.self, forKey: .instructions)
        outputModalities = try c.decodeIfPresent([RealtimeOutputModality].self, forKey: .outputModalities)
        audio = try c.decodeIfPresent(RealtimeAudioConfig.self, forKey: .audio)
        tools = try c.decodeIfPresent([RealtimeFunctionTool].self, forKey: .tools)
        toolChoice = try c.decodeIfPresent(RealtimeToolChoice.self, forKey: .toolChoice)
        maxOutputTokens = try c.decodeIfPresent(RealtimeOutputTokenLimit.self, forKey: .maxOutputTokens)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encodeIfPresent(model, forKey: .model)
        try c.encodeIfPresent(instructions, forKey: .instructions)
        try c.encodeIfPresent(outputModalities, forKey: .outputModalities)
        try c.encodeIfPresent(audio, forKey: .audio)
        try c.encodeIfPresent(tools, forKey: .tools)
        try c.encodeIfPresent(toolChoice, forKey: .toolChoice)
        try c.encodeIfPresent(maxOutputTokens, forKey: .maxOutputTokens)
    }
}
