import HTTPTypes
import HummingbirdWSClient
import Logging
import MediaEngine
import NIOCore
import NIOSSL
import NIOWebSocket

/// Reaches a Realtime model over WebSocket (`wss://` with TLS for the OpenAI API, `ws://` for the local
/// simulator): `Authorization: Bearer`, text frames only, GA interface (no `OpenAI-Beta` header).
struct WebSocketRealtimeDialer: RealtimeDialer {
    let logger: Logger
    /// Largest inbound message accepted (a `session.updated` with long instructions, a big delta).
    static let maxMessageBytes = 4 << 20

    func dial(
        _ endpoint: RealtimeEndpoint, model: String,
        onOpen: @escaping @Sendable (any RealtimeLink) async -> Void,
        onMessage: @escaping @Sendable ([UInt8]) async -> Void
    ) async throws {
        var headers = HTTPFields()
        if let key = endpoint.apiKey { headers[.authorization] = "Bearer \(key)" }
        let configuration = WebSocketClientConfiguration(maxFrameSize: Self.maxMessageBytes, additionalHeaders: headers)
        let url = endpoint.url(model: model)
        let tls: TLSConfiguration? = url.hasPrefix("wss://") ? .makeClientConfiguration() : nil
        try await WebSocketClient.connect(url: url, configuration: configuration, tlsConfiguration: tls, logger: logger) {
            inbound, outbound, _ in
            let (outgoing, continuation) = AsyncStream<[UInt8]>.makeStream()
            await onOpen(QueuedLink(continuation: continuation))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await text in outgoing {
                        try await outbound.write(.custom(.init(fin: true, opcode: .text, data: ByteBuffer(bytes: text))))
                    }
                    try await outbound.close(.normalClosure, reason: nil)
                }
                var frames = inbound.makeAsyncIterator()
                while let message = try await WebSocketTextMessages.next(&frames, maxBytes: Self.maxMessageBytes) {
                    await onMessage(message)
                }
                continuation.finish()
                group.cancelAll()
            }
        }
    }
}

/// A link whose `send` enqueues; the connection's writer task sends in order. `close` ends the queue,
/// which closes the socket once what was queued is written.
struct QueuedLink: RealtimeLink {
    let continuation: AsyncStream<[UInt8]>.Continuation

    func send(_ text: [UInt8]) { continuation.yield(text) }
    func close() async { continuation.finish() }
}
