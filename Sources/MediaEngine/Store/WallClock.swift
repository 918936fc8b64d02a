public import Foundation

/// The time of day and a way to wait: injected into long-running services so tests can move time.
public protocol WallClock: Sendable {
    /// The current wall-clock time.
    func now() -> Date
    /// Waits `duration` of this clock's time; throws `CancellationError` when the task is cancelled.
    func sleep(for duration: Duration) async throws
}

/// The real clock: `Date()` and `Task.sleep`.
public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}
