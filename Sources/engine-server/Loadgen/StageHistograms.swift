import MediaEngine
import Synchronization

/// One stage of the latency breakdown.
enum LatencyStage: String, Sendable, Codable, CaseIterable {
    // A turn, in order (see `LatencyBreakdownRecorder`).
    case callerToEngine = "last word: caller -> engine ingress"
    case ingressToDecision = "last word: ingress -> detector decision"
    case decisionToModelSend = "last word: decision -> model send"
    case silenceWindow = "caller last word -> silence window's end at engine"
    case windowFrameToModel = "that frame: engine ingress -> model send"
    case model = "model (think + transport)"
    case deltaToEnqueue = "first model delta -> egress enqueue"
    case enqueueToSend = "egress enqueue -> first frame sent"
    case engineToCaller = "first frame sent -> caller"
    case turnTotal = "turn latency (total)"
    case enginePart = "engine part of the turn"
    case firstDeltaToFirstFrame = "engine-added: first delta -> first frame"
    // Every frame and delta.
    case everyFrameIngressToDecision = "every frame: ingress -> detector decision"
    case everyFrameDecisionToSend = "every frame sent at once: decision -> model send"
    /// Frames the call let wait for a larger append (`AppendPacer`).
    case gatheredFrameWait = "every gathered frame: decision -> model send"
    case everyDeltaToEnqueue = "every delta: received -> egress enqueue"
    /// The engine's own pacing, judged like the caller's arrivals (`EgressAnalysis`) but on send times.
    case engineSendJitter = "egress send jitter (at the engine)"

    /// "turn", "per frame" or "barge-in" (for grouping in tables).
    var group: String {
        switch self {
        case .everyFrameIngressToDecision, .everyFrameDecisionToSend, .gatheredFrameWait, .everyDeltaToEnqueue, .engineSendJitter:
            return "per frame"
        default: return "turn"
        }
    }
}

/// The breakdown's histograms, filled by every call's probe and by the turns lined up at call end.
final class StageHistograms: Sendable {
    private struct State {
        var stages: [LatencyStage: LatencyHistogram] = [:]
        var bargeIn: [String: LatencyHistogram] = [:]
        var unmatchedTurns = 0
    }

    private let state = Mutex(State())

    /// One inbound frame's stages; `decisionToSendMs` is nil for a frame that waited in a gathering
    /// append (not sent on its own).
    func frame(ingressToDecisionMs: Double, decisionToSendMs: Double?) {
        state.withLock { s in
            s.stages[.everyFrameIngressToDecision, default: LatencyHistogram()].record(ms: ingressToDecisionMs)
            if let decisionToSendMs { s.stages[.everyFrameDecisionToSend, default: LatencyHistogram()].record(ms: decisionToSendMs) }
        }
    }

    /// How long one call's gathered frames waited, from the detectors' decision to the send of
    /// the append that carried them.
    func gatheredFrames(waitsMs: [Double]) {
        guard !waitsMs.isEmpty else { return }
        state.withLock { s in
            for ms in waitsMs { s.stages[.gatheredFrameWait, default: LatencyHistogram()].record(ms: ms) }
        }
    }

    /// The jitter of one call's steady sends, as the engine sent them (judged like a caller's arrivals).
    func engineSends(_ sends: [CallerOutcome.BotFrameArrival], leadMs: Double) {
        state.withLock { s in
            EgressAnalysis.analyze(sends, leadMs: leadMs, jitter: { s.stages[.engineSendJitter, default: LatencyHistogram()].record(ms: $0) },
                                   margin: { _ in })
        }
    }

    func delta(receivedToEnqueuedMs: Double) {
        state.withLock { $0.stages[.everyDeltaToEnqueue, default: LatencyHistogram()].record(ms: receivedToEnqueuedMs) }
    }

    func turn(_ values: [LatencyStage: Double]) {
        state.withLock { s in
            for (stage, ms) in values { s.stages[stage, default: LatencyHistogram()].record(ms: ms) }
        }
    }

    func unmatchedTurn() { state.withLock { $0.unmatchedTurns += 1 } }

    func bargeIn(source: BargeInSource, onsetToDecisionMs: Double, decisionToClearMs: Double) {
        state.withLock { s in
            s.bargeIn["\(source.rawValue) detector: caller onset -> decision", default: LatencyHistogram()].record(ms: onsetToDecisionMs)
            s.bargeIn["\(source.rawValue) detector: decision -> clear at caller", default: LatencyHistogram()].record(ms: decisionToClearMs)
            s.bargeIn["\(source.rawValue) detector: caller onset -> clear at caller", default: LatencyHistogram()]
                .record(ms: onsetToDecisionMs + decisionToClearMs)
        }
    }

    var report: LatencyBreakdownReport {
        state.withLock { s in
            var rows = LatencyStage.allCases.compactMap { stage in
                s.stages[stage].map { LatencyBreakdownReport.Row(stage: stage.rawValue, group: stage.group, latency: $0.summary) }
            }
            rows += s.bargeIn.keys.sorted().compactMap { name in
                s.bargeIn[name].map { LatencyBreakdownReport.Row(stage: name, group: "barge-in", latency: $0.summary) }
            }
            return LatencyBreakdownReport(rows: rows, turnsMatched: s.stages[.turnTotal]?.count ?? 0, turnsUnmatched: s.unmatchedTurns)
        }
    }
}

/// The latency breakdown as reported (table, JSON, HTML).
struct LatencyBreakdownReport: Sendable, Codable, Equatable {
    struct Row: Sendable, Codable, Equatable {
        var stage: String
        var group: String
        var latency: LatencySummary
    }

    var rows: [Row]
    /// Answered turns lined up with the engine's timestamps, and those that could not be.
    var turnsMatched: Int
    var turnsUnmatched: Int
}
