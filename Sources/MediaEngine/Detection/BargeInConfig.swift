/// Tuning of `BargeInDetector`. Every field has a default for a Twilio phone call.
///
/// Levels are dB or dBFS (as in `AudioLevel`); durations are media milliseconds.
public struct BargeInConfig: Sendable, Equatable {
    /// Echo return loss assumed for the line (dB): how much quieter the bot's own audio comes back on
    /// the caller's line than it was played. The expected echo of a frame is the loudest bot audio
    /// played within `echoTailMs` minus this. Handsets and network echo cancellers usually give
    /// 30 dB or more; a speakerphone or a line without echo cancelling can give as little as 6 dB.
    /// Default 25 dB. With adaptation on, this is also the lowest return loss ever assumed.
    public var echoReturnLossDb: Double

    /// How far a caller frame must be above the expected echo to count as the caller talking (dB).
    /// Covers the echo's spread around the assumed return loss. Default 10 dB, so with the default
    /// return loss a caller counts when no more than 15 dB quieter than the bot.
    public var marginDb: Double

    /// Caller speech over the bot needed before barge-in fires (ms of qualifying frames). A cough, a
    /// click or a short "mm" is shorter. Default 160 ms.
    public var minimumSpeechMs: Int

    /// Non-qualifying time tolerated inside that run (ms): short dips between syllables. Default 40 ms.
    public var gapToleranceMs: Int

    /// How long bot audio can still echo after it was played (ms): echo path delay plus
    /// reverberation, plus the uncertainty of when the bot audio really played. Default 250 ms.
    public var echoTailMs: Int

    /// Bot audio quieter than this counts as not playing (dBFS). Default -60 dBFS.
    public var silentPlaybackDbfs: Double

    /// Whether the detector learns a larger return loss than `echoReturnLossDb` from the line while
    /// the bot plays (so that a quiet caller can interrupt on a line with little echo). It only ever
    /// raises the estimate slowly, never above what the line has shown in the last seconds, and falls
    /// back at once when a frame looks like louder echo (or double talk). Default true.
    public var adaptsEchoReturnLoss: Bool

    /// The largest return loss adaptation may assume (dB). Default 40 dB.
    public var maximumEchoReturnLossDb: Double

    /// How fast the learned return loss may grow (dB per second of bot playback). Default 3 dB/s:
    /// from the default 25 dB to the 40 dB maximum in five seconds of the bot talking.
    public var adaptationDbPerSecond: Double

    /// After firing, the detector stays quiet until there has been no qualifying frame for this long
    /// (ms), so one interruption fires once. Default 600 ms (the VAD's default stop duration).
    public var rearmAfterMs: Int

    public init(
        echoReturnLossDb: Double = 25,
        marginDb: Double = 10,
        minimumSpeechMs: Int = 160,
        gapToleranceMs: Int = 40,
        echoTailMs: Int = 250,
        silentPlaybackDbfs: Double = -60,
        adaptsEchoReturnLoss: Bool = true,
        maximumEchoReturnLossDb: Double = 40,
        adaptationDbPerSecond: Double = 3,
        rearmAfterMs: Int = 600
    ) {
        self.echoReturnLossDb = echoReturnLossDb
        self.marginDb = marginDb
        self.minimumSpeechMs = minimumSpeechMs
        self.gapToleranceMs = gapToleranceMs
        self.echoTailMs = echoTailMs
        self.silentPlaybackDbfs = silentPlaybackDbfs
        self.adaptsEchoReturnLoss = adaptsEchoReturnLoss
        self.maximumEchoReturnLossDb = maximumEchoReturnLossDb
        self.adaptationDbPerSecond = adaptationDbPerSecond
        self.rearmAfterMs = rearmAfterMs
    }
}
