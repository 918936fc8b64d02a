import Testing
@testable import MediaEngine

@Suite struct EgressQueueTests {
    func enqueue(_ q: inout EgressQueue, _ item: String, _ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBufferPointer { q.enqueue(itemId: item, muLaw: $0) }
    }

    func dequeue(_ q: inout EgressQueue, max: Int) -> (String, [UInt8])? {
        var out = [UInt8](repeating: 0, count: max)
        guard let r = out.withUnsafeMutableBufferPointer({ q.dequeue(into: $0) }) else { return nil }
        return (r.itemId, Array(out[0..<r.count]))
    }

    @Test func boundedQueueTakesOnlyWhatFitsAndNeverDrops() {
        var q = EgressQueue(capacityMs: 100)  // 800 bytes
        let audio = (0..<1_000).map { UInt8($0 % 251) }
        let taken = enqueue(&q, "A", audio)
        #expect(taken == 800)
        #expect(q.depthMs == 100)
        let overflow = enqueue(&q, "A", [1, 2, 3])
        #expect(overflow == 0, "full: backpressure, not growth")
        // Drain and re-offer the rest: every byte comes out once, in order.
        var out: [UInt8] = []
        while let (_, chunk) = dequeue(&q, max: 160) { out += chunk }
        let rest = enqueue(&q, "A", Array(audio[taken...]))
        #expect(rest == 200)
        while let (_, chunk) = dequeue(&q, max: 160) { out += chunk }
        #expect(out == audio)
    }

    @Test func chunksNeverMixTwoItems() {
        var q = EgressQueue(capacityMs: 1_000)
        _ = enqueue(&q, "A", [UInt8](repeating: 1, count: 100))
        _ = enqueue(&q, "B", [UInt8](repeating: 2, count: 100))
        let first = dequeue(&q, max: 160)
        #expect(first?.0 == "A")
        #expect(first?.1.count == 100)
        #expect(q.headItemId == "B")
        let second = dequeue(&q, max: 160)
        #expect(second?.0 == "B")
        let third = dequeue(&q, max: 160)
        #expect(third == nil)
    }

    @Test func wrapsAroundTheRingIntact() {
        var q = EgressQueue(capacityMs: 20)  // 160 bytes
        var expected: [UInt8] = []
        var got: [UInt8] = []
        for round in 0..<10 {
            let bytes = (0..<100).map { UInt8((round * 7 + $0) % 256) }
            let taken = enqueue(&q, "A", bytes)
            #expect(taken == 100)
            expected += bytes
            while let (_, chunk) = dequeue(&q, max: 70) { got += chunk }
        }
        #expect(got == expected)
    }

    @Test func clearEmptiesAtOnceAndNamesTheDroppedItems() {
        var q = EgressQueue(capacityMs: 1_000)
        _ = enqueue(&q, "A", [UInt8](repeating: 1, count: 400))
        _ = enqueue(&q, "B", [UInt8](repeating: 2, count: 400))
        let dropped = q.clear()
        #expect(dropped == ["A", "B"])
        #expect(q.isEmpty)
        #expect(q.depthMs == 0)
        let after = dequeue(&q, max: 160)
        #expect(after == nil)
    }
}

@Suite struct EgressPacerTests {
    let ms: UInt64 = 1_000_000

    @Test func sendsTheLeadAtOnceThenOneFramePerFrameTime() {
        var pacer = EgressPacer(leadMs: 100)
        let t0: UInt64 = 1_000 * ms
        #expect(pacer.sendableBytes(nowNs: t0) == 5 * 160, "an empty buffer is topped up to the lead")
        pacer.didSend(byteCount: 5 * 160, nowNs: t0)
        #expect(pacer.bufferedMs(nowNs: t0) == 100)
        #expect(pacer.sendableBytes(nowNs: t0 + 5 * ms) == 0, "5 ms played: no whole frame of room yet")
        #expect(pacer.nextSendNs() == t0 + 20 * ms, "the next frame is due when 20 ms have played")
        #expect(pacer.sendableBytes(nowNs: t0 + 19 * ms) == 0, "a wake-up 1 ms early sends nothing: it would leave a gap")
        #expect(pacer.sendableBytes(nowNs: t0 + 19 * ms, toleranceMs: 1) == 160, "the clock's wake for it may be half a grid step early")
        #expect(pacer.sendableBytes(nowNs: t0 + 20 * ms) == 160)
        #expect(pacer.nextSendNs(messageBytes: 3 * 160) == t0 + 60 * ms, "a 60 ms message waits for 60 ms of room")
        pacer.didSend(byteCount: 160, nowNs: t0 + 20 * ms)
        #expect(pacer.bufferedMs(nowNs: t0 + 20 * ms) == 100)
        #expect(pacer.sendableBytes(nowNs: t0 + 60 * ms) == 2 * 160)
        #expect(pacer.sendableBytes(nowNs: t0 + 75 * ms) == 2 * 160, "rounded down: 55 ms of room is two frames")
    }

