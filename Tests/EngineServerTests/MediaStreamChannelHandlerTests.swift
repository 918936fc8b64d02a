import Foundation
import MediaEngine
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing
@testable import engine_server

/// The media stream's socket handler, frame by frame on an embedded channel: what it does with frames
/// Twilio should never send, how it joins fragmented messages, and how the sink batches writes.
@Suite struct MediaStreamChannelHandlerTests {
    private func stream(_ harness: EngineHarness, startTimeout: TimeAmount = .seconds(10)) throws -> EmbeddedChannel {
        let handler = MediaStreamChannelHandler(engine: harness.local.engine, upgradeSignature: nil,
                                                upgradeURL: harness.local.engine.configuration.mediaStreamURL,
                                                logger: harness.local.engine.logger, startTimeout: startTimeout)
        let channel = EmbeddedChannel(handler: handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    /// A client frame masked with `key`, as a browser or Twilio sends it.
    private func masked(_ string: String, fin: Bool = true, opcode: WebSocketOpcode = .text) -> WebSocketFrame {
        let key = WebSocketMaskingKey.random()
        var buffer = ByteBufferAllocator().buffer(capacity: string.utf8.count)
        buffer.writeString(string)
        buffer.webSocketMask(key)
        return WebSocketFrame(fin: fin, opcode: opcode, maskKey: key, data: buffer)
    }

    /// The close frame the handler sent, as (code, reason).
    private func closeFrame(of channel: EmbeddedChannel) throws -> (WebSocketErrorCode?, String) {
        (channel.eventLoop as! EmbeddedEventLoop).run()
        var frame = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        while frame.opcode != .connectionClose { frame = try #require(try channel.readOutbound(as: WebSocketFrame.self)) }
        var data = frame.data
        let code = data.readWebSocketErrorCode()
        return (code, data.readString(length: data.readableBytes) ?? "")
    }

    @Test func aStartSplitAcrossContinuationFramesIsJoinedAndChecked() async throws {
        let harness = try await EngineHarness.start()
        let channel = try stream(harness)
        let start = #"{"event":"start","sequenceNumber":"1","start":{"streamSid":"MZ1","accountSid":"AC1","callSid":"CA1","#
            + #""tracks":["inbound"],"customParameters":{"token":"forged"},"#
            + #""mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}},"streamSid":"MZ1"}"#
        let third = start.index(start.startIndex, offsetBy: start.count / 3)
        let twoThirds = start.index(third, offsetBy: start.count / 3)
        try channel.writeInbound(masked(String(start[..<third]), fin: false))
        try channel.writeInbound(masked(String(start[third..<twoThirds]), fin: false, opcode: .continuation))
        try channel.writeInbound(masked(String(start[twoThirds...]), fin: true, opcode: .continuation))
        let (code, reason) = try closeFrame(of: channel)
        #expect(code == .normalClosure)
        #expect(reason == "stream not authorized", "the joined start was decoded and its forged token refused")
        await harness.stop()
    }

    @Test func aFragmentedMessageOverTheLimitClosesTheStream() async throws {
        let harness = try await EngineHarness.start()
        let channel = try stream(harness)
        let half = String(repeating: "x", count: MediaStreamChannelHandler.maxMessageBytes / 2 + 1)
        try channel.writeInbound(masked(half, fin: false))
        try channel.writeInbound(masked(half, fin: false, opcode: .continuation))
        let (_, reason) = try closeFrame(of: channel)
        #expect(reason.contains("exceeds \(MediaStreamChannelHandler.maxMessageBytes)"))
        await harness.stop()
    }

    @Test func framesOutOfOrderCloseTheStream() async throws {
        let harness = try await EngineHarness.start()
        let interleaved = try stream(harness)
        try interleaved.writeInbound(masked(#"{"event":"#, fin: false))
        try interleaved.writeInbound(masked(#"{"event":"mark"}"#))
        #expect(try closeFrame(of: interleaved).1 == "text frame inside a fragmented message")
        let orphan = try stream(harness)
        try orphan.writeInbound(masked(#""connected"}"#, fin: true, opcode: .continuation))
        #expect(try closeFrame(of: orphan).1 == "continuation frame without a message")
        await harness.stop()
    }

    @Test func aBinaryFrameClosesTheStream() async throws {
        let harness = try await EngineHarness.start()
        let channel = try stream(harness)
        try channel.writeInbound(masked("\u{1}\u{2}", opcode: .binary))
        let (_, reason) = try closeFrame(of: channel)
        #expect(reason.hasPrefix("binary frame"))
        await harness.stop()
    }

    @Test func aPingIsAnsweredWithAPongCarryingItsData() async throws {
        let harness = try await EngineHarness.start()
        let channel = try stream(harness)
        try channel.writeInbound(masked("are you there", opcode: .ping))
        let pong = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(pong.opcode == .pong)
        #expect(pong.maskKey == nil, "server frames are not masked")
        #expect(String(buffer: pong.data) == "are you there")
        await harness.stop()
    }

    @Test func aStreamWithoutStartIsClosedWhenTheStartTimeoutPasses() async throws {
        let harness = try await EngineHarness.start()
        let channel = try stream(harness, startTimeout: .seconds(3))
        try channel.writeInbound(masked(#"{"event":"connected","protocol":"Call","version":"1.0.0"}"#))
        let loop = channel.eventLoop as! EmbeddedEventLoop
        loop.advanceTime(by: .seconds(2))
        #expect(try channel.readOutbound(as: WebSocketFrame.self) == nil, "still waiting for start")
        loop.advanceTime(by: .seconds(1))
        let (_, reason) = try closeFrame(of: channel)
        #expect(reason == "no start within 3000 ms")
        await harness.stop()
    }

    @Test func sinkWritesGoOutWithOneFlushPerLoopTick() throws {
        let channel = EmbeddedChannel()
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let sink = ChannelTwilioSink(channel: channel)
        for n in 0..<3 { sink.send(Array("message \(n)".utf8)) }
        #expect(try channel.readOutbound(as: WebSocketFrame.self) == nil, "written but not flushed within the tick")
        (channel.eventLoop as! EmbeddedEventLoop).run()
        var texts: [String] = []
        while let frame = try channel.readOutbound(as: WebSocketFrame.self) { texts.append(String(buffer: frame.data)) }
        #expect(texts == ["message 0", "message 1", "message 2"])
        sink.close(reason: "done")
        sink.close(reason: "twice")
        (channel.eventLoop as! EmbeddedEventLoop).run()
        var closes = 0
        while let frame = try channel.readOutbound(as: WebSocketFrame.self) {
            if frame.opcode == .connectionClose { closes += 1 }
        }
        #expect(closes == 1, "one close frame per socket")
    }
}
