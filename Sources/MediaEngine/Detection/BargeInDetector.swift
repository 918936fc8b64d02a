/// Decides "the caller started talking while the bot's audio is playing", without taking the bot's
/// own echo for the caller.
///
/// Per caller frame it is given the `VoiceActivityDetector`'s decision for that frame and the level of
/// the bot audio being played to the caller at that media time (the egress side knows it). A frame
/// qualifies when the VAD calls it speech and its level is at least `marginDb` above the expected echo:
/// the loudest bot audio played within `echoTailMs` (which covers the echo path's delay and
/// reverberation) minus the echo return loss. Barge-in fires once the qualifying frames add up to
/// `minimumSpeechMs` (short gaps forgiven), so a cough or a click does not interrupt; it reports the
/// first qualifying frame's media time as the onset. With no bot audio playing it fires on the VAD's
/// speech start, at the VAD's backdated start time. After firing it stays quiet until there has been
/// no qualifying frame for `rearmAfterMs`.
///
/// A keypad tone is not the caller talking: a frame the VAD marks as a keypad tone never qualifies,
/// and it drops the current run, which may hold the tone's first frames (taken for speech before the
/// DTMF detector could tell); it teaches the echo estimate nothing either.
///
/// The return loss starts at `echoReturnLossDb`. With `adaptsEchoReturnLoss`, while the bot plays and
/// the caller is silent (the frame does not qualify), the detector measures how far the caller's line
/// is below the played audio. A frame with signal in it (the VAD says speech) that is closer than the
/// current estimate (echo louder than assumed, though within the margin) pulls the estimate down at
/// once, never below the configured value; otherwise the estimate grows by at most
/// `adaptationDbPerSecond` and never past what the line showed. So a quiet echo is learned from
/// seconds of evidence, and a caller quieter than the configured allowance can still interrupt on
/// such a line. The price: if the echo path suddenly got louder by more than the margin (a handset
/// switched to speakerphone mid-sentence), that echo could be taken for the caller until the bot
/// pauses; set `adaptsEchoReturnLoss` to false where that matters more than quiet callers.
///
/// Cost: a few dozen comparisons per frame (the caller frame's level comes from the VAD), plus one
/// pass over the played samples when they are given as PCM; VAD and barge-in together measured about
/// 1 µs per 20 ms frame at 8 kHz in a release build. No allocation per frame. A value type owned by
/// one call's detection stage.
public struct BargeInDetector: Sendable {
    public let config: BargeInConfig

    private var playedLevels: SlidingMaximum
    /// Current echo return loss estimate (dB).
    public private(set) var echoReturnLossDb: Double

    /// Media time of the first qualifying frame of the current run (ms).
    private var runStartMs = 0
    /// Qualifying speech in the current run (ms); 0 when there is no run.
    private var runSpeechMs = 0
    /// Non-qualifying time since the run's last qualifying frame (ms).
    private var runGapMs = 0
    /// Fired, and not re-armed yet.
    private var fired = false
    /// Time since the last qualifying frame (ms), for re-arming.
    private var sinceQualifyingMs = 0

    public init(config: BargeInConfig = BargeInConfig()) {
        self.config = config
        playedLevels = SlidingMaximum(windowMs: config.echoTailMs)
        echoReturnLossDb = config.echoReturnLossDb
    }

    /// Takes one caller frame's VAD decision, at media time `timestampMs`, and the level of the bot
    /// audio played at that time (dBFS; nil or below `silentPlaybackDbfs` when nothing is playing).
    public mutating func process(_ vad: VADDecision, timestampMs: Int, playedLevelDbfs: Double?) -> BargeInDecision {
        playedLevels.push(playedLevelDbfs ?? -.infinity, atMs: timestampMs)
        let playedPeak = playedLevels.maximum(nowMs: timestampMs)
        let playing = playedPeak > config.silentPlaybackDbfs
        let duration = vad.durationMs

        let expectedEcho = playing ? playedPeak - echoReturnLossDb : -120
        if vad.isKeypadTone {
            runSpeechMs = 0
            runGapMs = 0
            sinceQualifyingMs += duration
            if fired && sinceQualifyingMs >= config.rearmAfterMs { fired = false }
            return BargeInDecision(onsetMs: nil, isQualifying: false, botIsPlaying: playing, expectedEchoDbfs: expectedEcho)
        }
        let qualifies = vad.isSpeech && (!playing || vad.levelDbfs >= expectedEcho + config.marginDb)
        if playing && !qualifies && config.adaptsEchoReturnLoss {
            adaptEchoReturnLoss(measuredDb: playedPeak - vad.levelDbfs, frameHasSignal: vad.isSpeech, durationMs: duration)
        }

        if qualifies {
            if runSpeechMs == 0 { runStartMs = timestampMs }
            runSpeechMs += duration
            runGapMs = 0
            sinceQualifyingMs = 0
        } else {
            sinceQualifyingMs += duration
            if runSpeechMs > 0 {
                runGapMs += duration
                if runGapMs > config.gapToleranceMs {
                    runSpeechMs = 0
                    runGapMs = 0
                }
            }
            if fired && sinceQualifyingMs >= config.rearmAfterMs { fired = false }
        }

        var onset: Int?
        if !fired {
            if !playing, case .speechStarted(let startMs) = vad.event {
                onset = startMs
            } else if runSpeechMs >= config.minimumSpeechMs {
                onset = runStartMs
            }
            if onset != nil {
                fired = true
                runSpeechMs = 0
                runGapMs = 0
            }
        }
        return BargeInDecision(onsetMs: onset, isQualifying: qualifies, botIsPlaying: playing, expectedEchoDbfs: expectedEcho)
    }

    /// Same, with the played bot audio as PCM16 (its level is measured here; empty when nothing plays).
    public mutating func process(_ vad: VADDecision, timestampMs: Int, played: UnsafeBufferPointer<Int16>) -> BargeInDecision {
        process(vad, timestampMs: timestampMs, playedLevelDbfs: played.isEmpty ? nil : AudioLevel.dbfs(played))
    }

    /// Convenience for tests and offline analysis.
    public mutating func process(_ vad: VADDecision, timestampMs: Int, played: [Int16]) -> BargeInDecision {
        played.withUnsafeBufferPointer { process(vad, timestampMs: timestampMs, played: $0) }
    }

    /// Forgets the echo estimate, the played history and any run (for example at a new call).
    /// Allocates its buffer anew: for a new stream, not per frame.
    public mutating func reset() {
        self = BargeInDetector(config: config)
    }

    /// Fast down (to the configured floor), slow up (never past the measurement or the maximum).
    /// `measuredDb` is how far the caller's line is below the played audio. When the frame is only
    /// line noise (the VAD found nothing in it) the echo is below the noise, so the measurement is a
    /// lower bound of the true return loss: it may raise the estimate but says nothing about louder
    /// echo, so it cannot lower it.
    private mutating func adaptEchoReturnLoss(measuredDb: Double, frameHasSignal: Bool, durationMs: Int) {
        if measuredDb <= echoReturnLossDb {
            if frameHasSignal { echoReturnLossDb = max(config.echoReturnLossDb, measuredDb) }
        } else {
            let step = config.adaptationDbPerSecond * Double(durationMs) / 1000
            let ceiling = max(config.maximumEchoReturnLossDb, config.echoReturnLossDb)
            echoReturnLossDb = min(echoReturnLossDb + step, measuredDb, ceiling)
        }
    }
}
