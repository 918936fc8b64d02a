import MediaEngine
import NIOCore
import NIOWebSocket

/// The call's view of its Twilio socket: each message is written to the channel at once and the channel
/// is flushed once per event-loop tick, after every socket ready in that tick has been read, so a pump's
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
        let frame = WebSocketFrame(fin: true, opcode: .text, data: channel.allocator.buffer(bytes: message))
        guard channel.eventLoop.inEventLoop else {
            channel.writeAndFlush(frame, promise: nil)
            return
        }
        channel.write(frame, promise: nil)
        guard !flushPending.value else { return }
        flushPending.value = true
        let channel = self.channel
        let flushPending = self.flushPending
        channel.eventLoop.execute {
            flushPending.value = false
            channel.flush()
        }
    }

    /// Sends a close frame (1000, `reason`) and closes the socket once it is written. With nothing after
    /// `</Connect>` in the TwiML this hangs the call up.
    /// Only the first close counts (one close frame per socket).
    func close(reason: String) {
        let channel = self.channel
        let closing = self.closing
        channel.eventLoop.execute {
            guard channel.isActive, !closing.value else { return }
            closing.value = true
            var data = channel.allocator.buffer(capacity: 2 + 120)
            data.write(webSocketErrorCode: .normalClosure)
            data.writeBytes(reason.utf8.prefix(118))  // a control frame carries at most 125 bytes
            channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)).whenComplete { _ in
                channel.close(promise: nil)
            }
        }
    }
}
