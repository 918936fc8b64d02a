/// What wakes a call to send its next frames to Twilio.
///
/// Twilio plays our audio from its own buffer at its own clock, so the engine's sends should keep a
/// steady cadence of their own, whatever the inbound leg does: frames from Twilio arrive with the
/// internet's jitter (bunched, late, or not at all while the caller is on hold), and a pacer driven by
/// them passes that jitter on. Each call asks for a wake at the time its next frame falls due
/// (`EgressPacer.nextSendNs`); the server's clock is one timer per event loop that wakes, every
/// `gridNs`, the calls whose frames are due (`TimingWheel`), so a thousand speaking calls cost 500
/// timer firings a second per loop, not 50 000. A frame is woken for at the grid point nearest its due
/// time, and may go up to half a grid step early on that wake: within a talk spurt every frame is due at
/// the same phase of the grid, so every one leaves at the same offset from it and the grid adds no
/// jitter; what remains is the loop's own lateness.
public protocol EgressClock: Sendable {
    /// Wakes fall on multiples of this (ns of the monotonic clock).
    var gridNs: UInt64 { get }
    /// Calls `call.egressDue(atNs: dueNs)` on the call's executor at the grid point nearest `dueNs`
    /// (at once, on the next tick, when that point has passed). `dueNs` is `MonotonicClock` time (a call
    /// with a clock of its own must not be given an egress clock). Called on the call's executor.
    func wake(_ call: CallSession, atNs dueNs: UInt64)
}

/// A hashed timing wheel: entries due on a fixed grid, taken out slot by slot in time order.
///
/// Slot `n` covers the grid point `n * periodNs`; an entry goes in the slot of the grid point nearest its
/// due time (so it fires up to half a period early, never a period late), or in the next slot not yet
/// taken if that point has passed. `slotCount` slots make one revolution; an entry due further ahead
/// waits in its slot for the revolution that reaches it. No allocation once the slots have grown to
/// their working size. Not thread-safe: its owner (one event loop's clock) keeps it on one thread.
public struct TimingWheel<Element> {
    public let periodNs: UInt64
    private var slots: [[(element: Element, dueNs: UInt64, slot: UInt64)]]
    /// The last slot taken; everything in earlier slots is out.
    public private(set) var takenSlot: UInt64
    public private(set) var count = 0

    public init(periodNs: UInt64, slotCount: Int = 64, nowNs: UInt64) {
        precondition(periodNs > 0 && slotCount > 1)
        self.periodNs = periodNs
        slots = Array(repeating: [], count: slotCount)
        takenSlot = nowNs / periodNs
    }

    /// The slot an entry due at `dueNs` goes in: its nearest grid point's, or the next one not yet taken.
    private func slot(forDueNs dueNs: UInt64) -> UInt64 {
        max((dueNs + periodNs / 2) / periodNs, takenSlot + 1)
    }

    /// Adds `element`, due at `dueNs`. `nowNs`: an empty wheel first catches up to it, so the next
    /// take does not walk the slots of the idle time.
    public mutating func insert(_ element: Element, dueNs: UInt64, nowNs: UInt64) {
        if count == 0 { takenSlot = max(takenSlot, nowNs / periodNs) }
        let slot = slot(forDueNs: dueNs)
        slots[Int(slot % UInt64(slots.count))].append((element, dueNs, slot))
        count += 1
    }

    /// The grid time of the earliest slot holding an entry (at most one revolution ahead: an entry due
    /// later is looked at again then), or nil when the wheel is empty.
    public var nextDeadlineNs: UInt64? {
        guard count > 0 else { return nil }
        for step in 1...UInt64(slots.count) where !slots[Int((takenSlot + step) % UInt64(slots.count))].isEmpty {
            return (takenSlot + step) * periodNs
        }
        return nil  // unreachable: every entry sits in some slot
    }

    /// Moves every entry of the slots up to the grid point at or before `nowNs` into `out` (in slot
    /// order), with the time it was due; entries of later revolutions stay.
    public mutating func takeDue(atNs nowNs: UInt64, into out: inout [(element: Element, dueNs: UInt64)]) {
        let last = nowNs / periodNs
        guard count > 0, last > takenSlot else {
            takenSlot = max(takenSlot, last)
            return
        }
        // Past a whole revolution (a stalled loop), each slot is visited once (it holds every lap's
        // entries) and what came out is put back in time order.
        let lapped = last - takenSlot > UInt64(slots.count)
        let start = out.count
        let first = lapped ? last - UInt64(slots.count) + 1 : takenSlot + 1
        for slot in first...last {
            let index = Int(slot % UInt64(slots.count))
            guard !slots[index].isEmpty else { continue }
            var kept = 0
            for i in slots[index].indices {
                let entry = slots[index][i]
                if entry.slot <= last {
                    out.append((entry.element, entry.dueNs))
                } else {
                    slots[index][kept] = entry
                    kept += 1
                }
            }
            count -= slots[index].count - kept
            slots[index].removeLast(slots[index].count - kept)
        }
        if lapped { out[start...].sort { $0.dueNs < $1.dueNs } }
        takenSlot = last
    }
}
