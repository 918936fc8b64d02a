import Foundation
import Testing
@testable import engine_server

/// The load test's statistics: percentiles, egress analysis, the caller's playout verdicts, costs.
@Suite struct LoadStatisticsTests {
    @Test func percentilesOfOneToAThousandMillisecondsAreExactToTheHistogramsPrecision() {
        var histogram = LatencyHistogram()
        for ms in 1...1000 { histogram.record(ms: Double(ms)) }
        let s = histogram.summary
        #expect(s.count == 1000)
        #expect(abs(s.p50 - 500) <= 0.5)
        #expect(abs(s.p95 - 950) <= 1)
        #expect(abs(s.p99 - 990) <= 1)
        #expect(abs(s.max - 1000) <= 1)
        #expect(abs(s.min - 1) <= 0.01)
        #expect(abs(s.mean - 500.5) <= 1)
    }

    @Test func perCallHistogramsMergeToTwoDigitsAndGrowPastTheirRange() {
        var total = LatencyHistogram(.perCall), call = LatencyHistogram(.perCall)
        call.record(ms: 0.5)
        call.record(ms: 90_000)  // past the 60 s set up front
        total.add(call)
        #expect(total.count == 2)
        #expect(abs(total.maxMs - 90_000) / 90_000 < 0.01)
        #expect(abs(total.percentileMs(50) - 0.5) < 0.01)
    }

    @Test func mergedHistogramsCountEveryValueAndKeepTheMaximum() {
        var a = LatencyHistogram(), b = LatencyHistogram()
        for _ in 0..<10 { a.record(ms: 2) }
        for _ in 0..<30 { b.record(ms: 40) }
        a.add(b)
        #expect(a.count == 40)
        #expect(abs(a.maxMs - 40) < 0.05)
        #expect(abs(a.percentileMs(25) - 2) < 0.01)
        #expect(abs(a.percentileMs(26) - 40) < 0.05)
    }

    @Test func cdfRisesToOneHundredPercentAtTheMaximumAndBucketsHoldEveryValue() {
        var histogram = LatencyHistogram()
        for i in 0..<500 { histogram.record(ms: Double(i % 50) * 0.7) }
        let cdf = histogram.cdf(maxPoints: 20)
        #expect(cdf.count <= 20)
        #expect(zip(cdf, cdf.dropFirst()).allSatisfy { $0.ms <= $1.ms && $0.percentile <= $1.percentile })
        #expect(cdf.last?.percentile == 100)
        #expect(abs((cdf.last?.ms ?? 0) - 34.3) < 0.05)
        #expect(histogram.buckets(10).reduce(0) { $0 + $1.count } == 500)
    }

    @Test func negativeValuesAreRecordedAsZero() {
        var histogram = LatencyHistogram()
        histogram.record(ms: -3)
        #expect(histogram.count == 1)
        #expect(histogram.maxMs == 0)
    }

    /// A talk spurt as a perfect pacer with a 200 ms lead sends it: ten frames at once, then one every 20 ms.
    static func pacedSpurt(startNs: UInt64, frames: Int, delayNs: [Int: UInt64] = [:]) -> [CallerOutcome.BotFrameArrival] {
        var arrivals: [CallerOutcome.BotFrameArrival] = []
        var playoutEnd = startNs
        for k in 0..<frames {
            let ns = (k < 10 ? startNs : startNs + UInt64(k - 9) * 20_000_000) + (delayNs[k] ?? 0)
            let buffered = playoutEnd > ns ? Double(playoutEnd - ns) / 1e6 : 0
            arrivals.append(.init(ns: ns, bytes: 160, bufferedMs: buffered))
            playoutEnd = max(playoutEnd, ns) + 20_000_000
        }
        return arrivals
    }

    @Test func perfectPacingHasNoJitterAndAMarginOfTheLeadLessOneFrame() {
        var jitter = LatencyHistogram(), margin = LatencyHistogram()
        EgressAnalysis.analyze(Self.pacedSpurt(startNs: 1_000_000_000, frames: 60), leadMs: 200, jitter: { jitter.record(ms: $0) }, margin: { margin.record(ms: $0) })
        #expect(jitter.count == 50)  // frames 10...59 follow the frame that filled the buffer
        #expect(jitter.maxMs < 0.01)
        #expect(margin.count == 50)
        #expect(abs(margin.minMs - 180) < 0.1)
    }

