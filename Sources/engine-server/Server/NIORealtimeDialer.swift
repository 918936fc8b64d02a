import Foundation
import MediaEngine
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import Synchronization

/// Reaches a Realtime model over WebSocket on SwiftNIO directly (`wss://` with TLS for the OpenAI API,
/// `ws://` for the local simulator): `Authorization: Bearer` when there is a key, text frames only, GA
/// interface (no `OpenAI-Beta` header).
///
/// The socket runs on the call's own event loop when the call has one (`receiver.executor`), so each
/// message enters the call synchronously (`RealtimeSocketHandler`); otherwise on a loop of the shared
/// group, delivering through a task.
struct NIORealtimeDialer: RealtimeDialer {
    /// Largest inbound message accepted (a `session.updated` with long instructions, a big delta).
    static let maxMessageBytes = 4 << 20

    func dial(_ endpoint: RealtimeEndpoint, model: String, receiver: RealtimeReceiver) async throws {
        let target = try RealtimeTarget(url: endpoint.url(model: model))
        // The call's loop when it is one sockets can run on (a NIOPosix loop), else one of the shared group.
        let callLoop = receiver.executor.flatMap { $0 as? any EventLoop }.flatMap { ClientBootstrap(validatingGroup: $0) == nil ? nil : $0 }
        let loop = callLoop ?? MultiThreadedEventLoopGroup.singleton.next()
        let tls = target.secure ? try Self.tlsContext.get() : nil
        let opened = OpenedChannel()
        let apiKey = endpoint.apiKey
        try await withTaskCancellationHandler {
            let upgrade = try await ClientBootstrap(group: loop)
                .connectTimeout(.milliseconds(Int64(endpoint.connectTimeoutMs)))
                .connect(host: target.host, port: target.port) { channel in
                    opened.set(channel)
                    return channel.eventLoop.makeCompletedFuture {
                        try Self.configure(channel, target: target, apiKey: apiKey, tls: tls, receiver: receiver,
                                           deliversOnLoop: callLoop != nil)
                    }
                }
            if Task.isCancelled { opened.close() }
            let result: RealtimeUpgradeResult
            do {
                result = try await upgrade.get()
            } catch {
                opened.close()
                throw error
            }
            switch result {
            case .refused(let status):
                opened.close()
                throw RealtimeConnectionError.upgradeRefused(status: Int(status.code), reason: status.reasonPhrase)
            case .upgraded(let handler, let finished):
                await receiver.opened(NIORealtimeLink(handler: handler))
                handler.eventLoop.execute { handler.value.release() }
                try await finished.get()
            }
        } onCancel: {
            opened.close()
        }
    }

    /// TLS for `wss://`: the system's trust roots; made once (it loads them).
    private static let tlsContext = Result { try NIOSSLContext(configuration: .makeClientConfiguration()) }

    /// The client pipeline before the upgrade: TLS (for `wss://`), HTTP/1.1 and the upgrade handshake.
    private static func configure(
        _ channel: any Channel, target: RealtimeTarget, apiKey: String?, tls: NIOSSLContext?, receiver: RealtimeReceiver,
        deliversOnLoop: Bool
    ) throws -> EventLoopFuture<RealtimeUpgradeResult> {
        let pipeline = channel.pipeline.syncOperations
        if let tls { try pipeline.addHandler(NIOSSLClientHandler(context: tls, serverHostname: target.serverName)) }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: target.hostHeader)
        if let apiKey { headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        headers.add(name: "Content-Length", value: "0")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target.requestURI, headers: headers)
        let encoder = HTTPRequestEncoder()
        let decoder = ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .forwardBytes))
        let response = UpgradeResponseRecorder()
        let recorded = NIOLoopBound(response, eventLoop: channel.eventLoop)
        let upgrader = RealtimeSocketUpgrader(receiver: receiver, deliversOnLoop: deliversOnLoop, maxMessageBytes: maxMessageBytes)
        let configuration = NIOTypedHTTPClientUpgradeConfiguration<RealtimeUpgradeResult>(
            upgradeRequestHead: head, upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in
                channel.eventLoop.makeCompletedFuture { .refused(status: recorded.value.status ?? .badGateway) }
            })
        let upgradeHandler = NIOTypedHTTPClientUpgradeHandler(httpHandlers: [encoder, decoder, response], upgradeConfiguration: configuration)
        try pipeline.addHandler(encoder)
        try pipeline.addHandler(decoder)
        try pipeline.addHandler(response)
        try pipeline.addHandler(upgradeHandler)
        return upgradeHandler.upgradeResultFuture
    }
}

