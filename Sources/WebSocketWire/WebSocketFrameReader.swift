package import NIOCore

/// Reads a peer's WebSocket frames straight from the socket's bytes (RFC 6455 §5.2) and joins text
/// messages sent in continuation frames (§5.4), bounded: the one reader of the media stream
/// (`MediaStreamChannelHandler`), the model socket (`RealtimeSocketHandler`), the synthetic caller's
/// socket (`CallerSocketHandler`) and the simulator's (`RealtimeWebSocketHandler`), each of which takes
/// the socket's `ByteBuffer`s itself.
///
/// Why not NIO's `WebSocketFrameDecoder`: behind a `ByteToMessageHandler` it costs a cumulation buffer,
/// a frame struct and a pipeline hop per frame, and unmasks a byte at a time on a copy. A media stream
/// is 50 small frames a second; those were about a tenth of the engine's CPU per call (issue 5's
/// profile). Here a whole frame in the read buffer is handed on without a copy when unmasked (a
/// server's), or unmasked eight bytes at a time into a buffer the reader reuses (a client's, Twilio's);
/// only the bytes of a frame split across reads are kept.
///
/// Frames are accepted masked or not, from either side, as NIO's decoder does. What it refuses
/// (`Failure`): a frame or message over `maxMessageBytes` (close 1009), reserved bits or opcodes, a
/// fragmented or oversized control frame, continuation frames out of order, a close code no endpoint
/// may send (close 1002). After the peer's close nothing more is read.
package struct WebSocketFrameReader {
    /// What a frame (or the last of a message's frames) was.
    package enum Event {
        /// A whole text message, unmasked: a slice of the bytes read, or the reader's own buffer (a
        /// message kept past the next `read` costs the reader a fresh one, as `ByteBuffer` copies on write).
        case text(ByteBuffer)
        /// A whole binary message, at its last frame (its payload is not kept: every socket here carries
        /// JSON text only, so the handlers refuse it).
        case binary
        /// A ping with its (unmasked) payload, to be echoed in a pong.
        case ping(ByteBuffer)
        case pong
        /// The peer's close, with its status code if it gave one (one an endpoint may send); the last event.
        case close(code: UInt16?)
    }

    package enum Failure: Error, Equatable, CustomStringConvertible {
        /// A frame or joined message reached `bytes`, over the limit.
        case tooLarge(bytes: Int)
        /// The frames broke the protocol, said in words.
        case violation(String)

        package var description: String {
            switch self {
            case .tooLarge(let bytes): return "message of \(bytes)+ bytes"
            case .violation(let what): return what
            }
        }

        /// The close code (RFC 6455 §7.4.1).
        package var closeCode: UInt16 {
            switch self {
            case .tooLarge: return 1009
            case .violation: return 1002
            }
        }
    }

    /// The largest frame, and the largest message, accepted.
    package let maxMessageBytes: Int
    /// The start of a frame that did not arrive whole in the last read.
    private var kept: ByteBuffer?
    /// A text message arriving in continuation frames.
    private var partial: ByteBuffer?
    /// The bytes so far of a binary message arriving in continuation frames (not kept).
    private var partialBinaryBytes: Int?
    /// Where masked payloads are unmasked: reused as long as the payload handed out last was let go
    /// (otherwise `clear()` gives it fresh storage, and the payload kept stays as it was).
    private var scratch = ByteBuffer()
    /// A failure or the peer's close ends the reading: later bytes are ignored.
    private var ended = false

    package init(maxMessageBytes: Int) {
        self.maxMessageBytes = maxMessageBytes
    }

    /// Reads every whole frame in `bytes` (after what was kept from the last read), handing each event
    /// to `body` in order, and keeps the start of a frame not yet whole. Returns the failure that ended
    /// the reading, if any: the frames after it are not read (the connection is to be closed).
    package mutating func read(_ bytes: ByteBuffer, _ body: (Event) -> Void) -> Failure? {
        guard !ended else { return nil }
        var buffer: ByteBuffer
        let ownBuffer = kept != nil
        if var start = kept {
            kept = nil  // unique again: the bytes are appended in place, amortized
            start.writeImmutableBuffer(bytes)
            buffer = start
        } else {
            buffer = bytes
        }
        while true {
            let header: Header
            switch Header.parse(buffer) {
            case .incomplete:
                keep(buffer, ownBuffer: ownBuffer)
                return nil
            case .header(let parsed):
                header = parsed
            case .failure(let failure):
                return fail(failure)
            }
            if let failure = check(header) { return fail(failure) }
            guard buffer.readableBytes >= header.bytes + header.length else {
                keep(buffer, ownBuffer: ownBuffer)  // the payload is to come (at most the limit)
                return nil
            }
            let payload = unmasked(buffer, header: header)
            buffer.moveReaderIndex(forwardBy: header.bytes + header.length)
            if let failure = handle(header, payload: payload, body) { return fail(failure) }
            if ended { return nil }  // the peer's close: nothing after it is read
        }
    }

    /// Keeps the start of a frame for the next read: copied out of the socket's buffer the first time
    /// (a small copy, rarely), then grown in place, so a frame trickling in costs linear time.
    private mutating func keep(_ buffer: ByteBuffer, ownBuffer: Bool) {
        guard buffer.readableBytes > 0 else { return }
        guard ownBuffer else {
            kept = ByteBuffer(bytes: buffer.readableBytesView)
            return
        }
        var own = buffer
        if own.readerIndex >= 4_096 { own.discardReadBytes() }
        kept = own
    }

    private mutating func fail(_ failure: Failure) -> Failure {
        end()
        return failure
    }

    /// Nothing more is read: what was kept of frames and messages is dropped.
    private mutating func end() {
        ended = true
        kept = nil
        partial = nil
        partialBinaryBytes = nil
    }

    /// The limits a frame's header must keep.
    private func check(_ header: Header) -> Failure? {
        guard header.reservedBits == 0 else { return .violation("reserved bits set (no extension was agreed)") }
        guard header.length <= maxMessageBytes else { return .tooLarge(bytes: header.length) }
        switch header.opcode {
        case 0x0, 0x1, 0x2:
            return nil
        case 0x8, 0x9, 0xA:
            guard header.fin else { return .violation("fragmented control frame") }
            guard header.length <= 125 else { return .violation("control frame of \(header.length) bytes (at most 125)") }
            return nil
        default:
            return .violation("unknown opcode \(header.opcode)")
        }
    }

    private mutating func handle(_ header: Header, payload: ByteBuffer, _ body: (Event) -> Void) -> Failure? {
        switch header.opcode {
        case 0x1:
            guard partial == nil, partialBinaryBytes == nil else { return .violation("text frame inside a fragmented message") }
            if header.fin {
                body(.text(payload))
            } else {
                partial = payload
            }
        case 0x0:
            if let sofar = partialBinaryBytes {
                guard sofar + header.length <= maxMessageBytes else { return .tooLarge(bytes: sofar + header.length) }
                partialBinaryBytes = header.fin ? nil : sofar + header.length
                if header.fin { body(.binary) }
                return nil
            }
            guard var message = partial else { return .violation("continuation frame without a message") }
            partial = nil  // no copy-on-write while appending
            guard message.readableBytes + payload.readableBytes <= maxMessageBytes else {
                return .tooLarge(bytes: message.readableBytes + payload.readableBytes)
            }
            message.writeImmutableBuffer(payload)
            if header.fin {
                body(.text(message))
            } else {
                partial = message
            }
        case 0x2:
            guard partial == nil, partialBinaryBytes == nil else { return .violation("binary frame inside a fragmented message") }
            if header.fin { body(.binary) } else { partialBinaryBytes = header.length }
        case 0x8:
            guard payload.readableBytes != 1 else { return .violation("close frame with a one-byte status") }
            let code = payload.getInteger(at: payload.readerIndex, as: UInt16.self)
            if let code, !Self.maySend(closeCode: code) { return .violation("close code \(code), which may not be sent") }
            end()
            body(.close(code: code))
        case 0x9:
            body(.ping(payload))
        default:
            body(.pong)
        }
        return nil
    }

    /// A close code an endpoint may put in a close frame (RFC 6455 §7.4): not 1004-1006 or 1015, nor
    /// the unassigned ranges.
    package static func maySend(closeCode code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1014, 3000...4999: return true
        default: return false
        }
    }

    /// The frame's payload, unmasked: a slice of `buffer` when it came unmasked, else `scratch`.
    private mutating func unmasked(_ buffer: ByteBuffer, header: Header) -> ByteBuffer {
        let start = buffer.readerIndex + header.bytes
        guard let key = header.maskKey else { return buffer.getSlice(at: start, length: header.length)! }
        // `clear()` on storage still shared (a message kept by a handler) allocates anew at the old
        // capacity: after a large message, start small again rather than pin its size.
        if scratch.capacity > max(4_096, 2 * header.length) { scratch = ByteBuffer() } else { scratch.clear() }
        buffer.withUnsafeReadableBytes { bytes in
            let masked = UnsafeRawBufferPointer(rebasing: bytes[header.bytes..<header.bytes + header.length])
            _ = scratch.writeWithUnsafeMutableBytes(minimumWritableBytes: masked.count) { out in
                WebSocketMasking.copy(masked, into: out, key: key)
                return masked.count
            }
        }
        return scratch
    }

    /// A frame's header (§5.2).
    struct Header {
        var fin: Bool
        var reservedBits: UInt8
        var opcode: UInt8
        var maskKey: (UInt8, UInt8, UInt8, UInt8)?
        /// The payload's length.
        var length: Int
        /// The header's own length (2 to 14 bytes).
        var bytes: Int

        enum Parse {
            case header(Header)
            /// Not all of the header has arrived.
            case incomplete
            case failure(Failure)
        }

        static func parse(_ buffer: ByteBuffer) -> Parse {
            buffer.withUnsafeReadableBytes { bytes -> Parse in
                guard bytes.count >= 2 else { return .incomplete }
                let first = bytes[0], second = bytes[1]
                var length = Int(second & 0x7F)
                var offset = 2
                if length == 126 {
                    guard bytes.count >= 4 else { return .incomplete }
                    length = Int(bytes[2]) << 8 | Int(bytes[3])
                    offset = 4
                } else if length == 127 {
                    guard bytes.count >= 10 else { return .incomplete }
                    var wide: UInt64 = 0
                    for i in 2..<10 { wide = wide << 8 | UInt64(bytes[i]) }
                    guard wide <= UInt64(Int.max) else { return .failure(.violation("frame length over 2^63")) }
                    length = Int(wide)
                    offset = 10
                }
                var key: (UInt8, UInt8, UInt8, UInt8)?
                if second & 0x80 != 0 {
                    guard bytes.count >= offset + 4 else { return .incomplete }
                    key = (bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3])
                    offset += 4
                }
                return .header(Header(fin: first & 0x80 != 0, reservedBits: first & 0x70, opcode: first & 0x0F,
                                      maskKey: key, length: length, bytes: offset))
            }
        }
    }
}

