/// One-shot timers that fire on a call's executor.
///
/// A call on an event loop gets that loop's own timers from its host (the server's
/// `EventLoopCallTimers`): an entry in the loop's timer heap, fired on the loop's thread. `Task.sleep`
/// instead parks on Dispatch's timer thread and wakes the loop from there, two context switches per
/// firing on the call's core; with a timer firing 10 times a second per speaking call (the egress
/// watchdog of the time), Dispatch's threads took about 10% of the engine's CPU at 150 calls.
public protocol CallTimerScheduler: Sendable {
    /// Runs `work` once after `delayNs`, on the call's executor, unless the timer is cancelled first.
    func schedule(afterNs delayNs: UInt64, _ work: @escaping @Sendable () -> Void) -> CallTimer
}

/// A scheduled one-shot timer: `cancel()` stops it if it has not fired (a no-op after).
public struct CallTimer: Sendable {
    private let cancelAction: @Sendable () -> Void

    public init(cancel: @escaping @Sendable () -> Void) {
        cancelAction = cancel
    }

    public func cancel() { cancelAction() }
}

extension CallSession {
    /// Runs `body` on the call after `delayNs`: on the host's timers when it gave some (they fire on the
    /// call's executor), else in a task that sleeps.
    func after(ns delayNs: UInt64, _ body: @escaping @Sendable (isolated CallSession) -> Void) -> CallTimer {
        if let timers {
            return timers.schedule(afterNs: delayNs) { self.assumeIsolated { body($0) } }
        }
        let task = Task {
            try? await Task.sleep(nanoseconds: delayNs)
            guard !Task.isCancelled else { return }
            body(self)
        }
        return CallTimer(cancel: { task.cancel() })
    }
}
