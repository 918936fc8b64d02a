import CoreMetrics

/// The engine's own metrics, through swift-metrics (the server exports them in Prometheus format at
/// `GET /metrics`; without a bootstrapped backend they cost nothing). Created on first use, so a process
/// must bootstrap its backend before its first call.
public enum EngineMetrics {
    /// |gap − duration| of each steadily paced message to Twilio, at the engine (`EgressJitterMeter`).
    public static let egressSendJitterLabel = "kol_egress_send_jitter_seconds"
    /// Calls in progress.
    public static let callsActiveLabel = "kol_calls_active"
    /// Calls registered since the process started.
    public static let callsStartedLabel = "kol_calls_started_total"
    /// How far ahead of playout the engine keeps a reply's audio at Twilio (`CallSettings.egressLeadMs`),
    /// so a load generator judges the engine's pacing against the lead it really runs with.
    public static let egressLeadLabel = "kol_egress_lead_seconds"

    /// Publishes the engine's egress lead (ms).
    public static func publishEgressLead(ms: Int) {
        Gauge(label: egressLeadLabel).record(Double(ms) / 1000)
    }

    /// Creates every metric now, so an exporter shows them (at zero) before the first call. Call right
    /// after bootstrapping the backend.
    public static func createAll() {
        _ = (egressSendJitter, callsActive, callsStarted)
    }

    static let egressSendJitter = CoreMetrics.Timer(label: egressSendJitterLabel)
    static let callsActive = Meter(label: callsActiveLabel)
    static let callsStarted = Counter(label: callsStartedLabel)
}
