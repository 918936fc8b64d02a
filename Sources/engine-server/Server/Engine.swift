import Foundation
import Logging
import MediaEngine
import NIOCore
import NIOPosix
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
    /// Where calls' records and recordings go.
    let storage: EngineStorage
    /// Makes each call's hot-path probe (the latency benchmark); nil in production.
    let probes: (@Sendable (String) -> (any CallProbe)?)?
    private let tenants: Mutex<TenantDirectory>
    /// The egress clock of each loop, shared by the calls on it.
    private let egressClocks = PerLoopWheelClocks<CallSession> { EventLoopEgressClock(loop: $0) }

    init(configuration: EngineConfiguration, directory: TenantDirectory, dialer: any RealtimeDialer, storage: EngineStorage,
         logger: Logger, observer: @escaping @Sendable (String, CallEvent) -> Void = { _, _ in },
         probes: (@Sendable (String) -> (any CallProbe)?)? = nil) throws {
        self.settings = Mutex(configuration)
        self.signer = try CallTokenSigner(secret: configuration.callTokenSecret)
        self.dialer = dialer
        self.storage = storage
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

    /// Creates and registers the session of a new call of `tenant`, with a `CallRecorder` that turns its
    /// events into store records, and a recording file when the tenant records calls. `from` and `to` are
    /// Twilio's (empty when the call arrived without the webhook).
    /// The call runs on `loop` (its sockets' event loop, so they enter it without a task hop): the media
    /// stream's loop when the stream comes first, otherwise the next loop of the server's group.
    func startCall(callSid: String, tenant: TenantConfig, from: String = "", to: String = "",
                   loop: (any EventLoop)? = nil) async throws -> CallSession {
        let registry = self.registry
        let observer = self.observer
        let writer = storage.writer
        let startedAt = Date()
        var settings = CallSettings(tenant: tenant, egressChunkMs: configuration.egressChunkMs, modelAppendMs: configuration.modelAppendMs,
                                    gatherAppendMs: configuration.gatherAppendMs,
                                    modelSessionMaxAgeMs: configuration.modelSessionMaxAgeMs, resampler: configuration.resampler)
        let recordingPath = tenant.recording.enabled ? prepareRecording(callSid: callSid, tenant: tenant, startedAt: startedAt) : nil
        settings.recordingPath = recordingPath.map { storage.recordingsDirectory.appendingPathComponent($0).path }
        let recorder = CallRecorder(
            call: CallRecord(callSID: callSid, from: from, to: to, startedAt: startedAt, configVersion: tenant.version),
            tenant: TenantID(tenant.id), recordingRelativePath: recordingPath, submit: { writer.submit($0) })
        let callLoop = loop ?? MultiThreadedEventLoopGroup.singleton.next()
        let session = try CallSession(
            callSid: callSid, settings: settings, dialer: dialer, endpoint: configuration.realtime,
            logger: logger, observer: { event in
                recorder.record(event)
                observer(callSid, event)
            },
            onEnded: { sid in Task { await registry.remove(sid) } }, probe: probes?(callSid),
            executor: callLoop.executor, timers: EventLoopCallTimers(loop: callLoop), egressClock: egressClocks.clock(for: callLoop))
        try await registry.add(session)
        recorder.start()
        return session
    }

    /// The recording's path relative to the recordings directory, with its directory created; nil (and
    /// logged) when the directory cannot be made, so the call goes on unrecorded.
    private func prepareRecording(callSid: String, tenant: TenantConfig, startedAt: Date) -> String? {
        let relative = RecordingRecord.relativePath(tenant: TenantID(tenant.id), callSID: callSid, startedAt: startedAt)
        let folder = storage.recordingsDirectory.appendingPathComponent(relative).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return relative
        } catch {
            logger.error("cannot create the recordings folder; the call is not recorded",
                         metadata: ["call": .string(callSid), "folder": .string(folder.path), "error": "\(error)"])
            return nil
        }
    }
}
