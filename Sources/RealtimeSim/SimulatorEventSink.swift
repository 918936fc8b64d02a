/// What a `SimulatedSession` hands to its transport, in order.
public enum SimulatorOutput: Sendable, Hashable {
    /// One server event as JSON text: one WebSocket text frame.
    case event(String)
    /// Close the connection with this WebSocket close code and reason (fault injection, the beta-header
    /// rejection). Nothing follows it.
    case close(code: UInt16, reason: String)
}

/// Where a `SimulatedSession` puts its output. Called on the session's actor, in event order, so an
/// implementation must be quick and must not block (queue the output; do not write a socket inline).
public protocol SimulatorEventSink: Sendable {
    func emit(_ output: SimulatorOutput)
}

/// A sink that feeds an `AsyncStream`: the server's transport drains the stream into the WebSocket.
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
