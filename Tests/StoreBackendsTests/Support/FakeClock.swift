import Foundation
import MediaEngine

/// A ``WallClock`` that only moves when the test says so. `sleep` waits until `advance` is called
/// (or the sleeping task is cancelled).
final class FakeClock: WallClock, @unchecked Sendable {
    // Safety: `current`, `sleepers` and `cancelled` are read and written only while `lock` is held.
    private let lock = NSLock()
    private var current: Date
    private var sleepers: [CheckedContinuation<Void, any Error>] = []
    private var cancelled = false

    init(now: Date) { current = now }

    func now() -> Date { lock.withLock { current } }

    /// Tasks waiting in `sleep`.
    var sleeping: Int { lock.withLock { sleepers.count } }

    func sleep(for duration: Duration) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let isCancelled = lock.withLock {
                    if !cancelled { sleepers.append(continuation) }
                    return cancelled
                }
                if isCancelled { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let waiting = lock.withLock {
                cancelled = true
                defer { sleepers.removeAll() }
                return sleepers
            }
            waiting.forEach { $0.resume(throwing: CancellationError()) }
        }
    }

    /// Moves time forward and wakes every sleeper.
    func advance(by seconds: TimeInterval) {
        let waiting = lock.withLock {
            current = current.addingTimeInterval(seconds)
            defer { sleepers.removeAll() }
            return sleepers
        }
        waiting.forEach { $0.resume() }
    }
}
