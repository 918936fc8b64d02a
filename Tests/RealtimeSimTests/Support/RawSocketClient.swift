import NIOCore
import NIOPosix

/// A bare TCP client for the transport tests: writes exactly the bytes a test gives it (hand-built HTTP
/// requests and masked WebSocket frames, fragments and control frames included) and parses what comes
/// back, so the tests see the server's wire behaviour without a WebSocket library in between.
/// Used from one test task at a time.
final class RawSocketClient {
    struct ClosedError: Error, CustomStringConvertible {
        var description: String { "the server closed the socket before the expected bytes arrived" }
    }

    /// One server frame (server frames are unmasked).
    struct Frame: Equatable {
        var fin: Bool
        var opcode: UInt8
        var payload: [UInt8]

        var text: String { String(decoding: payload, as: UTF8.self) }
        /// The close code of a close frame.
        var closeCode: UInt16? {
            guard opcode == 0x8, payload.count >= 2 else { return nil }
            return UInt16(payload[0]) << 8 | UInt16(payload[1])
        }
    }

    /// Forwards everything read from the socket to the client's stream.
    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let continuation: AsyncStream<ByteBuffer>.Continuation

        init(_ continuation: AsyncStream<ByteBuffer>.Continuation) { self.continuation = continuation }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            continuation.yield(unwrapInboundIn(data))
        }

        func channelInactive(context: ChannelHandlerContext) {
            continuation.finish()
            context.fireChannelInactive()
        }
    }

    private let channel: any Channel
    private var chunks: AsyncStream<ByteBuffer>.Iterator
    /// Bytes read but not consumed yet.
    private var pending: [UInt8] = []

    private init(channel: any Channel, chunks: AsyncStream<ByteBuffer>) {
        self.channel = channel
        self.chunks = chunks.makeAsyncIterator()
    }

    static func connect(port: Int) async throws -> RawSocketClient {
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(continuation)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawSocketClient(channel: channel, chunks: stream)
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes))
    }

    func send(_ text: String) async throws {
        try await send(Array(text.utf8))
    }

    func close() async {
        try? await channel.close()
    }

    /// Reads one more chunk; false at end of stream.
    private func readMore() async -> Bool {
        guard let chunk = await chunks.next() else { return false }
        pending.append(contentsOf: chunk.readableBytesView)
        return true
    }

    /// The status code and header block of an HTTP response; its body (by `content-length`) is read and
    /// dropped, so the next response or frame comes next.
    func readResponseHead() async throws -> (status: Int, head: String) {
        let separator = Array("\r\n\r\n".utf8)
        while true {
            if let end = pending.firstRange(of: separator) {
                let head = String(decoding: pending[..<end.lowerBound], as: UTF8.self)
                pending.removeSubrange(..<end.upperBound)
                let fields = head.split(separator: " ", maxSplits: 2)
                let length = head.split(separator: "\r\n")
                    .first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingPrefix(" ")) } ?? 0
                while pending.count < length {
                    guard await readMore() else { throw ClosedError() }
                }
                pending.removeSubrange(..<length)
                return (fields.count > 1 ? Int(fields[1]) ?? 0 : 0, head)
            }
            guard await readMore() else { throw ClosedError() }
        }
    }

    /// Everything until the server closes the socket.
    func readToEnd() async -> [UInt8] {
        while await readMore() {}
        defer { pending.removeAll() }
        return pending
    }

    /// The next server frame; nil if the socket closes first.
    func nextFrame() async -> Frame? {
        while true {
            if let frame = takeFrame() { return frame }
            guard await readMore() else { return nil }
        }
    }

    /// The next text frame's text, skipping other frames; nil if the socket closes first.
    func nextText() async -> String? {
        while let frame = await nextFrame() {
            if frame.opcode == 0x1 { return frame.text }
        }
        return nil
    }

    private func takeFrame() -> Frame? {
        guard pending.count >= 2 else { return nil }
        var length = Int(pending[1] & 0x7F)
        var offset = 2
        if length == 126 {
            guard pending.count >= 4 else { return nil }
            length = Int(pending[2]) << 8 | Int(pending[3])
            offset = 4
        } else if length == 127 {
            guard pending.count >= 10 else { return nil }
            length = pending[2..<10].reduce(0) { $0 << 8 | Int($1) }
            offset = 10
        }
        guard pending.count >= offset + length else { return nil }
        let frame = Frame(fin: pending[0] & 0x80 != 0, opcode: pending[0] & 0x0F, payload: Array(pending[offset..<offset + length]))
        pending.removeSubrange(..<(offset + length))
        return frame
    }

    // MARK: Building requests and frames

    /// A WebSocket handshake for `path` (with the query), `Authorization` set unless `bearer` is nil.
    static func upgradeRequest(path: String, bearer: String? = "sk-simulator-test") -> String {
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        if let bearer { request += "Authorization: Bearer \(bearer)\r\n" }
        return request + "\r\n"
    }

    /// A client frame: masked, as RFC 6455 requires of clients.
    static func frame(opcode: UInt8, fin: Bool = true, payload: [UInt8], mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]) -> [UInt8] {
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        if payload.count < 126 {
            bytes.append(0x80 | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            bytes += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            bytes.append(0x80 | 127)
            bytes += (0..<8).reversed().map { UInt8((payload.count >> ($0 * 8)) & 0xFF) }
        }
        bytes += mask
        bytes += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        return bytes
    }

    static func textFrame(_ text: String, fin: Bool = true, continuation: Bool = false) -> [UInt8] {
        frame(opcode: continuation ? 0x0 : 0x1, fin: fin, payload: Array(text.utf8))
    }
}
