package import NIOCore
package import NIOHTTP1
import NIOWebSocket

/// A WebSocket server upgrade that leaves the frames to the handler it installs: NIO's
/// `NIOTypedWebSocketServerUpgrader` does the handshake (its checks of the key and version, its
/// `Sec-WebSocket-Accept`), then `pipeline` adds the socket's handler, which reads its frames with
/// `WebSocketFrameReader` and writes them whole (`WebSocketServerFrames`). NIO's own upgrade would
/// add its frame decoder, encoder and error handler in front of it.
///
/// Bytes that arrive during the upgrade reach the handler as `ByteBuffer`s, after it is added.
package struct WebSocketBareUpgrader<UpgradeResult: Sendable>: NIOTypedHTTPServerProtocolUpgrader {
    private let handshake: NIOTypedWebSocketServerUpgrader<UpgradeResult>
    private let pipeline: @Sendable (any Channel, HTTPRequestHead) -> EventLoopFuture<UpgradeResult>

    /// `shouldUpgrade`: the extra response headers, or nil to refuse (as NIO's upgrader); `pipeline`: adds
    /// the socket's handler once the 101 response is out.
    package init(shouldUpgrade: @escaping @Sendable (any Channel, HTTPRequestHead) -> EventLoopFuture<HTTPHeaders?>,
                 pipeline: @escaping @Sendable (any Channel, HTTPRequestHead) -> EventLoopFuture<UpgradeResult>) {
        handshake = NIOTypedWebSocketServerUpgrader(shouldUpgrade: shouldUpgrade, upgradePipelineHandler: pipeline)
        self.pipeline = pipeline
    }

    package var supportedProtocol: String { handshake.supportedProtocol }
    package var requiredUpgradeHeaders: [String] { handshake.requiredUpgradeHeaders }

    package func buildUpgradeResponse(channel: any Channel, upgradeRequest: HTTPRequestHead,
                                      initialResponseHeaders: HTTPHeaders) -> EventLoopFuture<HTTPHeaders> {
        handshake.buildUpgradeResponse(channel: channel, upgradeRequest: upgradeRequest, initialResponseHeaders: initialResponseHeaders)
    }

    package func upgrade(channel: any Channel, upgradeRequest: HTTPRequestHead) -> EventLoopFuture<UpgradeResult> {
        pipeline(channel, upgradeRequest)
    }
}
