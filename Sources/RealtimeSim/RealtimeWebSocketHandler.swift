import Logging
import NIOCore
import NIOWebSocket

/// One upgraded `/v1/realtime` socket, run on its event loop: joins continuation frames into messages
/// (at most `RealtimeSimulatorServer.maxMessageBytes`), hands each text message to the connection's
/// `SimulatedSession` synchronously (the session runs on this loop: `assumeIsolated`, no task, no hop),
/// answers pings and the close handshake. The session's output goes out through a
/// `WebSocketChannelSink` on the same socket.
///
/// Without a session (the retired `OpenAI-Beta` handshake) it sends the `error` event and close 4000
/// given at init and ignores whatever the client sends until it answers the close.
final class RealtimeWebSocketHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let session: SimulatedSession?
    private let sink: WebSocketChannelSink
    private let rejection: (event: String?, code: UInt16, reason: String)?
    private let logger: Logger
    /// A message whose continuation frames are still arriving, and whether it is text.
    private var partial: ByteBuffer?
    private var partialIsText = true

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
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary, .continuation:
            receive(frame, context: context)
        case .ping:
            guard !sink.closeSent else { return }
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            answerClose(frame, context: context)
        default:
            break  // pong, reserved opcodes
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        session?.assumeIsolated { $0.close() }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Protocol errors (bad framing, an oversized frame) were already answered with a close frame by
        // NIO's WebSocketProtocolErrorHandler; the socket is done either way.
        logger.debug("realtime socket failed", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    // MARK: Messages

    /// Joins continuation frames into whole messages (bounded) and hands each on.
    private func receive(_ frame: WebSocketFrame, context: ChannelHandlerContext) {
        if frame.opcode != .continuation {
            guard partial == nil else {
                fail(code: 1002, reason: "a new message began before the fragmented one ended")
                return
            }
            if frame.fin {
                deliver(frame.unmaskedData, text: frame.opcode == .text)  // the usual case: one frame, one message
            } else {
                partialIsText = frame.opcode == .text
                partial = frame.unmaskedData
            }
            return
        }
        guard var message = partial else {
            fail(code: 1002, reason: "a continuation frame without a message to continue")
            return
        }
        partial = nil  // no copy-on-write while appending
        var data = frame.unmaskedData
        guard message.readableBytes + data.readableBytes <= RealtimeSimulatorServer.maxMessageBytes else {
            fail(code: 1009, reason: "message exceeds \(RealtimeSimulatorServer.maxMessageBytes) bytes")
            return
        }
        message.writeBuffer(&data)
        if frame.fin {
            deliver(message, text: partialIsText)
        } else {
            partial = message
        }
    }

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
    private func answerClose(_ frame: WebSocketFrame, context: ChannelHandlerContext) {
        guard !sink.closeSent else {
            context.close(promise: nil)
            return
        }
        sink.state.value.closeSent = true
        var data = frame.unmaskedData
        let code = data.readSlice(length: min(2, data.readableBytes)) ?? context.channel.allocator.buffer(capacity: 0)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: code))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    /// Ends the connection on a protocol violation with close `code`.
    private func fail(code: UInt16, reason: String) {
        logger.notice("closing a realtime socket", metadata: ["code": "\(code)", "reason": "\(reason)"])
        partial = nil
        if let session {
            session.assumeIsolated { $0.terminate(code: code, reason: reason) }
        } else {
            sink.close(code: code, reason: reason)
        }
    }
}
