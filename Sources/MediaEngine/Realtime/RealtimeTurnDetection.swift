/// `audio.input.turn_detection`: who decides that the caller has finished a turn.
///
/// `.disabled` goes out as JSON `null` (manual turns: the engine commits and asks for responses itself);
/// leaving the session field nil omits it, which keeps the server's current setting.
public enum RealtimeTurnDetection: Sendable, Hashable {
    case disabled
    case serverVAD(ServerVAD)
    case semanticVAD(SemanticVAD)

    /// Energy-based server VAD. Set `createResponse` and `interruptResponse` explicitly: the API does not
    /// document their defaults.
    public struct ServerVAD: Sendable, Hashable {
        /// Activation threshold, 0...1 (API default 0.5); higher needs louder speech.
        public var threshold: Double
        /// Audio kept before detected speech, ms (API default 300). Included in `audio_start_ms`.
        public var prefixPaddingMs: Int
        /// Silence that ends a turn, ms (API default 500).
        public var silenceDurationMs: Int
        /// Whether the server starts a response when the caller stops speaking.
        public var createResponse: Bool
        /// Whether the server cancels the running response when the caller starts speaking.
        public var interruptResponse: Bool
        /// After this much silence following the model's audio, ms, the server prompts the caller
        /// (`input_audio_buffer.timeout_triggered`). Nil leaves it off.
        public var idleTimeoutMs: Int?

        public init(threshold: Double = 0.5, prefixPaddingMs: Int = 300, silenceDurationMs: Int = 500,
                    createResponse: Bool = true, interruptResponse: Bool = true, idleTimeoutMs: Int? = nil) {
            self.threshold = threshold
            self.prefixPaddingMs = prefixPaddingMs
            self.silenceDurationMs = silenceDurationMs
            self.createResponse = createResponse
            self.interruptResponse = interruptResponse
            self.idleTimeoutMs = idleTimeoutMs
        }
    }

    /// Model-based end-of-turn detection.
    public struct SemanticVAD: Sendable, Hashable {
        /// How quickly the model takes the turn. `auto` equals `medium`; low/medium/high wait at most 8/4/2 s.
        public enum Eagerness: String, Sendable, Hashable, Codable { case low, medium, high, auto }

        public var eagerness: Eagerness
        public var createResponse: Bool
        public var interruptResponse: Bool

        public init(eagerness: Eagerness = .auto, createResponse: Bool = true, interruptResponse: Bool = true) {
            self.eagerness = eagerness
            self.createResponse = createResponse
            self.interruptResponse = interruptResponse
        }
    }
}

extension RealtimeTurnDetection: Codable {
    private enum CodingKeys: String, CodingKey {
        case type, threshold, eagerness
        case prefixPaddingMs = "prefix_padding_ms"
        case silenceDurationMs = "silence_duration_ms"
        case createResponse = "create_response"
        case interruptResponse = "interrupt_response"
        case idleTimeoutMs = "idle_timeout_ms"
    }

    /// Reads null as `.disabled`; absent optional members take the API's documented defaults.
    public init(from decoder: any Decoder) throws {
        if try decoder.singleValueContainer().decodeNil() {
            self = .disabled
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        let create = try c.decodeIfPresent(Bool.self, forKey: .createResponse) ?? true
        let interrupt = try c.decodeIfPresent(Bool.self, forKey: .interruptResponse) ?? true
        switch type {
        case "server_vad":
            self = .serverVAD(ServerVAD(
                threshold: try c.decodeIfPresent(Double.self, forKey: .threshold) ?? 0.5,
                prefixPaddingMs: try c.decodeIfPresent(Int.self, forKey: .prefixPaddingMs) ?? 300,
                silenceDurationMs: try c.decodeIfPresent(Int.self, forKey: .silenceDurationMs) ?? 500,
                createResponse: create, interruptResponse: interrupt,
                idleTimeoutMs: try c.decodeIfPresent(Int.self, forKey: .idleTimeoutMs)))
        case "semantic_vad":
            self = .semanticVAD(SemanticVAD(
                eagerness: try c.decodeIfPresent(SemanticVAD.Eagerness.self, forKey: .eagerness) ?? .auto,
                createResponse: create, interruptResponse: interrupt))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unknown turn detection '\(type)'")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .disabled:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .serverVAD(let vad):
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode("server_vad", forKey: .type)
            try c.encode(vad.threshold, forKey: .threshold)
            try c.encode(vad.prefixPaddingMs, forKey: .prefixPaddingMs)
            try c.encode(vad.silenceDurationMs, forKey: .silenceDurationMs)
            try c.encode(vad.createResponse, forKey: .createResponse)
            try c.encode(vad.interruptResponse, forKey: .interruptResponse)
            try c.encodeIfPresent(vad.idleTimeoutMs, forKey: .idleTimeoutMs)
        case .semanticVAD(let vad):
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode("semantic_vad", forKey: .type)
            try c.encode(vad.eagerness, forKey: .eagerness)
            try c.encode(vad.createResponse, forKey: .createResponse)
            try c.encode(vad.interruptResponse, forKey: .interruptResponse)
        }
    }
}
