import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing
@testable import engine_server
import WebSocketWire

/// The reader takes the socket's bytes as they come: frames whole, split anywhere, or several to a read;
/// masked (a client's) or not (a server's); and refuses what RFC 6455 forbids.
@Suite struct WebSocketFrameReaderTests {
    static func masked(_ text: String, key: WebSocketMaskingKey, opcode: WebSocketOpcode = .text, fin: Bool = true) -> ByteBuffer {
        var data = ByteBuffer(string: text)
        data.webSocketMask(key)  // NIO's own masking, the reference
        return WebSocketFrame(fin: fin, opcode: opcode, maskKey: key, data: data).wire
    }

    static func plain(_ text: String, opcode: WebSocketOpcode = .text, fin: Bool = true) -> ByteBuffer {
        WebSocketFrame(fin: fin, opcode: opcode, data: ByteBuffer(string: text)).wire
    }

    /// What the reader made of `reads`, as words: "text:…", "ping:…", "pong", "close:code", "binary",
    /// and "failed:…" for a failure.
    static func events(_ reads: [ByteBuffer], maxMessageBytes: Int = 1 << 16) -> [String] {
        var reader = WebSocketFrameReader(maxMessageBytes: maxMessageBytes)
        var seen: [String] = []
        for bytes in reads {
            let failure = reader.read(bytes) { event in
                switch event {
                case .text(let message): seen.append("text:" + String(buffer: message))
                case .ping(let payload): seen.append("ping:" + String(buffer: payload))
                case .pong: seen.append("pong")
                case .close(let code): seen.append("close:\(code.map(String.init) ?? "none")")
                case .binary: seen.append("binary")
                }
            }
            if let failure { seen.append("failed:\(failure.closeCode):\(failure)") }
        }
        return seen
    }

    /// `bytes` cut into reads at `cuts` (offsets).
    static func split(_ bytes: ByteBuffer, at cuts: [Int]) -> [ByteBuffer] {
        var reads: [ByteBuffer] = []
        var start = 0
        for cut in cuts + [bytes.readableBytes] where cut > start {
            reads.append(bytes.getSlice(at: bytes.readerIndex + start, length: cut - start)!)
            start = cut
        }
        return reads
    }

    @Test func unmasksEveryLengthLikeNIO() {
        let key: WebSocketMaskingKey = [0x12, 0xA4, 0x7F, 0x03]
        for length in [0, 1, 3, 7, 8, 9, 15, 16, 17, 39, 125, 126, 127, 300, 65_535, 65_536, 70_000] {
            let text = String((0..<length).map { Character(UnicodeScalar(UInt8(33 + ($0 * 7) % 90))) })
            #expect(Self.events([Self.masked(text, key: key)], maxMessageBytes: 1 << 17) == ["text:" + text], "length \(length)")
        }
        let twilio = #"{"event":"media","sequenceNumber":"3","media":{"payload":"//////8="}}"#
        #expect(Self.events([Self.masked(twilio, key: [9, 8, 7, 6])]) == ["text:" + twilio])
        #expect(Self.events([Self.plain("plain")]) == ["text:plain"], "an unmasked frame (a server's) passes as it is")
    }

