import MediaEngine
import Synchronization

/// Everything a load test has measured so far, merged as calls finish (thread-safe). A finished call's
/// frame-level data is folded into histograms and dropped, so memory does not grow with the number of
/// calls.
final class LoadCollector: Sendable {
    private let state = Mutex(Tally())
    let leadMs: Double
    /// Lines each finished call up with the engine's timestamps (`--latency-breakdown`).
    let breakdown: LatencyBreakdownRecorder?

    init(leadMs: Double, breakdown: LatencyBreakdownRecorder? = nil) {
        self.leadMs = leadMs
        self.breakdown = breakdown
    }

    /// The running totals.
    struct Tally: Sendable {
        var started = 0
        var active = 0
        var peakActive = 0
        var finished = 0
        var failed = 0
        var rejected = 0
        var cutShort = 0
        /// Failed calls by reason.
        var failures: [String: Int] = [:]
        /// Calls by scenario: placed and failed.
        var scenarios: [String: ScenarioTally] = [:]
        var turn = LatencyHistogram()
        var bargeIn = LatencyHistogram()
        var jitter = LatencyHistogram()
        var margin = LatencyHistogram()
        var generatorLateness = LatencyHistogram(.perCall)
        var generatorWrite = LatencyHistogram(.perCall)
        /// From the engine's own events (in-process engines only): first model delta to first frame
        /// out, and caller speech onset to the barge-in decision by source.
        var engineFirstFrame = LatencyHistogram()
        var engineBargeIn: [String: LatencyHistogram] = [:]
        /// What the caller had heard of the item playing at each `clear` (joined with the simulator's
        /// truncation log for the truncation error).
        var heardAtClear: [(item: String, heardMs: Int)] = []
        var unansweredTurns = 0
        var botFrames = 0
        var lateFrames = 0
        var missingFrames = 0
        var underrunMs = 0.0
        var callSeconds = 0.0
    }

    struct ScenarioTally: Sendable, Codable, Equatable {
        var placed = 0
        var failed = 0
    }

    func callStarted(_ scenario: LoadScenario) {
        state.withLock { t in
            t.started += 1
            t.active += 1
            t.peakActive = max(t.peakActive, t.active)
            t.scenarios[scenario.rawValue, default: ScenarioTally()].placed += 1
        }
    }

    /// Folds in a finished call.
    func callEnded(_ outcome: CallerOutcome, scenario: LoadScenario) {
        let reason = Self.failureReason(outcome, scenario: scenario)
        breakdown?.finish(callSid: outcome.callSid, outcome: outcome)
        state.withLock { t in
            t.active -= 1
            t.finished += 1
            if outcome.rejected { t.rejected += 1 }
            if outcome.cutShort { t.cutShort += 1 }
            if let reason {
                t.failed += 1
                t.failures[reason, default: 0] += 1
                t.scenarios[scenario.rawValue, default: ScenarioTally()].failed += 1
            }
            for latency in outcome.turnLatenciesMs { t.turn.record(ms: latency) }
            for barge in outcome.bargeIns where barge.onsetToClearMs >= 0 {
                t.bargeIn.record(ms: barge.onsetToClearMs)
                if let item = barge.heardItem, let heard = barge.heardMs { t.heardAtClear.append((item, heard)) }
            }
            EgressAnalysis.analyze(outcome.botArrivals, leadMs: leadMs, jitter: { t.jitter.record(ms: $0) },
                                   margin: { t.margin.record(ms: $0) })
            t.generatorLateness.add(outcome.sendLateness)
            t.generatorWrite.add(outcome.sendWrite)
            t.unansweredTurns += outcome.unansweredTurns
            t.botFrames += outcome.botFramesReceived
            t.lateFrames += outcome.lateFrames
            t.missingFrames += outcome.missingFrames
            t.underrunMs += outcome.underrunMs
            t.callSeconds += outcome.durationMs / 1000
        }
    }

    /// An event the engine reported (in-process engines only).
    func engineEvent(_ event: CallEvent) {
        switch event {
        case .botAudioStarted(_, _, _, let engineMs):
            state.withLock { $0.engineFirstFrame.record(ms: engineMs) }
        case .bargeIn(let source, _, let decisionMs, _, _, _):
            state.withLock { $0.engineBargeIn[source.rawValue, default: LatencyHistogram()].record(ms: Double(decisionMs)) }
        default:
            break
        }
    }

    /// A copy of the totals.
    var tally: Tally { state.withLock { $0 } }

    /// The few figures the progress line shows (cheap: no histogram copies).
    var progress: (active: Int, finished: Int, failed: Int, turnP95: Double, bargeInP95: Double, late: Int, missing: Int) {
        state.withLock { t in
            (t.active, t.finished, t.failed, t.turn.percentileMs(95), t.bargeIn.percentileMs(95), t.lateFrames, t.missingFrames)
        }
    }

    /// Why a call counts as failed, or nil when it did what its scenario expects. A call cut short by the
    /// test's hard stop is judged only on what it got to do.
    static func failureReason(_ outcome: CallerOutcome, scenario: LoadScenario) -> String? {
        if let failure = outcome.failure {
            if failure.hasPrefix("no outcome within") { return "no outcome (caller deadline)" }
            if failure.hasPrefix("webhook answered") { return String(failure.prefix(while: { $0 != ":" })) }
            return "connection: \(failure.prefix(80))"
        }
        if outcome.rejected { return "rejected by the engine (<Reject>)" }
        if outcome.unansweredTurns > 0 { return "turn not answered" }
        if outcome.hungUpByEngine && !scenario.engineHangsUp { return "engine hung up" }
        if scenario.engineHangsUp && !outcome.hungUpByEngine && !outcome.cutShort { return "engine did not hang up after goodbye" }
        if outcome.bargeInsAttempted > 0, !outcome.bargeIns.contains(where: { $0.onsetToClearMs >= 0 }), !outcome.cutShort {
            return "barge-in not honoured (no clear)"
        }
        return nil
    }
}
