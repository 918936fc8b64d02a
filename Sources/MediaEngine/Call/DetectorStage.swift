/// Second stage of a call: the caller's decoded audio through the engine's detectors, frame by frame.
///
/// - `VoiceActivityDetector`: caller speech start/end (backdated to the audio), which times turns.
/// - `BargeInDetector`: caller speech over the bot's audio, echo-aware (it is told how loud the bot is
///   at the caller's end right now, so the bot's own echo does not interrupt it).
/// - `DTMFDetector`: keypad tones carried in-band in the audio.
///
/// Value types, owned by the call's actor; no allocation per frame.
public struct DetectorStage {
    public private(set) var vad: VoiceActivityDetector
    public private(set) var bargeIn: BargeInDetector
    public private(set) var dtmf: DTMFDetector

    /// What the detectors decided about one frame.
    public struct Detection: Sendable, Equatable {
        public var vad: VADEvent?
        /// Set on the frame where a barge-in fires: the caller's speech onset (media ms).
        public var bargeInOnsetMs: Int?
        public var dtmf: DTMFEvent?
    }

    public init(settings: CallSettings) throws {
        vad = VoiceActivityDetector(config: settings.vad, sampleRate: 8_000)
        bargeIn = BargeInDetector(config: settings.bargeIn)
        dtmf = try DTMFDetector()
    }

    /// True while the caller is inside a speech segment.
    public var isCallerSpeaking: Bool { vad.isInSegment }

    /// Runs one 8 kHz frame at media time `timestampMs`; `playedLevelDbfs` is the level of the bot audio
    /// playing to the caller now (nil when none is).
    public mutating func process(_ pcm: UnsafeBufferPointer<Int16>, timestampMs: Int, playedLevelDbfs: Double?) -> Detection {
        let decision = vad.process(pcm, timestampMs: timestampMs)
        let barge = bargeIn.process(decision, timestampMs: timestampMs, playedLevelDbfs: playedLevelDbfs)
        let tone = dtmf.process(pcm, timestampMs: timestampMs)
        return Detection(vad: decision.event, bargeInOnsetMs: barge.onsetMs, dtmf: tone)
    }
}
