import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import NIOWebSocket

/// The client side of a WebSocket handshake on SwiftNIO, shared by the engine's model socket
/// (`NIORealtimeDialer`) and the load generator's callers (`CallerSocket`): NIO's client upgrader checks
/// the handshake (key and accept headers), and `install` builds the pipeline after it, which is NIO's
/// frame decoder and a handler of the user's that writes its frames itself (so NIO's frame encoder is
/// left out).
struct WebSocketClientUpgrader<UpgradeResult: Sendable>: NIOTypedHTTPClientProtocolUpgrader {
    let supportedProtocol = "websocket"
    let requiredUpgradeHeaders: [String] = []
    /// Adds the WebSocket layer to the upgraded channel (on its event loop).
    let install: @Sendable (any Channel) throws -> UpgradeResult
    private let handshake = NIOTypedWebSocketClientUpgrader<UpgradeResult>(upgradePipelineHandler: { channel, _ in
        channel.eventLoop.makeFailedFuture(ChannelError.inappropriateOperationForState)  // never used: only its handshake checks are
    })

    init(install: @escaping @Sendable (any Channel) throws -> UpgradeResult) {
        self.install = install
    }

    func addCustom(upgradeRequestHeaders: inout HTTPHeaders) {
        handshake.addCustom(upgradeRequestHeaders: &upgradeRequestHeaders)
    }

    func shouldAllowUpgrade(upgradeResponse: HTTPResponseHead) -> Bool {
        handshake.shouldAllowUpgrade(upgradeResponse: upgradeResponse)
    }

    func upgrade(channel: any Channel, upgradeResponse: HTTPResponseHead) -> EventLoopFuture<UpgradeResult> {
        channel.eventLoop.makeCompletedFuture { try install(channel) }
    }

    /// Sets up a freshly connected `channel` for the handshake: TLS (when `tls` is given, for `wss://`),
    /// HTTP/1.1 and the upgrade request for `target` with `headers` added (`Host` is set here). The future
    /// is what `install` returned, or `refused(status)` when the server answered other than 101.
    func configure(
        _ channel: any Channel, target: WebSocketTarget, headers extra: HTTPHeaders, tls: NIOSSLContext?,
        refused: @escaping @Sendable (HTTPResponseStatus) -> UpgradeResult
    ) throws -> EventLoopFuture<UpgradeResult> {
        let pipeline = channel.pipeline.syncOperations
        if let tls { try pipeline.addHandler(NIOSSLClientHandler(context: tls, serverHostname: target.serverName)) }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: target.hostHeader)
        headers.add(contentsOf: extra)
        headers.add(name: "Content-Length", value: "0")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target.requestURI, headers: headers)
        let encoder = HTTPRequestEncoder()
        let decoder = ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .forwardBytes))
        let response = UpgradeResponseRecorder()
        let recorded = NIOLoopBound(response, eventLoop: channel.eventLoop)
        let configuration = NIOTypedHTTPClientUpgradeConfiguration<UpgradeResult>(
            upgradeRequestHead: head, upgraders: [self],
            notUpgradingCompletionHandler: { channel in
                channel.eventLoop.makeCompletedFuture { refused(recorded.value.status ?? .badGateway) }
            })
        let upgradeHandler = NIOTypedHTTPClientUpgradeHandler(httpHandlers: [encoder, decoder, response], upgradeConfiguration: configuration)
        try pipeline.addHandler(encoder)
        try pipeline.addHandler(decoder)
        try pipeline.addHandler(response)
        try pipeline.addHandler(upgradeHandler)
        return upgradeHandler.upgradeResultFuture
    }
}

/// Keeps the status of the upgrade response, which NIO's upgrade handler does not pass on when it is
/// not 101 (so the error can say what the server answered).
final class UpgradeResponseRecorder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias InboundOut = HTTPClientResponsePart
    private(set) var status: HTTPResponseStatus?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = Self.unwrapInboundIn(data) { status = head.status }
        context.fireChannelRead(data)
    }
}

@available(*, unavailable)
extension UpgradeResponseRecorder: Sendable {}

/// Where a `ws://` or `wss://` URL points.
struct WebSocketTarget: Equatable {
    var secure: Bool
    var host: String
    var port: Int
    /// Path and query, as the request line carries them.
    var requestURI: String

    /// Nil unless `url` is a `ws://` or `wss://` URL with a host.
    init?(url: String) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "ws" || scheme == "wss", let host = components.host, !host.isEmpty else {
            return nil
        }
        secure = scheme == "wss"
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        port = components.port ?? (secure ? 443 : 80)
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        requestURI = components.percentEncodedQuery.map { "\(path)?\($0)" } ?? path
    }

    /// `Host:` header value: the port only when it is not the scheme's default.
    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == (secure ? 443 : 80) ? name : "\(name):\(port)"
    }

    /// The TLS server name (SNI): the host, unless it is an IP address (which SNI cannot carry).
    var serverName: String? {
        (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
    }
}
