import Foundation

/// Where calls drop their records for the ``StoreWriter``: an array behind a lock, held only for an
/// append or a swap (never across I/O or an `await`), so a submitting call waits at most for another
/// append. The writer takes the whole array in O(1) and does everything else on its own side.
///
/// Also holds the writer's counters, so ``StoreWriter/statistics`` can be read synchronously.
final class StoreWriterInbox: @unchecked Sendable {
    // Safety: `incoming` and `counters` are read and written only inside `lock.withLock`, and `lock` is a
    // `let`; nothing else is stored. So concurrent use from any thread is serialized by the lock.
    private let lock = NSLock()
    private var incoming: [StoreWrite] = []
    private var counters = StoreWriter.Statistics()

    /// Adds one record; O(1) amortized.
    func append(_ write: StoreWrite) {
        lock.withLock {
            incoming.append(write)
            counters.submitted += 1
        }
    }

    /// Takes everything submitted so far, leaving the inbox empty.
    func takeAll() -> [StoreWrite] {
        lock.withLock {
            var taken: [StoreWrite] = []
            swap(&taken, &incoming)
            return taken
        }
    }

    /// Records submitted but not yet taken by the writer.
    var count: Int { lock.withLock { incoming.count } }

    var statistics: StoreWriter.Statistics { lock.withLock { counters } }

    /// Updates the counters (called by the writer only).
    func update(_ body: (inout StoreWriter.Statistics) -> Void) {
        lock.withLock { body(&counters) }
    }
}
