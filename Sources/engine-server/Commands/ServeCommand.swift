import ArgumentParser
import Foundation
import Hummingbird
import Logging
import MediaEngine
import ServiceLifecycle

/// `engine-server serve`: runs the engine: Twilio webhooks and media streams in, the model out.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Answer Twilio calls with the tenants' AI voice agents.",
        discussion: """
            With OPENAI_API_KEY set, calls go to the OpenAI Realtime API (or --realtime-url); without it the \
            embedded Realtime simulator runs in-process on a loopback port (the log says so). Tenants' Twilio \
            auth tokens are read from the environment variables plugins.yaml names. KOL_CALL_TOKEN_SECRET \
            (32+ bytes) signs call tokens; give every node the same one when webhooks and streams may land \
            on different nodes, otherwise a random one is made at start.
            """
    )

    @Option(help: "Interface to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Option(help: "Tenants and their plugins (YAML).") var config = "plugins.yaml"
    @Option(help: "Directory for the database and recordings.") var dataDir = "./data"
    @Option(help: "The public https base URL Twilio reaches (used in TwiML and signature checks).")
    var publicURL = "http://127.0.0.1:8080"
    @Option(help: "The Realtime API WebSocket URL (any server speaking the OpenAI Realtime GA protocol).")
    var realtimeURL = "wss://api.openai.com/v1/realtime"
    @Option(help: "Seconds calls in progress may take to finish on SIGTERM before they are ended.")
    var drainTimeout = 30

    func validate() throws {
        guard (1...65_535).contains(port) else { throw ValidationError("--port must be 1...65535") }
        guard publicURL.hasPrefix("https://") || publicURL.hasPrefix("http://") else {
            throw ValidationError("--public-url must start with https:// (or http:// for local testing)")
        }
        guard realtimeURL.hasPrefix("wss://") || realtimeURL.hasPrefix("ws://") else {
            throw ValidationError("--realtime-url must start with wss:// or ws://")
        }
    }

    func run() async throws {
        var logger = Logger(label: "kol")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let directory: TenantDirectory
        do {
            directory = try TenantDirectory.load(path: config)
        } catch {
            throw CommandFailure.exit("\(error)")
        }
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        let environment = ProcessInfo.processInfo.environment
        let runtime = try await ModelRuntime.start(apiKey: environment["OPENAI_API_KEY"], realtimeURL: realtimeURL, logger: logger)
        let configuration = EngineConfiguration(
            host: host, port: port, publicURL: publicURL, realtime: runtime.endpoint,
            callTokenSecret: environment["KOL_CALL_TOKEN_SECRET"].map { Array($0.utf8) } ?? CallTokenSigner.randomSecret(),
            environment: environment, drainTimeoutSeconds: drainTimeout)
        let engine: Engine
        do {
            engine = try Engine(configuration: configuration, directory: directory,
                                dialer: WebSocketRealtimeDialer(logger: logger), logger: logger)
        } catch {
            throw CommandFailure.exit("\(error)")
        }
        logger.info("serving", metadata: [
            "tenants": .stringConvertible(directory.tenants.count), "config": .string(config),
            "config_version": .string(directory.version), "model": .string(runtime.description),
        ])
        let app = EngineApplication.make(engine: engine)
        let group = ServiceGroup(
            services: runtime.services + [app, DrainService(engine: engine)],
            gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        try await group.run()
    }
}
