import MediaEngine
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Synchronization
@testable import engine_server

/// A `RealtimeSocketHandler` on a connected `NIOAsyncTestingChannel`, behind a probe counting the
/// flushes and reads that reach the socket.
struct TestSocket: Sendable {
    let channel: NIOAsyncTestingChannel
    let handler: NIOLoopBound<RealtimeSocketHandler>
    let probe: NIOLoopBound<OutboundProbe>
    let finished: EventLoopFuture<Void>

    static func make(deliversOnLoop: Bool = true, maxMessageBytes: Int = 1 << 20, receiver: RealtimeReceiver) async throws -> TestSocket {
        let channel = NIOAsyncTestingChannel()
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).get()
        return try await channel.testingEventLoop.executeInContext {
            let finished = channel.eventLoop.makePromise(of: Void.self)
            let probe = OutboundProbe()
            let handler = RealtimeSocketHandler(receiver: receiver, deliversOnLoop: deliversOnLoop,
                                                maxMessageBytes: maxMessageBytes, finished: finished)
            try channel.pipeline.syncOperations.addHandler(probe)
            try channel.pipeline.syncOperations.addHandler(handler)
            return TestSocket(channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop),
                              probe: NIOLoopBound(probe, eventLoop: channel.eventLoop), finished: finished.futureResult)
        }
    }

    /// What the dialer does once the call has the link.
    func release() async throws {
        try await channel.testingEventLoop.executeInContext { handler.value.release() }
        await channel.testingEventLoop.run()
    }

    /// Sends `texts` within one event-loop tick, then lets the loop run.
    func send(_ texts: [String]) async throws {
        try await channel.testingEventLoop.executeInContext {
            for text in texts { handler.value.send(Array(text.utf8)) }
        }
        await channel.testingEventLoop.run()
    }

    /// Asks the channel to read (as it does after each read when reading automatically).
    func read() async throws {
        try await channel.testingEventLoop.executeInContext { channel.pipeline.syncOperations.read() }
    }

    func flushes() async throws -> Int { try await channel.testingEventLoop.executeInContext { probe.value.flushes } }

    /// `read()`s that reached the socket.
    func reads() async throws -> Int { try await channel.testingEventLoop.executeInContext { probe.value.reads } }

    /// The next frame written to the socket, nil when none was.
    func nextFrame() async throws -> WireFrame? {
        await channel.testingEventLoop.run()
        guard let buffer = try await channel.readOutbound(as: ByteBuffer.self) else { return nil }
        return try WireFrame(buffer)
    }

    /// Closes the channel and waits for the handler to finish cleanly.
    func finish() async throws {
        await channel.testingEventLoop.run()
        _ = try await channel.finish(acceptAlreadyClosed: true)
        try await finished.get()
    }
}

/// Counts the flushes and reads passing on to the socket.
final class OutboundProbe: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    private(set) var flushes = 0
    private(set) var reads = 0

    func flush(context: ChannelHandlerContext) {
        flushes += 1
        context.flush()
    }

    func read(context: ChannelHandlerContext) {
        reads += 1
        context.read()
    }
}

/// One frame as written to the socket (a whole frame per buffer; a client's masked, a server's not),
/// with its payload unmasked.
struct WireFrame: Equatable {
    struct Malformed: Error {}

    var fin: Bool
    var opcode: UInt8
    var masked: Bool
    var key: [UInt8]
    var maskedPayload: [UInt8]
    var payload: [UInt8]

    init(_ buffer: ByteBuffer) throws {
        let bytes = Array(buffer.readableBytesView)
        guard bytes.count >= 2 else { throw Malformed() }
        fin = bytes[0] & 0x80 != 0
        opcode = bytes[0] & 0x0F
        masked = bytes[1] & 0x80 != 0
        var length = Int(bytes[1] & 0x7F)
        var offset = 2
        if length == 126 {
            length = Int(bytes[2]) << 8 | Int(bytes[3])
            offset = 4
        } else if length == 127 {
            length = bytes[2..<10].reduce(0) { $0 << 8 | Int($1) }
            offset = 10
        }
        key = masked ? Array(bytes[offset..<offset + 4]) : []
        offset += masked ? 4 : 0
        guard bytes.count == offset + length else { throw Malformed() }
        maskedPayload = Array(bytes[offset...])
        let key = self.key
        payload = maskedPayload.enumerated().map { key.isEmpty ? $0.element : $0.element ^ key[$0.offset % 4] }
    }
}

/// A receiver that records what reaches the call: `messages` through `receiveOnExecutor`, `received`
/// through `receive`. `fullAfter`: the message after which the egress queue reports full (once);
/// `roomForAudio` then waits for `room` to open.
final class DeliveryLog: Sendable {
    private let state = Mutex<(messages: [String], received: [String])>(([], []))
    private let fullAfter: String?
    let room = Gate()

    init(fullAfter: String? = nil) { self.fullAfter = fullAfter }

    var messages: [String] { state.withLock { $0.messages } }
    var received: [String] { state.withLock { $0.received } }

    func receiver() -> RealtimeReceiver {
        RealtimeReceiver(
            executor: nil, opened: { _ in },
            receive: { bytes in self.state.withLock { $0.received.append(String(decoding: bytes, as: UTF8.self)) } },
            receiveOnExecutor: { raw in
                let text = String(decoding: raw, as: UTF8.self)
                self.state.withLock { $0.messages.append(text) }
                return text != self.fullAfter
            },
            roomForAudio: { await self.room.wait() })
    }
}

/// Opens once; waiters before and after pass when it is open.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let passNow = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if passNow { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

extension WebSocketFrame {
    /// The frame as it goes over the wire (RFC 6455 §5.2): `data` is sent as it is (already masked when
    /// `maskKey` is set), after the header and the masking key.
    var wire: ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt8(fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | UInt8(webSocketOpcode: opcode))
        let maskBit: UInt8 = maskKey == nil ? 0 : 0x80
        switch data.readableBytes {
        case 0...125:
            buffer.writeInteger(maskBit | UInt8(data.readableBytes))
        case 126...0xFFFF:
            buffer.writeInteger(maskBit | 126)
            buffer.writeInteger(UInt16(data.readableBytes))
        default:
            buffer.writeInteger(maskBit | 127)
            buffer.writeInteger(UInt64(data.readableBytes))
        }
        if let maskKey { buffer.writeBytes(Array(maskKey)) }
        buffer.writeImmutableBuffer(data)
        return buffer
    }
}
