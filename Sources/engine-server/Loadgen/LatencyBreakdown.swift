import MediaEngine
import Synchronization

/// Where each millisecond of a turn goes, from the engine's hot-path timestamps (`CallProbe`) lined up
/// with what the synthetic caller saw. For one answered turn:
///
///     t0 caller sends its last word                 t4 first model delta of the reply reaches the call
///     t1 the frame that ends the model's silence    t5 it is queued for egress
///        window (`modelSilenceMs` after the last    t6 the reply's first frame goes to the Twilio socket
///        word) reaches the engine                      writer
///     t3 its append goes to the model               t7 the caller receives that frame
///
/// The model ends the turn on that frame: it cannot before its silence window is over, whenever the
/// last word reached it. So the engine's own part is (t3 − t1) + (t6 − t4); t1 − t0 is the caller's
/// silence the model waits for, t4 − t3 the model's think time and transport. The last word's own
/// ingress, decision and send (which may wait for the frames after it, see `AppendPacer`) are shown
/// beside the turn. Every inbound frame and every delta also feeds per-frame histograms, and each
/// barge-in splits into speech onset → decision → `clear` at the caller. All clocks are
/// `MonotonicClock`, so the caller's and the engine's times compare (same machine).
final class LatencyBreakdownRecorder: Sendable {
    private let logs = Mutex<[String: CallStageLog]>([:])
    let stages = StageHistograms()
    /// The engine's egress lead (ms), to tell a spurt's prefill from its paced part.
    let leadMs: Double
    /// The model's silence window before it ends a turn (the tenants' `silence_duration_ms`).
    let modelSilenceMs: Int

    init(leadMs: Double, modelSilenceMs: Int = LoadtestTenants.silenceDurationMs) {
        self.leadMs = leadMs
        self.modelSilenceMs = modelSilenceMs
    }

    /// The probe of a new call (pass as the engine's probe factory).
    func probe(forCall callSid: String) -> any CallProbe {
        let log = CallStageLog(stages: stages)
        logs.withLock { $0[callSid] = log }
        return log
    }

    /// Lines up the finished call's timestamps with its outcome, and forgets them.
    func finish(callSid: String, outcome: CallerOutcome) {
        guard let log = logs.withLock({ $0.removeValue(forKey: callSid) }) else { return }
        let record = log.snapshot()
        stages.engineSends(record.sends, leadMs: leadMs)
        let inbound = Self.withSendTimes(record.inbound)
        stages.gatheredFrames(waitsMs: record.inbound.compactMap { frame in
            guard frame.modelSendNs == 0, let sent = inbound[frame.mediaMs]?.modelSendNs, sent != 0 else { return nil }
            return Self.ms(frame.detectedNs, sent)
        })
        for turn in outcome.turns {
            guard let t7 = turn.firstBotFrameNs, let word = inbound[turn.speechEndMediaMs], word.modelSendNs != 0,
                  let reply = record.items.first(where: { $0.receivedNs > word.modelSendNs && $0.receivedNs <= t7 }),
                  let t6 = reply.firstFrameSentNs,
                  let window = Self.windowEnd(inbound, lastWordMediaMs: turn.speechEndMediaMs, silenceMs: modelSilenceMs,
                                              replyNs: reply.receivedNs) else {
                if turn.firstBotFrameNs != nil { stages.unmatchedTurn() }
                continue
            }
            stages.turn([
                .callerToEngine: Self.ms(turn.speechEndNs, word.receivedNs), .ingressToDecision: Self.ms(word.receivedNs, word.detectedNs),
                .decisionToModelSend: Self.ms(word.detectedNs, word.modelSendNs),
                .silenceWindow: Self.ms(turn.speechEndNs, window.receivedNs), .windowFrameToModel: Self.ms(window.receivedNs, window.modelSendNs),
                .model: Self.ms(window.modelSendNs, reply.receivedNs),
                .deltaToEnqueue: Self.ms(reply.receivedNs, reply.enqueuedNs), .enqueueToSend: Self.ms(reply.enqueuedNs, t6),
                .engineToCaller: Self.ms(t6, t7), .turnTotal: Self.ms(turn.speechEndNs, t7),
                .enginePart: Self.ms(window.receivedNs, window.modelSendNs) + Self.ms(reply.receivedNs, t6),
                .firstDeltaToFirstFrame: Self.ms(reply.receivedNs, t6),
            ])
        }
        for barge in outcome.bargeIns {
            guard let onset = barge.onsetNs,
                  let decision = record.bargeIns.first(where: { $0.ns >= onset && $0.ns <= barge.clearNs }) else { continue }
            stages.bargeIn(source: decision.source, onsetToDecisionMs: Self.ms(onset, decision.ns),
                           decisionToClearMs: Self.ms(decision.ns, barge.clearNs))
        }
    }

