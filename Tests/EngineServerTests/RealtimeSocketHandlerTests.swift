import MediaEngine
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Synchronization
import Testing
@testable import engine_server

/// The model socket's WebSocket handler on a test channel: framing, control frames, masking, flush
/// batching and backpressure.
@Suite("RealtimeSocketHandler on a test channel")
struct RealtimeSocketHandlerTests {
    @Test func continuationFramesAreJoinedIntoOneMessage() async throws {
        let log = DeliveryLog()
        let socket = try await TestSocket.make(receiver: log.receiver())
        try await socket.release()
        try await socket.channel.writeInbound(Self.frame(.text, #"{"type":"#, fin: false).wire)
        try await socket.channel.writeInbound(Self.frame(.continuation, #""a","#, fin: false).wire)
        try await socket.channel.writeInbound(Self.frame(.continuation, #""n":1}"#, fin: true).wire)
        try await socket.channel.writeInbound(Self.frame(.text, #"{"type":"b"}"#).wire)
        #expect(log.messages == [#"{"type":"a","n":1}"#, #"{"type":"b"}"#])
        try await socket.finish()
    }

    @Test func aMessageOverTheLimitClosesTheConnectionWith1009() async throws {
        let log = DeliveryLog()
        let socket = try await TestSocket.make(maxMessageBytes: 16, receiver: log.receiver())
        try await socket.release()
        try await socket.channel.writeInbound(Self.frame(.text, "0123456789", fin: false).wire)
        try await socket.channel.writeInbound(Self.frame(.continuation, "0123456789", fin: true).wire)
        let close = try #require(try await socket.nextFrame())
        #expect(close.opcode == 0x8)
        #expect(close.payload == [0x03, 0xF1])  // 1009, message too big
        #expect(!socket.channel.isActive)
        await #expect(throws: RealtimeSocketHandler.Failure.messageTooLarge(bytes: 20, limit: 16)) { try await socket.finished.get() }
        #expect(log.messages.isEmpty)
    }

    @Test func aBinaryFrameIsRefusedWith1003() async throws {
        let socket = try await TestSocket.make(receiver: DeliveryLog().receiver())
        try await socket.release()
        try await socket.channel.writeInbound(WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(bytes: [1, 2, 3])).wire)
        let close = try #require(try await socket.nextFrame())
        #expect(close.opcode == 0x8)
        #expect(close.payload == [0x03, 0xEB])  // 1003, unsupported data
        await #expect(throws: RealtimeSocketHandler.Failure.binaryFrame) { try await socket.finished.get() }
    }

    @Test func aPingIsAnsweredWithAMaskedPongCarryingItsPayload() async throws {
        let socket = try await TestSocket.make(receiver: DeliveryLog().receiver())
        try await socket.release()
        try await socket.channel.writeInbound(Self.frame(.ping, "are you there").wire)
        let pong = try #require(try await socket.nextFrame())
        #expect(pong.opcode == 0xA)
        #expect(pong.masked)
        #expect(String(decoding: pong.payload, as: UTF8.self) == "are you there")
        try await socket.finish()
    }

    @Test func aCloseFromTheModelIsAnsweredWithItsCodeAndTheConnectionEndsCleanly() async throws {
        let socket = try await TestSocket.make(receiver: DeliveryLog().receiver())
        try await socket.release()
        try await socket.channel.writeInbound(WebSocketFrame(fin: true, opcode: .connectionClose, data: ByteBuffer(bytes: [0x03, 0xF3])).wire)
        let close = try #require(try await socket.nextFrame())
        #expect(close.opcode == 0x8)
        #expect(close.payload == [0x03, 0xF3])
        #expect(close.masked)
        try await socket.finished.get()
        #expect(!socket.channel.isActive)
    }

    @Test func maskedFramesFromTheServerAreUnmasked() async throws {
        let log = DeliveryLog()
        let socket = try await TestSocket.make(receiver: log.receiver())
        try await socket.release()
        let key = try #require(WebSocketMaskingKey([0x11, 0x22, 0x33, 0x44]))
        var data = ByteBuffer(string: #"{"type":"masked"}"#)
        data.webSocketMask(key)
        try await socket.channel.writeInbound(WebSocketFrame(fin: true, opcode: .text, maskKey: key, data: data).wire)
        #expect(log.messages == [#"{"type":"masked"}"#])
        try await socket.finish()
    }

    @Test func outboundFramesAreMaskedEachWithItsOwnKey() async throws {
        let socket = try await TestSocket.make(receiver: DeliveryLog().receiver())
        try await socket.release()
        let text = String(repeating: #"{"type":"input_audio_buffer.append","audio":"AAAA"}"#, count: 4)  // > 125 bytes: 16-bit length
        try await socket.send([text, text])
        let first = try #require(try await socket.nextFrame())
        let second = try #require(try await socket.nextFrame())
        for frame in [first, second] {
            #expect(frame.fin)
            #expect(frame.opcode == 0x1)
            #expect(frame.masked)
            #expect(String(decoding: frame.payload, as: UTF8.self) == text)
            #expect(frame.maskedPayload != frame.payload)
        }
        #expect(first.key != second.key)
        try await socket.finish()
    }

    @Test func manySendsInOneEventLoopTickAreFlushedOnce() async throws {
        let socket = try await TestSocket.make(receiver: DeliveryLog().receiver())
        try await socket.release()
        try await socket.send((0..<10).map { #"{"type":"input_audio_buffer.append","n":\#($0)}"# })
        #expect(try await socket.flushes() == 1)
        for n in 0..<10 {
            let frame = try #require(try await socket.nextFrame())
            #expect(String(decoding: frame.payload, as: UTF8.self) == #"{"type":"input_audio_buffer.append","n":\#(n)}"#)
        }
        try await socket.send([#"{"type":"response.create"}"#])
        #expect(try await socket.flushes() == 2)
        try await socket.finish()
    }

    @Test func sendsAfterCloseAreDropped() async throws {
        let socket = try await TestSocket.make(receiver: DeliveryLog().receiver())
        try await socket.release()
        try await socket.channel.testingEventLoop.executeInContext { socket.handler.value.close() }
        try await socket.send([#"{"type":"response.create"}"#])
        let close = try #require(try await socket.nextFrame())
        #expect(close.opcode == 0x8)
        #expect(close.payload == [0x03, 0xE8])  // 1000, normal closure
        #expect(try await socket.nextFrame() == nil)
        try await socket.finished.get()
    }

    @Test func noMessageIsDeliveredBeforeTheLinkIsHandedToTheCall() async throws {
        let log = DeliveryLog()
        let socket = try await TestSocket.make(receiver: log.receiver())
        try await socket.channel.writeInbound(Self.frame(.text, #"{"type":"session.created"}"#).wire)
        try await socket.read()
        #expect(log.messages.isEmpty)
        #expect(try await socket.reads() == 0)
        try await socket.release()
        #expect(log.messages == [#"{"type":"session.created"}"#])
        #expect(try await socket.reads() == 1)
        try await socket.finish()
    }

    @Test func aFullEgressQueueStopsReadingUntilThereIsRoomAndLosesNothing() async throws {
        let log = DeliveryLog(fullAfter: "m2")
        let socket = try await TestSocket.make(receiver: log.receiver())
        try await socket.release()
        // Four messages in one socket read, then the channel asks to read on.
        try await socket.channel.testingEventLoop.executeInContext {
            let pipeline = socket.channel.pipeline.syncOperations
            pipeline.fireChannelRead(NIOAny(Self.oneRead(["m1", "m2", "m3", "m4"])))
            pipeline.fireChannelReadComplete()
            pipeline.read()
        }
        #expect(log.messages == ["m1", "m2"])
        #expect(try await socket.reads() == 0)
        try await socket.channel.writeInbound(Self.frame(.text, "m5").wire)  // already in flight when reading stopped
        #expect(log.messages == ["m1", "m2"])
        log.room.open()
        for _ in 0..<1_000 where log.messages.count < 5 {
            await socket.channel.testingEventLoop.run()
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(log.messages == ["m1", "m2", "m3", "m4", "m5"])
        #expect(try await socket.reads() == 1)
        try await socket.finish()
    }

    @Test func offTheCallsLoopMessagesGoThroughReceiveInOrder() async throws {
        let log = DeliveryLog()
        let socket = try await TestSocket.make(deliversOnLoop: false, receiver: log.receiver())
        try await socket.release()
        try await socket.channel.testingEventLoop.executeInContext {
            let pipeline = socket.channel.pipeline.syncOperations
            pipeline.fireChannelRead(NIOAny(Self.oneRead((1...3).map { "m\($0)" })))
            pipeline.fireChannelRead(NIOAny(Self.oneRead(["m4", "m5"])))
            pipeline.fireChannelReadComplete()
            pipeline.read()
        }
        for _ in 0..<1_000 where log.received.count < 5 {
            await socket.channel.testingEventLoop.run()
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(log.received == ["m1", "m2", "m3", "m4", "m5"])
        #expect(log.messages.isEmpty)
        #expect(try await socket.reads() == 1)
        try await socket.finish()
    }

    /// Text frames for `texts`, all in one buffer, as one socket read brings them.
    static func oneRead(_ texts: [String]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for text in texts { buffer.writeImmutableBuffer(frame(.text, text).wire) }
        return buffer
    }

    static func frame(_ opcode: WebSocketOpcode, _ text: String, fin: Bool = true) -> WebSocketFrame {
        WebSocketFrame(fin: fin, opcode: opcode, data: ByteBuffer(string: text))
    }
}
