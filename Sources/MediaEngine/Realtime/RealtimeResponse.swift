/// The `response` object of `response.created` and `response.done`.
///
/// `id` is required (the engine tracks the active response by it, protocols.md C.5); everything else is
/// optional. `response.done` always arrives, with `status` completed, cancelled, failed or incomplete.
public struct RealtimeResponse: Sendable, Hashable {
    public var id: String
    public var status: Status?
    public var statusDetails: StatusDetails?
    /// The items the response produced (`response.done` only; no audio bytes).
    public var output: [RealtimeItem]?
    public var usage: Usage?
    public var conversationID: String?
    public var metadata: [String: String]?

    public init(id: String, status: Status? = nil, statusDetails: StatusDetails? = nil, output: [RealtimeItem]? = nil,
                usage: Usage? = nil, conversationID: String? = nil, metadata: [String: String]? = nil) {
        self.id = id
        self.status = status
        self.statusDetails = statusDetails
        self.output = output
        self.usage = usage
        self.conversationID = conversationID
        self.metadata = metadata
    }

    /// `status`, open-ended so that a new value still decodes.
    public struct Status: RawRepresentable, Sendable, Hashable, Codable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let inProgress = Status(rawValue: "in_progress")
        public static let completed = Status(rawValue: "completed")
        public static let cancelled = Status(rawValue: "cancelled")
        public static let failed = Status(rawValue: "failed")
        public static let incomplete = Status(rawValue: "incomplete")
    }

    /// `status_details`: why a response ended the way it did.
    public struct StatusDetails: Sendable, Hashable, Codable {
        public var type: Status?
        public var reason: Reason?
        /// Failed responses: what went wrong.
        public var error: RealtimeErrorDetails?

        public init(type: Status? = nil, reason: Reason? = nil, error: RealtimeErrorDetails? = nil) {
            self.type = type
            self.reason = reason
            self.error = error
        }
    }

    /// `status_details.reason`.
    public struct Reason: RawRepresentable, Sendable, Hashable, Codable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Cancelled by server VAD because the caller started speaking.
        public static let turnDetected = Reason(rawValue: "turn_detected")
        /// Cancelled by our `response.cancel`.
        public static let clientCancelled = Reason(rawValue: "client_cancelled")
        public static let maxOutputTokens = Reason(rawValue: "max_output_tokens")
        public static let contentFilter = Reason(rawValue: "content_filter")
    }

    /// `usage`: token counts for billing and logs.
    public struct Usage: Sendable, Hashable, Codable {
        public var totalTokens: Int?
        public var inputTokens: Int?
        public var outputTokens: Int?
        public var inputTokenDetails: TokenDetails?
        public var outputTokenDetails: TokenDetails?

        public init(totalTokens: Int? = nil, inputTokens: Int? = nil, outputTokens: Int? = nil,
                    inputTokenDetails: TokenDetails? = nil, outputTokenDetails: TokenDetails? = nil) {
            self.totalTokens = totalTokens
            self.inputTokens = inputTokens
            self.outputTokens = outputTokens
            self.inputTokenDetails = inputTokenDetails
            self.outputTokenDetails = outputTokenDetails
        }

        private enum CodingKeys: String, CodingKey {
            case totalTokens = "total_tokens"
            case inputTokens = "input_tokens"
            case outputTokens = "output_tokens"
            case inputTokenDetails = "input_token_details"
            case outputTokenDetails = "output_token_details"
        }
    }

    /// Per-modality token counts (`cachedTokens` only on input).
    public struct TokenDetails: Sendable, Hashable, Codable {
        public var textTokens: Int?
        public var audioTokens: Int?
        public var cachedTokens: Int?

        public init(textTokens: Int? = nil, audioTokens: Int? = nil, cachedTokens: Int? = nil) {
            self.textTokens = textTokens
            self.audioTokens = audioTokens
            self.cachedTokens = cachedTokens
        }

        private enum CodingKeys: String, CodingKey {
            case textTokens = "text_tokens"
            case audioTokens = "audio_tokens"
            case cachedTokens = "cached_tokens"
        }
    }
}

extension RealtimeResponse: Codable {
    private enum CodingKeys: String, CodingKey {
        case id, object, status, output, usage, metadata
        case statusDetails = "status_details"
        case conversationID = "conversation_id"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        status = try c.decodeIfPresent(Status.self, forKey: .status)
        statusDetails = try c.decodeIfPresent(StatusDetails.self, forKey: .statusDetails)
        output = try c.decodeIfPresent([RealtimeItem].self, forKey: .output)
        usage = try c.decodeIfPresent(Usage.self, forKey: .usage)
        conversationID = try c.decodeIfPresent(String.self, forKey: .conversationID)
        metadata = try c.decodeIfPresent([String: String].self, forKey: .metadata)
    }

    /// Writes `"object":"realtime.response"` too, as the real server does.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode("realtime.response", forKey: .object)
        try c.encodeIfPresent(status, forKey: .status)
        try c.encodeIfPresent(statusDetails, forKey: .statusDetails)
        try c.encodeIfPresent(output, forKey: .output)
        try c.encodeIfPresent(usage, forKey: .usage)
        try c.encodeIfPresent(conversationID, forKey: .conversationID)
        try c.encodeIfPresent(metadata, forKey: .metadata)
    }
}
