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

    /// Slack (ms) in deciding that a frame's worth of room has opened on a wake-up between ticks
    /// (a model delta, a mark echo): frames go only when really due, so such wake-ups do not push one
    /// out early and leave a gap after it.
    public static let toleranceMs = 2.0
    /// Slack (ms) on a tick (an inbound Twilio frame, every 20 ms): half a frame. Frames fall due on
    /// the tick grid (see `alignmentBytes`), so a tick early or late by up to 10 ms still sends
    /// exactly the frame that is due.
    public static let tickToleranceMs = 10.0

    /// How many bytes may be sent at `nowNs`: whole 20 ms frames that fit under the lead, rounded down,
    /// and nothing until at least `chunkMs` of room has opened, so steady audio leaves in messages of
    /// `chunkMs` (0 when the buffer is full enough). `onTick`: this wake-up is an inbound frame.
    public func sendableBytes(nowNs: UInt64, chunkMs: Int = 20, onTick: Bool = false) -> Int {
        let roomMs = Double(leadMs) - bufferedMs(nowNs: nowNs) + (onTick ? Self.tickToleranceMs : Self.toleranceMs)
        guard roomMs >= Double(min(max(20, chunkMs), leadMs)) else { return 0 }
        return Int(roomMs / 20) * Self.frameBytes
    }

    /// At the start of a talk spurt (nothing buffered at Twilio), how many bytes to leave out of the
    /// first message so that every later frame falls due on the grid of inbound ticks (`tickNs`: the
    /// latest inbound frame's arrival). Without it a spurt that starts between ticks (on a model delta)
    /// has its frames fall due at some fixed phase between them, and if that phase sits where the
    /// ticks' own jitter straddles it, frames go out in pairs and gaps (20 ms jitter) for the whole
    /// spurt. 0 when something is buffered or no tick is known.
    public func alignmentBytes(nowNs: UInt64, tickNs: UInt64?) -> Int {
        guard let tickNs, tickNs <= nowNs, playoutEndNs <= nowNs else { return 0 }
        let phaseNs = (nowNs - tickNs) % 20_000_000
        return Int(phaseNs / 125_000)  // 8 bytes per ms
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