    @Test func pacingInSixtyMillisecondMessagesHasNoJitter() {
        var jitter = LatencyHistogram(), margin = LatencyHistogram()
        let t0: UInt64 = 1_000_000_000, ms: UInt64 = 1_000_000
        var arrivals: [CallerOutcome.BotFrameArrival] = []
        var playoutEnd = t0
        func arrive(_ ns: UInt64, _ bytes: Int) {
            arrivals.append(.init(ns: ns, bytes: bytes, bufferedMs: playoutEnd > ns ? Double(playoutEnd - ns) / 1e6 : 0))
            playoutEnd = max(playoutEnd, ns) + UInt64(bytes) * 125_000
        }
        for bytes in [480, 480, 480, 160] { arrive(t0, bytes) }  // the 200 ms prefill
        for k in 1...10 { arrive(t0 + UInt64(k) * 60 * ms, 480) }
        EgressAnalysis.analyze(arrivals, leadMs: 200, jitter: { jitter.record(ms: $0) }, margin: { margin.record(ms: $0) })
        #expect(jitter.count == 10)
        #expect(jitter.maxMs < 0.01)
        #expect(abs(margin.minMs - 140) < 0.1, "the lead swings by one chunk")
    }

    @Test func aFrameFiveMillisecondsLateShowsAsJitterOnBothOfItsGaps() {
        var jitter = LatencyHistogram(), margin = LatencyHistogram()
        let arrivals = Self.pacedSpurt(startNs: 1_000_000_000, frames: 40, delayNs: [25: 5_000_000])
        EgressAnalysis.analyze(arrivals, leadMs: 200, jitter: { jitter.record(ms: $0) }, margin: { margin.record(ms: $0) })
        #expect(abs(jitter.maxMs - 5) < 0.01)
        #expect(abs(jitter.percentileMs(100) - 5) < 0.01)
        #expect(jitter.summary.p50 < 0.01)
        #expect(abs(margin.minMs - 175) < 0.1)
    }

    @Test func aDrySpellInsideAnItemIsALateFrameButTheGapBetweenItemsIsNot() {
        var buffer = PlayoutBuffer()
        let ms: UInt64 = 1_000_000
        buffer.receiveAudio(bytes: 160, nowNs: 1_000 * ms)
        buffer.receiveMark("0:item_a:20")
        // 35 ms later (the 20 ms frame ran dry 15 ms ago), more of item_a.
        #expect(buffer.receiveAudio(bytes: 160, nowNs: 1_035 * ms) == 0)
        buffer.receiveMark("0:item_a:40")
        #expect(buffer.lateFrames == 1)
        #expect(abs(buffer.underrunMs - 15) < 0.001)
        // A new item after a pause is a new utterance, not a late frame.
        buffer.receiveAudio(bytes: 160, nowNs: 2_000 * ms)
        buffer.receiveMark("0:item_b:20")
        #expect(buffer.lateFrames == 1)
        #expect(buffer.missingFrames == 0)
    }

    @Test func audioTheMarksClaimButThatNeverArrivedCountsAsMissingFrames() {
        var buffer = PlayoutBuffer()
        buffer.receiveAudio(bytes: 160, nowNs: 1_000_000_000)
        buffer.receiveMark("0:item_a:60")  // three frames claimed, one received
        #expect(buffer.missingFrames == 2)
        buffer.receiveAudio(bytes: 160, nowNs: 1_010_000_000)
        buffer.receiveMark("0:item_a:80")
        #expect(buffer.missingFrames == 2)
        #expect(buffer.lateFrames == 0)
    }

    @Test func costIsCPUOverCallSecondsAndMemoryIsTheSlopeOverTheRamp() {
        var timeline: [TimelinePoint] = []
        var cpu = 0.0
        for second in 0...40 {
            let active = second <= 20 ? second * 5 : 100  // ramp to 100 calls, then a plateau
            if second > 0 { cpu += 0.001 * Double(timeline[second - 1].activeCalls + active) / 2 + 0.002 }
            timeline.append(TimelinePoint(t: Double(second), activeCalls: active, finishedCalls: 0, failedCalls: 0, lateFrames: 0,
                                          missingFrames: 0, turnP95Ms: 0, bargeInP95Ms: 0, engineCPUSeconds: cpu,
                                          engineRSSBytes: 50 << 20 + active * 200 * 1024))
        }
        let cost = EngineCost(timeline: timeline)
        #expect(abs((cost.cpuSecondsPerCallSecondAtPlateau ?? 0) - 0.00102) < 0.00001)
        #expect(abs((cost.memoryPerCallKB ?? 0) - 200) < 0.01)
        #expect(abs((cost.plateauCalls ?? 0) - 99.5) < 0.1)  // 90 % of the peak and up, ramp end included
        #expect(abs((cost.baselineRSSMB ?? 0) - 50) < 0.01)
    }

