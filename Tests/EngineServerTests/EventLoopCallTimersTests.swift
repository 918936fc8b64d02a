import MediaEngine
import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import engine_server

/// A call's timers on its event loop: they fire on that loop, once, and not at all when cancelled.
@Suite("EventLoopCallTimers")
struct EventLoopCallTimersTests {
    @Test func aTimerFiresOnceOnItsLoop() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let timers = EventLoopCallTimers(loop: loop)
        let fired = Mutex<[Bool]>([])
        let done = loop.makePromise(of: Void.self)
        _ = timers.schedule(afterNs: 2_000_000) {
            fired.withLock { $0.append(loop.inEventLoop) }
            done.succeed(())
        }
        try await done.futureResult.get()
        #expect(fired.withLock { $0 } == [true])
    }

    @Test func aCancelledTimerNeverFires() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let timers = EventLoopCallTimers(loop: loop)
        let fired = Mutex<[String]>([])
        let later = loop.makePromise(of: Void.self)
        let cancelled = timers.schedule(afterNs: 10_000_000) { fired.withLock { $0.append("cancelled") } }
        cancelled.cancel()
        _ = timers.schedule(afterNs: 40_000_000) {
            fired.withLock { $0.append("kept") }
            later.succeed(())
        }
        try await later.futureResult.get()
        #expect(fired.withLock { $0 } == ["kept"])
    }
}
