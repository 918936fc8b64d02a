import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket
import WebSocketWire

/// The engine's connections: HTTP/1.1 for the webhooks (Hummingbird's router), and the WebSocket
/// upgrade of `GET /twilio/media` (`WebSocketBareUpgrader`), after which the socket's bytes go straight
/// to a `MediaStreamChannelHandler` on the connection's event loop.
///
/// Why not Hummingbird's WebSocket channel: it hands frames to an async handler through
/// `NIOAsyncChannel` and a task per socket, and each outbound message is a separate awaited, flushed
/// write. A media stream is 50 small messages a second each way; those task switches and syscalls were
/// most of the engine's cost per call (issue 5's profile). Here a frame is decoded, handed to the call
/// (which runs on the same event loop) and answered within one NIO callback, and the answers are
/// flushed once per event-loop tick.
struct EngineHTTPChannel: ServerChildChannel, HTTPChannelHandler {
    /// What the connection became.
    enum UpgradeResult: Sendable {
        /// A media stream; its handler is in the pipeline and runs the stream.
        case mediaStream
        /// Plain HTTP (an upgrade to any other path is refused, so it lands here and gets the router's 404).
        case notUpgraded(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
    }

    struct Value: ServerChildChannelValue {
        let upgradeResult: EventLoopFuture<UpgradeResult>
        let channel: any Channel
    }

    let responder: HTTPChannelHandler.Responder
    let engine: Engine

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let engine = self.engine
            let upgrader = WebSocketBareUpgrader<UpgradeResult>(
                shouldUpgrade: { channel, head in
                    // Only the media stream is a WebSocket.
                    let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
                    return channel.eventLoop.makeSucceededFuture(path == MediaStreamChannelHandler.path ? HTTPHeaders() : nil)
                },
                pipeline: { channel, head in
                    channel.eventLoop.makeCompletedFuture {
                        let handler = MediaStreamChannelHandler(
                            engine: engine, upgradeSignature: head.headers.first(name: "X-Twilio-Signature"),
                            upgradeURL: engine.configuration.mediaStreamURL, logger: logger)
                        try channel.pipeline.syncOperations.addHandler(handler)
                        // Twilio's messages are about 300 bytes: one fixed buffer size spares NIO's adaptive
                        // sizing its work on each of the stream's 50 reads a second (a longer message takes
                        // more than one read; the frame reader joins them).
                        try channel.syncOptions?.setOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 2_048))
                        return UpgradeResult.mediaStream
                    }
                }
            )
            let serverUpgrade = NIOTypedHTTPServerUpgradeConfiguration(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                        try channel.pipeline.syncOperations.addHandler(HTTPConnectionStateHandler(idleTimeout: nil, logger: logger))
                        let asyncChannel = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                        return .notUpgraded(asyncChannel)
                    }
                }
            )
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration<UpgradeResult>(upgradeConfiguration: serverUpgrade)
            configuration.enablePipelining = false  // NIOAsyncChannel reads one request at a time
            configuration.enableErrorHandling = false  // Hummingbird answers malformed requests
            configuration.enableResponseHeaderValidation = false  // HTTPTypes already validates
            let result = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: configuration)
            try channel.pipeline.syncOperations.addHandler(FirstRequestGuard(), position: .first)
            return Value(upgradeResult: result, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.upgradeResult.get() {
            case .notUpgraded(let http):
                await handleHTTP(asyncChannel: http, logger: logger)
            case .mediaStream:
                // The handler runs the stream on the event loop; this task only keeps the connection
                // counted as open (graceful shutdown waits for it) until the socket closes.
                try await value.channel.closeFuture.get()
            }
        } catch {
            logger.debug("connection ended", metadata: ["error": "\(error)"])
        }
    }
}
