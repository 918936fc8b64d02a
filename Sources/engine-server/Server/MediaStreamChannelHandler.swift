import Logging
import MediaEngine
import NIOCore
import WebSocketWire

/// `GET /twilio/media`: one Twilio Media Stream (bidirectional) per WebSocket, run on the socket's event
/// loop.
///
/// The stream is accepted only if its `start` carries a valid call token from the webhook (or the
/// upgrade request had a valid `X-Twilio-Signature` for the tenant it names). Then every text message
/// goes to the call's session, in order: synchronously when the call runs on this event loop (the usual
/// case: `Engine.startCall` puts a call on its stream's loop), else queued onto the call's loop. The
/// session's answers go out through a `ChannelTwilioSink` on the same socket. Whatever a stream sends,
/// only its own call is affected.
final class MediaStreamChannelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    static let path = "/twilio/media"
    /// Largest message accepted from Twilio (a media message is about 300 bytes).
    static let maxMessageBytes = 64 * 1024
    /// Time allowed between the upgrade and `start`, by default.
    static let defaultStartTimeout: TimeAmount = .seconds(10)
    /// Messages kept while the call is being looked up after `start` (a few frames in practice).
    static let maxPendingMessages = 500

    private enum Phase {
        case awaitingStart
        /// `start` was accepted; the call is being looked up or created. Later messages wait here.
        case attaching(pending: [ByteBuffer])
        case live(CallSession, sameLoop: Bool)
        case closed
    }

    private let engine: Engine
    private let upgradeSignature: String?
    private let upgradeURL: String
    private let logger: Logger
    private let startTimeout: TimeAmount
    private let decoder = TwilioMessageDecoder(maxMessageBytes: maxMessageBytes)
    private var phase = Phase.awaitingStart
    /// Reads the socket's frames (NIO's frame decoder is not in the pipeline: `WebSocketBareUpgrader`).
    private var reader = WebSocketFrameReader(maxMessageBytes: maxMessageBytes)
    private var sink: ChannelTwilioSink?
    private var startTimer: Scheduled<Void>?

    init(engine: Engine, upgradeSignature: String?, upgradeURL: String, logger: Logger,
         startTimeout: TimeAmount = defaultStartTimeout) {
        self.engine = engine
        self.startTimeout = startTimeout
        self.upgradeSignature = upgradeSignature
        self.upgradeURL = upgradeURL
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        sink = ChannelTwilioSink(channel: context.channel)
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let timeout = startTimeout
        startTimer = context.eventLoop.scheduleTask(in: timeout) {
            let (handler, context) = loopBound.value
            guard case .awaitingStart = handler.phase else { return }
            handler.logger.warning("media stream sent no start in time; closing")
            handler.refuse(context: context, reason: "no start within \(timeout.nanoseconds / 1_000_000) ms")
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let failure = reader.read(unwrapInboundIn(data)) { event in
            switch event {
            case .text(let message):
                deliver(message, context: context)
            case .ping(let payload):
                sink?.pong(payload)
            case .close:
                sink?.close(reason: "closed by Twilio")
            case .binary:
                fail(context: context, reason: "binary frame (the media stream carries JSON text only)", code: 1003)
            case .pong:
                break
            }
        }
        if let failure {
            let limit = if case .tooLarge = failure { " exceeds \(Self.maxMessageBytes)" } else { "" }
            fail(context: context, reason: "\(failure)\(limit)", code: failure.closeCode)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(reason: "media stream closed")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.warning("media stream failed", metadata: ["error": "\(error)"])
        finish(reason: "media stream failed: \(error)")
        context.close(promise: nil)
    }

    // MARK: Messages

    private func deliver(_ message: ByteBuffer, context: ChannelHandlerContext) {
        switch phase {
        case .live(let session, let sameLoop):
            let receivedNs = session.probe != nil ? MonotonicClock.nowNs() : 0
            if sameLoop {
                session.assumeIsolated { call in message.withUnsafeReadableBytes { call.handleTwilio($0, receivedNs: receivedNs) } }
            } else if let loop = session.executor as? any EventLoop {
                loop.execute {  // FIFO, so messages stay in order
                    session.assumeIsolated { call in message.withUnsafeReadableBytes { call.handleTwilio($0, receivedNs: receivedNs) } }
                }
            }
        case .awaitingStart:
            message.withUnsafeReadableBytes { accept($0, context: context) }
        case .attaching(var pending):
            guard pending.count < Self.maxPendingMessages else {
                fail(context: context, reason: "call not ready after \(pending.count) messages", code: 1008)
                return
            }
            phase = .closed  // no copy-on-write while appending
            pending.append(message)
            phase = .attaching(pending: pending)
        case .closed:
            break
        }
    }

    // MARK: Accepting the stream

    /// Before `start`: skips `connected`, checks `start` and its call token, then attaches the stream to
    /// its call (the one the webhook warmed up, or a new one on this loop).
    private func accept(_ raw: UnsafeRawBufferPointer, context: ChannelHandlerContext) {
        let message: TwilioMessage
        do { message = try decoder.decode(raw) } catch {
            logger.warning("bad message before start", metadata: ["error": "\(error)"])
            return
        }
        switch message {
        case .connected:
            return
        case .start(let start):
            startTimer?.cancel()
            guard start.mediaFormat == .muLaw8kMono else {
                refuse(context: context, reason: "unsupported media format \(start.mediaFormat.encoding)/\(start.mediaFormat.sampleRate)")
                return
            }
            guard let tenant = authorize(start) else {
                refuse(context: context, reason: "stream not authorized")
                return
            }
            phase = .attaching(pending: [])
            attach(start, tenant: tenant, context: context)
        default:
            logger.warning("message before start ignored")
        }
    }

    private func attach(_ start: TwilioMessage.Start, tenant: TenantConfig, context: ChannelHandlerContext) {
        guard let sink else { return }
        let engine = self.engine
        let loop = context.eventLoop
        let loopBound = NIOLoopBound((self, context), eventLoop: loop)
        Task {
            var session = await engine.registry.session(forCallSid: start.callSid)
            if session == nil {
                session = try? await engine.startCall(callSid: start.callSid, tenant: tenant, loop: loop)
            }
            guard let session, session.tenantID == tenant.id else {
                loop.execute {
                    let (handler, context) = loopBound.value
                    handler.refuse(context: context, reason: "call \(start.callSid) cannot take a stream")
                }
                return
            }
            await session.attachStream(start, sink: sink)
            loop.execute { loopBound.value.0.attached(session, context: loopBound.value.1) }
        }
    }

    /// The call has the stream: the messages that came meanwhile go first, in order.
    private func attached(_ session: CallSession, context: ChannelHandlerContext) {
        guard case .attaching(let pending) = phase else {
            // The socket closed while the call was looked up.
            Task { await session.end(reason: "media stream closed") }
            return
        }
        guard let loop = session.executor as? any EventLoop else {
            // Every call the engine starts runs on an event loop; anything else is a wiring error.
            refuse(context: context, reason: "call \(session.callSid) has no event loop")
            Task { await session.end(reason: "media stream could not be attached") }
            return
        }
        phase = .live(session, sameLoop: loop === context.eventLoop)
        for message in pending { deliver(message, context: context) }
    }

    /// The tenant of a stream whose `start` proves it comes from our webhook's TwiML.
    private func authorize(_ start: TwilioMessage.Start) -> TenantConfig? {
        if let token = start.customParameters["token"] {
            do {
                let claims = try engine.signer.verify(token, callSid: start.callSid)
                return engine.directory.tenant(id: claims.tenantID)
            } catch {
                logger.warning("stream call token refused", metadata: ["call": .string(start.callSid), "error": "\(error)"])
            }
        }
        if let signature = upgradeSignature, let tenantID = start.customParameters["tenant"],
           let tenant = engine.directory.tenant(id: tenantID),
           let authToken = try? tenant.twilioAuthToken(from: engine.configuration.environment),
           TwilioSignatureValidator(authToken: authToken).isValidWebSocketUpgrade(signature: signature, url: upgradeURL) {
            return tenant
        }
        return nil
    }

    // MARK: Ending

    /// Closes a stream that never became a call.
    private func refuse(context: ChannelHandlerContext, reason: String) {
        phase = .closed
        sink?.close(reason: reason)
    }

    /// Ends the stream on a protocol violation (and the call, if it has one), closing with `code`.
    private func fail(context: ChannelHandlerContext, reason: String, code: UInt16) {
        logger.warning("media stream refused a message", metadata: ["error": .string(reason)])
        finish(reason: "media stream failed: \(reason)")
        sink?.close(reason: reason, code: code)
    }

    /// The socket is done: the call (if any) ends with `reason`.
    private func finish(reason: String) {
        startTimer?.cancel()
        if case .live(let session, let sameLoop) = phase {
            if sameLoop {
                session.assumeIsolated { $0.end(reason: reason) }
            } else {
                Task { await session.end(reason: reason) }
            }
        }
        phase = .closed
    }
}