    @Test func procStatFieldsAreCountedAfterTheCommandName() {
        let stat = "4242 (engine) server (x)) S 1 4242 4242 0 -1 4194560 1520 0 0 0 731 269 0 0 20 0 9 0 1234 567 890"
        #expect(ProcessSampler.cpuTicks(stat: stat) == 1000)
        #expect(ProcessSampler.rssKB(status: "Name:\tx\nVmRSS:\t   12345 kB\nThreads: 3\n") == 12345)
        #expect(ProcessSampler.current.sample().map { $0.rssBytes > 0 } == true)
    }
}

extension LatencyBreakdownReport {
    /// The row of `stage` (tests).
    func row(_ stage: String) throws -> LatencySummary { try #require(rows.first { $0.stage == stage }).latency }
    func row(_ stage: LatencyStage) throws -> LatencySummary { try row(stage.rawValue) }
}

/// The stage-by-stage breakdown lines a call's engine timestamps up with what its caller saw.
@Suite struct LatencyBreakdownTests {
    @Test func aTurnSplitsIntoItsStagesAndTheEnginePartAddsUp() throws {
        let recorder = LatencyBreakdownRecorder(leadMs: 200)
        let probe = recorder.probe(forCall: "CA1")
        let ms: UInt64 = 1_000_000
        // Frames before and at the caller's last word, then the reply.
        probe.inboundFrame(mediaMs: 1_980, receivedNs: 980 * ms, detectedNs: 980 * ms + 100_000, modelSendNs: 980 * ms + 150_000)
        probe.inboundFrame(mediaMs: 2_000, receivedNs: 1_001 * ms, detectedNs: 1_001 * ms + 200_000, modelSendNs: 1_001 * ms + 300_000)
        // The frame that ends the model's 500 ms silence window after the last word.
        probe.inboundFrame(mediaMs: 2_500, receivedNs: 1_499 * ms, detectedNs: 1_499 * ms + 100_000, modelSendNs: 1_499 * ms + 120_000)
        probe.modelDelta(itemId: "item_a", receivedNs: 1_500 * ms, enqueuedNs: 1_500 * ms + 50_000)
        probe.modelDelta(itemId: "item_a", receivedNs: 1_525 * ms, enqueuedNs: 1_525 * ms + 40_000)
        probe.firstFrameSent(itemId: "item_a", atNs: 1_500 * ms + 150_000)
        probe.bargeInDecided(source: .engine, atNs: 3_140 * ms)
        var outcome = CallerOutcome(callSid: "CA1")
        outcome.turns = [.init(speechEndNs: 1_000 * ms, speechEndMediaMs: 2_000, firstBotFrameNs: 1_501 * ms)]
        outcome.bargeIns = [.init(onsetToClearMs: 143, heardItem: "item_a", heardMs: 900, onsetNs: 3_000 * ms, clearNs: 3_143 * ms)]
        recorder.finish(callSid: "CA1", outcome: outcome)

        let report = recorder.report
        #expect(report.turnsMatched == 1)
        func p50(_ stage: String) throws -> Double { try report.row(stage).p50 }
        #expect(abs(try p50(LatencyStage.callerToEngine.rawValue) - 1) < 0.01)
        #expect(abs(try p50(LatencyStage.ingressToDecision.rawValue) - 0.2) < 0.01)
        #expect(abs(try p50(LatencyStage.decisionToModelSend.rawValue) - 0.1) < 0.01)
        #expect(abs(try p50(LatencyStage.silenceWindow.rawValue) - 499) < 0.01)
        #expect(abs(try p50(LatencyStage.windowFrameToModel.rawValue) - 0.12) < 0.01)
        #expect(abs(try p50(LatencyStage.model.rawValue) - 0.88) < 0.01)
        #expect(abs(try p50(LatencyStage.enginePart.rawValue) - 0.27) < 0.01)  // 0.12 in + 0.15 out
        #expect(abs(try p50(LatencyStage.firstDeltaToFirstFrame.rawValue) - 0.15) < 0.01)
        #expect(abs(try p50(LatencyStage.turnTotal.rawValue) - 501) < 0.5)
        #expect(try report.row(.everyFrameIngressToDecision).count == 3)
        #expect(try report.row(.everyDeltaToEnqueue).count == 2)
        #expect(abs(try p50("engine detector: caller onset -> decision") - 140) < 0.2)
        #expect(abs(try p50("engine detector: decision -> clear at caller") - 3) < 0.01)
    }

