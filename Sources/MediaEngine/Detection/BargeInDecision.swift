/// What `BargeInDetector` says about one caller frame. A small value: no allocation per frame.
public struct BargeInDecision: Sendable, Equatable {
    /// Set on the one frame where barge-in fires: the media time (ms) at which the caller started
    /// talking, i.e. the first qualifying frame (or the VAD's backdated start when no bot audio was
    /// playing). Nil on every other frame.
    public var onsetMs: Int?
    /// This frame counted toward a barge-in: the VAD called it speech and it was louder than the
    /// expected echo by the margin.
    public var isQualifying: Bool
    /// Bot audio was playing within the echo tail (so a firing is an interruption, not a plain turn
    /// start).
    public var botIsPlaying: Bool
    /// The echo level expected on the caller's line for this frame (dBFS); -120 when nothing played.
    public var expectedEchoDbfs: Double

    public init(onsetMs: Int?, isQualifying: Bool, botIsPlaying: Bool, expectedEchoDbfs: Double) {
        self.onsetMs = onsetMs
        self.isQualifying = isQualifying
        self.botIsPlaying = botIsPlaying
        self.expectedEchoDbfs = expectedEchoDbfs
    }
}
