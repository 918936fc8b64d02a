import MediaEngine
import NIOCore

/// A call's timers on its event loop (the loop whose executor the call runs on): each is a NIO
/// scheduled task, fired on the loop's own thread, with no timer thread or cross-thread wake-up.
struct EventLoopCallTimers: CallTimerScheduler {
    let loop: any EventLoop

    func schedule(afterNs delayNs: UInt64, _ work: @escaping @Sendable () -> Void) -> CallTimer {
        let scheduled = loop.scheduleTask(in: .nanoseconds(Int64(min(delayNs, UInt64(Int64.max)))), work)
        return CallTimer(cancel: { scheduled.cancel() })
    }
}
