import MediaEngine

/// How steadily the engine's egress fed one caller, from the bot frames' arrival times: each message
/// judged by `EgressJitterMeter` (which says what counts as steady pacing, jitter and margin).
enum EgressAnalysis {
    /// Reports the jitter and margin (ms) of every steady frame of `arrivals` (in arrival order).
    static func analyze(_ arrivals: [CallerOutcome.BotFrameArrival], leadMs: Double,
                        jitter: (Double) -> Void, margin: (Double) -> Void) {
        var meter = EgressJitterMeter()
        for arrival in arrivals {
            guard let steady = meter.message(audioMs: Double(arrival.bytes) / 8, bufferedMs: arrival.bufferedMs,
                                             atNs: arrival.ns, leadMs: leadMs) else { continue }
            margin(steady.marginMs)
            if let jitterMs = steady.jitterMs { jitter(jitterMs) }
        }
    }
}
