/// What one synthetic call experienced, as the caller measured it (monotonic ns where named `Ns`).
struct CallerOutcome: Sendable {
    var callSid: String
    var rejected = false
    var failure: String?

    /// One caller turn: the caller's last word, and the first bot audio after it.
    struct Turn: Sendable, Equatable {
        /// When the last frame holding speech was sent, and its media timestamp (ms since stream start).
        var speechEndNs: UInt64
        var speechEndMediaMs: Int
        /// When the first bot frame after it arrived (nil: none yet).
        var firstBotFrameNs: UInt64?

        /// Caller speech end to first bot frame (ms), when answered.
        var latencyMs: Double? { firstBotFrameNs.map { Double($0 - min($0, speechEndNs)) / 1e6 } }
    }

    /// Every turn the caller ended by speaking, in order.
    var turns: [Turn] = []
    /// Caller speech end to the first bot frame received after it (ms), for each answered turn.
    var turnLatenciesMs: [Double] { turns.compactMap(\.latencyMs) }
    /// `waitForBot` steps that timed out without any bot audio.
    var unansweredTurns = 0

    /// One `clear` received: how long after the caller's speech onset (ms; -1 when the caller was not
    /// barging in), and what had really been heard of the item playing then.
    struct BargeIn: Sendable, Equatable {
        var onsetToClearMs: Double
        var heardItem: String?
        var heardMs: Int?
        /// When the caller's interrupting speech began (first word sent), and when `clear` arrived.
        var onsetNs: UInt64?
        /// The same onset on the call's media timeline (ms), to compare with the engine's `bargeIn` event.
        var onsetMediaMs: Int?
        var clearNs: UInt64
    }

    var bargeIns: [BargeIn] = []
    /// Barge-ins the script made (speech over the bot), and those that found no bot audio to interrupt.
    var bargeInsAttempted = 0
    var bargeInsWithoutBotAudio = 0

    var framesSent = 0
    /// The bot's audio received (mu-law bytes, 160 per 20 ms frame).
    var botAudioBytesReceived = 0
    /// The bot's audio received in 20 ms frames (the engine's messages carry 40 ms by default).
    var botFramesReceived: Int { (botAudioBytesReceived + 159) / 160 }
    var marksEchoed = 0
    var clearsReceived = 0
    /// Bot audio that arrived after the playout buffer had run dry in the middle of an utterance (see
    /// `PlayoutBuffer`): the caller heard a gap. `underrunMs` is the total length of those gaps.
    var lateFrames = 0
    var underrunMs = 0.0
    /// 20 ms frames the engine's marks say were sent but that never arrived.
    var missingFrames = 0

    /// One bot frame as it reached the caller.
    struct BotFrameArrival: Sendable, Equatable {
        var ns: UInt64
        var bytes: Int
        /// Audio (ms) still buffered for playout when it arrived; 0 means it starts a talk spurt (or
        /// arrived after a gap).
        var bufferedMs: Double
    }

    /// Every bot frame, in arrival order (for pacing, jitter and margin figures).
    var botArrivals: [BotFrameArrival] = []
    /// How late the caller's own 20 ms clock ran (ms per tick): a loaded generator shows here, so it is
    /// not mistaken for a slow engine.
    var sendLateness = LatencyHistogram(.perCall)
    /// How long handing each frame to the socket took (ms). Long waits mean the engine was not reading
    /// its socket (TCP backpressure): then a late clock is the engine's doing, not the generator's.
    var sendWrite = LatencyHistogram(.perCall)
    var maxSendLatenessMs: Double { sendLateness.maxMs }
    var durationMs = 0.0
    /// The engine closed the stream (it hung up) before the script's own hang-up.
    var hungUpByEngine = false
    /// The call was hung up by the caller's deadline (`SyntheticCaller.hangUpAtNs`) before its script
    /// ended.
    var cutShort = false
}
