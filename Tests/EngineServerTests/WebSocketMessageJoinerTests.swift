import NIOCore
import NIOWebSocket
import Testing
@testable import engine_server

/// The joiner unmasks peers' frames itself (eight bytes at a time, into a buffer it reuses).
@Suite struct WebSocketMessageJoinerTests {
    static func masked(_ text: String, key: WebSocketMaskingKey, opcode: WebSocketOpcode = .text, fin: Bool = true) -> WebSocketFrame {
        var data = ByteBuffer(string: text)
        data.webSocketMask(key)  // NIO's own masking, the reference
        return WebSocketFrame(fin: fin, opcode: opcode, maskKey: key, data: data)
    }

    static func text(_ outcome: WebSocketMessageJoiner.Outcome) -> String? {
        guard case .message(let buffer) = outcome else { return nil }
        return String(buffer: buffer)
    }

    @Test func unmasksEveryLengthLikeNIO() {
        var joiner = WebSocketMessageJoiner(maxMessageBytes: 4096)
        let key: WebSocketMaskingKey = [0x12, 0xA4, 0x7F, 0x03]
        for length in 0..<40 {
            let text = String((0..<length).map { Character(UnicodeScalar(UInt8(33 + ($0 * 7) % 90))) })
            #expect(Self.text(joiner.add(Self.masked(text, key: key))) == text, "length \(length)")
        }
        let twilio = #"{"event":"media","sequenceNumber":"3","media":{"payload":"//////8="}}"#
        #expect(Self.text(joiner.add(Self.masked(twilio, key: [9, 8, 7, 6]))) == twilio)
        // An unmasked frame (a server's) passes as it is.
        #expect(Self.text(joiner.add(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: "plain")))) == "plain")
    }

    @Test func aMessageKeptByTheCallerIsNotOverwrittenByTheNext() {
        var joiner = WebSocketMessageJoiner(maxMessageBytes: 4096)
        let first = joiner.add(Self.masked("first message", key: [1, 2, 3, 4]))
        let second = joiner.add(Self.masked("second, longer message", key: [5, 6, 7, 8]))
        #expect(Self.text(first) == "first message")
        #expect(Self.text(second) == "second, longer message")
    }

    @Test func joinsMaskedFragments() {
        var joiner = WebSocketMessageJoiner(maxMessageBytes: 4096)
        guard case .pending = joiner.add(Self.masked("{\"event\":", key: [1, 2, 3, 4], fin: false)) else {
            Issue.record("first fragment not kept")
            return
        }
        guard case .pending = joiner.add(Self.masked("\"mark\",", key: [4, 3, 2, 1], opcode: .continuation, fin: false)) else {
            Issue.record("second fragment not kept")
            return
        }
        #expect(Self.text(joiner.add(Self.masked("\"x\":1}", key: [7, 7, 7, 7], opcode: .continuation))) == #"{"event":"mark","x":1}"#)
        guard case .tooLarge = WebSocketMessageJoinerTests.overLimit() else {
            Issue.record("a message over the limit was accepted")
            return
        }
    }

    static func overLimit() -> WebSocketMessageJoiner.Outcome {
        var joiner = WebSocketMessageJoiner(maxMessageBytes: 8)
        _ = joiner.add(masked("12345", key: [1, 1, 1, 1], fin: false))
        return joiner.add(masked("67890", key: [2, 2, 2, 2], opcode: .continuation))
    }
}
