/// Decides, frame by frame, whether the caller is speaking, adapting to the line's noise.
///
/// How it works (no FFT; three or four biquads per sample):
/// - The frame is high-passed at 200 Hz (removes DC and mains hum) and, above 8 kHz sampling,
///   low-passed at 3800 Hz so that every sample rate sees the same telephone band. That signal is split
///   at 1 kHz into a low band (200-1000 Hz: vowels' first formants, where most speech energy is) and a
///   high band (1000-3800 Hz: second formants and fricatives).
/// - Each band's level (dBFS, steadied over 40 ms) is compared with that band's noise floor, the mean
///   noise level estimated by a `NoiseFloorTracker` (minimum statistics plus a running mean of frames
///   judged to be noise). A frame is speech when the speech band is above `minimumLevelDbfs` and either
///   band stands `thresholdMarginDb` above its floor (`continueMarginDb` while a segment is open), or
///   has stood `sustainedMarginDb` above it for `sustainedMs`. Decisions depend only on level
///   differences, so the same audio 20 dB quieter gives the same decisions (until it nears the
///   absolute minimum).
/// - Segments need `speechStartMs` of speech frames to start and `speechStopMs` of non-speech to end;
///   the reported times are backdated to the first and last speech frames (see `VADEvent`).
/// - Keypad tones are loud, steady sound that this level detector alone would call speech. The caller
///   of `process` says when the DTMF detector hears one (`keypadToneSinceMs`): such a frame is not
///   speech, the floors neither learn from it nor count it, and the tone's first frames, which came
///   before the DTMF detector could tell, are taken back: a run towards a segment start is dropped,
///   and an open segment's last speech is set back to before the tone (see `process`).
///
/// Measured on espeak-ng sentences over line noise through mu-law (see the tests): frame accuracy
/// 99.7-99.9% at 20 dB SNR, 98-99% at 10 dB, 97% (English) and 84-90% (Hebrew) at 0 dB.
///
/// Supported sample rates: 8, 16, 24 and 48 kHz (anything above 2 kHz works; the upper band edge is
/// the Nyquist frequency at 8 kHz and 3800 Hz above). Frames may be any length; 10-30 ms is the
/// intended range (20 ms on Twilio). Cost in a release build: well under 1 µs per 20 ms frame at 8 kHz
/// (three biquads per sample), about 2 µs at 16 kHz and 3 µs at 24 kHz (four biquads, more samples).
/// `process` does not allocate.
///
/// A value type owned by one call's detection stage; not shared between calls.
public struct VoiceActivityDetector: Sendable {
    public let config: VADConfig
    /// Samples per second (Hz) of the frames given to `process`.
    public let sampleRate: Int

    private var highPass: Biquad
    private var upperLimit: Biquad
    /// Whether `upperLimit` is needed (above 8 kHz).
    private let limitsUpperBand: Bool
    private var lowBand: Biquad
    private var highBand: Biquad
    private var low: SpeechBand
    private var high: SpeechBand
    private var fullFloor: NoiseFloorTracker

    private var inSegment = false
    /// Media time of the first frame of the run that may start a segment (ms).
    private var candidateStartMs = 0
    /// Speech accumulated in that run (ms); 0 when there is no run.
    private var candidateSpeechMs = 0
    /// Non-speech since the run's last speech frame (ms).
    private var candidateGapMs = 0
    /// End of the last speech frame of the open segment (ms).
    private var lastSpeechEndMs = 0
    /// Inside the open segment: start of the current run of consecutive speech frames (ms), and
    /// `lastSpeechEndMs` before that run began, so that a run that was a keypad tone's onset can be
    /// taken back.
    private var speechRunStartMs = 0
    private var speechEndBeforeRunMs = 0
    /// Non-speech since then (ms).
    private var silenceMs = 0

    /// Current noise floor of the speech band (200-3800 Hz) in dBFS, for diagnostics; -120 before the
    /// first frame or on a digitally silent line.
    public var noiseFloorDbfs: Double { fullFloor.floorDb.isFinite ? max(-120, fullFloor.floorDb) : -120 }

    /// Whether a speech segment is open.
    public var isInSegment: Bool { inSegment }

