import Foundation
import Logging
import MediaEngine
import Synchronization

/// The engine process's shared state: configuration, tenants, the call registry, the model dialer.
/// Everything per call lives in its `CallSession`; this holds only what calls are looked up by.
final class Engine: Sendable {
    private let settings: Mutex<EngineConfiguration>
    /// The configuration in force.
    var configuration: EngineConfiguration { settings.withLock { $0 } }
    let registry = CallRegistry()
    let signer: CallTokenSigner
    let dialer: any RealtimeDialer
    let logger: Logger
    /// Receives every call's events (the demo prints them; tests assert on them).
    let observer: @Sendable (String, CallEvent) -> Void
    /// Makes each call's hot-path probe (the latency benchmark); nil in production.
    let probes: (@Sendable (String) -> (any CallProbe)?)?
    private let tenants: Mutex<TenantDirectory>

    init(configuration: EngineConfiguration, directory: TenantDirectory, dialer: any RealtimeDialer, logger: Logger,
         observer: @escaping @Sendable (String, CallEvent) -> Void = { _, _ in },
         probes: (@Sendable (String) -> (any CallProbe)?)? = nil) throws {
        self.settings = Mutex(configuration)
        self.signer = try CallTokenSigner(secret: configuration.callTokenSecret)
        self.dialer = dialer
        self.logger = logger
        self.observer = observer
        self.probes = probes
        self.tenants = Mutex(directory)
    }

    /// Sets the public URL once it is known (an engine bound to port 0 learns its port at start).
    func setPublicURL(_ url: String) { settings.withLock { $0.publicURL = url } }

    /// The tenant directory in force (a call keeps the config it started with).
    var directory: TenantDirectory { tenants.withLock { $0 } }

    /// Replaces the tenant directory (config reload); calls in progress keep theirs.
    func replaceDirectory(_ directory: TenantDirectory) { tenants.withLock { $0 = directory } }

    /// Creates and registers the session of a new call of `tenant`.
    func startCall(callSid: String, tenant: TenantConfig) async throws -> CallSession {
        let registry = self.registry
        let observer = self.observer
        let session = try CallSession(
            callSid: callSid, settings: CallSettings(tenant: tenant, modelSessionMaxAgeMs: configuration.modelSessionMaxAgeMs), dialer: dialer, endpoint: configuration.realtime,
            logger: logger, observer: { observer(callSid, $0) },
            onEnded: { sid in Task { await registry.remove(sid) } }, probe: probes?(callSid))
        try await registry.add(session)
        return session
    }
}
