/// Decides, frame by frame, whether caller audio must reach the model at once or may wait to go with
/// the next frames in one `input_audio_buffer.append`.
///
/// A frame must go at once (its own append, or closing the one being gathered) when:
/// - the engine's VAD judges it speech, or it may be the soft start of speech the VAD confirms only
///   later (`VADDecision.mayBeSpeech`), or a speech segment is open (the VAD's hangover): the model's
///   VAD and its `speech_started` work from this audio;
/// - it ends within `holdAfterSpeechMs` of the last speech frame: the model ends the caller's turn
///   after its own silence window (`silence_duration_ms`, or up to 2-8 s with semantic VAD), and the
///   answer starts only once it has heard that silence, so every frame of the window goes as it comes;
/// - the tenant lets the model decide barge-ins and the bot is answering (a response is active or its
///   audio is still queued or playing): the model's `speech_started` is the barge-in then.
///
/// Any other frame is silence nobody waits on: between turns, while the bot talks (the engine's own
/// detector decides barge-ins), before the caller first speaks. Those frames are gathered into appends
/// of up to `quietAppendMs`. The model gets the same audio in the same order, in fewer messages: with
/// 100 ms, a quiet stretch takes one append where it took five. A frame that must go takes what
/// waited with it, so the model hears a speech onset when it did before.
///
/// What may come later: the model's decisions on sound the engine's VAD does not rise to at all (speech
/// fainter than its noise floor margins), and a server-VAD `idle_timeout_ms` nudge, by at most
/// `quietAppendMs - 20` ms.
public struct AppendPacer: Sendable {
    /// Largest append while quiet (ms); 20 or less sends every frame as it comes.
    public let quietAppendMs: Int
    /// After the last speech, frames go one by one for this long (ms).
    public let holdAfterSpeechMs: Int
    /// Media time when the last frame judged speech ended; nil before any.
    private var lastSpeechEndMs: Int?

    public init(quietAppendMs: Int, holdAfterSpeechMs: Int) {
        self.quietAppendMs = quietAppendMs
        self.holdAfterSpeechMs = holdAfterSpeechMs
    }

    /// The pacer for a call: holds for the model's silence window plus `marginMs` (the model's VAD may
    /// judge the speech to end a little after the engine's does).
    public init(quietAppendMs: Int, turnDetection: TurnDetection, marginMs: Int = 500) {
        let windowMs: Int
        switch turnDetection {
        case .serverVAD(let vad): windowMs = vad.silenceDurationMs
        case .semanticVAD(let eagerness):
            // The API's longest waits before it ends a turn on its own: 8 s, 4 s, 2 s.
            switch eagerness {
            case .low: windowMs = 8_000
            case .medium, .auto: windowMs = 4_000
            case .high: windowMs = 2_000
            }
        }
        self.init(quietAppendMs: quietAppendMs, holdAfterSpeechMs: windowMs + marginMs)
    }

    /// How much audio (ms) the append that takes the frame starting at `timestampMs` may gather: 0 when
    /// the frame must go at once, `quietAppendMs` when it may wait.
    ///
    /// - Parameters:
    ///   - detection: what the engine's detectors decided about the frame.
    ///   - modelHearsBargeIn: the model's `speech_started` would interrupt the bot's answer now.
    public mutating func waitUpToMs(timestampMs: Int, durationMs: Int, detection: DetectorStage.Detection,
                                    modelHearsBargeIn: Bool) -> Int {
        if detection.isSpeech { lastSpeechEndMs = timestampMs + durationMs }
        if detection.mayBeSpeech || detection.inSegment || modelHearsBargeIn { return 0 }
        if let last = lastSpeechEndMs, timestampMs + durationMs - last <= holdAfterSpeechMs { return 0 }
        return quietAppendMs > 20 ? quietAppendMs : 0
    }
}
