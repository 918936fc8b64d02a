import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import MediaEngine
import NIOCore
import NIOWebSocket

/// `GET /twilio/media`: one Twilio Media Stream (bidirectional) per WebSocket.
///
/// The stream is accepted only if its `start` carries a valid call token from the webhook (or the
/// upgrade request had a valid `X-Twilio-Signature` for the tenant it names). Then every text message
/// goes to the call's session, in order; the session's answers go out through a `WebSocketTwilioSink`.
/// Whatever a stream sends, only its own call is affected.
enum MediaStreamHandler {
    /// Largest message accepted from Twilio (a media message is about 300 bytes).
    static let maxMessageBytes = 64 * 1024
    /// Time allowed between the upgrade and `start`.
    static let startTimeout: Duration = .seconds(10)

    static func add(to router: Router<BasicWebSocketRequestContext>, engine: Engine) {
        router.ws("/twilio/media") { _, _ in
            .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let signature = context.request.headers[.twilioSignature]
            let url = engine.configuration.mediaStreamURL
            try await run(inbound: inbound, outbound: outbound, upgradeSignature: signature, upgradeURL: url, engine: engine)
        }
    }

    static func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, upgradeSignature: String?,
                    upgradeURL: String, engine: Engine) async throws {
        let (queue, continuation) = AsyncStream<SinkCommand>.makeStream()
        let sink = WebSocketTwilioSink(continuation: continuation)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await writeLoop(queue, outbound: outbound) }
            var frames = inbound.makeAsyncIterator()
            var session: CallSession?
            do {
                session = try await accept(&frames, sink: sink, upgradeSignature: upgradeSignature, upgradeURL: upgradeURL, engine: engine)
                if let session {
                    let probed = session.probe != nil
                    while let message = try await nextMessage(&frames) {
                        await session.handleTwilio(message, receivedNs: probed ? MonotonicClock.nowNs() : 0)
                        if await session.state == .ended { break }
                    }
                    await session.end(reason: "media stream closed")
                }
            } catch {
                engine.logger.warning("media stream failed", metadata: ["error": "\(error)"])
                await session?.end(reason: "media stream failed: \(error)")
            }
            sink.close(reason: "stream over")
            try await group.waitForAll()
        }
    }

    /// Reads `connected` and `start`, checks the call token, and attaches the stream to its call
    /// (the one the webhook warmed up, or a new one). Returns nil (after closing) when refused.
    private static func accept(_ frames: inout WebSocketInboundStream.AsyncIterator, sink: WebSocketTwilioSink,
                               upgradeSignature: String?, upgradeURL: String, engine: Engine) async throws -> CallSession? {
        let decoder = TwilioMessageDecoder(maxMessageBytes: maxMessageBytes)
        while let bytes = try await nextMessage(&frames) {
            let message: TwilioMessage
            do { message = try decoder.decode(bytes) } catch {
                engine.logger.warning("bad message before start", metadata: ["error": "\(error)"])
                continue
            }
            switch message {
            case .connected: continue
            case .start(let start):
                guard start.mediaFormat == .muLaw8kMono else {
                    sink.close(reason: "unsupported media format \(start.mediaFormat.encoding)/\(start.mediaFormat.sampleRate)")
                    return nil
                }
                guard let tenant = authorize(start, upgradeSignature: upgradeSignature, upgradeURL: upgradeURL, engine: engine) else {
                    sink.close(reason: "stream not authorized")
                    return nil
                }
                var session = await engine.registry.session(forCallSid: start.callSid)
                if session == nil {
                    session = try? await engine.startCall(callSid: start.callSid, tenant: tenant)
                }
                guard let session, session.tenantID == tenant.id else {
                    sink.close(reason: "call \(start.callSid) cannot take a stream")
                    return nil
                }
                await session.attachStream(start, sink: sink)
                return session
            default:
                engine.logger.warning("message before start ignored")
            }
        }
        return nil
    }

    /// The tenant of a stream whose `start` proves it comes from our webhook's TwiML.
    private static func authorize(_ start: TwilioMessage.Start, upgradeSignature: String?, upgradeURL: String,
                                  engine: Engine) -> TenantConfig? {
        if let token = start.customParameters["token"] {
            do {
                let claims = try engine.signer.verify(token, callSid: start.callSid)
                return engine.directory.tenant(id: claims.tenantID)
            } catch {
                engine.logger.warning("stream call token refused", metadata: ["call": .string(start.callSid), "error": "\(error)"])
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

    /// The next complete text message (continuation frames joined), nil when the socket closed.
    private static func nextMessage(_ frames: inout WebSocketInboundStream.AsyncIterator) async throws -> [UInt8]? {
        try await WebSocketTextMessages.next(&frames, maxBytes: maxMessageBytes)
    }

    enum SinkCommand: Sendable {
        case text([UInt8])
        case close(String)
    }

    /// Writes the call's messages in order; a close command ends the stream (which, with nothing after
    /// `</Connect>` in the TwiML, hangs the call up).
    private static func writeLoop(_ queue: AsyncStream<SinkCommand>, outbound: WebSocketOutboundWriter) async throws {
        for await command in queue {
            switch command {
            case .text(let bytes):
                try await outbound.write(.custom(.init(fin: true, opcode: .text, data: ByteBuffer(bytes: bytes))))
            case .close(let reason):
                try? await outbound.close(.normalClosure, reason: String(reason.prefix(120)))
                return
            }
        }
    }
}

/// The call's view of its Twilio socket: `send` enqueues for the writer task, never blocking the call.
struct WebSocketTwilioSink: TwilioSink {
    let continuation: AsyncStream<MediaStreamHandler.SinkCommand>.Continuation

    func send(_ message: [UInt8]) { continuation.yield(.text(message)) }

    func close(reason: String) {
        continuation.yield(.close(reason))
        continuation.finish()
    }
}
