/// Tuning of `VoiceActivityDetector`. Every field has a default that suits 8 kHz telephone speech.
///
/// Levels are in dB relative to the adaptive noise floor or in dBFS (0 dBFS = a full-scale square
/// wave, as in `AudioLevel`); durations are media milliseconds.
public struct VADConfig: Sendable, Equatable {
    /// Speech needed before a segment is declared started (ms). Frames above the threshold are
    /// counted; gaps up to `startGapToleranceMs` inside that run are forgiven. The reported start is
    /// backdated to the first of those frames. Default 100 ms: long enough that a click or a short
    /// crackle on the line does not start a turn, short enough that the turn begins on the first
    /// syllable.
    public var speechStartMs: Int

    /// Non-speech needed before a segment is declared ended (ms), the "hangover". Default 600 ms:
    /// Hebrew (like most languages) has pauses of 200-400 ms between words and phrases inside one
    /// utterance, and those must not end the caller's turn; a pause of over half a second usually
    /// does. The reported end is backdated to the end of the last speech frame.
    public var speechStopMs: Int

    /// How far above the noise floor a frame must be to count as speech (dB). The floor is the
    /// estimated MEAN level of the line's noise, tracked separately in a low band (200-1000 Hz, where
    /// vowels' first formants put most speech energy) and a high band (1000-3800 Hz, second formants
    /// and fricatives); a frame is speech when either band is this far above its own floor. Band levels
    /// are steadied over 40 ms, so noise rarely strays more than 2 dB above its mean. Default 3 dB
    /// (with the defaults, 24 minutes of line noise at -60 to -20 dBFS gave no speech frame).
    public var thresholdMarginDb: Double

    /// Once a segment is open, a frame keeps it open when a band is this far above its floor (dB).
    /// Lower than `thresholdMarginDb` so that the soft ends of words are not cut off. Default 2 dB.
    public var continueMarginDb: Double

    /// A band that stays at least this far above its floor (dB) for `sustainedMs` is speech too, even
    /// below the margins above: weak but steady sounds (soft consonants, speech in heavy noise) are
    /// found by their persistence, which single noise frames do not have. Default 1.5 dB.
    public var sustainedMarginDb: Double

    /// How long a band must stay `sustainedMarginDb` above its floor to count as speech (ms); the
    /// whole run is then speech. Default 80 ms.
    public var sustainedMs: Int

    /// Frames quieter than this are never speech, whatever the floor (dBFS, full band). Guards against
    /// triggering on the quantization noise of a digitally silent line (mu-law's smallest steps are
    /// below -70 dBFS). Default -65 dBFS, 30 dB below quiet telephone speech (about -35 dBFS), so
    /// that a line 20 dB quieter than usual still works.
    public var minimumLevelDbfs: Double

    /// Length of the window of the minimum statistics under the noise floor (ms). A noisier line is
    /// followed within this time (meanwhile it may be taken for speech); a quieter one within a
    /// second or two. Must be longer than any stretch of speech without a pause. Default 3000 ms.
    public var noiseFloorWindowMs: Int

    /// Non-speech tolerated inside the run that starts a segment (ms). Default 40 ms.
    public var startGapToleranceMs: Int

    public init(
        speechStartMs: Int = 100,
        speechStopMs: Int = 600,
        thresholdMarginDb: Double = 3,
        continueMarginDb: Double = 2,
        sustainedMarginDb: Double = 1.5,
        sustainedMs: Int = 80,
        minimumLevelDbfs: Double = -65,
        noiseFloorWindowMs: Int = 3000,
        startGapToleranceMs: Int = 40
    ) {
        self.speechStartMs = speechStartMs
        self.speechStopMs = speechStopMs
        self.thresholdMarginDb = thresholdMarginDb
        self.continueMarginDb = continueMarginDb
        self.sustainedMarginDb = sustainedMarginDb
        self.sustainedMs = sustainedMs
        self.minimumLevelDbfs = minimumLevelDbfs
        self.noiseFloorWindowMs = noiseFloorWindowMs
        self.startGapToleranceMs = startGapToleranceMs
    }
}
