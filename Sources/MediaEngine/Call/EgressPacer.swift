/// Paces caller-bound audio at real time plus a small lead.
///
/// Twilio plays what it receives in real time from its own buffer. The pacer keeps an estimate of when
/// that buffer runs dry (`playoutEndNs`) and lets the call send only while less than `leadMs` of audio
/// is buffered there. The call sends whatever is due whenever it is awake (a model delta, a mark echo),
/// and asks its `EgressClock` to wake it when the next frame falls due (`nextSendNs`). Keeping Twilio's
/// buffer short is what makes `clear` effective and marks precise.
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

    /// How many bytes may be sent at `nowNs`: nothing until there is room under the lead for the next
    /// message (`messageBytes`: a chunk, or the last audio queued when that is less, e.g. an answer's
    /// final 29 ms), then whole 20 ms frames of the room, rounded down, and at least that message. So
    /// steady audio leaves in messages of one chunk, each once its own duration has played since the
    /// one before (0 when the buffer is full enough). `toleranceMs`: how early a message may go, which
    /// is half a grid step on a wake of the `EgressClock` (that wake stands for the grid point nearest
    /// the message's due time) and 0 on any other wake-up, so those never push audio out early and
    /// leave a gap after it.
    public func sendableBytes(nowNs: UInt64, messageBytes: Int = frameBytes, toleranceMs: Double = 0) -> Int {
        let roomMs = Double(leadMs) - bufferedMs(nowNs: nowNs) + toleranceMs
        guard roomMs * 1_000_000 >= Double(needNs(messageBytes: messageBytes)) else { return 0 }
        return max(Int(roomMs / 20) * Self.frameBytes, messageBytes)
    }

    /// Room a message of `messageBytes` waits for (ns): its duration, at most the lead.
    private func needNs(messageBytes: Int) -> UInt64 { min(UInt64(messageBytes) * 125_000, UInt64(leadMs) * 1_000_000) }

    /// When `sendableBytes` first allows a message of `messageBytes` (now or earlier when there is room
    /// already): when the buffer at Twilio has drained to the lead minus the message's duration.
    public func nextSendNs(messageBytes: Int = frameBytes) -> UInt64 {
        let drainedNs = UInt64(leadMs) * 1_000_000 - needNs(messageBytes: messageBytes)
        return playoutEndNs > drainedNs ? playoutEndNs - drainedNs : 0
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
