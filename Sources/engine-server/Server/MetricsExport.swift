import CoreMetrics
import Hummingbird
import MediaEngine
import NIOCore
import Prometheus

/// The engine's metrics in Prometheus format: `serve` bootstraps swift-metrics with a Prometheus registry
/// once, before the first call, and `GET /metrics` exposes it (calls active and started, the egress send
/// jitter histogram, the egress lead, and whatever the libraries record).
enum MetricsExport {
    /// Bucket bounds (ms) of the send jitter histogram: fine where the 5 ms target is judged.
    static let sendJitterBucketsMs: [Double] = [0.5, 1, 2, 3, 4, 5, 7.5, 10, 15, 20, 30, 50, 100]

    /// A registry with the engine's bucket layout, and the factory that records into it.
    static func makeFactory() -> (PrometheusCollectorRegistry, PrometheusMetricsFactory) {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[EngineMetrics.egressSendJitterLabel] =
            sendJitterBucketsMs.map { Duration.microseconds(Int64($0 * 1000)) }
        return (registry, factory)
    }

    /// Makes the process's metrics go to a new registry (once per process, before the first call) and
    /// returns it.
    static func bootstrap() -> PrometheusCollectorRegistry {
        let (registry, factory) = makeFactory()
        MetricsSystem.bootstrap(factory)
        EngineMetrics.createAll()  // exported from the start, at zero, not from the first call on
        return registry
    }

    /// Adds `GET /metrics` (Prometheus text format 0.0.4) for `registry`.
    static func addRoute(to router: Router<BasicRequestContext>, registry: PrometheusCollectorRegistry) {
        router.get("/metrics") { _, _ -> Response in
            var text: [UInt8] = []
            registry.emit(into: &text)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: text)))
        }
    }
}
