/// How a tenant's calls use the speech-to-speech model (the `model:` section of a tenant).
public struct ModelSettings: Sendable, Equatable, Encodable {
    /// Realtime model name, e.g. `gpt-realtime`.
    public var name: String
    /// Output voice: one of `ModelSettings.knownVoices` or a custom `voice_…` id.
    public var voice: String
    public var instructions: String
    /// What the agent says first; nil lets the caller speak first.
    public var greeting: String?
    public var audioPath: ModelAudioPath
    public var transcription: TranscriptionSettings
    public var turnDetection: TurnDetection
    public var bargeIn: BargeInSource

    /// Voices the Realtime API offers (protocols.md B.3).
    public static let knownVoices = ["alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar"]
    public static let defaultName = "gpt-realtime"
    public static let defaultVoice = "marin"
    public static let defaultTranscriptionModel = "gpt-4o-mini-transcribe"

    public init(
        name: String, voice: String, instructions: String, greeting: String?, audioPath: ModelAudioPath,
        transcription: TranscriptionSettings, turnDetection: TurnDetection, bargeIn: BargeInSource
    ) {
        self.name = name
        self.voice = voice
        self.instructions = instructions
        self.greeting = greeting
        self.audioPath = audioPath
        self.transcription = transcription
        self.turnDetection = turnDetection
        self.bargeIn = bargeIn
    }
}

/// The audio format between the engine and the model.
public enum ModelAudioPath: String, Sendable, Equatable, CaseIterable, Encodable {
    /// μ-law 8 kHz both ways, passed through unchanged (the engine still decodes a copy for detection).
    case pcmu
    /// PCM16 24 kHz both ways, resampled from and to Twilio's 8 kHz.
    case pcm24k
}

/// Who decides that the caller interrupted the agent.
public enum BargeInSource: String, Sendable, Equatable, CaseIterable, Encodable {
    /// The engine's own echo-aware detector (fast, local).
    case engine
    /// The model's `input_audio_buffer.speech_started`.
    case model
}

/// Input transcription requested from the model.
public struct TranscriptionSettings: Sendable, Equatable, Encodable {
    public var model: String
    /// ISO 639-1 code, e.g. `he`.
    public var language: String

    public init(model: String, language: String) {
        self.model = model
        self.language = language
    }
}

/// The model's turn detection (protocols.md B.3 "Turn detection objects").
public enum TurnDetection: Sendable, Equatable, Encodable {
    /// Energy-based VAD on the model side.
    case serverVAD(ServerVAD)
    /// The model judges whether the caller finished their thought.
    case semanticVAD(eagerness: Eagerness)

    public struct ServerVAD: Sendable, Equatable, Encodable {
        /// Activation threshold, 0...1 (higher needs louder speech).
        public var threshold: Double
        public var prefixPaddingMs: Int
        public var silenceDurationMs: Int
        /// Nudges the caller after this much silence; nil for never.
        public var idleTimeoutMs: Int?

        public static let standard = ServerVAD(threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 500, idleTimeoutMs: nil)

        public init(threshold: Double, prefixPaddingMs: Int, silenceDurationMs: Int, idleTimeoutMs: Int?) {
            self.threshold = threshold
            self.prefixPaddingMs = prefixPaddingMs
            self.silenceDurationMs = silenceDurationMs
            self.idleTimeoutMs = idleTimeoutMs
        }
    }

    public enum Eagerness: String, Sendable, Equatable, CaseIterable, Encodable {
        case low, medium, high, auto
    }

    /// How far before the speech the model's VAD found an `input_audio_buffer.speech_started`'s
    /// `audio_start_ms` lies (ms), so the caller's real onset is `audio_start_ms` plus this.
    ///
    /// The API dates that event at "the beginning of audio sent to the model", which "includes the
    /// `prefix_padding_ms` configured in the Session" (protocols.md B.4): with server VAD it is the
    /// session's prefix padding. Semantic VAD has no such setting (`prefix_padding_ms` is documented
    /// as used only for server VAD, and protocols.md's `semantic_vad` object has none), so 0: the
    /// event is taken at face value, and the simulator's stand-in for semantic VAD pads nothing either.
    public var speechStartPaddingMs: Int {
        switch self {
        case .serverVAD(let vad): vad.prefixPaddingMs
        case .semanticVAD: 0
        }
    }
}
