/// Decides, frame by frame, whether caller audio must reach the model at once or may wait to go with
/// the next frames in one `input_audio_buffer.append`.
///
/// The model acts on the caller's audio at two moments the engine must not delay:
/// - the end of the caller's turn: the model ends it after its own silence window (`silence_duration_ms`,
///   or up to 2-8 s with semantic VAD), and the answer starts only once it has heard that silence. So
///   every frame that ends within `holdAfterSpeechMs` of the last frame the engine's VAD judged speech
///   goes at once (and takes what waited with it: the speech before it), except at the start of that
///   silence: with server VAD the model cannot end the turn before it has heard `silence_duration_ms`
///   of it, so the first `quietGatherMs` (that window less `modelEarlierEndMs`), counted from the end
///   of the last run of speech at least `quietAnchorRunMs` long, gather like speech;
/// - a barge-in decided by the model: when the tenant lets the model's `speech_started` interrupt and
///   the bot is answering (a response is active or its audio is still queued or playing), every frame
///   goes at once.
///
/// Everything else is audio nobody waits on, gathered so the model gets the same audio in the same
/// order in fewer messages:
/// - the caller's speech itself, since the model cannot end a turn while the caller is still talking
///   and the first frame after the speech brings the rest with it: appends of up to
///   `speechGatherMs` (100 ms, five frames). What may come later, by at most 80 ms after the engine's
///   VAD judges a frame speech: the model's `speech_started` (when it is not the barge-in; the first
///   speech frame finds any silence gathered before it due once the append holds 100 ms, and sends
///   it) and a turn end the model's VAD finds while the engine's still hears speech or, with server
///   VAD, after hearing the speech end more than `modelEarlierEndMs` before the engine's VAD did (its
///   silence window then runs on gathered frames). The pauses between words gather the same way.
///   Sound the model may take for speech but the engine's VAD does not (too soft, or too short to
///   count) is gathered as silence;
/// - silence between turns or while the bot talks (the engine's own detector decides barge-ins), and
///   the silence after a turn the model has already ended (its `input_audio_buffer.committed`:
///   `modelEndedTurn`): appends of up to `gatherAppendMs` (200 ms by default, ten frames). What may
///   come later, by at most `gatherAppendMs - 20` ms: a server-VAD `idle_timeout_ms` nudge.
public struct AppendPacer: Sendable {
    /// Largest gathered append (ms), of silence nobody waits on; 20 or less sends every frame as it
    /// comes.
    public let gatherAppendMs: Int
    /// Largest gathered append (ms) of the caller's speech (less when `gatherAppendMs` is).
    public static let speechGatherMs = 100
    /// After the last frame judged speech, the frames of silence go one by one for this long (ms)...
    public let holdAfterSpeechMs: Int
    /// ...except the first this many ms after the end of the last sustained speech (a run of at least
    /// `quietAnchorRunMs`), which gather like speech (never more than `holdAfterSpeechMs`).
    public let quietGatherMs: Int
    /// How much earlier (ms) than the engine's VAD the model's may judge the speech to end without its
    /// turn end waiting on a gathered frame: 200 ms, ten frames of a soft last sound, or of the engine's
    /// level smoothing, that one VAD hears and the other does not. An estimate: the model's VAD cannot
    /// be observed here; past it, the turn end is at most 80 ms late.
    public static let modelEarlierEndMs = 200
    /// The shortest run of consecutive speech frames (ms) whose end restarts the quiet gathering: a
    /// click, a breath or a lip smack that the engine's VAD takes for a frame or two of speech is
    /// usually nothing to the model's, and must not move where its silence window is taken to start.
    public static let quietAnchorRunMs = 100
    /// A turn the model ends counts as the end of the engine's last speech only when that speech ended
    /// at least this long (ms) before the end of the audio the model had then: speech the engine heard
    /// later is a new turn the model may still be timing.
    public static let turnEndedSilenceMs = 250
    /// Media time when the last frame judged speech ended; nil before any, and once the model ended the
    /// turn that speech belongs to.
    private var lastSpeechEndMs: Int?
    /// Where the current run of speech frames began (media ms); nil after a frame of silence.
    private var speechRunStartMs: Int?
    /// End (media ms) of the last run of speech at least `quietAnchorRunMs` long.
    private var sustainedSpeechEndMs: Int?

