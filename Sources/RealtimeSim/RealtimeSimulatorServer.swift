import Logging
import MediaEngine
import NIOCore
import NIOPosix
public import ServiceLifecycle

/// A local WebSocket server speaking the OpenAI Realtime GA protocol at `/v1/realtime` (one
/// `SimulatedSession` per connection): the engine's embedded model when no API key is configured, and the
/// model in tests and load tests.
///
/// Handshake as the real API: `?model=` names the model; an `Authorization: Bearer <anything>` header is
/// required (without it the upgrade is refused); a connection carrying the retired `OpenAI-Beta` header
/// gets an `error` event with code `beta_api_shape_disabled` and is closed with code 4000. A refused
/// upgrade is answered over HTTP: 401 without the header, 503 under the refuse-connections fault. Text
/// frames only. `GET /health` answers 200 "ok"; any other path 404. Binds `host` (127.0.0.1 by default)
/// on `port` (0: an ephemeral port, reported by `start()` and `port`).
///
/// Plain SwiftNIO on `MultiThreadedEventLoopGroup.singleton`: each connection's session runs on its
/// socket's event loop and is entered synchronously by the socket's handler (`RealtimeWebSocketHandler`),
/// its events written by a `WebSocketChannelSink` and flushed once per loop tick, its pacing kept by the
/// loop's timers. No Swift task or async stream per frame: in load tests the simulator shares a core
/// with the synthetic callers.
///
/// Run it as a swift-service-lifecycle `Service` (`run()`, in the caller's `ServiceGroup`), or in-process
/// with `start()` / `stop()`.
public final class RealtimeSimulatorServer: Service, Sendable {
    public let configuration: SimulatorConfiguration
    public let host: String
    /// The port asked for (0: any free port).
    public let requestedPort: Int
    public let clips: SpeechClips
    let state: Locked<SimulatorServerState>
    let logger: Logger

    /// The WebSocket path.
    public static let path = "/v1/realtime"

    /// Checks the script against the clips (`clips` nil: the bundled ones); nothing is bound yet.
    public init(configuration: SimulatorConfiguration = SimulatorConfiguration(), host: String = "127.0.0.1", port: Int = 0,
                clips: SpeechClips? = nil) throws {
        let clips = try clips ?? SpeechClips.bundled()
        try configuration.script.validate(against: clips)
        self.configuration = configuration
        self.host = host
        requestedPort = port
        self.clips = clips
        logger = configuration.logger
        state = Locked(SimulatorServerState(faults: configuration.faults))
    }

    /// The bound port while running.
    public var port: Int? { state.withLock { $0.port } }

    /// `ws://host:port/v1/realtime` while running.
    public var url: String? { port.map { "ws://\(host):\($0)\(Self.path)" } }

    /// Sessions currently connected.
    public var activeSessionCount: Int { state.withLock { $0.sessions.count } }

    /// WebSocket connections accepted so far (reconnects count again).
    public var connectionsAccepted: Int { state.withLock { $0.connectionsAccepted } }

    /// Connection attempts refused so far.
    public var connectionsRefused: Int { state.withLock { $0.connectionsRefused } }

    /// Replaces the faults for connections opened from now on (`affectedConnections` counts from here).
    public func setFaults(_ faults: SimulatorFaults) {
        state.withLock {
            $0.faults = faults
            $0.faultedConnectionsLeft = faults.affectedConnections
        }
    }

    /// Closes every open connection with `code` (a mid-call drop, as when the API goes away).
    public func closeAllConnections(code: UInt16 = 1011, reason: String = "simulated fault: connection dropped") async {
        for session in state.withLock({ Array($0.sessions.values) }) {
            await session.terminate(code: code, reason: reason)
        }
    }