    /// The last word waited 35 ms for the frames after it; the model could not end the turn before its
    /// silence window anyway, so that wait shows beside the turn, not in the engine's part. Without a
    /// frame exactly at the window's end (the model's VAD ended the speech a frame early), the last
    /// frame sent before the reply stands for it.
    @Test func aGatheredLastWordIsNotTheEnginesPartOfTheTurn() throws {
        let ms: UInt64 = 1_000_000
        for windowFrameMs in [2_500, 2_480] {
            let recorder = LatencyBreakdownRecorder(leadMs: 200, modelSilenceMs: 500)
            let probe = recorder.probe(forCall: "CA4")
            probe.inboundFrame(mediaMs: 2_000, receivedNs: 1_000 * ms, detectedNs: 1_000 * ms + 100_000, modelSendNs: 0)
            probe.inboundFrame(mediaMs: 2_020, receivedNs: 1_020 * ms, detectedNs: 1_020 * ms + 100_000, modelSendNs: 0)
            probe.inboundFrame(mediaMs: 2_040, receivedNs: 1_035 * ms, detectedNs: 1_035 * ms + 100_000, modelSendNs: 1_035 * ms + 150_000)
            let at = UInt64(windowFrameMs - 1_000) * ms
            probe.inboundFrame(mediaMs: windowFrameMs, receivedNs: at, detectedNs: at + 100_000, modelSendNs: at + 130_000)
            probe.modelDelta(itemId: "item_a", receivedNs: 1_500 * ms + 500_000, enqueuedNs: 1_500 * ms + 550_000)
            probe.firstFrameSent(itemId: "item_a", atNs: 1_500 * ms + 600_000)
            var outcome = CallerOutcome(callSid: "CA4")
            outcome.turns = [.init(speechEndNs: 999 * ms, speechEndMediaMs: 2_000, firstBotFrameNs: 1_501 * ms)]
            recorder.finish(callSid: "CA4", outcome: outcome)
            let report = recorder.report
            #expect(report.turnsMatched == 1)
            func p50(_ stage: LatencyStage) throws -> Double { try report.row(stage).p50 }
            #expect(abs(try p50(.decisionToModelSend) - 35.05) < 0.01, "the last word's wait, shown")
            #expect(abs(try p50(.windowFrameToModel) - 0.13) < 0.01)
            #expect(abs(try p50(.enginePart) - 0.23) < 0.01, "0.13 in + 0.1 out")
            #expect(abs(try p50(.turnTotal) - 502) < 0.01)
        }
    }

