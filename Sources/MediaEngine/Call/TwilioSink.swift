/// The sending half of a call's Twilio Media Streams WebSocket, as the call sees it.
///
/// `send` only enqueues: the transport writes messages in order on its own task, so the call's actor
/// never suspends in the middle of a decision to wait for a socket. Pacing (`EgressPacer`) bounds how
/// much can be waiting.
public protocol TwilioSink: Sendable {
    /// Enqueues one JSON text frame (`media`, `mark` or `clear`).
    func send(_ message: [UInt8])
    /// Closes the stream. With nothing after `</Connect>` in the TwiML this hangs the call up.
    func close(reason: String)
}
