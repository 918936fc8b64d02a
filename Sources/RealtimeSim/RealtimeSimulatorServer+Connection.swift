import Foundation
import Logging
import MediaEngine
import NIOCore
import NIOHTTP1
import WebSocketWire

/// One accepted socket: the HTTP/1.1 pipeline with the WebSocket upgrade of `/v1/realtime` (the
/// handshake checks), then a `SimulatedSession` on the socket's event loop, fed and drained by NIO
/// handlers without any Swift task per frame.
extension RealtimeSimulatorServer {
    /// The most a client message may carry (an append may hold up to 15 MiB of base64).
    static let maxMessageBytes = 16 << 20

    /// Sets up a new connection's pipeline; called on its event loop.
    func configure(_ channel: any Channel) throws {
        let declined = NIOLoopBoundBox<DeclinedUpgrade?>(nil, eventLoop: channel.eventLoop)
        let upgrader = WebSocketBareUpgrader<Void>(
            shouldUpgrade: { [self] channel, head in
                let upgrade: Bool
                if Self.path(of: head) != Self.path {
                    declined.value = DeclinedUpgrade(head: head, refusal: nil)
                    upgrade = false
                } else if let refusal = shouldUpgrade(head) {
                    declined.value = DeclinedUpgrade(head: head, refusal: refusal)
                    upgrade = false
                } else {
                    upgrade = true
                }
                return channel.eventLoop.makeSucceededFuture(upgrade ? HTTPHeaders() : nil)
            },
            pipeline: { [self] channel, head in
                channel.eventLoop.makeCompletedFuture { try serve(channel, head: head) }
            })
        let upgrade = NIOTypedHTTPServerUpgradeConfiguration<Void>(
            upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(SimulatorHTTPHandler(declined: declined.value))
                }
            })
        _ = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(
            configuration: NIOUpgradableHTTPServerPipelineConfiguration(upgradeConfiguration: upgrade))
        track(channel)
    }

    /// The request's path, without the query.
    static func path(of head: HTTPRequestHead) -> Substring {
        head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? Substring(head.uri)
    }

    /// Nil to upgrade a `/v1/realtime` request; why not otherwise: refused without
    /// `Authorization: Bearer <token>`, and under the refuse-connections fault (each refusal counted).
    private func shouldUpgrade(_ head: HTTPRequestHead) -> UpgradeRefusal? {
        let authorization = head.headers.first(name: "authorization") ?? ""
        guard authorization.hasPrefix("Bearer "), authorization.count > "Bearer ".count else {
            logger.notice("refused a connection without an Authorization: Bearer header")
            state.withLock { $0.connectionsRefused += 1 }
            return .unauthorized
        }
        let refused = state.withLock { state -> Bool in
            guard state.faults.refuseConnections else { return false }
            guard state.takeFaults().refuseConnections else { return false }
            state.connectionsRefused += 1
            return true
        }
        if refused {
            logger.notice("refused a connection (simulated fault)")
            return .simulatedFault
        }
        return nil
    }

    /// The upgraded socket: a session on the socket's event loop, or, for the retired beta handshake, the
    /// rejection. Called on the channel's loop.
    private func serve(_ channel: any Channel, head: HTTPRequestHead) throws {
        markWebSocket(channel)
        let sink = WebSocketChannelSink(channel: channel)
        if head.headers.contains(name: "openai-beta") {
            logger.notice("rejected a connection with the OpenAI-Beta header")
            var ids = SimulatorIDs()
            let error = RealtimeServerEvent.error(.init(eventID: ids.next("event"), error: RealtimeErrorDetails(
                type: "invalid_request_error", code: "beta_api_shape_disabled",
                message: "The Realtime Beta API is no longer supported. Please use /v1/realtime for the GA API.")))
            try channel.pipeline.syncOperations.addHandler(RealtimeWebSocketHandler(
                rejectingWith: try? error.jsonText(), code: 4000, reason: "beta_api_shape_disabled", sink: sink, logger: logger))
            return
        }
        let faults = state.withLock { state -> SimulatorFaults in
            state.connectionsAccepted += 1
            return state.takeFaults()
        }
        let session = SimulatedSession(configuration: configuration, clips: clips, model: Self.model(in: head.uri), faults: faults,
                                       sink: sink, executor: channel.eventLoop.executor)
        let sessionID = session.sessionID
        state.withLock { $0.sessions[sessionID] = session }
        channel.closeFuture.whenComplete { [self] _ in
            state.withLock { _ = $0.sessions.removeValue(forKey: sessionID) }
        }
        try channel.pipeline.syncOperations.addHandler(RealtimeWebSocketHandler(session: session, sink: sink, logger: logger))
    }

    /// `?model=` of the request URI (percent-decoded), if given.
    static func model(in uri: String) -> String? {
        URLComponents(string: uri)?.queryItems?.first { $0.name == "model" }?.value
    }
}