    public init(config: VADConfig = VADConfig(), sampleRate: Int = 8000) {
        precondition(sampleRate > 2000, "VoiceActivityDetector: sample rate \(sampleRate) Hz is below 2 kHz")
        self.config = config
        self.sampleRate = sampleRate
        highPass = .highPass(cutoffHz: 200, sampleRate: sampleRate)
        limitsUpperBand = sampleRate > 8000
        upperLimit = limitsUpperBand ? .lowPass(cutoffHz: 3800, sampleRate: sampleRate) : .identity
        lowBand = .lowPass(cutoffHz: 1000, sampleRate: sampleRate)
        highBand = .highPass(cutoffHz: 1000, sampleRate: sampleRate)
        low = SpeechBand(noiseFloorWindowMs: config.noiseFloorWindowMs)
        high = SpeechBand(noiseFloorWindowMs: config.noiseFloorWindowMs)
        fullFloor = NoiseFloorTracker(windowMs: config.noiseFloorWindowMs)
    }

    /// How long before a keypad tone's reported onset the frame holding its true onset can start
    /// (ms): the DTMF detector dates a tone by its first whole 12.75 ms block, and a 20 ms frame can
    /// begin up to 20 ms before the tone does.
    static let toneOnsetSlackMs = 40

    /// Classifies one frame of PCM16 audio whose first sample is at media time `timestampMs`.
    /// Frames must be given in order; the timestamp is only used to date events.
    ///
    /// `keypadToneSinceMs`: when a keypad tone is present in this frame, the media time it began
    /// (`DTMFDetector.toneOnsetMs` after the DTMF detector has taken this same frame). Such a frame is
    /// never speech. Since the DTMF detector knows a tone only from its second whole block on, up to
    /// two frames of the tone's beginning may already have been taken for speech; they are taken back
    /// here: outside a segment the run towards a start is dropped (it is at most 40 ms of tone, under
    /// any sensible `speechStartMs`, plus whatever sound ran straight into the tone), inside one the
    /// last speech is set back to before the tone, so the segment ends `speechStopMs` after the
    /// caller's last word as usual.
    public mutating func process(_ frame: UnsafeBufferPointer<Int16>, timestampMs: Int,
                                 keypadToneSinceMs: Int? = nil) -> VADDecision {
        let count = frame.count
        guard count > 0 else {
            return VADDecision(isSpeech: false, isInSegment: inSegment, event: nil, levelDbfs: -120, durationMs: 0,
                               isKeypadTone: keypadToneSinceMs != nil)
        }
        var fullSum = 0.0, lowSum = 0.0, highSum = 0.0
        if limitsUpperBand {
            for sample in frame {
                let band = upperLimit.process(highPass.process(Double(sample)))
                let low = lowBand.process(band)
                let high = highBand.process(band)
                fullSum += band * band
                lowSum += low * low
                highSum += high * high
            }
        } else {
            // 8 kHz: the Nyquist frequency is the band's upper edge already.
            for sample in frame {
                let band = highPass.process(Double(sample))
                let low = lowBand.process(band)
                let high = highBand.process(band)
                fullSum += band * band
                lowSum += low * low
                highSum += high * high
            }
        }
        highPass.flushDenormals()
        upperLimit.flushDenormals()
        lowBand.flushDenormals()
        highBand.flushDenormals()

        let durationMs = (count * 1000 + sampleRate / 2) / sampleRate
        let n = Double(count)
        let fullDb = AudioLevel.powerToDbfs(fullSum / n)
        if let toneMs = keypadToneSinceMs {
            low.holdThroughTone(power: lowSum / n)
            high.holdThroughTone(power: highSum / n)
            let event = maskKeypadTone(sinceMs: toneMs, timestampMs: timestampMs, durationMs: durationMs)
            return VADDecision(isSpeech: false, isInSegment: inSegment, event: event, levelDbfs: fullDb, durationMs: durationMs,
                               isKeypadTone: true)
        }
        low.update(power: lowSum / n, durationMs: durationMs, sustainedMarginDb: config.sustainedMarginDb)
        high.update(power: highSum / n, durationMs: durationMs, sustainedMarginDb: config.sustainedMarginDb)
        fullFloor.update(levelDb: fullDb, durationMs: durationMs)

        let margin = inSegment ? config.continueMarginDb : config.thresholdMarginDb
        let elevatedMs = max(low.elevatedMs, high.elevatedMs)
        let clear = low.excessDb >= margin || high.excessDb >= margin
        let sustained = elevatedMs >= config.sustainedMs
        let isSpeech = fullDb >= config.minimumLevelDbfs && (clear || sustained)
        if !isSpeech && !inSegment {
            low.learnNoise(durationMs: durationMs)
            high.learnNoise(durationMs: durationMs)
            fullFloor.learnNoise(levelDb: fullDb, durationMs: durationMs)
        }
        // Speech began when the band first rose above the sustained margin (a soft onset before the
        // first clear frame, or the whole run when speech is found by persistence alone).
        let onsetMs = timestampMs + durationMs - max(elevatedMs, durationMs)
        let event = advanceSegment(isSpeech: isSpeech, onsetMs: onsetMs, timestampMs: timestampMs, durationMs: durationMs)
        return VADDecision(isSpeech: isSpeech, isInSegment: inSegment, event: event, levelDbfs: fullDb, durationMs: durationMs)
    }

