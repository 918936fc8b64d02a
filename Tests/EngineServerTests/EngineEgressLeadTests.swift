import MediaEngine
import Prometheus
import Testing
@testable import engine_server

/// The egress lead the callers judge pacing against: `--lead-ms`, else what the engine publishes at
/// `/metrics`, else the default engine's.
@Suite("Engine egress lead from /metrics")
struct EngineEgressLeadTests {
    @Test func thePublishedGaugeIsReadBack() {
        let (registry, factory) = MetricsExport.makeFactory()
        factory.makeRecorder(label: EngineMetrics.egressLeadLabel, dimensions: [], aggregate: false)
            .record(Double(CallSettings.egressLeadMs(chunkMs: 120)) / 1000)
        var text: [UInt8] = []
        registry.emit(into: &text)
        let seconds = EngineEgressLead.gaugeSeconds(inExposition: String(decoding: text, as: UTF8.self))
        #expect(seconds == 0.28, "160 ms floor plus a 120 ms chunk")
    }

    @Test func anEngineWithoutTheGaugeOrWithNonsenseGivesNone() {
        #expect(EngineEgressLead.gaugeSeconds(inExposition: "# TYPE kol_calls_active gauge\nkol_calls_active 3\n") == nil)
        #expect(EngineEgressLead.gaugeSeconds(inExposition: "kol_egress_lead_seconds NaN\n") == nil)
        #expect(EngineEgressLead.gaugeSeconds(inExposition: "kol_egress_lead_seconds -1\n") == nil)
        #expect(EngineEgressLead.gaugeSeconds(inExposition: "kol_egress_lead_seconds_x 0.2\n") == nil)
    }

    @Test func theOptionWinsAndAnEngineThatDoesNotAnswerGetsTheDefault() async {
        let given = await EngineEgressLead.resolve(option: 300, engineURL: "http://127.0.0.1:1")
        #expect(given == EngineEgressLead(ms: 300, source: .option))
        let unreachable = await EngineEgressLead.resolve(option: nil, engineURL: "http://127.0.0.1:1/")
        #expect(unreachable == EngineEgressLead(ms: Double(EngineConfiguration.defaultEgressLeadMs), source: .assumed))
        let inProcess = await EngineEgressLead.resolve(option: nil, engineURL: nil)
        #expect(inProcess == EngineEgressLead(ms: Double(EngineConfiguration.defaultEgressLeadMs), source: .inProcess))
    }
}
