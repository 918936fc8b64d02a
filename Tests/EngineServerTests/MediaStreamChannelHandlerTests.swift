import Foundation
import MediaEngine
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing
@testable import engine_server
import WebSocketWire

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

    /// A client frame masked with a random key, as a browser or Twilio sends it, in its wire bytes.
    private func masked(_ string: String, fin: Bool = true, opcode: WebSocketOpcode = .text) -> ByteBuffer {
        WebSocketFrameReaderTests.masked(string, key: .random(), opcode: opcode, fin: fin)
    }

    /// The next frame the handler wrote, nil when none was.
    private func nextFrame(of channel: EmbeddedChannel) throws -> WireFrame? {
        try channel.readOutbound(as: ByteBuffer.self).map { try WireFrame($0) }
    }

    /// The close frame the handler sent, as (code, reason).
    private func closeFrame(of channel: EmbeddedChannel) throws -> (UInt16?, String) {
        (channel.eventLoop as! EmbeddedEventLoop).run()
        var frame = try #require(try nextFrame(of: channel))
        while frame.opcode != 0x8 { frame = try #require(try nextFrame(of: channel)) }
        #expect(!frame.masked, "server frames are not masked")
        let code = frame.payload.count >= 2 ? UInt16(frame.payload[0]) << 8 | UInt16(frame.payload[1]) : nil
        return (code, String(decoding: frame.payload.dropFirst(2), as: UTF8.self))
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
        #expect(code == 1000)
        #expect(reason == "stream not authorized", "the joined start was decoded and its forged token refused")
        await harness.stop()
    }

    @Test func aFragmentedMessageOverTheLimitClosesTheStream() async throws {
        let harness = try await EngineHarness.start()
        let channel = try stream(harness)
        let half = String(repeating: "x", count: MediaStreamChannelHandler.maxMessageBytes / 2 + 1)
        try channel.writeInbound(masked(half, fin: false))
        try channel.writeInbound(masked(half, fin: false, opcode: .continuation))
        let (code, reason) = try closeFrame(of: channel)
        #expect(code == 1009, "message too big")
        #expect(reason.contains("exceeds \(MediaStreamChannelHandler.maxMessageBytes)"))
        await harness.stop()
    }

    @Test func framesOutOfOrderCloseTheStream() async throws {
        let harness = try await EngineHarness.start()
        let interleaved = try stream(harness)
        try interleaved.writeInbound(masked(#"{"event":"#, fin: false))
        try interleaved.writeInbound(masked(#"{"event":"mark"}"#))
        #expect(try closeFrame(of: interleaved) == (1002, "text frame inside a fragmented message"))
        let orphan = try stream(harness)
        try orphan.writeInbound(masked(#""connected"}"#, fin: true, opcode: .continuation))
        #expect(try closeFrame(of: orphan) == (1002, "continuation frame without a message"))
        await harness.stop()
    }

    @Test func aBinaryFrameClosesTheStream() async throws {
        let harness = try await EngineHarness.start()
        let channel = try stream(harness)
        try channel.writeInbound(masked("\u{1}\u{2}", opcode: .binary))
        let (code, reason) = try closeFrame(of: channel)
        #expect(code == 1003, "unsupported data")
        #expect(reason.hasPrefix("binary frame"))
        await harness.stop()
    }

    @Test func aPingIsAnsweredWithAPongCarryingItsData() async throws {
        let harness = try await EngineHarness.start()
        let channel = try stream(harness)
        try channel.writeInbound(masked("are you there", opcode: .ping))
        (channel.eventLoop as! EmbeddedEventLoop).run()
        let pong = try #require(try nextFrame(of: channel))
        #expect(pong.opcode == 0xA)
        #expect(!pong.masked, "server frames are not masked")
        #expect(String(decoding: pong.payload, as: UTF8.self) == "are you there")
        await harness.stop()
    }

    @Test func aStreamWithoutStartIsClosedWhenTheStartTimeoutPasses() async throws {
        let harness = try await EngineHarness.start()
        let channel = try stream(harness, startTimeout: .seconds(3))
        try channel.writeInbound(masked(#"{"event":"connected","protocol":"Call","version":"1.0.0"}"#))
        let loop = channel.eventLoop as! EmbeddedEventLoop
        loop.advanceTime(by: .seconds(2))
        #expect(try nextFrame(of: channel) == nil, "still waiting for start")
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
        #expect(try nextFrame(of: channel) == nil, "written but not flushed within the tick")
        (channel.eventLoop as! EmbeddedEventLoop).run()
        var frames: [WireFrame] = []
        while let frame = try nextFrame(of: channel) { frames.append(frame) }
        #expect(frames.map { String(decoding: $0.payload, as: UTF8.self) } == ["message 0", "message 1", "message 2"])
        #expect(frames.allSatisfy { $0.fin && $0.opcode == 0x1 && !$0.masked }, "whole, unmasked text frames")
        sink.close(reason: "done")
        sink.close(reason: "twice")
        (channel.eventLoop as! EmbeddedEventLoop).run()
        sink.send(Array("after the close".utf8))
        (channel.eventLoop as! EmbeddedEventLoop).run()
        var opcodes: [UInt8] = []
        while let frame = try nextFrame(of: channel) { opcodes.append(frame.opcode) }
        #expect(opcodes == [0x8], "one close frame per socket, and nothing after it")
    }
}
