/// `audio.input.transcription`: the separate ASR model that transcribes the caller (asynchronously; it is
/// guidance, not what the speech model heard). `.disabled` goes out as JSON `null`.
public enum RealtimeInputTranscription: Sendable, Hashable {
    case disabled
    case enabled(Settings)

    /// Transcription settings. Keep `model` in configuration: names get deprecated (protocols.md B.3).
    public struct Settings: Sendable, Hashable, Codable {
        /// For example "gpt-4o-mini-transcribe" or "gpt-transcribe".
        public var model: String
        /// ISO-639-1 code ("he", "en"); improves accuracy and latency.
        public var language: String?
        /// Free-text hint (keywords for whisper-1).
        public var prompt: String?

        public init(model: String, language: String? = nil, prompt: String? = nil) {
            self.model = model
            self.language = language
            self.prompt = prompt
        }
    }

    /// Shorthand for `.enabled(Settings(...))`.
    public static func model(_ model: String, language: String? = nil, prompt: String? = nil) -> Self {
        .enabled(Settings(model: model, language: language, prompt: prompt))
    }
}

extension RealtimeInputTranscription: Codable {
    public init(from decoder: any Decoder) throws {
        if try decoder.singleValueContainer().decodeNil() {
            self = .disabled
        } else {
            self = .enabled(try Settings(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .disabled:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .enabled(let settings):
            try settings.encode(to: encoder)
        }
    }
}