    @Test func framesSplitAtEveryByteOrSeveralToAReadComeOutTheSame() {
        var stream = ByteBuffer()
        stream.writeImmutableBuffer(Self.masked(#"{"event":"connected"}"#, key: [1, 2, 3, 4]))
        stream.writeImmutableBuffer(Self.masked(String(repeating: "m", count: 200), key: [5, 6, 7, 8]))  // 16-bit length
        stream.writeImmutableBuffer(Self.masked("ping?", key: [9, 9, 9, 9], opcode: .ping))
        stream.writeImmutableBuffer(Self.masked("{\"a\":", key: [1, 1, 1, 1], fin: false))
        stream.writeImmutableBuffer(Self.masked("1}", key: [2, 2, 2, 2], opcode: .continuation))
        let expected = [#"text:{"event":"connected"}"#, "text:" + String(repeating: "m", count: 200), "ping:ping?", #"text:{"a":1}"#]
        #expect(Self.events([stream]) == expected, "all in one read")
        for cut in 1..<stream.readableBytes {
            #expect(Self.events(Self.split(stream, at: [cut])) == expected, "cut at \(cut)")
        }
        #expect(Self.events(Self.split(stream, at: Array(1..<stream.readableBytes))) == expected, "a byte per read")
    }

    @Test func aMessageKeptByTheCallerIsNotOverwrittenByTheNext() {
        var reader = WebSocketFrameReader(maxMessageBytes: 4096)
        var kept: [ByteBuffer] = []
        var both = Self.masked("first message", key: [1, 2, 3, 4])
        both.writeImmutableBuffer(Self.masked("second, longer message", key: [5, 6, 7, 8]))
        _ = reader.read(both) { if case .text(let message) = $0 { kept.append(message) } }
        _ = reader.read(Self.masked("third", key: [1, 1, 1, 1])) { if case .text(let message) = $0 { kept.append(message) } }
        #expect(kept.map { String(buffer: $0) } == ["first message", "second, longer message", "third"])
    }

    @Test func controlFramesBetweenFragmentsAndClosesWithAndWithoutACode() {
        let reads = [Self.masked("{\"event\":", key: [1, 2, 3, 4], fin: false),
                     Self.masked("hi", key: [3, 3, 3, 3], opcode: .ping),
                     Self.masked("", key: [3, 3, 3, 3], opcode: .pong),
                     Self.masked("\"mark\"}", key: [4, 3, 2, 1], opcode: .continuation),
                     WebSocketFrame(fin: true, opcode: .connectionClose, data: ByteBuffer(bytes: [0x03, 0xE8, 0x62, 0x79, 0x65])).wire,
                     Self.plain("", opcode: .connectionClose),
                     Self.plain("\u{1}", opcode: .binary)]
        #expect(Self.events(Array(reads[..<5])) == ["ping:hi", "pong", #"text:{"event":"mark"}"#, "close:1000"])
        #expect(Self.events(Array(reads[5...])) == ["close:none"], "the close is the last thing read")
        #expect(Self.events([Self.plain("\u{1}", opcode: .binary)]) == ["binary"])
        let fragmentedBinary = [Self.plain("\u{1}", opcode: .binary, fin: false), Self.plain("pi", opcode: .ping),
                                Self.plain("\u{2}", opcode: .continuation, fin: false), Self.plain("\u{3}", opcode: .continuation),
                                Self.plain("after")]
        #expect(Self.events(fragmentedBinary) == ["ping:pi", "binary", "text:after"], "one binary message, reported once whole")
        #expect(Self.events([Self.plain("\u{1}", opcode: .binary, fin: false), Self.plain("x")])
                == ["failed:1002:text frame inside a fragmented message"])
        #expect(Self.events([Self.plain("\u{1}\u{1}", opcode: .binary, fin: false), Self.plain("123", opcode: .continuation)], maxMessageBytes: 4)
                == ["failed:1009:message of 5+ bytes"], "the joined binary message is bounded too")
    }

    @Test func afterThePeersCloseNothingIsRead() {
        var closeThenText = WebSocketFrame(fin: true, opcode: .connectionClose, data: ByteBuffer(bytes: [0x0F, 0xA0])).wire  // 4000
        closeThenText.writeImmutableBuffer(Self.plain("in the same read"))
        #expect(Self.events([closeThenText, Self.plain("in the next")]) == ["close:4000"])
    }

    @Test func aCloseCodeNoEndpointMaySendIsAProtocolError() {
        for code: UInt16 in [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000] {
            let frame = WebSocketFrame(fin: true, opcode: .connectionClose, data: ByteBuffer(bytes: [UInt8(code >> 8), UInt8(code & 0xFF)])).wire
            #expect(Self.events([frame]) == ["failed:1002:close code \(code), which may not be sent"], "code \(code)")
        }
        for code: UInt16 in [1000, 1001, 1002, 1003, 1007, 1011, 1014, 3000, 4999] {
            let frame = WebSocketFrame(fin: true, opcode: .connectionClose, data: ByteBuffer(bytes: [UInt8(code >> 8), UInt8(code & 0xFF)])).wire
            #expect(Self.events([frame]) == ["close:\(code)"], "code \(code)")
        }
    }

    @Test func aLargeFrameTricklingInAByteAtATimeIsReadWhole() {
        let text = String((0..<65_000).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })
        let frame = Self.masked(text, key: [0xDE, 0xAD, 0xBE, 0xEF])
        var reader = WebSocketFrameReader(maxMessageBytes: 1 << 16)
        var messages: [String] = []
        for offset in 0..<frame.readableBytes {
            let failure = reader.read(frame.getSlice(at: frame.readerIndex + offset, length: 1)!) { event in
                if case .text(let message) = event { messages.append(String(buffer: message)) }
            }
            #expect(failure == nil)
        }
        #expect(messages == [text])
    }

