import MediaEngine
import NIOCore

/// The egress lead the callers judge an engine's pacing against (`LoadPlan.leadMs`): `--lead-ms` when
/// given; else, for an engine at a URL, the lead it publishes at `GET /metrics`
/// (`kol_egress_lead_seconds`, its floor plus its `--egress-chunk-ms`); else that of an engine on the
/// defaults: the in-process engine's, or assumed for an engine at a URL that publishes none (an older
/// engine, or `/metrics` not answering), which the summary and a warning say.
struct EngineEgressLead: Sendable, Equatable {
    enum Source: String, Sendable, Codable, CustomStringConvertible {
        case option
        case engine
        case inProcess
        case assumed

        var description: String {
            switch self {
            case .option: "--lead-ms"
            case .engine: "the engine's /metrics"
            case .inProcess: "the in-process engine's"
            case .assumed: "assumed: the engine publishes none"
            }
        }
    }

    var ms: Double
    var source: Source

    /// `engineURL`: the engine's base URL (nil for the in-process engine); a trailing `/` is ignored.
    static func resolve(option: Double?, engineURL: String?) async -> EngineEgressLead {
        if let option { return EngineEgressLead(ms: option, source: .option) }
        let defaultMs = Double(EngineConfiguration.defaultEgressLeadMs)
        guard let engineURL else { return EngineEgressLead(ms: defaultMs, source: .inProcess) }
        if let text = await EngineMetricsText.scrape(engineURL: LoadRun.baseURL(engineURL), timeout: .seconds(2)),
           let seconds = gaugeSeconds(inExposition: text) {
            return EngineEgressLead(ms: (seconds * 1000).rounded(), source: .engine)
        }
        return EngineEgressLead(ms: defaultMs, source: .assumed)
    }

    /// The gauge's value (s) in a Prometheus text exposition; nil when it is absent or not a positive number.
    static func gaugeSeconds(inExposition text: String) -> Double? {
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 2, fields[0] == EngineMetrics.egressLeadLabel else { continue }
            guard let value = Double(fields[1]), value.isFinite, value > 0 else { return nil }
            return value
        }
        return nil
    }
}
