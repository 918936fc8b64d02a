import Foundation
import Hummingbird
import Logging
import MediaEngine
import RealtimeSim
import ServiceLifecycle

/// An engine started in-process on loopback, with its model (the embedded simulator unless an API key
/// is given): what `demo`, the end-to-end tests and the load generator run against.
final class LocalEngine: Sendable {
    let engine: Engine
    let port: Int
    let runtime: ModelRuntimeInfo
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    struct ModelRuntimeInfo: Sendable {
        var description: String
        var endpoint: RealtimeEndpoint
        /// The embedded simulator, when it is the model.
        var simulator: RealtimeSimulatorServer?
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(engine: Engine, port: Int, runtime: ModelRuntimeInfo, group: ServiceGroup, task: Task<Void, any Error>) {
        self.engine = engine
        self.port = port
        self.runtime = runtime
        self.group = group
        self.task = task
    }

    /// Starts an engine for `directory` on 127.0.0.1 (port 0: any free port). Each tenant whose auth
    /// token variable is unset in `environment` gets `demo-token-<tenant id>`.
    static func start(directory: TenantDirectory, environment: [String: String] = ProcessInfo.processInfo.environment,
                      simulator: SimulatorConfiguration = SimulatorConfiguration(), realtimeURL: String = ModelRuntime.openAIURL,
                      modelSessionMaxAgeMs: Int = 55 * 60_000, logger: Logger,
                      observer: @escaping @Sendable (String, CallEvent) -> Void = { _, _ in },
                      probes: (@Sendable (String) -> (any CallProbe)?)? = nil) async throws -> LocalEngine {
        var environment = environment
        for tenant in directory.tenants where environment[tenant.twilioAuthTokenEnv] == nil {
            environment[tenant.twilioAuthTokenEnv] = demoToken(for: tenant)
        }
        let runtime = try await ModelRuntime.start(apiKey: environment["OPENAI_API_KEY"], realtimeURL: realtimeURL,
                                                   logger: logger, simulator: simulator)
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        // The public URL is only known once the port is: the engine reads it per request, so a box
        // filled after binding is enough (signatures and TwiML use it from the first call on).
        let configuration = EngineConfiguration(
            host: "127.0.0.1", port: 0, publicURL: "http://127.0.0.1:0", realtime: runtime.endpoint,
            callTokenSecret: CallTokenSigner.randomSecret(), environment: environment, drainTimeoutSeconds: 5,
            modelSessionMaxAgeMs: modelSessionMaxAgeMs)
        let engine = try Engine(configuration: configuration, directory: directory, dialer: WebSocketRealtimeDialer(logger: logger),
                                logger: logger, observer: observer, probes: probes)
        let app = EngineApplication.make(engine: engine) { port in
            portContinuation.yield(port)
            portContinuation.finish()
        }
        let group = ServiceGroup(services: runtime.services + [app, DrainService(engine: engine)],
                                 gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw LocalEngineError.didNotStart }
        engine.setPublicURL("http://127.0.0.1:\(port)")
        return LocalEngine(engine: engine, port: port, runtime: ModelRuntimeInfo(description: runtime.description, endpoint: runtime.endpoint,
                                                    simulator: runtime.simulator),
                           group: group, task: task)
    }

    static func demoToken(for tenant: TenantConfig) -> String { "demo-token-\(tenant.id)" }

    /// Drains and stops the engine (and its simulator).
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    enum LocalEngineError: Error, CustomStringConvertible {
        case didNotStart
        var description: String { "the engine stopped before it was listening" }
    }
}
