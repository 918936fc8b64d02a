import NIOCore
import ServiceLifecycle

/// The mutable state `RealtimeSimulatorServer` shares between its run task, its connection handlers and
/// its callers (guarded by a `Locked`).
struct SimulatorServerState: Sendable {
    /// The bound port while the server runs.
    var port: Int?
    /// `start()` callers waiting for the port.
    var portWaiters: [CheckedContinuation<Int, any Error>] = []
    /// Why the last run ended, if it failed before or after binding.
    var runFailure: (any Error)?
    var group: ServiceGroup?
    var runTask: Task<Void, Never>?
    /// Open sockets, and whether each was upgraded to a WebSocket (shutdown closes plain HTTP ones at
    /// once and lets WebSockets finish their close handshake).
    var connections: [ObjectIdentifier: (channel: any Channel, webSocket: Bool)] = [:]

    var faults: SimulatorFaults
    /// Connections the current faults still apply to; nil: all.
    var faultedConnectionsLeft: Int?
    /// Live sessions by id.
    var sessions: [String: SimulatedSession] = [:]
    /// WebSocket connections accepted since the server was created.
    var connectionsAccepted = 0
    /// Upgrades refused (missing authorization, or the refuse-connections fault).
    var connectionsRefused = 0

    init(faults: SimulatorFaults) {
        self.faults = faults
        faultedConnectionsLeft = faults.affectedConnections
    }

    /// The faults for the next connection attempt, counting it against `affectedConnections`.
    mutating func takeFaults() -> SimulatorFaults {
        guard faults.isActive else { return .none }
        guard let left = faultedConnectionsLeft else { return faults }
        guard left > 0 else { return .none }
        faultedConnectionsLeft = left - 1
        return faults
    }

    /// Hands the port, or the failure, to everyone waiting in `start()`.
    mutating func resumeWaiters(with result: Result<Int, any Error>) {
        for waiter in portWaiters { waiter.resume(with: result) }
        portWaiters.removeAll()
    }
}
