import MediaEngine
import NIOCore
import NIOWebSocket
import WebSocketWire

/// The model socket's WebSocket layer once the HTTP upgrade is done: reads the frames from the socket's
/// bytes (`WebSocketFrameReader`, which joins text messages), answers pings and closes, writes the
/// call's events as masked client frames, and hands each whole inbound message to the call.
///
/// Delivery (`deliversOnLoop`): when the call runs on this channel's event loop, each message goes in
/// synchronously with `receiver.receiveOnExecutor`, straight from the read buffer; no task, no copy. When
/// that reports a full egress queue the handler withholds `read()` (the socket is not read, TCP pushes
/// back on the model), keeps any message already decoded from the same read, and resumes after
/// `receiver.roomForAudio()`. Otherwise one consumer task delivers with `receiver.receive`, in order,
/// reading held meanwhile. Delivery is also held from the start until the dialer has handed the link to
/// the call (`release()`), so no message arrives before `opened`.
///
/// Outbound: `send` writes one frame and schedules a single flush for the current event-loop tick, so a
/// burst of events costs one syscall. Everything here runs on the channel's event loop.
final class RealtimeSocketHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Why the handler closed the connection (what `dial` throws).
    enum Failure: Error, Equatable, CustomStringConvertible {
        case messageTooLarge(bytes: Int, limit: Int)
        case binaryFrame
        case protocolViolation(String)

        var description: String {
            switch self {
            case .messageTooLarge(let bytes, let limit): return "model message of \(bytes)+ bytes exceeds the \(limit)-byte limit"
            case .binaryFrame: return "model sent a binary frame (the Realtime socket carries JSON text only)"
            case .protocolViolation(let what): return "WebSocket protocol violation by the model: \(what)"
            }
        }

        /// The close code (RFC 6455 §7.4.1) sent when closing for this.
        var closeCode: UInt16 {
            switch self {
            case .messageTooLarge: return 1009
            case .binaryFrame: return 1003
            case .protocolViolation: return 1002
            }
        }
    }

    private let receiver: RealtimeReceiver
    private let deliversOnLoop: Bool
    private let maxMessageBytes: Int
    /// Completed once the channel is closed and every message read has been delivered: failed with the
    /// reason when the handler (or the channel) failed the connection.
    let finished: EventLoopPromise<Void>

    private var context: ChannelHandlerContext?
    private var frames = WebSocketClientFrames()
    /// Reads the socket's frames and joins text messages arriving in continuation frames.
    private var reader: WebSocketFrameReader
    /// Whole messages read and not yet delivered (only while delivery is held).
    private var inbox = CircularBuffer<ByteBuffer>(initialCapacity: 4)
    /// Delivery is held: until `release()`, while the call's egress queue is full, while the consumer
    /// task has a message.
    private var held = true
    /// A `read()` was withheld while delivery was held.
    private var readWithheld = false
    private var flushScheduled = false
    /// A close frame was sent (by either side's initiative): no more frames go out.
    private var closing = false
    private var inactive = false
    private var failure: (any Error)?
    private var isFinished = false

    init(receiver: RealtimeReceiver, deliversOnLoop: Bool, maxMessageBytes: Int, finished: EventLoopPromise<Void>) {
        self.receiver = receiver
        self.deliversOnLoop = deliversOnLoop
        self.maxMessageBytes = maxMessageBytes
        reader = WebSocketFrameReader(maxMessageBytes: maxMessageBytes)
        self.finished = finished
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if !context.channel.isActive { inactive = true }  // closed before the handler came in
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        inactive = true
        finishIfDone()
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard failure == nil else { return }  // the rest of a read after a failure: the connection is going
        let readFailure = reader.read(Self.unwrapInboundIn(data)) { event in
            guard failure == nil else { return }  // frames after one that failed the connection
            switch event {
            case .text(let message):
                accept(message)
            case .binary:
                fail(.binaryFrame)
            case .ping(let payload):
                write(.pong, payload: payload)
            case .pong:
                break
            case .close(let code):
                // Echo the peer's status code (RFC 6455 §5.5.1), then close.
                sendClose(code: code)
                context.close(promise: nil)
            }
        }
        switch readFailure {
        case .tooLarge(let bytes)?: fail(.messageTooLarge(bytes: bytes, limit: maxMessageBytes))
        case .violation(let what)?: fail(.protocolViolation(what))
        case nil: break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        inactive = true
        finishIfDone()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // After a close (ours or the model's) the transport's complaints (e.g. a TLS peer that did not
        // send close_notify) are no failure of the connection.
        if !closing, failure == nil { failure = error }
        context.close(promise: nil)
    }

    // MARK: Delivery

    /// The call has the link: delivery and reading start.
    func release() {
        held = false
        deliverInbox()
    }

    private func accept(_ message: ByteBuffer) {
        if held || !inbox.isEmpty {
            inbox.append(message)
        } else {
            deliver(message)
        }
    }

    private func deliver(_ message: ByteBuffer) {
        guard deliversOnLoop else { return startConsumer(with: message) }
        let roomLeft = message.withUnsafeReadableBytes { self.receiver.receiveOnExecutor($0) }
        guard !roomLeft else { return }
        held = true
        let handler = NIOLoopBound(self, eventLoop: loop)
        let roomForAudio = receiver.roomForAudio
        Task {
            await roomForAudio()
            handler.eventLoop.execute { handler.value.resumeAfterRoom() }
        }
    }

    private func resumeAfterRoom() {
        held = false
        deliverInbox()
    }

    /// Delivers what is waiting while delivery is not held; then reads on (or finishes, once closed).
    private func deliverInbox() {
        while !held, let message = inbox.popFirst() { deliver(message) }
        guard !held else { return }
        if readWithheld, let context {
            readWithheld = false
            context.read()
        }
        finishIfDone()
    }

    /// The general path: one task delivers `first`, then whatever the inbox holds, one at a time, with
    /// delivery (and so reading) held until the inbox is empty.
    private func startConsumer(with first: ByteBuffer) {
        held = true
        let handler = NIOLoopBound(self, eventLoop: loop)
        let receive = receiver.receive
        let firstBytes = Array(first.readableBytesView)
        Task {
            var next: [UInt8]? = firstBytes
            while let bytes = next {
                await receive(bytes)
                next = try? await handler.eventLoop.submit { handler.value.nextForConsumer() }.get()
            }
        }
    }

    /// The consumer's next message; nil (delivery released) when there is none.
    private func nextForConsumer() -> [UInt8]? {
        if let message = inbox.popFirst() { return Array(message.readableBytesView) }
        held = false
        deliverInbox()
        return nil
    }

    private func finishIfDone() {
        guard inactive, !held, inbox.isEmpty, !isFinished else { return }
        isFinished = true
        if let failure { finished.fail(failure) } else { finished.succeed(()) }
    }

    // MARK: Outbound

    func read(context: ChannelHandlerContext) {
        if held { readWithheld = true } else { context.read() }
    }

    /// Sends one text message (a client event's UTF-8 JSON); dropped once closing.
    func send(_ text: [UInt8]) {
        guard let context, !closing else { return }
        let buffer = text.withUnsafeBytes { frames.frame(.text, payload: $0, allocator: context.channel.allocator) }
        context.write(Self.wrapOutboundOut(buffer), promise: nil)
        scheduleFlush(context)
    }

    /// Sends a close frame (normal closure) and closes the channel.
    func close() {
        sendClose(code: 1000)
        context?.close(promise: nil)
    }

    private func fail(_ reason: Failure) {
        if !closing, failure == nil { failure = reason }
        sendClose(code: reason.closeCode)
        context?.close(promise: nil)
    }

    /// Writes and flushes a close frame, once (`code` nil: one without a status code).
    private func sendClose(code: UInt16?) {
        guard !closing else { return }
        var payload = ByteBuffer()
        if let code { payload.writeInteger(code) }
        write(.connectionClose, payload: payload)
        closing = true
        context?.flush()
    }

    private func write(_ opcode: WebSocketOpcode, payload: ByteBuffer) {
        guard let context, !closing else { return }
        let buffer = payload.withUnsafeReadableBytes { frames.frame(opcode, payload: $0, allocator: context.channel.allocator) }
        context.write(Self.wrapOutboundOut(buffer), promise: nil)
        scheduleFlush(context)
    }

    /// One flush per event-loop tick, however many frames were written in it.
    private func scheduleFlush(_ context: ChannelHandlerContext) {
        guard !flushScheduled else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute {
            self.flushScheduled = false
            self.context?.flush()
        }
    }

    private var loop: any EventLoop { finished.futureResult.eventLoop }
}

@available(*, unavailable)
extension RealtimeSocketHandler: Sendable {}
