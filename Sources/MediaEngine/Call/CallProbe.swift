/// Timestamps of one call's hot path, for the stage-by-stage latency benchmark
/// (`engine-server loadtest --latency-breakdown`). A call has none in production: it then takes no
/// timestamps and makes no calls for it, so the cost when off is one nil check per frame.
///
/// All times are `MonotonicClock` nanoseconds (the call's clock). Methods are called on the call's
/// actor, in order; implementations must be quick and thread-safe (they are read from elsewhere).
public protocol CallProbe: AnyObject, Sendable {
    /// One inbound Twilio media frame at media time `mediaMs`: when its message reached the engine
    /// (`receivedNs`, read off the socket), when the detectors had decided on it, and when its append
    /// was handed to the model's connection (0: the frame waits in an append still gathering, which a
    /// later frame's send carries; see `AppendPacer`).
    func inboundFrame(mediaMs: Int, receivedNs: UInt64, detectedNs: UInt64, modelSendNs: UInt64)

    /// One model audio delta of `itemId`: when it reached the call and when it was queued for egress.
    func modelDelta(itemId: String, receivedNs: UInt64, enqueuedNs: UInt64)

    /// The first frame of `itemId` was handed to the Twilio socket's writer.
    func firstFrameSent(itemId: String, atNs: UInt64)

    /// A 20 ms frame of bot audio (`bytes` of mu-law) went to the Twilio socket at `atNs` (frames of one
    /// egress pump share it), due to start playing at the caller at `playoutStartNs` by the engine's own
    /// reckoning: the engine's pacing as it sent, independent of how the network or a loaded caller
    /// delivered it.
    func botFrameSent(bytes: Int, playoutStartNs: UInt64, atNs: UInt64)

    /// A barge-in was decided by `source` (the `clear` goes out right after).
    func bargeInDecided(source: BargeInSource, atNs: UInt64)
}
