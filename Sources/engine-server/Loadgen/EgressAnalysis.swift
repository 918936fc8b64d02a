/// How steadily the engine's egress fed one caller, from the bot frames' arrival times.
///
/// A talk spurt starts with a frame that finds the caller's playout buffer empty. The engine first
/// sends a prefill (up to its `leadMs` ahead of real time, as fast as the model's audio comes), then
/// one frame per 20 ms. Only that steady part is judged: from the frame after the one that first filled
/// the buffer to `leadMs`, until the spurt ends.
///
/// - **Jitter** of a frame: how far its gap from the previous frame differs from its own duration
///   (|gap − 20 ms| for 20 ms frames). A paced sender sends a message of d ms once d ms have played
///   since the last one, so a perfect pacer gives 0 for any message size.
/// - **Playout margin** of a frame: the audio (ms) still buffered at the caller when it arrived: how
///   close the buffer came to running dry (about `leadMs − 20` when healthy; 0 is an underrun).
enum EgressAnalysis {
    /// Reports the jitter and margin (ms) of every steady frame of `arrivals` (in arrival order).
    static func analyze(_ arrivals: [CallerOutcome.BotFrameArrival], leadMs: Double,
                        jitter: (Double) -> Void, margin: (Double) -> Void) {
        var steady = false
        var previous: CallerOutcome.BotFrameArrival?
        for arrival in arrivals {
            let frameMs = Double(arrival.bytes) / 8
            if arrival.bufferedMs <= 0 {  // a new talk spurt (or audio after a gap)
                steady = false
                previous = nil
            }
            if steady {
                margin(arrival.bufferedMs)
                if let previous {
                    let gapMs = Double(arrival.ns - min(arrival.ns, previous.ns)) / 1e6
                    jitter(abs(gapMs - frameMs))
                }
                previous = arrival
            } else if arrival.bufferedMs + frameMs >= leadMs - 0.5 {
                steady = true  // the buffer is full: pacing starts with the next frame
                previous = arrival
            }
        }
    }
}
