/// One turn of a conversation: a stretch of speech by the caller or the agent, with its transcript and,
/// for the agent's turns, the latency figures the engine measured.
///
/// Keyed by tenant, call SID and `index`, so rewriting or replaying it never duplicates it.
public struct TurnRecord: Sendable, Codable, Equatable {
    public var callSID: String
    /// 0-based position of the turn within its call.
    public var index: Int
    public var speaker: Speaker
    /// Media time since the start of the call's stream, in milliseconds.
    public var startMediaMs: Int64
    /// Media time since the start of the call's stream, in milliseconds (>= `startMediaMs`).
    public var endMediaMs: Int64
    public var transcript: String
    /// True when the caller barged in and the agent's audio was cut.
    public var interrupted: Bool
    /// For an interrupted agent turn: how much of its audio had really played, in milliseconds
    /// (the `audio_end_ms` sent with the truncation).
    public var truncatedAtMs: Int64?
    /// The turn's latency figures; nil for the caller's turns.
    public var latency: TurnLatency?

    public init(
        callSID: String, index: Int, speaker: Speaker, startMediaMs: Int64, endMediaMs: Int64,
        transcript: String, interrupted: Bool = false, truncatedAtMs: Int64? = nil, latency: TurnLatency? = nil
    ) {
        self.callSID = callSID
        self.index = index
        self.speaker = speaker
        self.startMediaMs = startMediaMs
        self.endMediaMs = endMediaMs
        self.transcript = transcript
        self.interrupted = interrupted
        self.truncatedAtMs = truncatedAtMs
        self.latency = latency
    }

    /// Who spoke.
    public enum Speaker: String, Sendable, Codable, CaseIterable {
        case caller
        case agent
    }
}

/// Where an agent turn's time went, in milliseconds.
public struct TurnLatency: Sendable, Codable, Equatable {
    /// From the end of the caller's speech (VAD) to the first bot audio sent to Twilio: what the caller feels.
    public var endOfSpeechToFirstAudioMs: Int
    /// Time spent waiting on the model (request to first audio delta).
    public var modelMs: Int
    /// Time spent in the engine itself (detection, decoding, queueing, encoding).
    public var engineMs: Int

    public init(endOfSpeechToFirstAudioMs: Int, modelMs: Int, engineMs: Int) {
        self.endOfSpeechToFirstAudioMs = endOfSpeechToFirstAudioMs
        self.modelMs = modelMs
        self.engineMs = engineMs
    }
}
