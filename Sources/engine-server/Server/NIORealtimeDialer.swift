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
        let url = endpoint.url(model: model)
        guard let target = WebSocketTarget(url: url) else { throw RealtimeConnectionError.invalidURL(url) }
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
        _ channel: any Channel, target: WebSocketTarget, apiKey: String?, tls: NIOSSLContext?, receiver: RealtimeReceiver,
        deliversOnLoop: Bool
    ) throws -> EventLoopFuture<RealtimeUpgradeResult> {
        var headers = HTTPHeaders()
        if let apiKey { headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        let maxMessageBytes = Self.maxMessageBytes
        let upgrader = WebSocketClientUpgrader<RealtimeUpgradeResult> { channel in
            let finished = channel.eventLoop.makePromise(of: Void.self)
            let handler = RealtimeSocketHandler(receiver: receiver, deliversOnLoop: deliversOnLoop,
                                                maxMessageBytes: maxMessageBytes, finished: finished)
            try channel.pipeline.syncOperations.addHandler(handler)
            return .upgraded(NIOLoopBound(handler, eventLoop: channel.eventLoop), finished: finished.futureResult)
        }
        return try upgrader.configure(channel, target: target, headers: headers, tls: tls) { .refused(status: $0) }
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

