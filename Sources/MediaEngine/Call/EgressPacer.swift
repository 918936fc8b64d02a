/// Paces caller-bound audio at real time plus a small lead, with no timer of its own.
///
/// Twilio plays what it receives in real time from its own buffer. The pacer keeps an estimate of when
/// that buffer runs dry (`playoutEndNs`) and lets the call send only while less than `leadMs` of audio
/// is buffered there. The call asks it whenever it is awake anyway: on every inbound Twilio frame (50 a
/// second), on every model audio delta and on every mark echo, so a thousand calls cost no extra
/// wake-ups; a shared slow clock covers a call whose inbound audio stops. Keeping Twilio's buffer short
/// is what makes `clear` effective and marks precise.
public struct EgressPacer: Sendable {
    /// How far ahead of real-time playout audio is sent (ms).
    public let leadMs: Int
    /// Estimated monotonic time (ns) when Twilio finishes playing everything sent so far.
    public private(set) var playoutEndNs: UInt64 = 0

    /// Bytes of one 20 ms mu-law frame at 8 kHz.
    public static let frameBytes = 160

    public init(leadMs: Int = 200) {
        self.leadMs = max(20, leadMs)
    }

    /// Milliseconds of audio still buffered at Twilio at `nowNs` (estimate).
    public func bufferedMs(nowNs: UInt64) -> Double {
        playoutEndNs > nowNs ? Double(playoutEndNs - nowNs) / 1_000_000 : 0
    }

    /// Slack (ms) in deciding that a frame's worth of room has opened: the call's wake-ups (inbound
    /// frames, deltas, mark echoes) do not fall exactly on the playout's 20 ms boundaries.
    public static let toleranceMs = 2.0

    /// How many bytes may be sent at `nowNs`: whole 20 ms frames that fit under the lead, rounded down
    /// (so a wake-up just after a send does not push a frame out early and leave a gap after it), and
    /// nothing until at least `chunkMs` of room has opened, so steady audio leaves in messages of
    /// `chunkMs` (0 when the buffer is full enough).
    public func sendableBytes(nowNs: UInt64, chunkMs: Int = 20) -> Int {
        let roomMs = Double(leadMs) - bufferedMs(nowNs: nowNs) + Self.toleranceMs
        guard roomMs >= Double(min(max(20, chunkMs), leadMs)) else { return 0 }
        return Int(roomMs / 20) * Self.frameBytes
    }

    /// When audio sent now would start playing (after what Twilio has buffered).
    public func playoutStartNs(nowNs: UInt64) -> UInt64 { max(nowNs, playoutEndNs) }

    /// Records `byteCount` mu-law bytes sent at `nowNs`.
    public mutating func didSend(byteCount: Int, nowNs: UInt64) {
        playoutEndNs = playoutStartNs(nowNs: nowNs) + UInt64(byteCount) * 125_000  // 8 bytes = 1 ms
    }

    /// Twilio's buffer was cleared at `nowNs`.
    public mutating func didClear(nowNs: UInt64) { playoutEndNs = nowNs }
}