    @Test func gatheredFramesTakeTheSendTimeOfTheAppendThatCarriedThem() throws {
        let recorder = LatencyBreakdownRecorder(leadMs: 200)
        let probe = recorder.probe(forCall: "CA3")
        let ms: UInt64 = 1_000_000
        // Four frames wait (send time 0); the fifth completes their append at 5.1 ms after its own
        // decision; then the caller's last word goes at once; then a frame still gathering at call end.
        for k in 0..<5 {
            let t = UInt64(k) * 20 * ms
            probe.inboundFrame(mediaMs: k * 20, receivedNs: t, detectedNs: t + 100_000, modelSendNs: k == 4 ? t + 200_000 : 0)
        }
        probe.inboundFrame(mediaMs: 100, receivedNs: 100 * ms, detectedNs: 100 * ms + 100_000, modelSendNs: 100 * ms + 150_000)
        probe.inboundFrame(mediaMs: 120, receivedNs: 120 * ms, detectedNs: 120 * ms + 100_000, modelSendNs: 0)
        probe.modelDelta(itemId: "item_a", receivedNs: 600 * ms, enqueuedNs: 600 * ms + 50_000)
        probe.firstFrameSent(itemId: "item_a", atNs: 600 * ms + 100_000)
        var outcome = CallerOutcome(callSid: "CA3")
        outcome.turns = [.init(speechEndNs: 100 * ms, speechEndMediaMs: 100, firstBotFrameNs: 601 * ms)]
        recorder.finish(callSid: "CA3", outcome: outcome)

        let report = recorder.report
        #expect(report.turnsMatched == 1)
        #expect(try report.row(.everyFrameDecisionToSend).count == 2, "the two frames sent at once")
        let waits = try report.row(.gatheredFrameWait)
        #expect(waits.count == 4, "the four that waited for the fifth; the last frame was never sent")
        #expect(abs(waits.max - 80.1) < 0.1 && abs(waits.min - 20.1) < 0.1, "from each one's decision to the fifth's send")
        #expect(abs(try report.row(.decisionToModelSend).p50 - 0.05) < 0.01, "the turn's last word went at once")

        let lined = LatencyBreakdownRecorder.withSendTimes([
            .init(mediaMs: 0, receivedNs: 1, detectedNs: 2, modelSendNs: 0),
            .init(mediaMs: 20, receivedNs: 3, detectedNs: 4, modelSendNs: 9),
            .init(mediaMs: 20, receivedNs: 5, detectedNs: 6, modelSendNs: 0),  // a repeated timestamp
        ])
        #expect(lined[0]?.modelSendNs == 9 && lined[20]?.receivedNs == 3, "the first record of a media time is kept")
    }

    @Test func theEnginesOwnSendPacingIsJudgedOnlyAfterTheLeadIsFull() throws {
        let recorder = LatencyBreakdownRecorder(leadMs: 200)
        let probe = recorder.probe(forCall: "CA2")
        let ms: UInt64 = 1_000_000
        let t0: UInt64 = 10_000 * ms
        // A spurt: 200 ms of prefill in one pump (ten frames, merged), then one frame per 20 ms tick,
        // the fourth of them 5 ms late.
        for n in 0..<10 { probe.botFrameSent(bytes: 160, playoutStartNs: t0 + UInt64(n) * 20 * ms, atNs: t0) }
        var sentNs = t0
        for n in 10..<16 {
            sentNs = t0 + UInt64(n - 9) * 20 * ms + (n == 13 ? 5 * ms : 0)
            probe.botFrameSent(bytes: 160, playoutStartNs: t0 + UInt64(n) * 20 * ms, atNs: sentNs)
        }
        recorder.finish(callSid: "CA2", outcome: CallerOutcome(callSid: "CA2"))
        let jitter = try recorder.report.row(.engineSendJitter)
        #expect(jitter.count == 6, "six paced frames, each judged against the one before (the first against the prefill), which is not judged itself")
        #expect(abs(jitter.max - 5) < 0.01, "the late frame's gaps are 25 and 15 ms")
        #expect(jitter.p50 < 0.01)
    }
}

/// Who the load report blames when the callers' clocks ran late.
@Suite struct GeneratorVerdictTests {
    @Test func writeWaitsOfASaturatedGeneratorAreItsOwnNotTheEngines() {
        func summary(p99: Double) -> LatencySummary {
            LatencySummary(count: 1_000, min: 0, p1: 0, p50: 0.5, p95: p99 / 2, p99: p99, max: p99 * 3, mean: 1)
        }
        let late = summary(p99: 39), waited = summary(p99: 9.7)
        let saturated = LoadReport.judgeGenerator(late, write: waited, peakCPUPercent: 100, cpuCount: 1)
        #expect(saturated.overloaded && !saturated.engineBackpressure)
        #expect(saturated.verdict.hasPrefix("GENERATOR OVERLOADED"))
        let spare = LoadReport.judgeGenerator(late, write: waited, peakCPUPercent: 60, cpuCount: 1)
        #expect(spare.engineBackpressure && !spare.overloaded, "writes waited while the generator had CPU to spare")
        let twoCores = LoadReport.judgeGenerator(late, write: waited, peakCPUPercent: 120, cpuCount: 2)
        #expect(twoCores.engineBackpressure, "120% of two cores is not saturated")
        let onTime = LoadReport.judgeGenerator(summary(p99: 2), write: summary(p99: 1), peakCPUPercent: 50, cpuCount: 1)
        #expect(!onTime.overloaded && !onTime.engineBackpressure)
        #expect(onTime.verdict.hasPrefix("generator kept its schedule"))
    }
}
