import MediaEngine
import NIOCore
import WebSocketWire

/// The call's view of its Twilio socket: each message is written to the channel at once as a whole
/// WebSocket frame (header and payload in one buffer, `WebSocketServerFrames`), and the channel is
/// flushed once per event-loop tick, after every socket ready in that tick has been read, so a pump's
/// `media` + `mark` (and whatever else the tick produced) go out in one syscall.
///
/// The call runs on the channel's event loop in the usual case; from anywhere else a send hops there.
struct ChannelTwilioSink: TwilioSink {
    let channel: any Channel
    private let flushPending: NIOLoopBoundBox<Bool>
    private let closing: NIOLoopBoundBox<Bool>

    init(channel: any Channel) {
        self.channel = channel
        flushPending = NIOLoopBoundBox(false, eventLoop: channel.eventLoop)
        closing = NIOLoopBoundBox(false, eventLoop: channel.eventLoop)
    }

    func send(_ message: [UInt8]) {
        let allocator = channel.allocator
        write(message.withUnsafeBytes { WebSocketServerFrames.frame(WebSocketServerFrames.text, payload: $0, allocator: allocator) })
    }

    /// Answers a ping with its payload.
    func pong(_ payload: ByteBuffer) {
        let allocator = channel.allocator
        write(payload.withUnsafeReadableBytes { WebSocketServerFrames.frame(WebSocketServerFrames.pong, payload: $0, allocator: allocator) })
    }

    /// Writes a whole frame, flushed at the end of this loop tick.
    private func write(_ frame: ByteBuffer) {
        guard channel.eventLoop.inEventLoop else {
            let closing = self.closing
            channel.eventLoop.execute { [channel] in
                guard !closing.value else { return }  // nothing after the close frame
                channel.writeAndFlush(frame, promise: nil)
            }
            return
        }
        guard !closing.value else { return }
        channel.write(frame, promise: nil)
        guard !flushPending.value else { return }
        flushPending.value = true
        let flushPending = self.flushPending
        channel.eventLoop.execute { [channel] in
            flushPending.value = false
            channel.flush()
        }
    }

    /// Sends a close frame (normal closure, `reason`) and closes the socket once it is written. With
    /// nothing after `</Connect>` in the TwiML this hangs the call up.
    func close(reason: String) { close(reason: reason, code: 1000) }

    /// Sends a close frame (`code`, `reason`) and closes the socket once it is written.
    /// Only the first close counts (one close frame per socket).
    func close(reason: String, code: UInt16) {
        let channel = self.channel
        let closing = self.closing
        channel.eventLoop.execute {
            guard channel.isActive, !closing.value else { return }
            closing.value = true
            let frame = WebSocketServerFrames.close(code: code, reason: reason, allocator: channel.allocator)
            channel.writeAndFlush(frame).whenComplete { _ in
                channel.close(promise: nil)
            }
        }
    }
}