/// Server-to-client WebSocket frames (RFC 6455 §5.2): unmasked, FIN set, header and payload in one
/// buffer, so a message is one buffer and one write (NIO's encoder writes the header as a second one).
package enum WebSocketServerFrames {
    /// A new buffer holding one frame with `payload`.
    package static func frame(_ opcode: UInt8, payload: UnsafeRawBufferPointer, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 10 + payload.count)
        writeHeader(opcode, length: payload.count, masked: false, into: &buffer)
        buffer.writeBytes(payload)
        return buffer
    }

    /// A close frame: `code` (none: an empty payload) and as much of `reason` as fits in whole UTF-8
    /// characters (a control frame carries at most 125 bytes).
    package static func close(code: UInt16?, reason: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        var payload: [UInt8] = []
        if let code {
            payload = [UInt8(code >> 8), UInt8(code & 0xFF)]
            for scalar in reason.unicodeScalars {
                let utf8 = String(scalar).utf8
                guard payload.count + utf8.count <= 125 else { break }
                payload.append(contentsOf: utf8)
            }
        }
        return payload.withUnsafeBytes { frame(Self.close, payload: $0, allocator: allocator) }
    }

    /// A frame's first bytes (FIN set): the opcode, the mask bit and the payload's length in 7, 16 or 64
    /// bits. A masked frame's key follows (`WebSocketClientFrames` writes it).
    package static func writeHeader(_ opcode: UInt8, length: Int, masked: Bool, into buffer: inout ByteBuffer) {
        let mask: UInt8 = masked ? 0x80 : 0
        buffer.writeInteger(0x80 | opcode)
        switch length {
        case 0...125:
            buffer.writeInteger(mask | UInt8(length))
        case 126...0xFFFF:
            buffer.writeInteger(mask | 126)
            buffer.writeInteger(UInt16(length))
        default:
            buffer.writeInteger(mask | 127)
            buffer.writeInteger(UInt64(length))
        }
    }

    package static let text: UInt8 = 0x1
    package static let close: UInt8 = 0x8
    package static let pong: UInt8 = 0xA
}
