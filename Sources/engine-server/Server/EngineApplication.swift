import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import MediaEngine
import NIOCore
import Prometheus
import ServiceLifecycle

/// The engine's HTTP + WebSocket server: Twilio's webhooks, a health endpoint (the router), and the media
/// stream (`EngineHTTPChannel` upgrades `/twilio/media` to a `MediaStreamChannelHandler`).
enum EngineApplication {
    /// Builds the server for `engine`; `onRunning` receives the bound port (useful with port 0). With
    /// `metrics`, `GET /metrics` exposes it.
    static func make(engine: Engine, metrics: PrometheusCollectorRegistry? = nil,
                     onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        router.get("/healthz") { _, _ -> Response in
            let calls = await engine.registry.activeCount
            let draining = await engine.registry.isDraining
            let body = #"{"status":"\#(draining ? "draining" : "ok")","active_calls":\#(calls)}"#
            return Response(status: draining ? .serviceUnavailable : .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        TwilioWebhookRoutes.add(to: router, engine: engine)
        if let metrics { MetricsExport.addRoute(to: router, registry: metrics) }
        let configuration = engine.configuration
        return Application(
            router: router,
            server: HTTPServerBuilder { responder in EngineHTTPChannel(responder: responder, engine: engine) },
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "kol"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: engine.logger
        )
    }
}

/// On shutdown (SIGTERM), stops taking calls and lets the calls in progress finish, up to a timeout;
/// placed after the HTTP server in the service group so it runs first and the server stays up meanwhile.
struct DrainService: Service {
    let engine: Engine

    func run() async throws {
        try? await gracefulShutdown()
        await engine.registry.beginDrain()
        await drainCalls()
        // The last calls' recordings are finished off their loops; their records must reach the store
        // before the writer (shut down after this service) stops.
        await RecordingFinisher.waitUntilIdle()
    }

    private func drainCalls() async {
        let active = await engine.registry.activeCount
        guard active > 0 else { return }
        engine.logger.notice("draining: waiting for calls in progress", metadata: ["calls": .stringConvertible(active)])
        let timeout = engine.configuration.drainTimeoutSeconds
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await engine.registry.waitUntilEmpty(); return true }
            group.addTask { (try? await Task.sleep(for: .seconds(timeout))) != nil ? false : true }
            if await group.next() == false {
                engine.logger.warning("drain timeout: ending the calls still in progress")
                await engine.registry.endAll(reason: "engine shutting down")  // empties the registry: the waiter returns
            }
            group.cancelAll()
        }
    }
}
