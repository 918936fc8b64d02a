import Testing
@testable import MediaEngine

@Suite struct MarkLedgerTests {
    let ms: UInt64 = 1_000_000

    @Test func markNamesAreUniquePerGenerationItemAndPosition() {
        var ledger = MarkLedger()
        let a = ledger.didSend(itemId: "item_a", durationMs: 100, nowNs: 0, playoutStartNs: 0)
        let b = ledger.didSend(itemId: "item_a", durationMs: 100, nowNs: 0, playoutStartNs: 0)
        #expect(a == "0:item_a:100")
        #expect(b == "0:item_a:200")
        #expect(ledger.isAudioPending)
    }

    @Test func bargeInTruncatesAtPlayedPositionNotAtSentPosition() throws {
        var ledger = MarkLedger()
        // 1 s of audio sent at t=0 in 100 ms chunks; playback starts at once.
        var names: [String] = []
        for _ in 0..<10 { names.append(ledger.didSend(itemId: "item_a", durationMs: 100, nowNs: 0, playoutStartNs: 0)) }
        // Twilio echoes the first three marks as their audio plays.
        ledger.didReceiveMark(named: names[0], nowNs: 100 * ms)
        ledger.didReceiveMark(named: names[1], nowNs: 200 * ms)
        ledger.didReceiveMark(named: names[2], nowNs: 300 * ms)
        // Caller speaks at 340 ms: heard 300 acked + 40 elapsed.
        let decision = ledger.bargeIn(nowNs: 340 * ms)
        let cut = try #require(decision)
        #expect(cut.truncate?.itemId == "item_a")
        #expect(cut.truncate?.audioEndMs == 340)
        #expect(cut.unplayedItemIds.isEmpty)
        #expect(ledger.isMuted("item_a"))
        #expect(ledger.generation == 1)
        #expect(!ledger.isAudioPending)
    }

    @Test func truncationIsClampedToWhatWasSent() throws {
        var ledger = MarkLedger()
        _ = ledger.didSend(itemId: "item_a", durationMs: 120, nowNs: 0, playoutStartNs: 0)
        // Long after the audio should have played, but its mark has not come back yet.
        let decision = ledger.bargeIn(nowNs: 5_000 * ms)
        let cut = try #require(decision)
        #expect(cut.truncate?.audioEndMs == 120)
    }

    @Test func flushEchoesAfterClearAreIgnored() throws {
        var ledger = MarkLedger()
        let old = (0..<3).map { _ in ledger.didSend(itemId: "item_a", durationMs: 100, nowNs: 0, playoutStartNs: 0) }
        let interrupted = ledger.bargeIn(nowNs: 50 * ms)
        #expect(interrupted != nil)
        // New response starts; Twilio's flush echoes of the old marks arrive late.
        let fresh = ledger.didSend(itemId: "item_b", durationMs: 100, nowNs: 60 * ms, playoutStartNs: 60 * ms)
        for name in old {
            let accepted = ledger.didReceiveMark(named: name, nowNs: 70 * ms)
            #expect(!accepted)
        }
        #expect(ledger.isAudioPending, "the new item's mark must still be pending")
        let freshAccepted = ledger.didReceiveMark(named: fresh, nowNs: 160 * ms)
        #expect(freshAccepted)
        let unknownAccepted = ledger.didReceiveMark(named: "responsePart", nowNs: 170 * ms)
        #expect(!unknownAccepted)
    }

    @Test func itemQueuedBehindAnotherStartsWhenTheFirstFinishes() throws {
        var ledger = MarkLedger()
        // Item A: 300 ms sent at t=0. Item B: 300 ms sent at t=10 ms, queued behind A at Twilio.
        var aMarks: [String] = []
        for _ in 0..<3 { aMarks.append(ledger.didSend(itemId: "A", durationMs: 100, nowNs: 0, playoutStartNs: 0)) }
        for _ in 0..<3 { _ = ledger.didSend(itemId: "B", durationMs: 100, nowNs: 10 * ms, playoutStartNs: 300 * ms) }
        for (k, name) in aMarks.enumerated() { ledger.didReceiveMark(named: name, nowNs: UInt64(k + 1) * 100 * ms) }
        // At 350 ms the caller has heard 50 ms of B.
        let decision = ledger.bargeIn(nowNs: 350 * ms)
        let cut = try #require(decision)
        #expect(cut.truncate?.itemId == "B")
        #expect(cut.truncate?.audioEndMs == 50)
    }

    @Test func wholeItemsSentButNeverStartedAreReportedUnplayed() throws {
        var ledger = MarkLedger()
        _ = ledger.didSend(itemId: "A", durationMs: 200, nowNs: 0, playoutStartNs: 0)
        _ = ledger.didSend(itemId: "B", durationMs: 200, nowNs: 0, playoutStartNs: 200 * ms)
        let decision = ledger.bargeIn(nowNs: 100 * ms)
        let cut = try #require(decision)
        #expect(cut.truncate?.itemId == "A")
        #expect(cut.truncate?.audioEndMs == 100)
        #expect(cut.unplayedItemIds == ["B"])
        #expect(ledger.isMuted("B"))
    }

    @Test func bargeInWithNothingQueuedAtTwilioDoesNothing() {
        var ledger = MarkLedger()
        let first = ledger.bargeIn(nowNs: 0)
        #expect(first == nil)
        let name = ledger.didSend(itemId: "A", durationMs: 100, nowNs: 0, playoutStartNs: 0)
        ledger.didReceiveMark(named: name, nowNs: 100 * ms)
        let second = ledger.bargeIn(nowNs: 200 * ms)
        #expect(second == nil, "everything sent has played")
        #expect(ledger.generation == 0)
    }

    @Test func memoryStaysBoundedOverALongCall() {
        var ledger = MarkLedger()
        for i in 0..<1_000 {
            let name = ledger.didSend(itemId: "item_\(i)", durationMs: 40, nowNs: UInt64(i) * 40 * ms, playoutStartNs: 0)
            ledger.didReceiveMark(named: name, nowNs: UInt64(i + 1) * 40 * ms)
            ledger.mute("item_\(i)")
        }
        #expect(ledger.isMuted("item_999"))
        #expect(!ledger.isMuted("item_0"), "old muted items are forgotten")
        #expect(ledger.playedMs(of: "item_0", nowNs: 0) == 0, "old items are forgotten")
    }
}
