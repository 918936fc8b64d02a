public import MediaEngine

/// Something a simulated session did that tests and the load generator want to know without parsing the
/// wire: above all every truncation, with the audio that had actually been sent for the item.
public enum SimulatorObservation: Sendable, Hashable {
    case sessionStarted(sessionID: String, model: String)
    case sessionEnded(sessionID: String)
    /// Server VAD heard the caller start speaking (`audioStartMs` as sent, prefix padding included).
    case speechStarted(sessionID: String, itemID: String, audioStartMs: Int)
    case speechStopped(sessionID: String, itemID: String, audioEndMs: Int)
    case responseStarted(sessionID: String, responseID: String)
    /// `response.done` went out; `audioSentMs` is the reply audio delivered before it ended.
    case responseFinished(sessionID: String, responseID: String, status: RealtimeResponse.Status,
                          reason: RealtimeResponse.Reason?, audioSentMs: Int)
    case functionCalled(sessionID: String, name: String, callID: String, arguments: String)
    /// A `conversation.item.truncate` was accepted.
    case truncated(TruncationRecord)
    /// A `conversation.item.truncate` was answered with an `error`.
    case truncationRejected(sessionID: String, itemID: String, audioEndMs: Int, code: String?, message: String)
    /// An `error` event went out (for any reason, rejected truncations included).
    case errorSent(sessionID: String, code: String?, message: String)
    /// A fault closed the connection.
    case closedByFault(sessionID: String, reason: String)
}

/// One accepted truncation.
public struct TruncationRecord: Sendable, Hashable {
    public var sessionID: String
    public var itemID: String
    /// Where the client cut the item's audio, ms.
    public var audioEndMs: Int
    /// Audio of the item sent to the client when the truncate arrived, ms. `sentMs - audioEndMs` is what
    /// the client says the caller did not hear.
    public var sentMs: Int
    /// The whole reply's audio, ms (more than `sentMs` when the response was cancelled early).
    public var fullMs: Int
    /// The item's transcript after the cut.
    public var keptTranscript: String

    public init(sessionID: String, itemID: String, audioEndMs: Int, sentMs: Int, fullMs: Int, keptTranscript: String) {
        self.sessionID = sessionID
        self.itemID = itemID
        self.audioEndMs = audioEndMs
        self.sentMs = sentMs
        self.fullMs = fullMs
        self.keptTranscript = keptTranscript
    }
}
