import MediaEngine
import Testing

/// The egress clock's wheel: entries come out at the grid point nearest their due time, in time order,
/// once, whatever the gaps between takes.
@Suite("TimingWheel")
struct TimingWheelTests {
    let ms: UInt64 = 1_000_000

    private func take(_ wheel: inout TimingWheel<String>, at ns: UInt64) -> [String] {
        var out: [(element: String, dueNs: UInt64)] = []
        wheel.takeDue(atNs: ns, into: &out)
        return out.map(\.element)
    }

    @Test func entriesComeOutAtTheGridPointNearestTheirDueTimeInOrder() {
        var wheel = TimingWheel<String>(periodNs: 2 * ms, nowNs: 0)
        wheel.insert("5.0", dueNs: 5 * ms, nowNs: 0)
        wheel.insert("3.1", dueNs: 3_100_000, nowNs: 0)
        wheel.insert("2.9", dueNs: 2_900_000, nowNs: 0)
        wheel.insert("100", dueNs: 100 * ms, nowNs: 0)
        #expect(wheel.nextDeadlineNs == 2 * ms)
        #expect(take(&wheel, at: 1_999_999).isEmpty, "nothing before the first grid point")
        #expect(take(&wheel, at: 2_500_000) == ["2.9"], "2.9 ms is nearest the 2 ms point")
        #expect(wheel.nextDeadlineNs == 4 * ms)
        #expect(take(&wheel, at: 4 * ms) == ["3.1"])
        #expect(take(&wheel, at: 7 * ms) == ["5.0"], "half way between two points: the later")
        #expect(wheel.count == 1)
        #expect(wheel.nextDeadlineNs == 100 * ms)
        #expect(take(&wheel, at: 99 * ms).isEmpty)
        #expect(take(&wheel, at: 100 * ms) == ["100"])
        #expect(wheel.count == 0 && wheel.nextDeadlineNs == nil)
    }

    @Test func aWakeForATimeAlreadyTakenComesOnTheNextPoint() {
        var wheel = TimingWheel<String>(periodNs: 2 * ms, nowNs: 0)
        wheel.insert("keep", dueNs: 50 * ms, nowNs: 0)
        _ = take(&wheel, at: 10 * ms)
        wheel.insert("late", dueNs: 1 * ms, nowNs: 10 * ms)
        #expect(wheel.nextDeadlineNs == 12 * ms, "never in a slot already taken")
        #expect(take(&wheel, at: 12 * ms) == ["late"])
    }

    @Test func entriesBeyondARevolutionWaitForTheirLap() {
        var wheel = TimingWheel<String>(periodNs: 2 * ms, slotCount: 8, nowNs: 0)  // 16 ms a lap
        wheel.insert("far", dueNs: 40 * ms, nowNs: 0)
        wheel.insert("near", dueNs: 8 * ms, nowNs: 0)  // the same slot as "far", two laps earlier
        #expect(take(&wheel, at: 8 * ms) == ["near"])
        #expect(take(&wheel, at: 24 * ms).isEmpty, "the slot came round again, but not its lap")
        #expect(wheel.count == 1)
        #expect(take(&wheel, at: 40 * ms) == ["far"])
    }

    @Test func aLateTakeReturnsEverythingDueOnceInTimeOrder() {
        var wheel = TimingWheel<String>(periodNs: 2 * ms, slotCount: 8, nowNs: 0)
        for (name, due) in [("c", 30), ("a", 3), ("d", 70), ("b", 9)] { wheel.insert(name, dueNs: UInt64(due) * ms, nowNs: 0) }
        #expect(take(&wheel, at: 60 * ms) == ["a", "b", "c"], "a stall of several laps: each slot visited once")
        #expect(take(&wheel, at: 60 * ms).isEmpty)
        #expect(take(&wheel, at: 75 * ms) == ["d"])
    }

    @Test func anIdleWheelCatchesUpWithTheClockOnItsNextInsert() {
        var wheel = TimingWheel<String>(periodNs: 2 * ms, nowNs: 0)
        wheel.insert("x", dueNs: 1_000_000 * ms, nowNs: 1_000_000 * ms)  // ~17 minutes later
        #expect(wheel.takenSlot == 500_000, "no walk through the idle time's slots")
        #expect(take(&wheel, at: 1_000_002 * ms) == ["x"])
    }
}
