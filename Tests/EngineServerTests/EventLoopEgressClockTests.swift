import MediaEngine
import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import engine_server

/// One event loop's egress clock: wakes fire on the loop, never before their grid point, in order, and
/// the clock's timer stops once nothing is left.
@Suite("EventLoopEgressClock")
struct EventLoopEgressClockTests {
    private final class Wakes: Sendable {
        let fired = Mutex<[(name: String, dueNs: UInt64, atNs: UInt64, onLoop: Bool)]>([])
    }

    @Test func wakesFireOnTheLoopInOrderAndNeverBeforeTheirGridPoint() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let wakes = Wakes()
        let grid: UInt64 = 2_000_000
        let done = loop.makePromise(of: Void.self)
        let clock = EventLoopWheelClock<String>(loop: loop, gridNs: grid) { name, dueNs in
            wakes.fired.withLock { $0.append((name, dueNs, NIODeadline.now().uptimeNanoseconds, loop.inEventLoop)) }
            if name == "last" { done.succeed(()) }
        }
        try await loop.submit {
            let now = NIODeadline.now().uptimeNanoseconds
            clock.wake("last", atNs: now + 2_000_000_000)  // arms the timer for 2 s...
            clock.wake("second", atNs: now + 9_000_000)
            clock.wake("first", atNs: now + 5_000_000)  // ...which these re-arm earlier
        }.get()
        try await done.futureResult.get()
        let fired = wakes.fired.withLock { $0 }
        #expect(fired.map(\.name) == ["first", "second", "last"])
        #expect(fired.allSatisfy { $0.onLoop })
        #expect(fired.allSatisfy { $0.atNs + grid / 2 >= $0.dueNs }, "at most half a grid step early")
        #expect(fired[1].atNs < fired[2].dueNs, "an earlier wake re-arms the timer instead of waiting for the armed one")
        let pending = try await loop.submit { clock.pendingCount }.get()
        #expect(pending == 0)
    }

    @Test func aWakeAskedForFromAWakeComesOnALaterTick() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let wakes = Wakes()
        let done = loop.makePromise(of: Void.self)
        let clock = Mutex<EventLoopWheelClock<String>?>(nil)
        let wheel = EventLoopWheelClock<String>(loop: loop, gridNs: 2_000_000) { name, dueNs in
            wakes.fired.withLock { $0.append((name, dueNs, NIODeadline.now().uptimeNanoseconds, loop.inEventLoop)) }
            let count = wakes.fired.withLock { $0.count }
            if count < 5 {  // like a call asking for its next frame: 20 ms after this one
                clock.withLock { $0 }?.wake("frame \(count)", atNs: dueNs + 20_000_000)
            } else {
                done.succeed(())
            }
        }
        clock.withLock { $0 = wheel }
        try await loop.submit { wheel.wake("frame 0", atNs: NIODeadline.now().uptimeNanoseconds) }.get()
        try await done.futureResult.get()
        let fired = wakes.fired.withLock { $0 }
        #expect(fired.map(\.name) == (0..<5).map { "frame \($0)" })
        #expect(zip(fired.dropFirst(), fired).allSatisfy { $0.dueNs - $1.dueNs == 20_000_000 })
        #expect(fired.allSatisfy { $0.atNs + 1_000_000 >= $0.dueNs })
        let pending = try await loop.submit { wheel.pendingCount }.get()
        #expect(pending == 0, "nothing left: the clock's timer is not set again")
    }
}
