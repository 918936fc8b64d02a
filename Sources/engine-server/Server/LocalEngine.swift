import Foundation
import Hummingbird
import Logging
import MediaEngine
import RealtimeSim
import ServiceLifecycle

/// An engine started in-process on loopback, with its model (the embedded simulator unless an API key
/// is given) and its storage (SQLite in a data directory, a fresh temporary one unless given): what `demo`,
/// the end-to-end tests and the load generator run against.
final class LocalEngine: Sendable {
    let engine: Engine
    let port: Int
    let runtime: ModelRuntimeInfo
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// The engine's store, writer and recordings directory.
    var storage: EngineStorage { engine.storage }

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
    /// `dataDirectory`: where the SQLite store, the spill file and the recordings go; nil makes a fresh
    /// directory under the system's temporary directory (left in place: see ``dataDirectory``).
    static func start(directory: TenantDirectory, environment: [String: String] = ProcessInfo.processInfo.environment,
                      simulator: SimulatorConfiguration = SimulatorConfiguration(), realtimeURL: String = ModelRuntime.openAIURL,
                      modelSessionMaxAgeMs: Int = 55 * 60_000, resampler: ResamplerKind = .polyphase,
                      dataDirectory: URL? = nil, logger: Logger,
                      observer: @escaping @Sendable (String, CallEvent) -> Void = { _, _ in },
                      probes: (@Sendable (String) -> (any CallProbe)?)? = nil) async throws -> LocalEngine {
        var environment = environment
        for tenant in directory.tenants where environment[tenant.twilioAuthTokenEnv] == nil {
            environment[tenant.twilioAuthTokenEnv] = demoToken(for: tenant)
        }
        let dataDirectory = dataDirectory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("kol-local-\(UUID().uuidString)", isDirectory: true)
        // Records are written within a few ms (tests and the demo read them back right after a call).
        let storage = try await EngineStorage.open(dataDirectory: dataDirectory, databaseURL: nil, logger: logger) {
            StoreWriter.Configuration(spillDirectory: $0, flushInterval: .milliseconds(20))
        }
        let runtime: ModelRuntime
        do {
            runtime = try await ModelRuntime.start(apiKey: environment["OPENAI_API_KEY"], realtimeURL: realtimeURL,
                                                    logger: logger, simulator: simulator)
        } catch {
            await storage.close()
            throw error
        }
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        // The public URL is only known once the port is: the engine reads it per request, so a box
        // filled after binding is enough (signatures and TwiML use it from the first call on).
        let configuration = EngineConfiguration(
            host: "127.0.0.1", port: 0, publicURL: "http://127.0.0.1:0", realtime: runtime.endpoint,
            callTokenSecret: CallTokenSigner.randomSecret(), environment: environment, drainTimeoutSeconds: 5,
            modelSessionMaxAgeMs: modelSessionMaxAgeMs, resampler: resampler)
        let engine = try Engine(configuration: configuration, directory: directory, dialer: NIORealtimeDialer(),
                                storage: storage, logger: logger, observer: observer, probes: probes)
        let app = EngineApplication.make(engine: engine) { port in
            portContinuation.yield(port)
            portContinuation.finish()
        }
        let storageServices = storage.services(retention: { EngineStorage.retentionPolicy(of: engine.directory) }, logger: logger)
        let group = ServiceGroup(services: storageServices + runtime.services + [app, DrainService(engine: engine)],
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

    /// Where the store, spill file and recordings are.
    var dataDirectory: URL { storage.dataDirectory }

    /// Drains and stops the engine (and its simulator), lets the writer store the last records, and closes
    /// the store. The data directory stays.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        await storage.close()
    }

    enum LocalEngineError: Error, CustomStringConvertible {
        case didNotStart
        var description: String { "the engine stopped before it was listening" }
    }
}
