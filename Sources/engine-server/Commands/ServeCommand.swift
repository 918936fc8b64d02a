import ArgumentParser
import Foundation
import Hummingbird
import Logging
import MediaEngine
import NIOCore
import NIOPosix
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
            on different nodes, otherwise a random one is made at start. Calls, turns and recordings are \
            stored in SQLite under --data-dir (created on first run), or in PostgreSQL with --database-url \
            (or KOL_DATABASE_URL); records wait in --data-dir/spill while the database is unreachable.
            """
    )

    @Option(help: "Interface to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Option(help: "Tenants and their plugins (YAML).") var config = "plugins.yaml"
    @Option(help: "Directory for the database and recordings.") var dataDir = "./data"
    @Option(help: "A postgresql:// URL to store calls in PostgreSQL instead of SQLite (default: $KOL_DATABASE_URL).")
    var databaseURL: String?
    @Option(help: "The public https base URL Twilio reaches (used in TwiML and signature checks).")
    var publicURL = "http://127.0.0.1:8080"
    @Option(help: "The Realtime API WebSocket URL (any server speaking the OpenAI Realtime GA protocol).")
    var realtimeURL = "wss://api.openai.com/v1/realtime"
    @Option(help: "Seconds calls in progress may take to finish on SIGTERM before they are ended.")
    var drainTimeout = 30
    @Option(help: "Audio per outbound Twilio media message (ms, multiple of 20): the next one goes when Twilio's buffer has drained to \(CallSettings.egressFloorMs) ms; larger means fewer socket writes.")
    var egressChunkMs = CallSettings.defaultEgressChunkMs
    @Option(help: "Caller audio per input_audio_buffer.append sent to the model (ms, multiple of 20); larger means fewer socket writes and up to that much later hearing.")
    var modelAppendMs = 20
    @Option(help: "Caller audio one append may gather while the model is not about to act on it (ms, multiple of 20; 20 sends every frame as it comes; the caller's speech gathers at most \(AppendPacer.speechGatherMs) ms).")
    var gatherAppendMs = CallSettings.defaultGatherAppendMs
    @Option(help: "Where tasks run: nio (the calls' tasks on NIO's event loops, no thread switch between a socket and its call) or swift-pool (Swift's own thread pool).")
    var executor: TaskExecutorChoice = .nio
    @Option(help: "Sample-rate converter of pcm24k tenants' audio: \(ResamplerKind.spellings).")
    var resampler = ResamplerKind.polyphase.rawValue

    func validate() throws {
        guard (1...65_535).contains(port) else { throw ValidationError("--port must be 1...65535") }
        guard publicURL.hasPrefix("https://") || publicURL.hasPrefix("http://") else {
            throw ValidationError("--public-url must start with https:// (or http:// for local testing)")
        }
        guard realtimeURL.hasPrefix("wss://") || realtimeURL.hasPrefix("ws://") else {
            throw ValidationError("--realtime-url must start with wss:// or ws://")
        }
        for (flag, ms) in [("--egress-chunk-ms", egressChunkMs), ("--model-append-ms", modelAppendMs), ("--gather-append-ms", gatherAppendMs)] {
            guard (20...200).contains(ms), ms % 20 == 0 else { throw ValidationError("\(flag) must be a multiple of 20 from 20 to 200") }
        }
        guard ResamplerKind(rawValue: resampler) != nil else {
            throw ValidationError("--resampler must be one of \(ResamplerKind.spellings)")
        }
        if let url = databaseURL, !EngineStorage.isPostgresURL(url) {
            throw ValidationError("--database-url must start with postgresql:// (SQLite under --data-dir is the default)")
        }
    }

    func run() async throws {
        if let allowed = CPUAffinity.allowedCPUCount(), allowed < System.coreCount {  // set before first use, never read first
            NIOSingletons.groupLoopCountSuggestion = allowed  // one event loop per CPU we may use
        }
        if executor == .nio {
            // Every message crosses socket -> call -> socket; on Swift's pool each crossing is a thread
            // switch (a futex wake-up) both ways. On the event loops it stays on the socket's thread.
            // Nothing on the call path blocks a thread (storage runs on GRDB's queue or its own thread).
            _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        let metrics = MetricsExport.bootstrap()  // before the first call creates its metrics
        EngineMetrics.publishEgressLead(ms: CallSettings.egressLeadMs(chunkMs: egressChunkMs))
        var logger = Logger(label: "kol")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let directory: TenantDirectory
        do {
            directory = try TenantDirectory.load(path: config)
        } catch {
            throw CommandFailure.exit("\(error)")
        }
        let environment = ProcessInfo.processInfo.environment
        let storage: EngineStorage
        do {
            storage = try await EngineStorage.open(dataDirectory: URL(fileURLWithPath: dataDir, isDirectory: true),
                                                   databaseURL: databaseURL ?? environment["KOL_DATABASE_URL"], logger: logger)
        } catch {
            throw CommandFailure.exit("\(error)")
        }
        let runtime = try await ModelRuntime.start(apiKey: environment["OPENAI_API_KEY"], realtimeURL: realtimeURL, logger: logger)
        let configuration = EngineConfiguration(
            host: host, port: port, publicURL: publicURL, realtime: runtime.endpoint,
            callTokenSecret: environment["KOL_CALL_TOKEN_SECRET"].map { Array($0.utf8) } ?? CallTokenSigner.randomSecret(),
            environment: environment, drainTimeoutSeconds: drainTimeout, egressChunkMs: egressChunkMs, modelAppendMs: modelAppendMs,
            gatherAppendMs: gatherAppendMs, resampler: ResamplerKind(rawValue: resampler) ?? .polyphase)
        let engine: Engine
        do {
            engine = try Engine(configuration: configuration, directory: directory,
                                dialer: NIORealtimeDialer(), storage: storage, logger: logger)
        } catch {
            await storage.close()
            throw CommandFailure.exit("\(error)")
        }
        logger.info("serving", metadata: [
            "tenants": .stringConvertible(directory.tenants.count), "config": .string(config),
            "config_version": .string(directory.version), "model": .string(runtime.description),
            "store": .string(storage.description), "executor": .string(executor.rawValue), "resampler": .string(resampler),
        ])
        let app = EngineApplication.make(engine: engine, metrics: metrics)
        // Shutdown runs in reverse: drain the calls, stop the server and the model, then the retention and
        // the writer (which writes or spills the calls' last records), then close the database.
        let group = ServiceGroup(
            services: storage.services(retention: { EngineStorage.retentionPolicy(of: engine.directory) }, logger: logger)
                + runtime.services + [app, DrainService(engine: engine)],
            gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        do {
            try await group.run()
        } catch {
            await storage.close()
            throw error
        }
        await storage.close()
    }
}

/// Which threads run the engine's Swift tasks (`serve --executor`).
enum TaskExecutorChoice: String, ExpressibleByArgument, CaseIterable {
    case nio
    case swiftPool = "swift-pool"
}
