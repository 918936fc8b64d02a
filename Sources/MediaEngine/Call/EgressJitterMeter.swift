/// How steadily one call's bot audio goes out (or arrives), message by message.
///
/// A talk spurt starts with a message that finds the caller's playout buffer empty. The engine first
/// sends a prefill (up to its lead ahead of real time, as fast as the model's audio comes), then one
/// message per `audioMs`. Only that steady part is judged: from the message after the one that filled
/// the buffer to the lead, until the spurt ends.
///
/// - **Jitter** of a message: how far its gap from the previous message differs from its own duration
///   (|gap − 20 ms| for 20 ms frames). A paced sender sends a message of d ms once d ms have played since
///   the last one, so a perfect pacer gives 0 for any message size.
/// - **Margin**: the audio (ms) still buffered at the caller when it went out (or arrived): how close
///   the buffer came to running dry (about the lead less one message, 160 ms by default, when healthy; 0 is an underrun).
///
/// The engine meters its own sends with it (`kol_egress_send_jitter_seconds`); the load generator judges
/// its callers' arrivals and the engine's reported sends the same way (`EgressAnalysis`). O(1), no
/// allocation.
public struct EgressJitterMeter: Sendable {
    /// A message of the steady part.
    public struct Steady: Sendable, Equatable {
        public var marginMs: Double
        /// Nil for the first steady message of a spurt after a gap in the record.
        public var jitterMs: Double?
    }

    private var steady = false
    private var previousNs: UInt64?

    public init() {}

    /// One message of `audioMs` sent (or received) at `atNs`, finding `bufferedMs` of audio still to play
    /// at the caller; `leadMs` is how far ahead the sender runs. Nil unless the message is steady pacing.
    public mutating func message(audioMs: Double, bufferedMs: Double, atNs: UInt64, leadMs: Double) -> Steady? {
        if bufferedMs <= 0 {  // a new talk spurt (or audio after a gap)
            steady = false
            previousNs = nil
        }
        if steady {
            defer { previousNs = atNs }
            let jitter = previousNs.map { abs(Double(atNs - min(atNs, $0)) / 1e6 - audioMs) }
            return Steady(marginMs: bufferedMs, jitterMs: jitter)
        }
        if bufferedMs + audioMs >= leadMs - 0.5 {
            steady = true  // the buffer is full: pacing starts with the next message
            previousNs = atNs
        }
        return nil
    }
}
