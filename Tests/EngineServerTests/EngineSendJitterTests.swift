import MediaEngine
import Prometheus
import Testing
@testable import engine_server

/// The engine's send jitter histogram: exported in Prometheus format with the engine's buckets, read
/// back by the load generator, and turned into a run's percentiles from two scrapes.
@Suite("Engine send jitter from /metrics")
struct EngineSendJitterTests {
    @Test func theExportedHistogramIsReadBackAsTheRunsPercentiles() throws {
        let (registry, factory) = MetricsExport.makeFactory()
        let timer = factory.makeTimer(label: EngineMetrics.egressSendJitterLabel, dimensions: [])
        timer.recordNanoseconds(300_000)  // before the run: 0.3 ms
        let before = Self.scrape(registry)
        #expect(before[.infinity] == 1)
        for _ in 0..<90 { timer.recordNanoseconds(400_000) }  // 0.4 ms
        for _ in 0..<8 { timer.recordNanoseconds(1_500_000) }  // 1.5 ms
        for _ in 0..<2 { timer.recordNanoseconds(19_000_000) }  // two frames read together: ~20 ms
        let run = try #require(EngineSendJitter(before: before, after: Self.scrape(registry)))
        #expect(run.count == 100)
        #expect(run.p50AtMostMs == 0.5)
        #expect(run.p95AtMostMs == 2)
        #expect(run.p99AtMostMs == 20)
    }

    @Test func anEngineWithoutTheHistogramGivesNoFigure() {
        #expect(EngineSendJitter.buckets(inExposition: "# TYPE other counter\nother 3\n").isEmpty)
        #expect(EngineSendJitter(before: [:], after: [:]) == nil)
    }

    @Test func jitterAboveEveryBoundIsReportedAsSuch() {
        let text = """
            kol_egress_send_jitter_seconds_bucket{le="0.005"} 0
            kol_egress_send_jitter_seconds_bucket{le="0.1"} 1
            kol_egress_send_jitter_seconds_bucket{le="+Inf"} 4
            """
        let run = EngineSendJitter(before: [:], after: EngineSendJitter.buckets(inExposition: text))
        #expect(run?.count == 4)
        #expect(run?.p50AtMostMs == nil)
        #expect(run?.text.contains("p50 > 100 ms") == true)
    }

    static func scrape(_ registry: PrometheusCollectorRegistry) -> EngineSendJitter.Buckets {
        var text: [UInt8] = []
        registry.emit(into: &text)
        return EngineSendJitter.buckets(inExposition: String(decoding: text, as: UTF8.self))
    }
}
