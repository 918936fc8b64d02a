/// An audio format of the Realtime GA session (`audio.input.format`, `audio.output.format`).
///
/// Wire shapes: `{"type":"audio/pcmu"}` (G.711 mu-law, 8 kHz: Twilio's format, passed through unchanged),
/// `{"type":"audio/pcma"}` (G.711 A-law, 8 kHz) and `{"type":"audio/pcm","rate":24000}` (PCM16 little-endian
/// mono; the API accepts no other rate, so the engine resamples 8 kHz <-> 24 kHz itself).
public enum RealtimeAudioFormat: Sendable, Hashable {
    case pcmu
    case pcma
    /// PCM16 at 24 000 Hz, the only PCM rate the API accepts.
    case pcm24kHz

    /// The `type` string on the wire.
    public var wireType: String {
        switch self {
        case .pcmu: return "audio/pcmu"
        case .pcma: return "audio/pcma"
        case .pcm24kHz: return "audio/pcm"
        }
    }

    /// Sample rate in Hz.
    public var sampleRate: Int {
        switch self {
        case .pcmu, .pcma: return 8000
        case .pcm24kHz: return 24000
        }
    }

    /// Reads a format object from a JSON tree (for example the server's effective session). Nil when it is
    /// not one of the three known formats.
    public init?(json: JSONValue?) {
        guard let json, let type = json["type"]?.stringValue else { return nil }
        switch type {
        case "audio/pcmu": self = .pcmu
        case "audio/pcma": self = .pcma
        case "audio/pcm":
            guard let rate = json["rate"], rate != .null else { self = .pcm24kHz; return }
            guard rate.intValue == 24000 else { return nil }
            self = .pcm24kHz
        default: return nil
        }
    }
}

extension RealtimeAudioFormat: Codable {
    private enum CodingKeys: String, CodingKey { case type, rate }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "audio/pcmu": self = .pcmu
        case "audio/pcma": self = .pcma
        case "audio/pcm":
            let rate = try c.decodeIfPresent(Int.self, forKey: .rate) ?? 24000
            guard rate == 24000 else {
                throw DecodingError.dataCorruptedError(forKey: .rate, in: c, debugDescription: "audio/pcm rate must be 24000, got \(rate)")
            }
            self = .pcm24kHz
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unknown audio format '\(type)'")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(wireType, forKey: .type)
        if self == .pcm24kHz { try c.encode(24000, forKey: .rate) }
    }
}
