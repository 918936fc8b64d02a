import HummingbirdWebSocket

/// Reads whole text messages off a WebSocket as bytes, for both of a call's sockets (Twilio's media
/// stream and the model's Realtime connection).
///
/// Both carry JSON that the engine scans as bytes, so a message is never made into a `String` (which
/// would validate and copy it once more): continuation frames are joined into one array, bounded by
/// `maxBytes`, and a binary frame is refused.
enum WebSocketTextMessages {
    enum ReadError: Error, CustomStringConvertible {
        case messageTooLarge(bytes: Int, limit: Int)
        case binaryFrame

        var description: String {
            switch self {
            case .messageTooLarge(let n, let limit): return "message of \(n)+ bytes exceeds \(limit)"
            case .binaryFrame: return "binary frame (this socket carries JSON text only)"
            }
        }
    }

    /// The next complete text message, nil when the socket closed.
    static func next(_ frames: inout WebSocketInboundStream.AsyncIterator, maxBytes: Int) async throws -> [UInt8]? {
        var message: [UInt8] = []
        while let frame = try await frames.next() {
            switch frame.opcode {
            case .text, .continuation:
                if message.isEmpty && frame.fin { return Array(frame.data.readableBytesView) }  // the usual case: one copy
                message.append(contentsOf: frame.data.readableBytesView)
                guard message.count <= maxBytes else { throw ReadError.messageTooLarge(bytes: message.count, limit: maxBytes) }
                if frame.fin { return message }
            case .binary:
                throw ReadError.binaryFrame
            }
        }
        return nil
    }
}
