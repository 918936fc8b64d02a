/// What a `SimulatedSession` hands to its transport, in order.
public enum SimulatorOutput: Sendable, Hashable {
    /// One server event as JSON text: one WebSocket text frame.
    case event(String)
    /// Close the connection with this WebSocket close code and reason (fault injection, the beta-header
    /// rejection). Nothing follows it.
    case close(code: UInt16, reason: String)
}

/// Where a `SimulatedSession` puts its output. Called on the session's executor (its socket's event loop in
/// the server), in event order, so an implementation must be quick and must not block: queue the output,
/// or write it without waiting, as `WebSocketChannelSink` does on its loop.
public protocol SimulatorEventSink: Sendable {
    func emit(_ output: SimulatorOutput)
}

/// A sink that feeds an `AsyncStream`, for a transport (or a test) that drains the output from a task.
/// Unbounded, which is safe here because a session's output is bounded by its script (one reply's audio
/// at a time), not by the client.
public struct AsyncStreamEventSink: SimulatorEventSink {
    public let continuation: AsyncStream<SimulatorOutput>.Continuation

    public init(_ continuation: AsyncStream<SimulatorOutput>.Continuation) {
        self.continuation = continuation
    }

    /// A new stream and the sink that feeds it.
    public static func makeStream() -> (stream: AsyncStream<SimulatorOutput>, sink: AsyncStreamEventSink) {
        let (stream, continuation) = AsyncStream<SimulatorOutput>.makeStream()
        return (stream, AsyncStreamEventSink(continuation))
    }

    public func emit(_ output: SimulatorOutput) {
        continuation.yield(output)
    }
}
