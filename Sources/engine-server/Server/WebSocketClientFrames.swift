import NIOCore
import NIOWebSocket
import WebSocketWire

/// Client-to-server WebSocket frames (RFC 6455 §5.2), each written whole into one `ByteBuffer`: header,
/// masking key, and the payload masked while it is copied in, so a message costs one buffer and one
/// pass over its bytes. (NIO's `WebSocketFrameEncoder` would mask a shared buffer in place, which
/// copies it, and write the header as a second buffer.)
struct WebSocketClientFrames {
    /// The largest header: 2 bytes, an 8-byte extended length, a 4-byte masking key.
    static let maxHeaderBytes = 14

    /// Masking keys: RFC 6455 wants them unpredictable to a page script steering a browser (the proxy
    /// cache-poisoning attack). This client runs no foreign code, and its production socket is TLS, so a
    /// fast generator seeded per connection from the system's entropy serves; drawing each key from the
    /// system generator would cost a syscall per message.
    private var generator: SplitMix64

    init(seed: UInt64 = UInt64.random(in: .min ... .max)) {
        generator = SplitMix64(seed: seed)  // the load generator's (Loadgen/LoadGenerator.swift)
    }

    /// A new buffer holding one masked frame with `payload` (FIN set: a whole message).
    mutating func frame(_ opcode: WebSocketOpcode, payload: UnsafeRawBufferPointer, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: Self.maxHeaderBytes + payload.count)
        write(opcode, payload: payload, into: &buffer)
        return buffer
    }

    /// Appends one masked frame with `payload` (FIN set) to `buffer`.
    mutating func write(_ opcode: WebSocketOpcode, payload: UnsafeRawBufferPointer, into buffer: inout ByteBuffer) {
        let random = generator.next()
        let mask = UInt32(truncatingIfNeeded: random)
        let length = payload.count
        WebSocketServerFrames.writeHeader(UInt8(webSocketOpcode: opcode), length: length, masked: true, into: &buffer)
        buffer.writeInteger(mask)  // big-endian: key byte i is `mask >> (24 - 8 i)`
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { out in
            WebSocketMasking.copy(payload, into: out, key: (UInt8(truncatingIfNeeded: mask >> 24), UInt8(truncatingIfNeeded: mask >> 16),
                                                            UInt8(truncatingIfNeeded: mask >> 8), UInt8(truncatingIfNeeded: mask)))
            return length
        }
    }
}