    /// Serves until graceful shutdown (or cancellation) of the surrounding `ServiceGroup`. The bound port
    /// is then available from `listeningPort()` and `port`. On shutdown it stops listening, closes every
    /// session with 1001 (going away) and returns once all sockets are closed.
    public func run() async throws {
        state.withLock { $0.runFailure = nil }
        let outcome: any Error
        do {
            let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { [self] channel in
                    channel.eventLoop.makeCompletedFuture { try configure(channel) }
                }
                .bind(host: host, port: requestedPort).get()
            let bound = listener.localAddress?.port ?? requestedPort
            logger.info("Realtime simulator listening", metadata: ["url": "ws://\(host):\(bound)\(Self.path)"])
            state.withLock {
                $0.port = bound
                $0.resumeWaiters(with: .success(bound))
            }
            await withGracefulShutdownHandler {
                await withTaskCancellationHandler {
                    try? await listener.closeFuture.get()
                } onCancel: {
                    listener.close(promise: nil)
                }
            } onGracefulShutdown: {
                listener.close(promise: nil)
            }
            await closeConnections()
            outcome = SimulatorServerError.stoppedBeforeListening
        } catch {
            outcome = error
        }
        state.withLock {
            $0.port = nil
            $0.runFailure = outcome
            $0.resumeWaiters(with: .failure(outcome))
        }
        if !(outcome is SimulatorServerError) { throw outcome }
    }

    /// After the listener closed: sessions end with 1001 and their close handshake (at most
    /// `WebSocketChannelSink.closeHandshakeTimeout`), plain HTTP sockets close at once; waits for all.
    private func closeConnections() async {
        await closeAllConnections(code: 1001, reason: "server shutting down")
        let connections = state.withLock { Array($0.connections.values) }
        for connection in connections where !connection.webSocket {
            connection.channel.close(promise: nil)
        }
        for connection in connections {
            try? await connection.channel.closeFuture.get()
        }
    }

    /// Counts a new socket as open until it closes.
    func track(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        state.withLock { $0.connections[id] = (channel, false) }
        channel.closeFuture.whenComplete { [self] _ in
            state.withLock { _ = $0.connections.removeValue(forKey: id) }
        }
    }

    /// The socket was upgraded: shutdown lets it finish its close handshake.
    func markWebSocket(_ channel: any Channel) {
        state.withLock { $0.connections[ObjectIdentifier(channel)]?.webSocket = true }
    }

    /// The bound port once the server listens (waits for it); throws if the server stops or fails first.
    /// For a server run with `run()` in the caller's own `ServiceGroup`.
    public func listeningPort() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            state.withLock { state in
                if let port = state.port {
                    continuation.resume(returning: port)
                } else if let failure = state.runFailure {
                    continuation.resume(throwing: failure)
                } else {
                    state.portWaiters.append(continuation)
                }
            }
        }
    }

    /// Runs the server in the background in its own `ServiceGroup` and returns the bound port once it
    /// listens. Throws if it cannot bind, or if it is already running.
    public func start() async throws -> Int {
        let group = ServiceGroup(configuration: .init(services: [self], gracefulShutdownSignals: [], logger: logger))
        try state.withLock { state throws in
            guard state.group == nil else { throw SimulatorServerError.alreadyRunning }
            state.group = group
        }
        let task = Task {
            do {
                try await group.run()
            } catch {
                // `run()` already handed the failure to the port waiters; a failed start is reported there.
                self.logger.error("Realtime simulator stopped", metadata: ["error": "\(error)"])
            }
        }
        state.withLock { $0.runTask = task }
        do {
            return try await listeningPort()
        } catch {
            await stop()
            throw error
        }
    }

    /// Closes all connections (code 1001, going away), shuts the server down and waits until it has.
    /// Safe to call when not running.
    public func stop() async {
        let (group, task) = state.withLock { ($0.group, $0.runTask) }
        await closeAllConnections(code: 1001, reason: "server shutting down")
        await group?.triggerGracefulShutdown()
        await task?.value
        state.withLock {
            $0.group = nil
            $0.runTask = nil
            $0.port = nil
        }
    }
}

/// Why `RealtimeSimulatorServer.start()` failed.
public enum SimulatorServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `start()` was called on a running server; `stop()` it first.
    case alreadyRunning
    /// The server ended before it reported a listening port.
    case stoppedBeforeListening

    public var description: String {
        switch self {
        case .alreadyRunning: return "Realtime simulator: already running; call stop() first"
        case .stoppedBeforeListening: return "Realtime simulator: stopped before it was listening"
        }
    }
}
