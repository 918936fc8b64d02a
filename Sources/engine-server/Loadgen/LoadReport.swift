import Foundation
import NIOCore

/// The results of one load test: what was run, what the calls experienced, what they cost, and the
/// distributions and timeline the HTML report plots. Written as JSON by `--json-out`.
struct LoadReport: Sendable, Codable {
    var tool = "engine-server loadtest"
    /// When the report was made (ISO 8601, UTC).
    var generatedAt: String
    var plan: LoadPlan
    var target: LoadTarget
    /// Wall time from the first call to the last call's end (s).
    var wallSeconds: Double
    var calls: Calls
    var latency: Latency
    var truncation: Truncation
    var frames: Frames
    var generator: Generator
    /// Engine CPU and memory (nil without an engine process to sample).
    var cost: EngineCost?
    var timeline: [TimelinePoint]
    /// Per metric (`turn`, `bargeIn`, `jitter`, ...): its cumulative distribution and histogram.
    var distributions: [String: Distribution]
    /// The stage-by-stage breakdown (`--latency-breakdown` only).
    var breakdown: LatencyBreakdownReport?
    /// The engine's own send jitter from its `/metrics` (`--url` runs against an engine that has it).
    var engineSendJitter: EngineSendJitter?

    struct Calls: Sendable, Codable, Equatable {
        var placed: Int
        var finished: Int
        var failed: Int
        var rejected: Int
        /// Hung up by the hard stop before their script ended (not failures).
        var cutShort: Int
        var peakConcurrent: Int
        /// Sum of the calls' durations (s).
        var callSeconds: Double
        var unansweredTurns: Int
        /// Failed calls by reason.
        var failures: [String: Int]
        var scenarios: [String: LoadCollector.ScenarioTally]
    }

    struct Latency: Sendable, Codable, Equatable {
        /// Caller speech end to the first bot frame (includes the model's VAD silence and think time).
        var turn: LatencySummary
        /// Caller speech onset to `clear` received.
        var bargeIn: LatencySummary
        /// Inter-frame jitter and playout margin of the steady part of the bot's talk spurts
        /// (see `EgressAnalysis`).
        var jitter: LatencySummary
        var playoutMargin: LatencySummary
        /// The engine's own figures (in-process engines): first model delta to first frame out, and
        /// speech onset to the barge-in decision by detector ("engine", "model").
        var engineFirstFrame: LatencySummary?
        var engineBargeInDecision: [String: LatencySummary]
    }

    struct Truncation: Sendable, Codable, Equatable {
        /// Barge-ins whose truncation was found in the simulator's log.
        var matched: Int
        /// Barge-ins with no truncation found (no simulator log, or the engine did not truncate).
        var unmatched: Int
        /// |engine audio_end_ms − audio the caller had heard| (ms), and the signed mean (positive: the
        /// engine claimed more was heard than really was).
        var absoluteErrorMs: LatencySummary
        var meanSignedErrorMs: Double
    }

    struct Frames: Sendable, Codable, Equatable {
        var botFrames: Int
        /// Bot frames that arrived after the caller's buffer ran dry mid-utterance, and the gaps' total.
        var late: Int
        var underrunMs: Double
        /// Frames the engine's marks say were sent but never arrived.
        var missing: Int
    }

    struct Generator: Sendable, Codable, Equatable {
        /// How late the generator's 20 ms clocks ran, per frame sent.
        var lateness: LatencySummary
        /// How long handing a frame to the socket took: long when the engine stops reading (backpressure).
        var write: LatencySummary
        var peakCPUPercent: Double?
        /// True when the generator could not keep its own schedule for reasons of its own: its figures
        /// then blame the engine for the generator's delays, and the run must be repeated with less load
        /// per generator.
        var overloaded: Bool
        /// True when the engine did not read its sockets in time, holding the callers' clocks up.
        var engineBackpressure: Bool
        var verdict: String
    }

    struct Distribution: Sendable, Codable, Equatable {
        var cdf: [CDFPoint]
        var histogram: [HistogramBucket]
    }

    /// True when no call failed and no frame was late or missing.
    var clean: Bool { calls.failed == 0 && frames.late == 0 && frames.missing == 0 }

