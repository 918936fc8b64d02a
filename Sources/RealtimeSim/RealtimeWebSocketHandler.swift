import Logging
import NIOCore
import WebSocketWire

/// One upgraded `/v1/realtime` socket, run on its event loop: reads the frames from the socket's bytes
/// and joins continuation frames into messages (`WebSocketFrameReader`, at most
/// `RealtimeSimulatorServer.maxMessageBytes`), hands each text message to the connection's
/// `SimulatedSession` synchronously (the session runs on this loop: `assumeIsolated`, no task, no hop),
/// answers pings and the close handshake. The session's output goes out through a
/// `WebSocketChannelSink` on the same socket.
///
/// Without a session (the retired `OpenAI-Beta` handshake) it sends the `error` event and close 4000
/// given at init and ignores whatever the client sends until it answers the close.
final class RealtimeWebSocketHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let session: SimulatedSession?
    private let sink: WebSocketChannelSink
    private let rejection: (event: String?, code: UInt16, reason: String)?
    private let logger: Logger
    private var reader = WebSocketFrameReader(maxMessageBytes: RealtimeSimulatorServer.maxMessageBytes)

    /// A connection served by `session`, which must run on the channel's event loop.
    init(session: SimulatedSession, sink: WebSocketChannelSink, logger: Logger) {
        self.session = session
        self.sink = sink
        rejection = nil
        self.logger = logger
    }

    /// A connection refused after the upgrade: `event` (if any), then a close frame with `code`.
    init(rejectingWith event: String?, code: UInt16, reason: String, sink: WebSocketChannelSink, logger: Logger) {
        session = nil
        self.sink = sink
        rejection = (event, code, reason)
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if let session {
            session.assumeIsolated { $0.start() }
        } else if let rejection {
            if let event = rejection.event { sink.write(event) }
            sink.close(code: rejection.code, reason: rejection.reason)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let failure = reader.read(unwrapInboundIn(data)) { event in
            switch event {
            case .text(let message):
                deliver(message, text: true)
            case .binary:
                deliver(ByteBuffer(), text: false)
            case .ping(let payload):
                guard !sink.closeSent else { return }
                sink.pong(payload)
            case .pong:
                break
            case .close(let code):
                answerClose(code: code, context: context)
            }
        }
        if let failure { fail(code: failure.closeCode, reason: "\(failure)") }
    }

    func channelInactive(context: ChannelHandlerContext) {
        session?.assumeIsolated { $0.close() }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("realtime socket failed", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    // MARK: Messages

    private func deliver(_ message: ByteBuffer, text: Bool) {
        guard let session, !sink.closeSent else { return }
        if text {
            session.assumeIsolated { session in message.withUnsafeReadableBytes { session.receive(utf8: $0) } }
        } else {
            session.assumeIsolated { $0.receiveBinary() }
        }
    }

    // MARK: Closing

    /// The client's close frame: the answer to ours (the socket is done), or its own close, which is
    /// echoed (same code) before the socket closes.
    private func answerClose(code: UInt16?, context: ChannelHandlerContext) {
        guard !sink.closeSent else {
            context.close(promise: nil)
            return
        }
        sink.echoClose(code: code)
    }

    /// Fails the connection on the client's protocol violation: close `code`, and the socket closes
    /// once that is written (the reader reads nothing more, so no answer would be seen); the session
    /// ends (its own close is then not sent again).
    private func fail(code: UInt16, reason: String) {
        logger.notice("closing a realtime socket", metadata: ["code": "\(code)", "reason": "\(reason)"])
        sink.fail(code: code, reason: reason)
        session?.assumeIsolated { $0.terminate(code: code, reason: reason) }
    }
}