    public init(gatherAppendMs: Int, holdAfterSpeechMs: Int, quietGatherMs: Int = 0) {
        self.gatherAppendMs = gatherAppendMs
        self.holdAfterSpeechMs = holdAfterSpeechMs
        self.quietGatherMs = max(0, min(quietGatherMs, holdAfterSpeechMs))
    }

    /// The pacer for a call: holds for the model's silence window plus `marginMs` (the model's VAD may
    /// judge the speech to end a little after the engine's does). With server VAD the hold's first
    /// `silence_duration_ms - modelEarlierEndMs` gather; semantic VAD may end a turn as soon as the
    /// speech does, so all of its hold goes frame by frame.
    public init(gatherAppendMs: Int, turnDetection: TurnDetection, marginMs: Int = 500) {
        switch turnDetection {
        case .serverVAD(let vad):
            self.init(gatherAppendMs: gatherAppendMs, holdAfterSpeechMs: vad.silenceDurationMs + marginMs,
                      quietGatherMs: vad.silenceDurationMs - Self.modelEarlierEndMs)
        case .semanticVAD(let eagerness):
            // The API's longest waits before it ends a turn on its own: 8 s, 4 s, 2 s.
            let windowMs = switch eagerness {
            case .low: 8_000
            case .medium, .auto: 4_000
            case .high: 2_000
            }
            self.init(gatherAppendMs: gatherAppendMs, holdAfterSpeechMs: windowMs + marginMs)
        }
    }

    /// How much audio (ms) the append that takes the frame starting at `timestampMs` may gather: 0 when
    /// the frame must go at once, `speechGatherMs` for speech and for the start of the silence after it,
    /// `gatherAppendMs` for other silence that may wait (never more than `gatherAppendMs`).
    ///
    /// - Parameters:
    ///   - detection: what the engine's detectors decided about the frame.
    ///   - modelHearsBargeIn: the model's `speech_started` would interrupt the bot's answer now.
    public mutating func waitUpToMs(timestampMs: Int, durationMs: Int, detection: DetectorStage.Detection,
                                    modelHearsBargeIn: Bool) -> Int {
        let endMs = timestampMs + durationMs
        if detection.isSpeech {
            lastSpeechEndMs = endMs
            let runStartMs = speechRunStartMs ?? timestampMs
            speechRunStartMs = runStartMs
            if endMs - runStartMs >= Self.quietAnchorRunMs { sustainedSpeechEndMs = endMs }
        } else {
            speechRunStartMs = nil
        }
        if modelHearsBargeIn || gatherAppendMs <= 20 { return 0 }
        if detection.isSpeech { return min(gatherAppendMs, Self.speechGatherMs) }
        if let last = lastSpeechEndMs, endMs - last <= holdAfterSpeechMs {
            guard let sustained = sustainedSpeechEndMs, endMs - sustained < quietGatherMs else { return 0 }
            return min(gatherAppendMs, Self.speechGatherMs)
        }
        return gatherAppendMs
    }

    /// The model ended the caller's turn (`input_audio_buffer.committed`) when it had been sent the
    /// caller's audio up to media time `sentEndMs`: the silence after the engine's last speech then
    /// waits to be gathered, unless that speech ended within `turnEndedSilenceMs` of `sentEndMs` (the
    /// caller spoke again after the model's turn end, or the model ended the turn early, mid-word to
    /// the engine's ears: the hold stays).
    public mutating func modelEndedTurn(sentEndMs: Int) {
        guard let last = lastSpeechEndMs, last <= sentEndMs - Self.turnEndedSilenceMs else { return }
        lastSpeechEndMs = nil
    }
}
