/// A thread-safe list of observations: pass `record` as `SimulatorConfiguration.observer`, read
/// `observations` or `truncations` later (tests, the load generator's report).
public final class SimulatorObservationLog: Sendable {
    private let entries = Locked<[SimulatorObservation]>([])

    public init() {}

    /// Appends one observation. Matches `SimulatorConfiguration.observer`'s type.
    @Sendable public func record(_ observation: SimulatorObservation) {
        entries.withLock { $0.append(observation) }
    }

    /// Everything recorded so far, oldest first.
    public var observations: [SimulatorObservation] { entries.withLock { $0 } }

    /// The accepted truncations so far, oldest first.
    public var truncations: [TruncationRecord] {
        entries.withLock { list in
            list.compactMap { if case .truncated(let record) = $0 { record } else { nil } }
        }
    }

    /// Forgets everything recorded.
    public func removeAll() {
        entries.withLock { $0.removeAll() }
    }
}
