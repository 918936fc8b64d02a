/// `audio.output.voice`: a built-in voice name or a custom voice id. Fixed once the model has produced
/// audio in a session, so it belongs in the first `session.update`.
public enum RealtimeVoice: Sendable, Hashable {
    /// A built-in voice by name (`alloy`, `ash`, `ballad`, `coral`, `echo`, `sage`, `shimmer`, `verse`,
    /// `marin`, `cedar`); kept as a string so new names need no code change.
    case named(String)
    /// A custom voice: `{"id":"voice_..."}`.
    case custom(id: String)

    public static let marin = RealtimeVoice.named("marin")
    public static let cedar = RealtimeVoice.named("cedar")
    public static let alloy = RealtimeVoice.named("alloy")
}

extension RealtimeVoice: Codable {
    private enum CodingKeys: String, CodingKey { case id }

    public init(from decoder: any Decoder) throws {
        if let name = try? decoder.singleValueContainer().decode(String.self) {
            self = .named(name)
        } else {
            self = .custom(id: try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .id))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .named(let name):
            var c = encoder.singleValueContainer()
            try c.encode(name)
        case .custom(let id):
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
        }
    }
}
