/// `audio.input.noise_reduction`: the server's input filter before VAD and the model. `.disabled` goes out
/// as JSON `null`. A handset is close-talking (`near_field`); a speakerphone is `far_field`.
public enum RealtimeNoiseReduction: Sendable, Hashable {
    case disabled
    /// `strength`: higher suppresses more; nil keeps the current strength (1 when first enabled).
    case nearField(strength: Double? = nil)
    case farField(strength: Double? = nil)
}

extension RealtimeNoiseReduction: Codable {
    private enum CodingKeys: String, CodingKey { case type, strength }

    public init(from decoder: any Decoder) throws {
        if try decoder.singleValueContainer().decodeNil() {
            self = .disabled
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let strength = try c.decodeIfPresent(Double.self, forKey: .strength)
        switch try c.decodeIfPresent(String.self, forKey: .type) {
        case "near_field": self = .nearField(strength: strength)
        case "far_field": self = .farField(strength: strength)
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c,
                                                   debugDescription: "unknown noise reduction '\(other ?? "null")'")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .disabled:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .nearField(let strength):
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode("near_field", forKey: .type)
            try c.encodeIfPresent(strength, forKey: .strength)
        case .farField(let strength):
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode("far_field", forKey: .type)
            try c.encodeIfPresent(strength, forKey: .strength)
        }
    }
}
