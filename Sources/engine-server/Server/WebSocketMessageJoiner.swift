import NIOCore
import NIOWebSocket

/// Joins a peer's text frames and their continuation frames into whole messages, bounded (RFC 6455
/// §5.4): the one rule shared by Twilio's media stream (`MediaStreamChannelHandler`), the model socket
/// (`RealtimeSocketHandler`) and the synthetic caller's socket (`CallerSocketHandler`). A single frame with FIN set, the usual case, passes without a copy.
struct WebSocketMessageJoiner {
    /// What a frame made of the message in progress.
    enum Outcome {
        /// A whole message.
        case message(ByteBuffer)
        /// A fragment kept; more are to come.
        case pending
        /// The message reached `bytes`, over the limit (close 1009); the fragments are dropped.
        case tooLarge(bytes: Int)
        /// Frames out of order (close 1002), said in words; the fragments are dropped.
        case violation(String)
    }

    /// The largest message accepted.
    let maxMessageBytes: Int
    /// A text message arriving in continuation frames.
    private var partial: ByteBuffer?

    init(maxMessageBytes: Int) {
        self.maxMessageBytes = maxMessageBytes
    }

    /// Takes a `.text` or `.continuation` frame.
    mutating func add(_ frame: WebSocketFrame) -> Outcome {
        if frame.opcode != .continuation {
            guard partial == nil else {
                partial = nil
                return .violation("text frame inside a fragmented message")
            }
            let payload = frame.unmaskedData
            if frame.fin { return .message(payload) }
            guard payload.readableBytes <= maxMessageBytes else { return .tooLarge(bytes: payload.readableBytes) }
            partial = payload
            return .pending
        }
        guard var message = partial else { return .violation("continuation frame without a message") }
        partial = nil  // no copy-on-write while appending
        var payload = frame.unmaskedData
        guard message.readableBytes + payload.readableBytes <= maxMessageBytes else {
            return .tooLarge(bytes: message.readableBytes + payload.readableBytes)
        }
        message.writeBuffer(&payload)
        if frame.fin { return .message(message) }
        partial = message
        return .pending
    }

    /// Drops a message in progress (the connection is going).
    mutating func reset() {
        partial = nil
    }
}
