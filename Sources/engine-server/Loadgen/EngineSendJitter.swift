import AsyncHTTPClient
import MediaEngine
import NIOCore

/// The engine's own egress send jitter over a run, from its Prometheus `GET /metrics`: the cumulative
/// histogram `kol_egress_send_jitter_seconds` read before and after the run, the difference being the
/// run's. It tells the engine's pacing apart from delays on the callers' side (a loaded generator reads
/// late, and two frames read together look like 20 ms of jitter). Percentiles are bucket bounds.
struct EngineSendJitter: Sendable, Codable, Equatable {
    /// Steady messages measured.
    var count: Int
    /// The bucket bound (ms) at or under which 50/95/99 % of the messages fell; nil: above every bound.
    var p50AtMostMs: Double?
    var p95AtMostMs: Double?
    var p99AtMostMs: Double?

    /// Cumulative bucket counts by upper bound (seconds; `.infinity` for `+Inf`).
    typealias Buckets = [Double: Double]

    /// The histogram's buckets in a Prometheus text exposition; empty when it has none.
    static func buckets(inExposition text: String) -> Buckets {
        let prefix = EngineMetrics.egressSendJitterLabel + "_bucket{"
        var buckets: Buckets = [:]
        for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
            guard let open = line.range(of: #"le=""#), let close = line[open.upperBound...].firstIndex(of: "\""),
                  let space = line.lastIndex(of: " "), let count = Double(line[line.index(after: space)...]) else { continue }
            let bound = line[open.upperBound..<close]
            guard let le = bound == "+Inf" ? Double.infinity : Double(bound) else { continue }
            buckets[le] = count
        }
        return buckets
    }

    /// The run's distribution from the histogram before and after it; nil when the engine reported none.
    init?(before: Buckets, after: Buckets) {
        guard let total = after[.infinity].map({ $0 - (before[.infinity] ?? 0) }), total > 0 else { return nil }
        let bounds = after.keys.filter(\.isFinite).sorted()
        func atMost(_ percentile: Double) -> Double? {
            let wanted = total * percentile / 100
            for le in bounds where (after[le] ?? 0) - (before[le] ?? 0) >= wanted { return le * 1000 }
            return nil
        }
        count = Int(total)
        p50AtMostMs = atMost(50)
        p95AtMostMs = atMost(95)
        p99AtMostMs = atMost(99)
    }

    /// The engine's buckets now; empty when it has no `/metrics` or the histogram (an older engine).
    static func scrape(engineURL: String) async -> Buckets {
        await EngineMetricsText.scrape(engineURL: engineURL).map(buckets(inExposition:)) ?? [:]
    }

    /// "p50 ≤ 0.5 ms, p95 ≤ 2 ms, p99 ≤ 5 ms over 12345 messages".
    var text: String {
        let largest = SVGChart.label(MetricsExport.sendJitterBucketsMs.last ?? 0)  // the engine's bucket layout
        func bound(_ ms: Double?) -> String { ms.map { "≤ \(SVGChart.label($0)) ms" } ?? "> \(largest) ms" }
        return "p50 \(bound(p50AtMostMs)), p95 \(bound(p95AtMostMs)), p99 \(bound(p99AtMostMs)) over \(count) messages"
    }
}

/// An engine's `GET /metrics` text; nil when it does not answer 200 within `timeout` (the HTTP client
/// keeps retrying a refused connection until then).
enum EngineMetricsText {
    static func scrape(engineURL: String, timeout: TimeAmount = .seconds(5)) async -> String? {
        do {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: engineURL + "/metrics"), timeout: timeout)
            guard response.status == .ok else { return nil }
            return String(buffer: try await response.body.collect(upTo: 4 << 20))
        } catch {
            return nil
        }
    }
}
