import NIOCore
import NIOEmbedded
import NIOWebSocket
import Synchronization
import Testing
@testable import engine_server

/// The synthetic caller's WebSocket handler on a test channel: messages reach the caller whole and in
/// order, control frames are answered, the caller's frames are masked and flushed once per tick, and
/// the close is reported once.
@Suite("CallerSocketHandler on a test channel")
struct CallerSocketHandlerTests {
    @Test func fragmentedMessagesReachTheCallerWholeAndInOrder() async throws {
        let socket = try await CallerTestSocket.make()
        try await socket.channel.writeInbound(Self.frame(.text, #"{"event":"#, fin: false).wire)
        try await socket.channel.writeInbound(Self.frame(.continuation, #""media","#, fin: false).wire)
        try await socket.channel.writeInbound(Self.frame(.continuation, #""n":1}"#, fin: true).wire)
        try await socket.channel.writeInbound(Self.frame(.text, #"{"event":"mark"}"#).wire)
        #expect(socket.log.messages == [#"{"event":"media","n":1}"#, #"{"event":"mark"}"#])
        #expect(socket.log.closes == 0)
    }

    @Test func aTextFrameInsideAFragmentedMessageClosesTheStreamWith1002() async throws {
        let socket = try await CallerTestSocket.make()
        try await socket.channel.writeInbound(Self.frame(.text, #"{"event":"#, fin: false).wire)
        try await socket.channel.writeInbound(Self.frame(.text, #"{"event":"mark"}"#).wire)
        let close = try #require(try await socket.nextFrame())
        #expect(close.opcode == 0x8)
        #expect(close.payload == [0x03, 0xEA])  // 1002, protocol error
        #expect(socket.log.messages.isEmpty)
    }

    @Test func aPingIsAnsweredWithAMaskedPong() async throws {
        let socket = try await CallerTestSocket.make()
        try await socket.channel.writeInbound(Self.frame(.ping, "still there?").wire)
        let pong = try #require(try await socket.nextFrame())
        #expect(pong.opcode == 0xA)
        #expect(pong.masked)
        #expect(String(decoding: pong.payload, as: UTF8.self) == "still there?")
    }

    @Test func theEnginesCloseIsEchoedWithItsCodeAndReportedOnce() async throws {
        let socket = try await CallerTestSocket.make()
        var payload = ByteBuffer()
        payload.writeInteger(UInt16(1000))
        try await socket.channel.writeInbound(WebSocketFrame(fin: true, opcode: .connectionClose, data: payload).wire)
        let close = try #require(try await socket.nextFrame())
        #expect(close.opcode == 0x8)
        #expect(close.payload == [0x03, 0xE8])
        await socket.channel.testingEventLoop.run()
        #expect(!socket.channel.isActive)
        #expect(socket.log.closes == 1)
        try await socket.send(["after the close"])
        #expect(try await socket.nextFrame() == nil)
    }

    @Test func sendsInOneTickAreMaskedTextFramesWithOneFlush() async throws {
        let socket = try await CallerTestSocket.make()
        try await socket.send([#"{"event":"media"}"#, #"{"event":"mark"}"#])
        let first = try #require(try await socket.nextFrame())
        let second = try #require(try await socket.nextFrame())
        #expect(first.opcode == 0x1 && first.masked && first.fin)
        #expect(String(decoding: first.payload, as: UTF8.self) == #"{"event":"media"}"#)
        #expect(String(decoding: second.payload, as: UTF8.self) == #"{"event":"mark"}"#)
        #expect(first.key != second.key)
        #expect(try await socket.flushes() == 1)
    }

    @Test func aBinaryFrameClosesTheStreamWith1003() async throws {
        let socket = try await CallerTestSocket.make()
        try await socket.channel.writeInbound(WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(bytes: [1, 2])).wire)
        let close = try #require(try await socket.nextFrame())
        #expect(close.payload == [0x03, 0xEB])
        await socket.channel.testingEventLoop.run()
        #expect(socket.log.messages.isEmpty)
        #expect(socket.log.closes == 1)
    }

    static func frame(_ opcode: WebSocketOpcode, _ text: String, fin: Bool = true) -> WebSocketFrame {
        WebSocketFrame(fin: fin, opcode: opcode, data: ByteBuffer(string: text))
    }
}

/// What reached the caller.
final class CallerLog: Sendable {
    private let state = Mutex<(messages: [String], closes: Int)>(([], 0))
    var messages: [String] { state.withLock { $0.messages } }
    var closes: Int { state.withLock { $0.closes } }
    func message(_ raw: UnsafeRawBufferPointer) { state.withLock { $0.messages.append(String(decoding: raw, as: UTF8.self)) } }
    func closed() { state.withLock { $0.closes += 1 } }
}

/// A `CallerSocketHandler` on a connected test channel behind a flush counter.
struct CallerTestSocket: Sendable {
    let channel: NIOAsyncTestingChannel
    let handler: NIOLoopBound<CallerSocketHandler>
    let probe: NIOLoopBound<OutboundProbe>
    let log: CallerLog

    static func make() async throws -> CallerTestSocket {
        let channel = NIOAsyncTestingChannel()
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).get()
        let log = CallerLog()
        return try await channel.testingEventLoop.executeInContext {
            let probe = OutboundProbe()
            let handler = CallerSocketHandler(maxMessageBytes: 1 << 16, onMessage: { raw, _, _ in log.message(raw) },
                                              onClosed: { log.closed() })
            try channel.pipeline.syncOperations.addHandler(probe)
            try channel.pipeline.syncOperations.addHandler(handler)
            return CallerTestSocket(channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop),
                                    probe: NIOLoopBound(probe, eventLoop: channel.eventLoop), log: log)
        }
    }

    /// Sends `texts` within one event-loop tick, then lets the loop run.
    func send(_ texts: [String]) async throws {
        try await channel.testingEventLoop.executeInContext {
            for text in texts { handler.value.send(text) }
        }
        await channel.testingEventLoop.run()
    }

    func flushes() async throws -> Int { try await channel.testingEventLoop.executeInContext { probe.value.flushes } }

    /// The next frame written to the socket, nil when none was.
    func nextFrame() async throws -> WireFrame? {
        await channel.testingEventLoop.run()
        guard let buffer = try await channel.readOutbound(as: ByteBuffer.self) else { return nil }
        return try WireFrame(buffer)
    }
}