/// Why a model connection could not be opened.
enum RealtimeConnectionError: Error, Equatable, CustomStringConvertible {
    /// The endpoint's URL is not a `ws://` or `wss://` URL with a host.
    case invalidURL(String)
    /// The server answered the upgrade request with this HTTP status instead of 101.
    case upgradeRefused(status: Int, reason: String)

    var description: String {
        switch self {
        case .invalidURL(let url):
            return "model URL \(url) is not a ws:// or wss:// URL with a host; fix the Realtime URL setting"
        case .upgradeRefused(let status, let reason):
            let hint = status == 401 || status == 403 ? " (check the API key)" : status == 404 ? " (check the Realtime URL and model)" : ""
            return "model server refused the WebSocket upgrade: HTTP \(status) \(reason)\(hint)"
        }
    }
}

/// What the upgrade handshake produced.
enum RealtimeUpgradeResult: Sendable {
    /// Upgraded: the socket handler (on the channel's loop) and its `finished` future.
    case upgraded(NIOLoopBound<RealtimeSocketHandler>, finished: EventLoopFuture<Void>)
    /// The server answered with `status` instead of 101 Switching Protocols.
    case refused(status: HTTPResponseStatus)
}

/// The WebSocket upgrade: NIO's client upgrader checks the handshake (key and accept headers); the
/// pipeline after it is NIO's frame decoder and `RealtimeSocketHandler`, which writes frames itself
/// (so NIO's frame encoder is left out).
struct RealtimeSocketUpgrader: NIOTypedHTTPClientProtocolUpgrader {
    let supportedProtocol = "websocket"
    let requiredUpgradeHeaders: [String] = []
    let receiver: RealtimeReceiver
    let deliversOnLoop: Bool
    let maxMessageBytes: Int
    private let handshake = NIOTypedWebSocketClientUpgrader<RealtimeUpgradeResult>(upgradePipelineHandler: { channel, _ in
        channel.eventLoop.makeFailedFuture(ChannelError.inappropriateOperationForState)  // never used: only its handshake checks are
    })

    init(receiver: RealtimeReceiver, deliversOnLoop: Bool, maxMessageBytes: Int) {
        self.receiver = receiver
        self.deliversOnLoop = deliversOnLoop
        self.maxMessageBytes = maxMessageBytes
    }

    func addCustom(upgradeRequestHeaders: inout HTTPHeaders) {
        handshake.addCustom(upgradeRequestHeaders: &upgradeRequestHeaders)
    }

    func shouldAllowUpgrade(upgradeResponse: HTTPResponseHead) -> Bool {
        handshake.shouldAllowUpgrade(upgradeResponse: upgradeResponse)
    }

    func upgrade(channel: any Channel, upgradeResponse: HTTPResponseHead) -> EventLoopFuture<RealtimeUpgradeResult> {
        channel.eventLoop.makeCompletedFuture {
            let finished = channel.eventLoop.makePromise(of: Void.self)
            let handler = RealtimeSocketHandler(receiver: receiver, deliversOnLoop: deliversOnLoop,
                                                maxMessageBytes: maxMessageBytes, finished: finished)
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: maxMessageBytes)))
            try channel.pipeline.syncOperations.addHandler(handler)
            return .upgraded(NIOLoopBound(handler, eventLoop: channel.eventLoop), finished: finished.futureResult)
        }
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

/// The link the call sends on: frames are written on the channel's loop (directly when the call is on
/// it, which is the production case; hopping otherwise).
struct NIORealtimeLink: RealtimeLink {
    let handler: NIOLoopBound<RealtimeSocketHandler>

    func send(_ text: [UInt8]) {
        if handler.eventLoop.inEventLoop {
            handler.value.send(text)
        } else {
            let handler = self.handler
            handler.eventLoop.execute { handler.value.send(text) }
        }
    }

    func close() async {
        let handler = self.handler
        handler.eventLoop.execute { handler.value.close() }
    }
}

/// The channel of a dial in progress, for closing it when the dial is cancelled (the call's watchdog).
private final class OpenedChannel: Sendable {
    private let channel = Mutex<(any Channel)?>(nil)

    func set(_ channel: any Channel) { self.channel.withLock { $0 = channel } }

    func close() { channel.withLock { $0 }?.close(promise: nil) }
}

/// Where a `ws://` or `wss://` URL points.
struct RealtimeTarget: Equatable {
    var secure: Bool
    var host: String
    var port: Int
    /// Path and query, as the request line carries them.
    var requestURI: String

    init(url: String) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "ws" || scheme == "wss", let host = components.host, !host.isEmpty else {
            throw RealtimeConnectionError.invalidURL(url)
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
