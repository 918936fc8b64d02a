/// Second stage of a call: the caller's decoded audio through the engine's detectors, frame by frame.
///
/// - `VoiceActivityDetector`: caller speech start/end (backdated to the audio), which times turns.
/// - `BargeInDetector`: caller speech over the bot's audio, echo-aware (it is told how loud the bot is
///   at the caller's end right now, so the bot's own echo does not interrupt it).
/// - `DTMFDetector`: keypad tones carried in-band in the audio.
///
/// The DTMF detector runs first on each frame: while it hears a keypad tone, the frame is no speech for
/// the VAD (no segment starts, the noise floor does not learn the tone) nor for barge-in, so a caller
/// pressing a key neither interrupts the bot nor opens a turn. `RecordingAnalyzer` runs this same
/// stage, so offline analysis agrees with the live call.
///
/// Value types, owned by the call's actor; no allocation per frame.
public struct DetectorStage {
    public private(set) var vad: VoiceActivityDetector
    public private(set) var bargeIn: BargeInDetector
    public private(set) var dtmf: DTMFDetector

    /// What the detectors decided about one frame.
    public struct Detection: Sendable, Equatable {
        public var vad: VADEvent?
        /// The VAD judged the frame speech.
        public var isSpeech: Bool = false
        /// Set on the frame where a barge-in fires: the caller's speech onset (media ms).
        public var bargeInOnsetMs: Int?
        public var dtmf: DTMFEvent?
    }

    public init(settings: CallSettings) throws {
        try self.init(vad: settings.vad, bargeIn: settings.bargeIn)
    }

    /// Throws `DTMFDetector.ConfigurationError` for a DTMF configuration that is not for 8 kHz or is
    /// out of range.
    public init(vad: VADConfig = VADConfig(), bargeIn: BargeInConfig = BargeInConfig(),
                dtmf: DTMFDetector.Configuration = DTMFDetector.Configuration()) throws(DTMFDetector.ConfigurationError) {
        guard dtmf.sampleRate == 8_000 else { throw .unsupportedSampleRate(dtmf.sampleRate) }
        self.vad = VoiceActivityDetector(config: vad, sampleRate: 8_000)
        self.bargeIn = BargeInDetector(config: bargeIn)
        self.dtmf = try DTMFDetector(configuration: dtmf)
    }

    /// True while the caller is inside a speech segment.
    public var isCallerSpeaking: Bool { vad.isInSegment }

    /// Runs one 8 kHz frame at media time `timestampMs`; `playedLevelDbfs` is the level of the bot audio
    /// playing to the caller now (nil when none is).
    public mutating func process(_ pcm: UnsafeBufferPointer<Int16>, timestampMs: Int, playedLevelDbfs: Double?) -> Detection {
        let tone = dtmf.process(pcm, timestampMs: timestampMs)
        let decision = vad.process(pcm, timestampMs: timestampMs, keypadToneSinceMs: dtmf.toneOnsetMs)
        let barge = bargeIn.process(decision, timestampMs: timestampMs, playedLevelDbfs: playedLevelDbfs)
        return Detection(vad: decision.event, isSpeech: decision.isSpeech, bargeInOnsetMs: barge.onsetMs, dtmf: tone)
    }

    /// Convenience for tests and offline analysis.
    public mutating func process(_ pcm: [Int16], timestampMs: Int, playedLevelDbfs: Double?) -> Detection {
        pcm.withUnsafeBufferPointer { process($0, timestampMs: timestampMs, playedLevelDbfs: playedLevelDbfs) }
    }

    /// Closes a speech segment still open at the end of the stream: its `speechEnded` event, or nil.
    public mutating func finish() -> VADEvent? {
        vad.finish()
    }
}
