import Foundation
import Logging
import MediaEngine
import RealtimeSim
import Synchronization
@testable import engine_server

/// An engine on loopback with the embedded simulator, two test tenants (Hebrew on the `pcmu` path with
/// the engine's barge-in detector, calls recorded; English on the `pcm24k` path with the model's, not
/// recorded), its SQLite store in a fresh data directory, and logs of what the engine and the simulator
/// reported.
struct EngineHarness {
    static let tenantsYAML = """
        version: 1
        tenants:
          - id: clinic
            display_name: "מרפאה"
            phone_numbers: ["+97235550100"]
            language: he
            twilio_auth_token_env: TEST_TOKEN_CLINIC
            model:
              instructions: "אתה עוזר טלפוני של מרפאה."
              audio_path: pcmu
              barge_in: engine
            recording: {enabled: true, retention_days: 7}
          - id: plumbing
            display_name: Plumbing
            phone_numbers: ["+15555550123"]
            language: en
            twilio_auth_token_env: TEST_TOKEN_PLUMBING
            model:
              instructions: "You answer the phone for a plumber."
              audio_path: pcm24k
              barge_in: model
        """
    static let hebrewNumber = "+97235550100"
    static let englishNumber = "+15555550123"

    let local: LocalEngine
    let dataDirectory: URL
    let events: EventLog
    let simulatorLog: SimulatorObservationLog
    let clips: SpeechClips
    var simulator: RealtimeSimulatorServer? { local.runtime.simulator }

    static func start(thinkTimeMs: Int = 100, modelSessionMaxAgeMs: Int = 55 * 60_000) async throws -> EngineHarness {
        let directory = try TenantDirectory(yaml: tenantsYAML, sourceName: "test.yaml")
        let events = EventLog()
        let simulatorLog = SimulatorObservationLog()
        var simulator = SimulatorConfiguration()
        simulator.thinkTimeMs = thinkTimeMs
        simulator.observer = simulatorLog.record
        var logger = Logger(label: "kol-test")
        logger.logLevel = .error
        var environment = ProcessInfo.processInfo.environment
        environment["OPENAI_API_KEY"] = nil  // always the embedded simulator in tests
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("kol-e2e-\(UUID().uuidString)")
        let local = try await LocalEngine.start(directory: directory, environment: environment, simulator: simulator,
                                                modelSessionMaxAgeMs: modelSessionMaxAgeMs, dataDirectory: dataDirectory, logger: logger) { callSid, event in
            events.record(callSid, event)
        }
        return EngineHarness(local: local, dataDirectory: dataDirectory, events: events, simulatorLog: simulatorLog,
                             clips: try SpeechClips.bundled())
    }

    /// Stops the engine and removes its data directory.
    func stop() async {
        await local.stop()
        try? FileManager.default.removeItem(at: dataDirectory)
    }

    /// The engine's store, as the tenant's calls see it.
    func store(of tenant: TenantID) -> ScopedStore { local.storage.store.scoped(to: tenant) }

    func caller(to number: String, authToken: String? = nil, callSid: String = "CA" + UUID().uuidString.replacingOccurrences(of: "-", with: "")) -> SyntheticCaller {
        var logger = Logger(label: "caller")
        logger.logLevel = .error
        let tenant = local.engine.directory.tenant(forCalledNumber: number)
        return SyntheticCaller(engineURL: local.baseURL, publicURL: local.baseURL,
                               authToken: authToken ?? tenant.map(LocalEngine.demoToken(for:)) ?? "none",
                               from: "+972501234567", to: number, callSid: callSid, logger: logger)
    }

    func callerClip(_ name: String, language: String) throws -> [UInt8] {
        guard let clip = clips.clip(name, language: language, role: .caller) else { throw HarnessError("no clip \(name)") }
        return try clips.muLaw(of: clip)
    }

    /// Waits (polling, generous for a loaded machine) until `condition` holds; returns whether it did.
    static func eventually(timeoutSeconds: Double = 10, _ condition: () async -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Date() < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return await condition()
    }

    struct HarnessError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

/// Every call event the engine reported, by call.
final class EventLog: Sendable {
    private let entries = Mutex<[(callSid: String, event: CallEvent)]>([])

    func record(_ callSid: String, _ event: CallEvent) { entries.withLock { $0.append((callSid, event)) } }

    func events(of callSid: String) -> [CallEvent] { entries.withLock { $0.filter { $0.callSid == callSid }.map(\.event) } }
}