    /// The frame that ends the model's silence window after the last word at `lastWordMediaMs`: the one
    /// `silenceMs` later, if it went to the model before the reply came back; else (the model's VAD
    /// ended the speech a little earlier than the script's last word) the last frame sent before it.
    static func windowEnd(_ inbound: [Int: CallStageLog.Inbound], lastWordMediaMs: Int, silenceMs: Int,
                          replyNs: UInt64) -> CallStageLog.Inbound? {
        if let frame = inbound[lastWordMediaMs + silenceMs], frame.modelSendNs != 0, frame.modelSendNs < replyNs { return frame }
        return inbound.values
            .filter { $0.mediaMs >= lastWordMediaMs && $0.modelSendNs != 0 && $0.modelSendNs < replyNs }
            .max { ($0.modelSendNs, $0.mediaMs) < ($1.modelSendNs, $1.mediaMs) }
    }

    /// Milliseconds from `a` to `b` (negative when the clocks' readings crossed: a few µs at most).
    static func ms(_ a: UInt64, _ b: UInt64) -> Double { (Double(b) - Double(a)) / 1e6 }

    /// The inbound frames by media time, each with the time its audio went to the model: a frame that
    /// waited in a gathering append takes the send time of the frame that completed it (0 if none did).
    /// `frames` are in the order the call took them; of frames with the same media time, the first
    /// is kept.
    static func withSendTimes(_ frames: [CallStageLog.Inbound]) -> [Int: CallStageLog.Inbound] {
        var byMediaMs: [Int: CallStageLog.Inbound] = [:]
        var sentNs: UInt64 = 0
        for var frame in frames.reversed() {
            if frame.modelSendNs != 0 { sentNs = frame.modelSendNs } else { frame.modelSendNs = sentNs }
            byMediaMs[frame.mediaMs] = frame
        }
        return byMediaMs
    }

    var report: LatencyBreakdownReport { stages.report }
}

/// One call's timestamps, as its `CallSession` reports them (the call's probe).
final class CallStageLog: CallProbe {
    struct Inbound: Sendable { var mediaMs: Int; var receivedNs: UInt64; var detectedNs: UInt64; var modelSendNs: UInt64 }
    struct Item: Sendable { var id: String; var receivedNs: UInt64; var enqueuedNs: UInt64; var firstFrameSentNs: UInt64? }
    struct Record: Sendable {
        var inbound: [Inbound] = []
        /// Items by first delta, in order.
        var items: [Item] = []
        var bargeIns: [(source: BargeInSource, ns: UInt64)] = []
        /// Bot audio as the engine sent it: one entry per egress pump (its frames merged), with the
        /// audio still due to play before it, in the shape `EgressAnalysis` judges.
        var sends: [CallerOutcome.BotFrameArrival] = []
    }

    private let record = Mutex(Record())
    private let stages: StageHistograms

    init(stages: StageHistograms) { self.stages = stages }

    func snapshot() -> Record { record.withLock { $0 } }

    func inboundFrame(mediaMs: Int, receivedNs: UInt64, detectedNs: UInt64, modelSendNs: UInt64) {
        record.withLock { $0.inbound.append(Inbound(mediaMs: mediaMs, receivedNs: receivedNs, detectedNs: detectedNs, modelSendNs: modelSendNs)) }
        stages.frame(ingressToDecisionMs: LatencyBreakdownRecorder.ms(receivedNs, detectedNs),
                     decisionToSendMs: modelSendNs == 0 ? nil : LatencyBreakdownRecorder.ms(detectedNs, modelSendNs))
    }

    func modelDelta(itemId: String, receivedNs: UInt64, enqueuedNs: UInt64) {
        record.withLock { r in
            if !r.items.contains(where: { $0.id == itemId }) {
                r.items.append(Item(id: itemId, receivedNs: receivedNs, enqueuedNs: enqueuedNs))
            }
        }
        stages.delta(receivedToEnqueuedMs: LatencyBreakdownRecorder.ms(receivedNs, enqueuedNs))
    }

    func firstFrameSent(itemId: String, atNs: UInt64) {
        record.withLock { r in
            if let i = r.items.lastIndex(where: { $0.id == itemId }), r.items[i].firstFrameSentNs == nil { r.items[i].firstFrameSentNs = atNs }
        }
    }

    func bargeInDecided(source: BargeInSource, atNs: UInt64) {
        record.withLock { $0.bargeIns.append((source, atNs)) }
    }

    func botFrameSent(bytes: Int, playoutStartNs: UInt64, atNs: UInt64) {
        record.withLock { r in
            if let last = r.sends.indices.last, r.sends[last].ns == atNs {
                r.sends[last].bytes += bytes  // the same pump: one message, or a prefill burst
            } else {
                let bufferedMs = Double(playoutStartNs - min(playoutStartNs, atNs)) / 1e6
                r.sends.append(.init(ns: atNs, bytes: bytes, bufferedMs: bufferedMs))
            }
        }
    }
}