    /// Convenience for tests and offline analysis.
    public mutating func process(_ frame: [Int16], timestampMs: Int, keypadToneSinceMs: Int? = nil) -> VADDecision {
        frame.withUnsafeBufferPointer { process($0, timestampMs: timestampMs, keypadToneSinceMs: keypadToneSinceMs) }
    }

    /// Convenience for a whole `AudioFrame` (its sample rate must be the detector's).
    public mutating func process(_ frame: AudioFrame) -> VADDecision {
        precondition(frame.sampleRate == sampleRate,
                     "VoiceActivityDetector: frame at \(frame.sampleRate) Hz, detector at \(sampleRate) Hz")
        return frame.samples.withUnsafeBufferPointer { process($0, timestampMs: frame.timestampMs) }
    }

    /// Closes an open segment at the end of the stream (call end): returns its `speechEnded` event,
    /// or nil when no segment is open.
    public mutating func finish() -> VADEvent? {
        guard inSegment else { return nil }
        inSegment = false
        candidateSpeechMs = 0
        candidateGapMs = 0
        return .speechEnded(atMs: lastSpeechEndMs)
    }

    /// Forgets the noise floor, the filters' history and any open segment. Allocates its buffers anew:
    /// for a new stream, not per frame.
    public mutating func reset() {
        self = VoiceActivityDetector(config: config, sampleRate: sampleRate)
    }

    /// The start/stop state machine: hysteresis on durations, with backdated event times.
    private mutating func advanceSegment(isSpeech: Bool, onsetMs: Int, timestampMs: Int, durationMs: Int) -> VADEvent? {
        if inSegment {
            if isSpeech {
                if silenceMs > 0 {
                    speechRunStartMs = timestampMs
                    speechEndBeforeRunMs = lastSpeechEndMs
                }
                lastSpeechEndMs = timestampMs + durationMs
                silenceMs = 0
                return nil
            }
            silenceMs += durationMs
            guard silenceMs >= config.speechStopMs else { return nil }
            inSegment = false
            return .speechEnded(atMs: lastSpeechEndMs)
        }
        if isSpeech {
            if candidateSpeechMs == 0 {
                candidateStartMs = onsetMs
                candidateSpeechMs = timestampMs + durationMs - onsetMs
            } else {
                candidateSpeechMs += durationMs
            }
            candidateGapMs = 0
            guard candidateSpeechMs >= config.speechStartMs else { return nil }
            inSegment = true
            candidateSpeechMs = 0
            lastSpeechEndMs = timestampMs + durationMs
            speechRunStartMs = candidateStartMs
            speechEndBeforeRunMs = candidateStartMs
            silenceMs = 0
            return .speechStarted(atMs: candidateStartMs)
        }
        if candidateSpeechMs > 0 {
            candidateGapMs += durationMs
            if candidateGapMs > config.startGapToleranceMs {
                candidateSpeechMs = 0
                candidateGapMs = 0
            }
        }
        return nil
    }

    /// A frame of keypad tone that began at `sinceMs`: not speech, and the tone's first frames, taken
    /// for speech before the DTMF detector knew, are taken back.
    private mutating func maskKeypadTone(sinceMs: Int, timestampMs: Int, durationMs: Int) -> VADEvent? {
        guard inSegment else {
            candidateSpeechMs = 0
            candidateGapMs = 0
            return nil
        }
        if speechRunStartMs >= sinceMs - Self.toneOnsetSlackMs {
            // The speech frames since the last pause were the tone's beginning.
            lastSpeechEndMs = speechEndBeforeRunMs
        } else {
            // The caller talked right up to the tone.
            lastSpeechEndMs = min(lastSpeechEndMs, sinceMs)
        }
        silenceMs = timestampMs + durationMs - lastSpeechEndMs
        guard silenceMs >= config.speechStopMs else { return nil }
        inSegment = false
        return .speechEnded(atMs: lastSpeechEndMs)
    }
}
