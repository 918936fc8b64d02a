import AsyncHTTPClient
import Foundation
import Logging
import MediaEngine
import NIOCore
import RealtimeSim
import Synchronization

/// What a load test runs against, set up from the command's flags: an engine started in this process
/// with the embedded simulator, or an engine at a URL (optionally with the simulator run here for it).
/// Knows the numbers to call with their auth tokens, and collects the simulator's truncations.
final class LoadRun: Sendable {
    let target: LoadTarget
    let publicURL: String
    /// Called number and auth token, by language.
    let lines: [String: (number: String, authToken: String)]
    private let local: LocalEngine?
    private let simulator: RealtimeSimulatorServer?
    private let truncationLog: TruncationLog

    private init(target: LoadTarget, publicURL: String, lines: [String: (number: String, authToken: String)], local: LocalEngine?,
                 simulator: RealtimeSimulatorServer?, truncationLog: TruncationLog) {
        self.target = target
        self.publicURL = publicURL
        self.lines = lines
        self.local = local
        self.simulator = simulator
        self.truncationLog = truncationLog
    }

    /// `audio_end_ms` of every truncation the simulator accepted, by item id.
    var truncations: [String: Int] { truncationLog.entries }

    static func start(_ command: LoadtestCommand, collector: LoadCollector, breakdown: LatencyBreakdownRecorder?,
                      logger: Logger) async throws -> LoadRun {
        let log = TruncationLog()
        var simulatorConfig = SimulatorConfiguration()
        simulatorConfig.thinkTimeMs = command.thinkTimeMs
        simulatorConfig.observer = log.record
        simulatorConfig.logger = logger
        let path = ModelAudioPath(rawValue: command.audioPath) ?? .pcmu
        let bargeIn = BargeInSource(rawValue: command.bargeIn) ?? .engine
        let languages = command.language == "mixed" ? ["he", "en"] : [command.language]
        func number(_ language: String) -> String {
            command.to ?? LoadtestTenants.number(language: language, audioPath: path, bargeIn: bargeIn)
        }
        let builtIn = command.config == nil && command.to == nil
        let resampler = command.resampler.flatMap(ResamplerKind.init(rawValue:)) ?? .polyphase

        guard let url = command.url else {
            let directory = try command.config.map { try TenantDirectory.load(path: $0) }
                ?? TenantDirectory(yaml: LoadtestTenants.yaml, sourceName: "built-in load-test tenants")
            var environment = ProcessInfo.processInfo.environment
            environment["OPENAI_API_KEY"] = nil  // a load test never calls the paid API
            // Fill unset tokens here (as LocalEngine would), so the callers sign with what the engine reads,
            // also when tenants share a token variable (the built-in ones do).
            for tenant in directory.tenants where environment[tenant.twilioAuthTokenEnv] == nil {
                environment[tenant.twilioAuthTokenEnv] = LocalEngine.demoToken(for: tenant)
            }
            var probes: (@Sendable (String) -> (any CallProbe)?)?
            if let breakdown { probes = { @Sendable callSid in breakdown.probe(forCall: callSid) } }
            let local = try await LocalEngine.start(
                directory: directory, environment: environment, simulator: simulatorConfig, resampler: resampler, logger: logger,
                observer: { _, event in collector.engineEvent(event) },
                probes: probes)
            var lines: [String: (number: String, authToken: String)] = [:]
            for language in languages {
                guard let tenant = directory.tenant(forCalledNumber: number(language)) else {
                    await local.stop()
                    throw LoadtestError("no tenant answers \(number(language)) in \(command.config ?? "the built-in tenants")")
                }
                lines[language] = (number(language), environment[tenant.twilioAuthTokenEnv] ?? LocalEngine.demoToken(for: tenant))
            }
            let tenant = lines.values.first.flatMap { directory.tenant(forCalledNumber: $0.number) }
            let target = LoadTarget(mode: "in-process", engineURL: local.baseURL, numbers: lines.mapValues(\.number),
                                    audioPath: tenant?.model.audioPath.rawValue, bargeIn: tenant?.model.bargeIn.rawValue,
                                    thinkTimeMs: command.thinkTimeMs, enginePid: command.enginePid ?? getpid(),
                                    resampler: tenant?.model.audioPath == .pcm24k ? resampler.rawValue : nil)
            return LoadRun(target: target, publicURL: local.baseURL, lines: lines, local: local, simulator: nil, truncationLog: log)
        }

        let engineURL = baseURL(url)
        guard let token = command.authToken ?? ProcessInfo.processInfo.environment[LoadtestTenants.authTokenEnv] else {
            throw LoadtestError("--url needs the tenants' Twilio auth token: --auth-token or $\(LoadtestTenants.authTokenEnv)")
        }
        try await checkHealth(engineURL)
        var simulator: RealtimeSimulatorServer?
        if let port = command.simulatorPort {
            let server = try RealtimeSimulatorServer(configuration: simulatorConfig, host: "127.0.0.1", port: port)
            _ = try await server.start()
            simulator = server
        }
        var lines: [String: (number: String, authToken: String)] = [:]
        for language in languages { lines[language] = (number(language), token) }
        let target = LoadTarget(mode: "url", engineURL: engineURL, numbers: lines.mapValues(\.number),
                                audioPath: builtIn ? path.rawValue : nil, bargeIn: builtIn ? bargeIn.rawValue : nil,
                                thinkTimeMs: simulator == nil ? nil : command.thinkTimeMs, enginePid: command.enginePid)
        return LoadRun(target: target, publicURL: command.publicURL ?? engineURL, lines: lines, local: nil, simulator: simulator,
                       truncationLog: log)
    }

    /// The engine's base URL as `--url` gives it, without a trailing `/` (paths are appended to it).
    static func baseURL(_ url: String) -> String {
        url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    /// Fails early, with what to do, when nothing healthy answers at `url`.
    private static func checkHealth(_ url: String) async throws {
        do {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url + "/healthz"), timeout: .seconds(5))
            guard response.status == .ok else { throw LoadtestError("\(url)/healthz answered \(response.status.code)") }
        } catch let error as LoadtestError {
            throw error
        } catch {
            throw LoadtestError("no engine at \(url) (\(error)); start one with `engine-server serve` first")
        }
    }

    /// Stops what the load test started (the in-process engine, the simulator).
    func stop() async {
        await local?.stop()
        await simulator?.stop()
    }
}

/// Keeps the `audio_end_ms` of each accepted truncation, by item id (the simulator's observer).
private final class TruncationLog: Sendable {
    private let log = Mutex<[String: Int]>([:])

    var entries: [String: Int] { log.withLock { $0 } }

    @Sendable func record(_ observation: SimulatorObservation) {
        if case .truncated(let record) = observation { log.withLock { $0[record.itemID] = record.audioEndMs } }
    }
}
