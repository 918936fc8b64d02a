import NIOCore
import WebSocketWire

/// A session's view of its WebSocket: each event is written to the channel at once as one whole text
/// frame (header and payload in one buffer, `WebSocketServerFrames`), and
/// the channel is flushed once per event-loop tick, so whatever a tick produced (a delta and its
/// transcript, the events of a committed turn) goes out in one syscall.
///
/// The session runs on the channel's event loop in the server, so `emit` is called there and writes
/// inline. Called from anywhere else (a session without that executor), each output hops to the loop;
/// `execute` is FIFO, so a session that always emits off the loop keeps its order.
struct WebSocketChannelSink: SimulatorEventSink {
    /// How long a server-initiated close waits for the client's close frame before dropping the socket.
    static let closeHandshakeTimeout: TimeAmount = .seconds(2)

    /// Per-connection write state, touched on the loop only.
    struct State {
        var flushPending = false
        /// The server's close frame is out: nothing more is written, the client's close ends the socket.
        var closeSent = false
    }

    let channel: any Channel
    let state: NIOLoopBoundBox<State>

    /// Call on the channel's event loop.
    init(channel: any Channel) {
        self.channel = channel
        state = NIOLoopBoundBox(State(), eventLoop: channel.eventLoop)
    }

    /// Whether the server's close frame has been written (read on the loop).
    var closeSent: Bool { state.value.closeSent }

    func emit(_ output: SimulatorOutput) {
        guard channel.eventLoop.inEventLoop else {
            let sink = self
            channel.eventLoop.execute { sink.emitOnLoop(output) }
            return
        }
        emitOnLoop(output)
    }

    private func emitOnLoop(_ output: SimulatorOutput) {
        switch output {
        case .event(let text):
            write(text)
        case .close(let code, let reason):
            close(code: code, reason: reason)
        }
    }

    /// One text frame, flushed at the end of this loop tick.
    func write(_ text: String) {
        guard !state.value.closeSent else { return }
        var text = text
        let allocator = channel.allocator
        let frame = text.withUTF8 { WebSocketServerFrames.frame(WebSocketServerFrames.text, payload: UnsafeRawBufferPointer($0), allocator: allocator) }
        channel.write(frame, promise: nil)
        guard !state.value.flushPending else { return }
        state.value.flushPending = true
        let channel = self.channel
        let state = self.state
        channel.eventLoop.execute {
            state.value.flushPending = false
            channel.flush()
        }
    }

    /// Answers a ping with its payload, at once.
    func pong(_ payload: ByteBuffer) {
        let frame = payload.withUnsafeReadableBytes { WebSocketServerFrames.frame(WebSocketServerFrames.pong, payload: $0, allocator: channel.allocator) }
        channel.writeAndFlush(frame, promise: nil)
    }

    /// Sends one close frame (`code`, `reason`) and closes the socket when the client answers it, or after
    /// `closeHandshakeTimeout`. Only the first close counts.
    func close(code: UInt16, reason: String) {
        guard channel.isActive, !state.value.closeSent else { return }
        state.value.closeSent = true
        channel.writeAndFlush(WebSocketServerFrames.close(code: code, reason: reason, allocator: channel.allocator), promise: nil)
        let channel = self.channel
        let timeout = channel.eventLoop.scheduleTask(in: Self.closeHandshakeTimeout) {
            channel.close(promise: nil)
        }
        channel.closeFuture.whenComplete { _ in timeout.cancel() }
    }

    /// Fails the connection on the client's protocol violation (RFC 6455 §7.1.7): a close frame with
    /// `code`, then the socket closes as soon as it is written. No answer is awaited: the client's frames
    /// are no longer read.
    func fail(code: UInt16, reason: String) {
        guard channel.isActive, !state.value.closeSent else { return }
        sendCloseThenClose(code: code, reason: reason)
    }

    /// Echoes the client's close (its code, none if it gave none) and closes the socket once it is written.
    func echoClose(code: UInt16?) {
        sendCloseThenClose(code: code, reason: "")
    }

    /// The close frame, then the socket closes as soon as it is written.
    private func sendCloseThenClose(code: UInt16?, reason: String) {
        state.value.closeSent = true
        let channel = self.channel
        channel.writeAndFlush(WebSocketServerFrames.close(code: code, reason: reason, allocator: channel.allocator)).whenComplete { _ in
            channel.close(promise: nil)
        }
    }
}
