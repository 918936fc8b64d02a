import Foundation

/// A serial executor backed by one OS thread of its own. An actor that uses it as its executor runs
/// all its code on that thread, so the blocking libpq calls it makes (connect, query) never occupy a
/// thread of Swift's cooperative pool, and the compiler still checks that nothing else touches the
/// actor's state.
///
/// Why not libpq's asynchronous API: it needs an event loop watching the socket, which the engine does
/// not otherwise have; and a thread per pooled connection costs little at pool sizes of a few tens.
///
/// The thread ends after ``stop()`` once its queue is empty; the owner calls it when nothing can
/// enqueue any more (the owning actor's `deinit`).
final class DedicatedThreadExecutor: SerialExecutor, @unchecked Sendable {
    // Safety: `jobs` and `stopped` are read and written only while `condition` is locked; the other
    // stored property is the immutable `condition` itself. So all access is serialized by the lock.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopped = false

    init(name: String) {
        let thread = Thread { [self] in runLoop() }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Lets the thread finish the jobs it has and exit.
    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private func runLoop() {
        var batch: [UnownedJob] = []
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            swap(&batch, &jobs)
            condition.unlock()
            for job in batch { job.runSynchronously(on: asUnownedSerialExecutor()) }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
