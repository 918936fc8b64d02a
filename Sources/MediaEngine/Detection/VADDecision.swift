/// What `VoiceActivityDetector` says about one frame. A small value: no allocation per frame.
public struct VADDecision: Sendable, Equatable {
    /// This frame looks like speech: a speech band stands above its noise floor by the start margin
    /// (outside a segment) or the lower continue margin (inside one), or has stood above it by the
    /// sustained margin for the sustained duration (see `VADConfig`).
    public var isSpeech: Bool
    /// A speech segment is open after this frame (started and not yet ended). Short pauses inside an
    /// utterance keep it open; see `VADConfig.speechStopMs`.
    public var isInSegment: Bool
    /// A segment started or ended on this frame, with backdated media times.
    public var event: VADEvent?
    /// Level of the frame in the speech band (200-3800 Hz), dBFS. The barge-in detector compares it
    /// with the expected echo.
    public var levelDbfs: Double
    /// Duration of the frame (ms, rounded).
    public var durationMs: Int
    /// The frame carries a keypad (DTMF) tone, as the DTMF detector said: it is not speech, whatever
    /// its level, and the barge-in detector drops the run the tone's first frames may have begun.
    public var isKeypadTone: Bool

    public init(isSpeech: Bool, isInSegment: Bool, event: VADEvent?, levelDbfs: Double, durationMs: Int,
                isKeypadTone: Bool = false) {
        self.isSpeech = isSpeech
        self.isInSegment = isInSegment
        self.event = event
        self.levelDbfs = levelDbfs
        self.durationMs = durationMs
        self.isKeypadTone = isKeypadTone
    }
}

/// A speech segment boundary. Times are media milliseconds on the caller's timeline and are backdated:
/// the start is the first speech frame's timestamp, the end is the end of the last speech frame, even
/// though the decision is made `speechStartMs` / `speechStopMs` later.
public enum VADEvent: Sendable, Equatable {
    case speechStarted(atMs: Int)
    case speechEnded(atMs: Int)
}
