import Foundation

/// A value shared across tasks and guarded by a lock: the simulator's few pieces of cross-connection
/// state (the server's registry and faults, the clip caches, the observation log). Never on a per-frame
/// path that many tasks contend for.
///
/// `@unchecked Sendable` is sound because `value` is private and is read or written only inside
/// `withLock`, which holds `lock` for the whole access, and `Value` is itself `Sendable`, so nothing
/// handed out of `withLock` can be mutated unsynchronised.
final class Locked<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` with exclusive access to the value. Keep `body` short and never `await` in it.
    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
