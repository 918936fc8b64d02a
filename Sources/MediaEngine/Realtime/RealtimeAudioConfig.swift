/// The session's `audio` object: input (caller -> model) and output (model -> caller) settings.
///
/// Every member is optional because `session.update` merges: a nil member is omitted and keeps the
/// server's current value. Settings that can be switched off (`turnDetection`, `transcription`,
/// `noiseReduction`) have a `.disabled` case that is sent as JSON `null`.
public struct RealtimeAudioConfig: Sendable, Hashable, Codable {
    public var input: Input?
    public var output: Output?

    public init(input: Input? = nil, output: Output? = nil) {
        self.input = input
        self.output = output
    }

    /// `audio.input`.
    public struct Input: Sendable, Hashable {
        /// The format of `input_audio_buffer.append` audio.
        public var format: RealtimeAudioFormat?
        public var turnDetection: RealtimeTurnDetection?
        public var transcription: RealtimeInputTranscription?
        public var noiseReduction: RealtimeNoiseReduction?

        public init(format: RealtimeAudioFormat? = nil, turnDetection: RealtimeTurnDetection? = nil,
                    transcription: RealtimeInputTranscription? = nil, noiseReduction: RealtimeNoiseReduction? = nil) {
            self.format = format
            self.turnDetection = turnDetection
            self.transcription = transcription
            self.noiseReduction = noiseReduction
        }
    }

    /// `audio.output`.
    public struct Output: Sendable, Hashable, Codable {
        /// The format of `response.output_audio.delta` audio.
        public var format: RealtimeAudioFormat?
        public var voice: RealtimeVoice?
        /// Playback speed multiple, 0.25...1.5 (1.0 default); changeable only between turns.
        public var speed: Double?

        public init(format: RealtimeAudioFormat? = nil, voice: RealtimeVoice? = nil, speed: Double? = nil) {
            self.format = format
            self.voice = voice
            self.speed = speed
        }
    }
}

extension RealtimeAudioConfig.Input: Codable {
    private enum CodingKeys: String, CodingKey {
        case format, transcription
        case turnDetection = "turn_detection"
        case noiseReduction = "noise_reduction"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decodeIfPresent(RealtimeAudioFormat.self, forKey: .format)
        turnDetection = try c.decodeSetting(RealtimeTurnDetection.self, forKey: .turnDetection, null: .disabled)
        transcription = try c.decodeSetting(RealtimeInputTranscription.self, forKey: .transcription, null: .disabled)
        noiseReduction = try c.decodeSetting(RealtimeNoiseReduction.self, forKey: .noiseReduction, null: .disabled)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(format, forKey: .format)
        // `.disabled` encodes itself as null; nil is omitted.
        try c.encodeIfPresent(turnDetection, forKey: .turnDetection)
        try c.encodeIfPresent(transcription, forKey: .transcription)
        try c.encodeIfPresent(noiseReduction, forKey: .noiseReduction)
    }
}

extension KeyedDecodingContainer {
    /// A setting that may be absent (nil: keep the current value), null (`nullValue`: switch it off), or set.
    /// `decodeIfPresent` alone would read null as absent.
    func decodeSetting<T: Decodable>(_ type: T.Type, forKey key: Key, null nullValue: T) throws -> T? {
        guard contains(key) else { return nil }
        if try decodeNil(forKey: key) { return nullValue }
        return try decode(type, forKey: key)
    }
}
