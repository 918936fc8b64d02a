import NIOCore
import NIOWebSocket

/// Joins a peer's text frames and their continuation frames into whole messages, bounded (RFC 6455
/// §5.4): the one rule shared by Twilio's media stream (`MediaStreamChannelHandler`), the model socket
/// (`RealtimeSocketHandler`) and the synthetic caller's socket (`CallerSocketHandler`). A single
/// unmasked frame with FIN set (a server's) passes without a copy; a masked one (a client's, Twilio's)
/// is unmasked into a buffer the joiner reuses, so the steady state allocates nothing per message.
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
    /// Where masked payloads are unmasked: reused as long as the message handed out last was let go
    /// (otherwise `clear()` gives it fresh storage, and the message kept stays as it was).
    private var scratch = ByteBuffer()

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
            let payload = unmasked(frame)
            if frame.fin { return .message(payload) }
            guard payload.readableBytes <= maxMessageBytes else { return .tooLarge(bytes: payload.readableBytes) }
            partial = payload
            return .pending
        }
        guard var message = partial else { return .violation("continuation frame without a message") }
        partial = nil  // no copy-on-write while appending
        var payload = unmasked(frame)
        guard message.readableBytes + payload.readableBytes <= maxMessageBytes else {
            return .tooLarge(bytes: message.readableBytes + payload.readableBytes)
        }
        message.writeBuffer(&payload)
        if frame.fin { return .message(message) }
        partial = message
        return .pending
    }

    /// The frame's payload, unmasked.
    private mutating func unmasked(_ frame: WebSocketFrame) -> ByteBuffer {
        guard let key = frame.maskKey else { return frame.data }
        scratch.clear()
        frame.data.withUnsafeReadableBytes { masked in
            _ = scratch.writeWithUnsafeMutableBytes(minimumWritableBytes: masked.count) { out in
                WebSocketMasking.copy(masked, into: out, key: (key[0], key[1], key[2], key[3]))
                return masked.count
            }
        }
        return scratch
    }

    /// Drops a message in progress (the connection is going).
    mutating func reset() {
        partial = nil
    }
}
