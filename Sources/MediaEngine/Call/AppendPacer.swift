/// Decides, frame by frame, how much caller audio the next `input_audio_buffer.append` may gather:
/// one frame while anything the model decides depends on when it hears the audio, several while the
/// caller is quiet and nothing does.
///
/// A frame must go at once (its own append, or closing the one being gathered) when:
/// - the engine's VAD judges it speech, or a speech segment is open (the VAD's own hangover): the
///   model's VAD and its `speech_started` work from this audio;
/// - it ends within `holdAfterSpeechMs` of the last speech frame: the model ends the caller's turn after its
///   own silence window (`silence_duration_ms`, or up to 2-8 s with semantic VAD), and the answer
///   starts only once it has heard that silence, so every frame of the window is sent as it comes;
/// - the tenant lets the model decide barge-ins and bot audio is playing: the model's `speech_started`
///   is the barge-in then.
///
/// Any other frame is silence nobody waits on: between turns, while the bot talks (the engine's own
/// detector decides barge-ins), before the caller first speaks. Those frames are gathered into appends
/// of up to `quietAppendMs`, cutting the socket writes and messages of a call by about half (the
/// model takes the same audio, in fewer messages). The first frame judged speech sends what was
/// gathered together with itself, so the model hears the onset as early as before.
///
/// What may come later: the model's decisions on audio the engine's VAD judged silence (speech too
/// faint for it), and a server-VAD `idle_timeout_ms` nudge, by at most `quietAppendMs - 20` ms.
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

    /// How much audio (ms) the append that takes the frame starting at `timestampMs` may gather:
    /// `minimumMs` (the engine's fixed append size) when the frame must go at once, at least
    /// `quietAppendMs` when it may wait.
    ///
    /// - Parameters:
    ///   - isSpeech: the engine's VAD judged the frame speech.
    ///   - inSegment: a speech segment is open after the frame.
    ///   - modelHearsBargeIn: the model's `speech_started` would interrupt bot audio playing now.
    public mutating func appendMs(timestampMs: Int, durationMs: Int, isSpeech: Bool, inSegment: Bool, modelHearsBargeIn: Bool,
                                  minimumMs: Int) -> Int {
        let endMs = timestampMs + durationMs
        if isSpeech { lastSpeechEndMs = endMs }
        if isSpeech || inSegment || modelHearsBargeIn { return minimumMs }
        if let last = lastSpeechEndMs, endMs - last <= holdAfterSpeechMs { return minimumMs }
        return max(minimumMs, quietAppendMs)
    }
}
