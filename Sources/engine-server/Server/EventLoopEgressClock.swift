import MediaEngine
import NIOCore
import Synchronization

/// One event loop's egress clock (see `EgressClock`): a `TimingWheel` of its calls' wakes and one NIO
/// timer, set for the wheel's earliest occupied grid point, that hands each due call its wake on the
/// loop's own thread. While no call on the loop has audio queued the timer is not set at all.
///
/// Generic over what it wakes so its timing can be tested without calls; the engine's is
/// `EventLoopEgressClock` (the wake enters the call synchronously: calls run on their loop's executor).
final class EventLoopWheelClock<Element>: @unchecked Sendable {
    // @unchecked: everything mutable is touched on `loop` only (wakes come from calls running on it,
    // ticks are its scheduled tasks), which `wake` checks in debug builds.
    let loop: any EventLoop
    let gridNs: UInt64
    private let fire: (Element, _ dueNs: UInt64) -> Void
    private var wheel: TimingWheel<Element>
    private var due: [(element: Element, dueNs: UInt64)] = []
    /// The pending tick: its grid time and handle.
    private var tick: (atNs: UInt64, task: Scheduled<Void>)?

    /// `slotCount`: the wheel's lap is `slotCount * gridNs`; wakes further ahead cost an empty firing
    /// per lap, so it should cover the longest wait (a `--egress-chunk-ms` of 200: 200 ms).
    init(loop: any EventLoop, gridNs: UInt64, slotCount: Int = 128, fire: @escaping (Element, _ dueNs: UInt64) -> Void) {
        self.loop = loop
        self.gridNs = gridNs
        self.fire = fire
        wheel = TimingWheel(periodNs: gridNs, slotCount: slotCount, nowNs: MonotonicClock.nowNs())
    }

    /// Wakes `element` at the grid point nearest `dueNs` (`MonotonicClock` time; on the next tick if
    /// that has passed).
    func wake(_ element: Element, atNs dueNs: UInt64) {
        assert(loop.inEventLoop, "an egress clock is driven from its own loop")
        wheel.insert(element, dueNs: dueNs, nowNs: MonotonicClock.nowNs())
        armTimer()
    }

    /// Sets the NIO timer for the earliest occupied slot, unless it is set for that or earlier. The
    /// wheel keeps `MonotonicClock` time, the calls' own (NIO's deadlines may count another clock, as
    /// on macOS, which stops in sleep), so the timer is set by delay.
    private func armTimer() {
        guard let next = wheel.nextDeadlineNs else { return }
        if let tick {
            guard next < tick.atNs else { return }
            tick.task.cancel()
        }
        let delayNs = next - min(next, MonotonicClock.nowNs())
        tick = (next, loop.scheduleTask(in: .nanoseconds(Int64(delayNs))) { [self] in onTick() })
    }

    private func onTick() {
        tick = nil
        wheel.takeDue(atNs: MonotonicClock.nowNs(), into: &due)
        // The wheel is not touched while the calls run (their pumps ask for their next wakes).
        for entry in due { fire(entry.element, entry.dueNs) }
        due.removeAll(keepingCapacity: true)
        armTimer()
    }

    /// Entries waiting (for tests).
    var pendingCount: Int { wheel.count }
    /// The grid time the NIO timer is set for, nil when it is not set (for tests).
    var armedAtNs: UInt64? { tick?.atNs }
}

typealias EventLoopEgressClock = EventLoopWheelClock<CallSession>

/// One wheel clock per event loop, made on first use and shared by everything on that loop (the
/// engine's calls, the load generator's callers). Clocks live as long as this registry.
final class PerLoopWheelClocks<Element>: Sendable {
    private let clocks = Mutex<[ObjectIdentifier: EventLoopWheelClock<Element>]>([:])
    private let make: @Sendable (any EventLoop) -> EventLoopWheelClock<Element>

    init(make: @escaping @Sendable (any EventLoop) -> EventLoopWheelClock<Element>) {
        self.make = make
    }

    /// The clock of `loop`.
    func clock(for loop: any EventLoop) -> EventLoopWheelClock<Element> {
        clocks.withLock { clocks in
            if let clock = clocks[ObjectIdentifier(loop)] { return clock }
            let clock = make(loop)
            clocks[ObjectIdentifier(loop)] = clock
            return clock
        }
    }
}

/// 2 ms: ten grid points per 20 ms frame, so a loop's speaking calls spread over ten timer firings per
/// frame instead of bursting together, and a call woken at its slot is at most a millisecond from its
/// frame's due time.
let egressClockGridNs: UInt64 = 2_000_000

extension EventLoopWheelClock: EgressClock where Element == CallSession {
    /// The engine's clock for the calls on `loop`.
    convenience init(loop: any EventLoop) {
        self.init(loop: loop, gridNs: egressClockGridNs) { call, dueNs in
            call.assumeIsolated { $0.egressDue(atNs: dueNs) }
        }
    }
}
