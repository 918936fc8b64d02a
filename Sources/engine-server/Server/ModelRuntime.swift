import Logging
import MediaEngine
import RealtimeSim
import ServiceLifecycle

/// Which model the engine talks to: the OpenAI Realtime API when `OPENAI_API_KEY` is set (or any server
/// named by `--realtime-url`), otherwise the embedded simulator, started in-process on a loopback port,
/// so a first run needs no account and no network.
struct ModelRuntime {
    static let openAIURL = "wss://api.openai.com/v1/realtime"

    var endpoint: RealtimeEndpoint
    /// Services to run beside the engine (the embedded simulator's shutdown).
    var services: [any Service]
    var description: String
    /// The embedded simulator, when it is the model (tests inject faults through it).
    var simulator: RealtimeSimulatorServer?

    static func start(apiKey: String?, realtimeURL: String, logger: Logger,
                      simulator: SimulatorConfiguration? = nil) async throws -> ModelRuntime {
        if let apiKey, !apiKey.isEmpty {
            return ModelRuntime(endpoint: RealtimeEndpoint(url: realtimeURL, apiKey: apiKey), services: [],
                                description: realtimeURL)
        }
        if realtimeURL != openAIURL {
            return ModelRuntime(endpoint: RealtimeEndpoint(url: realtimeURL, apiKey: nil), services: [],
                                description: realtimeURL + " (no API key)")
        }
        var configuration = simulator ?? SimulatorConfiguration()
        configuration.logger = logger
        let server = try RealtimeSimulatorServer(configuration: configuration, host: "127.0.0.1", port: 0)
        let port = try await server.start()
        let url = "ws://127.0.0.1:\(port)\(RealtimeSimulatorServer.path)"
        logger.notice("OPENAI_API_KEY is not set: using the embedded Realtime simulator", metadata: ["url": .string(url)])
        return ModelRuntime(endpoint: RealtimeEndpoint(url: url, apiKey: "simulator"),
                            services: [SimulatorShutdown(server: server)], description: "embedded simulator at \(url)",
                            simulator: server)
    }
}

/// Stops the embedded simulator when the engine shuts down.
struct SimulatorShutdown: Service {
    let server: RealtimeSimulatorServer

    func run() async throws {
        try? await gracefulShutdown()
        await server.stop()
    }
}
