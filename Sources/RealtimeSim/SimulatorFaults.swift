/// Faults the simulator injects so tests can exercise the engine's reconnect and fallback paths.
/// Settable at runtime on `RealtimeSimulatorServer.setFaults(_:)`.
public struct SimulatorFaults: Sendable, Hashable, Codable {
    /// Close each affected connection right after it has sent this many server events.
    public var closeAfterEvents: Int?
    /// Close each affected connection this many ms (session clock) after it opened.
    public var closeAfterMs: Int?
    /// The WebSocket close code for the two faults above (1011: server error; 1001: going away).
    public var closeCode: UInt16
    /// Refuse WebSocket upgrades: the client's connection attempt fails (as when the API is down).
    public var refuseConnections: Bool
    /// Apply the faults only to the next this-many connections (counted from when the faults were set),
    /// so a reconnect can succeed; nil applies them to every connection.
    public var affectedConnections: Int?

    public init(closeAfterEvents: Int? = nil, closeAfterMs: Int? = nil, closeCode: UInt16 = 1011,
                refuseConnections: Bool = false, affectedConnections: Int? = nil) {
        self.closeAfterEvents = closeAfterEvents
        self.closeAfterMs = closeAfterMs
        self.closeCode = closeCode
        self.refuseConnections = refuseConnections
        self.affectedConnections = affectedConnections
    }

    /// No faults.
    public static let none = SimulatorFaults()

    /// True when any fault is set.
    public var isActive: Bool { closeAfterEvents != nil || closeAfterMs != nil || refuseConnections }
}