    @Test func framesWrittenByNIOsEncoderReadTheSame() throws {
        let channel = EmbeddedChannel(handler: WebSocketFrameEncoder())
        let key: WebSocketMaskingKey = [7, 1, 7, 1]
        let text = ByteBuffer(string: String(repeating: "é", count: 100))  // 200 bytes: a 16-bit length
        try channel.writeOutbound(WebSocketFrame(fin: true, opcode: .text, maskKey: key, data: text))  // masked by the encoder
        try channel.writeOutbound(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer(string: "p")))
        var wire = ByteBuffer()
        while var part = try channel.readOutbound(as: ByteBuffer.self) { wire.writeBuffer(&part) }
        #expect(Self.events([wire]) == ["text:" + String(repeating: "é", count: 100), "ping:p"])
        _ = try channel.finish()
    }

    @Test func whatTheProtocolForbidsFailsTheReadingAndNothingAfterIsRead() {
        let after = Self.plain("after")
        func failed(_ first: ByteBuffer, maxMessageBytes: Int = 1 << 16) -> [String] {
            var read = first
            read.writeImmutableBuffer(after)
            return Self.events([read, after], maxMessageBytes: maxMessageBytes)
        }
        var reserved = Self.plain("x")
        reserved.setInteger(UInt8(0x81 | 0x40), at: reserved.readerIndex)  // RSV1 without an extension
        #expect(failed(reserved) == ["failed:1002:reserved bits set (no extension was agreed)"])
        var unknown = Self.plain("x")
        unknown.setInteger(UInt8(0x83), at: unknown.readerIndex)
        #expect(failed(unknown) == ["failed:1002:unknown opcode 3"])
        #expect(failed(Self.plain("x", opcode: .ping, fin: false)) == ["failed:1002:fragmented control frame"])
        #expect(failed(Self.plain(String(repeating: "p", count: 126), opcode: .ping)) == ["failed:1002:control frame of 126 bytes (at most 125)"])
        #expect(failed(Self.plain("x", opcode: .connectionClose)) == ["failed:1002:close frame with a one-byte status"])
        #expect(failed(Self.plain("\"x\"}", opcode: .continuation)) == ["failed:1002:continuation frame without a message"])
        var interleaved = Self.plain("{", fin: false)
        interleaved.writeImmutableBuffer(Self.plain("{}"))
        #expect(failed(interleaved) == ["failed:1002:text frame inside a fragmented message"])
    }

    @Test func aFrameOrMessageOverTheLimitFailsBeforeItsPayloadIsKept() {
        // The header alone says the frame is too large: nothing waits for its payload.
        let header = Self.split(Self.plain(String(repeating: "x", count: 100)), at: [2])[0]
        #expect(Self.events([header], maxMessageBytes: 64) == ["failed:1009:message of 100+ bytes"])
        let fragments = [Self.masked("12345", key: [1, 1, 1, 1], fin: false), Self.masked("67890", key: [2, 2, 2, 2], opcode: .continuation)]
        #expect(Self.events(fragments, maxMessageBytes: 8) == ["failed:1009:message of 10+ bytes"])
        var huge = ByteBuffer(bytes: [0x81, 127])
        huge.writeInteger(UInt64.max)
        #expect(Self.events([huge]) == ["failed:1002:frame length over 2^63"])
        var large = ByteBuffer(bytes: [0x81, 127])
        large.writeInteger(UInt64(1) << 62)
        #expect(Self.events([large]) == ["failed:1009:message of \(1 << 62)+ bytes"])
    }

    @Test func serverFramesAreWholeAndUnmasked() throws {
        for length in [0, 125, 126, 65_535, 65_536] {
            let payload = [UInt8](repeating: 0x61, count: length)
            let buffer = payload.withUnsafeBytes { WebSocketServerFrames.frame(WebSocketServerFrames.text, payload: $0, allocator: ByteBufferAllocator()) }
            let frame = try WireFrame(buffer)
            #expect(frame.fin && frame.opcode == 0x1 && !frame.masked && frame.payload == payload, "length \(length)")
            #expect(Self.events([buffer], maxMessageBytes: 1 << 17) == ["text:" + String(repeating: "a", count: length)])
        }
    }
}