    @Test func wakeUpsBetweenFramesDoNotBunchFrames() {
        // The egress clock wakes the call every 20 ms; deltas and mark echoes wake it in between. Every
        // frame must still leave 20 ms after the previous one.
        var pacer = EgressPacer(leadMs: 200)
        var sendTimes: [UInt64] = []
        pacer.didSend(byteCount: pacer.sendableBytes(nowNs: 0), nowNs: 0)
        for t in stride(from: UInt64(1), through: 400, by: 1) where t % 20 == 0 || t % 20 == 7 || t % 20 == 13 {
            let bytes = pacer.sendableBytes(nowNs: t * ms)
            if bytes > 0 {
                pacer.didSend(byteCount: bytes, nowNs: t * ms)
                sendTimes.append(t)
                #expect(bytes == 160)
            }
        }
        let gaps = zip(sendTimes.dropFirst(), sendTimes).map { $0 - $1 }
        #expect(gaps.allSatisfy { $0 == 20 }, "gaps: \(gaps)")
        #expect(sendTimes.count == 20)
    }

    @Test func chunkedPacingWaitsForAWholeChunkOfRoom() {
        var pacer = EgressPacer(leadMs: 200)
        pacer.didSend(byteCount: pacer.sendableBytes(nowNs: 0, messageBytes: 3 * 160), nowNs: 0)
        #expect(pacer.bufferedMs(nowNs: 0) == 200)
        #expect(pacer.sendableBytes(nowNs: 20 * ms, messageBytes: 3 * 160) == 0)
        #expect(pacer.sendableBytes(nowNs: 40 * ms, messageBytes: 3 * 160) == 0)
        #expect(pacer.sendableBytes(nowNs: 60 * ms, messageBytes: 3 * 160) == 3 * 160)
    }

    /// An answer's last audio is rarely whole frames: its final 29 ms go once 29 ms have played, not 40
    /// (a paced sender's gap equals the message's own duration, which is how jitter is judged).
    @Test func aPartialLastMessageWaitsForItsOwnDuration() {
        var pacer = EgressPacer(leadMs: 200)
        pacer.didSend(byteCount: pacer.sendableBytes(nowNs: 0, messageBytes: 2 * 160), nowNs: 0)
        #expect(pacer.bufferedMs(nowNs: 0) == 200)
        let tail = 232  // 29 ms
        #expect(pacer.nextSendNs(messageBytes: tail) == 29 * ms)
        #expect(pacer.sendableBytes(nowNs: 28 * ms, messageBytes: tail) == 0)
        #expect(pacer.sendableBytes(nowNs: 29 * ms, messageBytes: tail) == tail, "all of it, though it is more than one whole frame")
        #expect(pacer.sendableBytes(nowNs: 45 * ms, messageBytes: tail) == 2 * 160, "rounded down to whole frames when there is more room")
        #expect(pacer.nextSendNs(messageBytes: 40) == 5 * ms, "5 ms of audio waits for 5 ms of room")
    }

    @Test func playoutStartsAfterWhatIsBuffered() {
        var pacer = EgressPacer(leadMs: 200)
        pacer.didSend(byteCount: 800, nowNs: 0)  // 100 ms
        #expect(pacer.playoutStartNs(nowNs: 40 * ms) == 100 * ms)
        pacer.didClear(nowNs: 40 * ms)
        #expect(pacer.playoutStartNs(nowNs: 40 * ms) == 40 * ms)
        #expect(pacer.bufferedMs(nowNs: 40 * ms) == 0)
    }
}
