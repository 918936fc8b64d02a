import NIOCore
import NIOHTTP1

/// An upgrade request the server declined, kept for `SimulatorHTTPHandler` to answer: NIO's typed upgrade
/// handler does not pass a declined request's head on to the HTTP handlers it installs.
struct DeclinedUpgrade: Sendable {
    var head: HTTPRequestHead
    /// Nil: not an upgradable path (404).
    var refusal: UpgradeRefusal?
}

/// Why the server refused to upgrade a `/v1/realtime` request (decided in the upgrader's `shouldUpgrade`).
enum UpgradeRefusal: Sendable {
    /// No `Authorization: Bearer <token>` header: 401, as the real API answers.
    case unauthorized
    /// The refuse-connections fault: 503.
    case simulatedFault
}

/// Plain HTTP on the simulator's port (requests that were not upgraded): `GET /health` answers 200 "ok",
/// a refused upgrade of `/v1/realtime` gets its status (401, or 503 under the refuse-connections fault),
/// `/v1/realtime` without an upgrade 400, anything else 404. Keep-alive is honoured except after a
/// refused upgrade, which closes the connection once answered.
final class SimulatorHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The upgrade request the upgrader declined on this connection, if that is why this handler exists.
    private let declined: DeclinedUpgrade?
    private var head: HTTPRequestHead?

    init(declined: DeclinedUpgrade?) {
        self.declined = declined
    }

    /// A declined upgrade is answered at once: its head never reaches this handler (its `.end` may, and
    /// finds no head).
    func handlerAdded(context: ChannelHandlerContext) {
        if let declined { respond(to: declined.head, refusal: declined.refusal, context: context) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break  // no endpoint takes a body
        case .end:
            guard let head else { return }
            self.head = nil
            respond(to: head, refusal: nil, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, refusal: UpgradeRefusal?, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? head.uri
        var keepAlive = head.isKeepAlive
        let status: HTTPResponseStatus
        let body: String
        if path == RealtimeSimulatorServer.path {
            switch refusal {
            case .unauthorized:
                status = .unauthorized
                body = #"{"error":{"type":"invalid_request_error","code":"missing_api_key","message":"Missing bearer authentication in header","param":null}}"#
                keepAlive = false
            case .simulatedFault:
                status = .serviceUnavailable
                body = #"{"error":{"type":"server_error","code":null,"message":"simulated fault: connection refused","param":null}}"#
                keepAlive = false
            case nil:
                status = .badRequest
                body = "expected a WebSocket upgrade\n"
            }
        } else if path == "/health", head.method == .GET {
            status = .ok
            body = "ok"
        } else {
            status = .notFound
            body = "not found\n"
        }
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: body.hasPrefix("{") ? "application/json" : "text/plain; charset=utf-8")
        headers.add(name: "content-length", value: String(body.utf8.count))
        headers.add(name: "connection", value: keepAlive ? "keep-alive" : "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
