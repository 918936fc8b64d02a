import MediaEngine
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import WebSocketWire

/// A synthetic caller's media stream socket, on SwiftNIO directly: the WebSocket handshake with the
/// engine's `<Stream>` URL, then `CallerSocketHandler`, which hands each message from the engine to the
/// caller synchronously on the socket's event loop and writes the caller's messages as masked frames.
///
/// A load generator runs hundreds of these on one core, so the path costs no task, stream or writer per
/// message (the async WebSocket client it replaces spent most of the generator's CPU on those).
enum CallerSocket {
    /// Largest message accepted from the engine (a `media` message is about 250 bytes).
    static let maxMessageBytes = 1 << 16

    /// Why the stream could not be opened.
    enum ConnectError: Error, CustomStringConvertible {
        case invalidURL(String)
        case upgradeRefused(status: Int, reason: String)

        var description: String {
            switch self {
            case .invalidURL(let url): return "<Stream url> \(url) is not a ws:// or wss:// URL"
            case .upgradeRefused(let status, let reason): return "engine refused the media stream upgrade: HTTP \(status) \(reason)"
            }
        }
    }

    private enum Upgrade: Sendable {
        case upgraded(CallerLink)
        case refused(HTTPResponseStatus)
    }

    /// Opens the stream at `url` (`ws://`; a load test runs on loopback) on a loop of the shared group.
    /// `onMessage` gets each whole text message from the engine with its arrival time (monotonic ns) and
    /// the handler to answer on; `onClosed` runs once when the socket closes. Both run on the socket's
    /// event loop.
    static func connect(
        url: String,
        onMessage: @escaping @Sendable (UnsafeRawBufferPointer, UInt64, CallerSocketHandler) -> Void,
        onClosed: @escaping @Sendable () -> Void
    ) async throws -> CallerLink {
        guard let target = WebSocketTarget(url: url), !target.secure else { throw ConnectError.invalidURL(url) }
        let upgrader = WebSocketClientUpgrader<Upgrade> { channel in
            let handler = CallerSocketHandler(maxMessageBytes: maxMessageBytes, onMessage: onMessage, onClosed: onClosed)
            try channel.pipeline.syncOperations.addHandler(handler)
            return .upgraded(CallerLink(handler: NIOLoopBound(handler, eventLoop: channel.eventLoop)))
        }
        let upgrade = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton.next())
            .connectTimeout(.seconds(10))
            .connect(host: target.host, port: target.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try upgrader.configure(channel, target: target, headers: [:], tls: nil) { .refused($0) }
                }
            }
        switch try await upgrade.get() {
        case .upgraded(let link):
            return link
        case .refused(let status):
            throw ConnectError.upgradeRefused(status: Int(status.code), reason: status.reasonPhrase)
        }
    }
}

/// Sends on a caller's socket from anywhere: directly when already on its event loop (the load test's
/// case: its tasks run on NIO's loops), by a hop otherwise.
struct CallerLink: Sendable {
    let handler: NIOLoopBound<CallerSocketHandler>

    var eventLoop: any EventLoop { handler.eventLoop }

    /// Sends one text message; dropped once the socket is closing.
    func send(_ text: String) {
        if handler.eventLoop.inEventLoop {
            handler.value.send(text)
        } else {
            let handler = self.handler
            handler.eventLoop.execute { handler.value.send(text) }
        }
    }

    /// Sends a close frame (normal closure) and closes the socket.
    func close() {
        let handler = self.handler
        handler.eventLoop.execute { handler.value.close() }
    }
}

/// The caller's WebSocket layer after the handshake: reads the frames from the socket's bytes
/// (`WebSocketFrameReader`, which joins text messages),
/// answers pings and closes, and writes the caller's messages as masked client frames with one flush
/// per event-loop tick. Everything here runs on the channel's event loop.
final class CallerSocketHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var reader: WebSocketFrameReader
    private let onMessage: @Sendable (UnsafeRawBufferPointer, UInt64, CallerSocketHandler) -> Void
    private let onClosed: @Sendable () -> Void
    private var context: ChannelHandlerContext?
    private var frames = WebSocketClientFrames()
    private var flushScheduled = false
    /// A close frame went out: nothing more does.
    private var closing = false
    private var closedReported = false

    init(maxMessageBytes: Int, onMessage: @escaping @Sendable (UnsafeRawBufferPointer, UInt64, CallerSocketHandler) -> Void,
         onClosed: @escaping @Sendable () -> Void) {
        reader = WebSocketFrameReader(maxMessageBytes: maxMessageBytes)
        self.onMessage = onMessage
        self.onClosed = onClosed
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if !context.channel.isActive { reportClosed() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        reportClosed()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let failure = reader.read(Self.unwrapInboundIn(data)) { event in
            switch event {
            case .text(let message):
                deliver(message)
            case .binary:
                close(code: 1003)  // Media Streams carry JSON text only
            case .ping(let payload):
                write(.pong, payload: payload)
            case .close(let code):
                close(code: code)  // echo the status (RFC 6455 §5.5.1)
            case .pong:
                break
            }
        }
        if let failure { close(code: failure.closeCode) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        reportClosed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close(code: 1002)
    }

    /// Sends one text message; dropped once closing.
    func send(_ text: String) {
        var text = text
        text.withUTF8 { write(.text, payload: UnsafeRawBufferPointer($0)) }
    }

    /// Sends a close frame (normal closure) and closes the channel.
    func close() { close(code: 1000) }

    private func deliver(_ message: ByteBuffer) {
        let now = MonotonicClock.nowNs()
        message.withUnsafeReadableBytes { onMessage($0, now, self) }
    }

    private func close(code: UInt16?) {
        if !closing, let context {
            var payload = context.channel.allocator.buffer(capacity: 2)
            if let code { payload.writeInteger(code) }
            write(.connectionClose, payload: payload)
            closing = true
            context.flush()
        }
        context?.close(promise: nil)
    }

    private func write(_ opcode: WebSocketOpcode, payload: ByteBuffer) {
        payload.withUnsafeReadableBytes { write(opcode, payload: $0) }
    }

    private func write(_ opcode: WebSocketOpcode, payload: UnsafeRawBufferPointer) {
        guard let context, !closing else { return }
        let buffer = frames.frame(opcode, payload: payload, allocator: context.channel.allocator)
        context.write(Self.wrapOutboundOut(buffer), promise: nil)
        guard !flushScheduled else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute {
            self.flushScheduled = false
            self.context?.flush()
        }
    }

    private func reportClosed() {
        guard !closedReported else { return }
        closedReported = true
        onClosed()
    }
}

@available(*, unavailable)
extension CallerSocketHandler: Sendable {}
