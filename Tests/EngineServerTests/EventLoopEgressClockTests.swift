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
        let clock = EventLoopWheelClock<String>(loop: loop, gridNs: grid, slotCount: 1_024) { name, dueNs in  // a 2 s lap
            wakes.fired.withLock { $0.append((name, dueNs, MonotonicClock.nowNs(), loop.inEventLoop)) }
            if name == "last" { done.succeed(()) }
        }
        let (start, armed) = try await loop.submit {
            let now = MonotonicClock.nowNs()
            var armed: [UInt64?] = []
            clock.wake("last", atNs: now + 1_500_000_000)
            armed.append(clock.armedAtNs)  // the timer is set for it...
            clock.wake("second", atNs: now + 9_000_000)
            armed.append(clock.armedAtNs)  // ...and set again, earlier, for each earlier wake
            clock.wake("first", atNs: now + 5_000_000)
            armed.append(clock.armedAtNs)
            clock.wake("again", atNs: now + 600_000_000)
            armed.append(clock.armedAtNs)  // a later wake leaves it
            return (now, armed)
        }.get()
        let point = { (ns: UInt64) in (ns + grid / 2) / grid * grid }
        #expect(armed == [point(start + 1_500_000_000), point(start + 9_000_000), point(start + 5_000_000), point(start + 5_000_000)])
        try await done.futureResult.get()
        let fired = wakes.fired.withLock { $0 }
        #expect(fired.map(\.name) == ["first", "second", "again", "last"])
        #expect(fired.allSatisfy { $0.onLoop })
        #expect(fired.allSatisfy { $0.atNs + grid / 2 >= $0.dueNs }, "at most half a grid step early")
        let left = try await loop.submit { (clock.pendingCount, clock.armedAtNs) }.get()
        #expect(left.0 == 0 && left.1 == nil, "nothing left, and the timer is not set again")
    }

    @Test func aWakeAskedForFromAWakeComesOnALaterTick() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let wakes = Wakes()
        let done = loop.makePromise(of: Void.self)
        let clock = Mutex<EventLoopWheelClock<String>?>(nil)
        let wheel = EventLoopWheelClock<String>(loop: loop, gridNs: 2_000_000) { name, dueNs in
            wakes.fired.withLock { $0.append((name, dueNs, MonotonicClock.nowNs(), loop.inEventLoop)) }
            let count = wakes.fired.withLock { $0.count }
            if count < 5 {  // like a call asking for its next frame: 20 ms after this one
                clock.withLock { $0 }?.wake("frame \(count)", atNs: dueNs + 20_000_000)
            } else {
                done.succeed(())
            }
        }
        clock.withLock { $0 = wheel }
        try await loop.submit { wheel.wake("frame 0", atNs: MonotonicClock.nowNs()) }.get()
        try await done.futureResult.get()
        let fired = wakes.fired.withLock { $0 }
        #expect(fired.map(\.name) == (0..<5).map { "frame \($0)" })
        #expect(zip(fired.dropFirst(), fired).allSatisfy { $0.dueNs - $1.dueNs == 20_000_000 })
        #expect(fired.allSatisfy { $0.atNs + 1_000_000 >= $0.dueNs })
        let left = try await loop.submit { (wheel.pendingCount, wheel.armedAtNs) }.get()
        #expect(left.0 == 0 && left.1 == nil, "nothing left, and the timer is not set again")
    }
}
