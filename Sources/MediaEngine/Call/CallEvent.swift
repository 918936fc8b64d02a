/// Something that happened in a call, as the engine reports it to observers (the demo's timeline, tests,
/// the store, metrics). Times are milliseconds since the call's stream started unless named otherwise.
public enum CallEvent: Sendable, Equatable {
    /// The media stream started (Twilio `start`).
    case started(callSid: String, streamSid: String, tenantID: String)
    /// The model session is ready (after `session.created`); `attempt` counts from 1.
    case modelConnected(attempt: Int, afterMs: Int)
    /// The model connection dropped and was re-established; `gapMs` from the drop to `session.created`.
    case modelReconnected(gapMs: Int)
    /// The model session was replaced by a fresh one before the provider's session cap.
    case modelSessionRolledOver
    /// The caller started or stopped speaking (by the engine's VAD: media time of the speech).
    case callerSpeechStarted(atMs: Int)
    case callerSpeechStopped(atMs: Int)
    /// What the model heard the caller say (asynchronous transcription).
    case callerTranscript(String)
    /// What the bot said (the model's transcript of its own audio item).
    case botTranscript(itemId: String, text: String)
    /// The first audio of a response went out to Twilio at media time `atMs`. `turnLatencyMs`: caller
    /// speech end to this frame (nil when the bot spoke first); `engineMs`: first model delta received to
    /// this frame.
    case botAudioStarted(itemId: String, atMs: Int, turnLatencyMs: Int?, engineMs: Double)
    /// Twilio confirmed (mark echo) that everything sent of the item has played, at media time `atMs`;
    /// `sentMs` is how much audio of it was sent. Reported again if more audio of the item follows.
    /// Not reported for an item cut by a barge-in (see `bargeIn`).
    case botAudioPlayed(itemId: String, atMs: Int, sentMs: Int)
    /// The caller interrupted the bot: `source` says whose detector decided; `onsetMs` is the caller's
    /// speech onset (media time); `decisionMs` how long after the onset `clear` went out; the truncation
    /// point of the item being heard, and the items the caller heard nothing of.
    case bargeIn(source: BargeInSource, onsetMs: Int, decisionMs: Int, truncatedItemId: String?, audioEndMs: Int?,
                 unheardItemIds: [String])
    /// A keypad digit, from Twilio's `dtmf` message or the in-band detector.
    case dtmf(digit: Character, atMs: Int, inBand: Bool)
    /// The model called a tool the engine handles.
    case toolCall(name: String, arguments: String)
    /// An `error` event from the model (logged; the call goes on).
    case modelError(code: String?, message: String, eventId: String?)
    /// The model could not be reached: the caller hears the spoken fallback and the call ends.
    case fallback(reason: String)
    /// A Twilio message or model event was malformed and ignored.
    case protocolError(String)
    /// The call's recording (tenants with recording on) was finished and closed at `path`:
    /// `durationMs` of 8 kHz mono Ogg Opus audio, `sizeBytes` on disk. Reported just before `ended`.
    case recordingFinished(path: String, durationMs: Int, sizeBytes: Int64)
    /// The call ended.
    case ended(reason: String)
}