    /// Judges the generator by its own clock. Its 20 ms clock ran late when the p99 lateness is over
    /// 5 ms. If handing frames to the socket also waited (p99 over 5 ms) while the generator had CPU to
    /// spare, the engine was not reading them (backpressure); if the generator's CPUs were saturated
    /// (peak at 90% of `cpuCount` cores or more), the waits are its own and it is the one overloaded.
    /// Isolated stalls (a high maximum with a low p99) are named but do not condemn the run.
    static func judgeGenerator(_ lateness: LatencySummary, write: LatencySummary, peakCPUPercent: Double?,
                               cpuCount: Int) -> Generator {
        let late = lateness.count > 0 && lateness.p99 > 5
        let saturated = peakCPUPercent.map { $0 >= 90 * Double(max(1, cpuCount)) } ?? false
        let backpressure = write.count > 0 && write.p99 > 5 && !saturated
        let overloaded = late && !backpressure
        var verdict: String
        if overloaded {
            verdict = String(format: "GENERATOR OVERLOADED: its 20 ms clock ran late (p99 %.1f ms, max %.1f ms); latency, jitter and late-frame figures include its own delays. Run fewer calls per generator, or pin it to its own core.", lateness.p99, lateness.max)
        } else if backpressure {
            verdict = String(format: "ENGINE BACKPRESSURE: the engine did not read the callers' audio in time (socket writes waited p99 %.1f ms, max %.1f ms), which held the callers' clocks up (lateness p99 %.1f ms)", write.p99, write.max, lateness.p99)
        } else {
            verdict = String(format: "generator kept its schedule (lateness p99 %.2f ms, max %.1f ms)", lateness.p99, lateness.max)
            if lateness.max > 50 || write.max > 50 {
                verdict += String(format: "; isolated stalls up to %.0f ms (other processes on the machine, or a brief engine stall)", max(lateness.max, write.max))
            }
        }
        return Generator(lateness: lateness, write: write, peakCPUPercent: peakCPUPercent, overloaded: overloaded,
                         engineBackpressure: backpressure, verdict: verdict)
    }

    /// JSON text (sorted keys, pretty-printed).
    func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

extension LoadReport {
    /// Builds the report from a finished run. `truncations` maps item ids to the `audio_end_ms` the
    /// engine truncated them at (from the simulator's log; empty when the simulator is elsewhere).
    init(plan: LoadPlan, target: LoadTarget, wallSeconds: Double, tally: LoadCollector.Tally, timeline: [TimelinePoint],
         truncations: [String: Int], breakdown: LatencyBreakdownReport? = nil, generatedAt: Date = Date()) {
        var absolute = LatencyHistogram()
        var signedSum = 0.0
        var matched = 0
        for heard in tally.heardAtClear {
            guard let end = truncations[heard.item] else { continue }
            let error = Double(end - heard.heardMs)
            absolute.record(ms: abs(error))
            signedSum += error
            matched += 1
        }
        let formatter = ISO8601DateFormatter()
        self.init(
            generatedAt: formatter.string(from: generatedAt), plan: plan, target: target, wallSeconds: wallSeconds,
            calls: Calls(placed: tally.started, finished: tally.finished, failed: tally.failed, rejected: tally.rejected,
                         cutShort: tally.cutShort, peakConcurrent: tally.peakActive, callSeconds: tally.callSeconds,
                         unansweredTurns: tally.unansweredTurns, failures: tally.failures, scenarios: tally.scenarios),
            latency: Latency(turn: tally.turn.summary, bargeIn: tally.bargeIn.summary, jitter: tally.jitter.summary,
                             playoutMargin: tally.margin.summary,
                             engineFirstFrame: tally.engineFirstFrame.count > 0 ? tally.engineFirstFrame.summary : nil,
                             engineBargeInDecision: tally.engineBargeIn.mapValues(\.summary)),
            truncation: Truncation(matched: matched, unmatched: tally.heardAtClear.count - matched, absoluteErrorMs: absolute.summary,
                                   meanSignedErrorMs: matched > 0 ? signedSum / Double(matched) : 0),
            frames: Frames(botFrames: tally.botFrames, late: tally.lateFrames, underrunMs: tally.underrunMs, missing: tally.missingFrames),
            generator: Self.judgeGenerator(tally.generatorLateness.summary, write: tally.generatorWrite.summary,
                                           peakCPUPercent: timeline.compactMap(\.generatorCPUPercent).max(),
                                           cpuCount: CPUAffinity.allowedCPUCount() ?? System.coreCount),
            cost: target.enginePid == nil ? nil : EngineCost(timeline: timeline),
            timeline: timeline,
            distributions: [
                "turn": Distribution(tally.turn), "bargeIn": Distribution(tally.bargeIn), "jitter": Distribution(tally.jitter),
                "playoutMargin": Distribution(tally.margin), "truncationError": Distribution(absolute),
                "generatorLateness": Distribution(tally.generatorLateness),
            ].merging(tally.engineFirstFrame.count > 0 ? ["engineFirstFrame": Distribution(tally.engineFirstFrame)] : [:]) { a, _ in a },
            breakdown: breakdown)
    }
}

extension LoadReport.Distribution {
    init(_ histogram: LatencyHistogram) {
        self.init(cdf: histogram.cdf(), histogram: histogram.buckets())
    }
}
