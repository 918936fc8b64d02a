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
