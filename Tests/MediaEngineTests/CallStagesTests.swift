import Foundation
import Testing
@testable import MediaEngine

@Suite struct IngressStageTests {
    @Test func pcmuPathPassesTheTwilioPayloadThroughAndDecodesACopy() throws {
        var stage = try IngressStage(audioPath: .pcmu)
        let muLaw = (0..<160).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let payload = Base64.encode(muLaw)
        try stage.ingest(payloadBase64: Array(payload.utf8))
        #expect(String(decoding: stage.appendFrame, as: UTF8.self)
            == #"{"type":"input_audio_buffer.append","audio":"\#(payload)"}"#)
        let pcm = stage.withPCM8k { Array($0) }
        #expect(pcm == muLaw.map(MuLaw.decode))
    }

    @Test func pcm24kPathResamplesToThreeTimesTheSamples() throws {
        var stage = try IngressStage(audioPath: .pcm24k)
        let tone = TestAudio.sine(frequency: 440, amplitude: 8_000, seconds: 0.2)
        var total = 0
        for k in 0..<10 {
            let frame = MuLaw.encode(Array(tone[(k * 160)..<((k + 1) * 160)]))
            try stage.ingest(payloadBase64: Array(Base64.encode(frame).utf8))
            let json = try JSONSerialization.jsonObject(with: Data(stage.appendFrame)) as? [String: String]
            #expect(json?["type"] == "input_audio_buffer.append")
            let audio = try Base64.decode(try #require(json?["audio"]))
            #expect(audio.count == 960, "20 ms at 24 kHz, PCM16")
            total += audio.count / 2
        }
        #expect(total == 4_800)
    }

    @Test func aPayloadLargerThanTwilioSendsIsTakenWholeOnBothPaths() throws {
        for path in ModelAudioPath.allCases {
            var stage = try IngressStage(audioPath: path)
            let second = MuLaw.encode(TestAudio.sine(frequency: 440, amplitude: 8_000, seconds: 1.0))
            try stage.ingest(payloadBase64: Array(Base64.encode(Array(second[0..<160])).utf8))
            try stage.ingest(payloadBase64: Array(Base64.encode(second).utf8))
            #expect(stage.pcmCount == 8_000)
            #expect(stage.withPCM8k { Array($0) } == second.map(MuLaw.decode))
            let json = try JSONSerialization.jsonObject(with: Data(stage.appendFrame)) as? [String: String]
            let audio = try Base64.decode(try #require(json?["audio"]))
            #expect(audio.count == (path == .pcmu ? 8_000 : 48_000), "\(path): one second of audio for the model")
            try stage.ingest(payloadBase64: Array(Base64.encode(Array(second[0..<160])).utf8))
            #expect(stage.pcmCount == 160)
        }
    }

    @Test func batchedAppendsCarryTheSameAudioInFewerMessages() throws {
        let tone = MuLaw.encode(TestAudio.sine(frequency: 440, amplitude: 8_000, seconds: 0.24))
        for path in ModelAudioPath.allCases {
            var single = try IngressStage(audioPath: path)
            var batched = try IngressStage(audioPath: path, appendEveryMs: 60)
            var singleAudio: [UInt8] = [], batchedAudio: [UInt8] = []
            var batchedMs: [Int] = []
            for k in 0..<12 {
                let frame = Array(Base64.encode(Array(tone[(k * 160)..<((k + 1) * 160)])).utf8)
                try single.ingest(payloadBase64: frame)
                try batched.ingest(payloadBase64: frame)
                #expect(single.appendReady)
                #expect(batched.pcmCount == 160, "the detectors still see every frame")
                singleAudio += try Self.audio(of: single.appendFrame)
                if batched.appendReady {
                    batchedAudio += try Self.audio(of: batched.appendFrame)
                    batchedMs.append(batched.appendAudioMs)
                }
            }
            #expect(batchedMs == [60, 60, 60, 60], "\(path)")
            #expect(batchedAudio == singleAudio, "\(path): same audio, same order")
        }
    }

    @Test func gatheringWaitsUpToItsLimitAndAFrameThatMustGoTakesWhatWaitedWithIt() throws {
        let tone = MuLaw.encode(TestAudio.sine(frequency: 440, amplitude: 8_000, seconds: 0.3))
        // 100 ms limits, then a frame that must go at once after two waited, then gathering again.
        let limits = [100, 100, 100, 100, 100, 100, 100, 0, 0, 100, 100, 100, 100, 100, 100]
        for path in ModelAudioPath.allCases {
            var single = try IngressStage(audioPath: path)
            var paced = try IngressStage(audioPath: path, maxAppendMs: 100)
            var singleAudio: [UInt8] = [], pacedAudio: [UInt8] = []
            var appendMs: [Int] = []
            for (k, limit) in limits.enumerated() {
                let frame = Array(Base64.encode(Array(tone[(k * 160)..<((k + 1) * 160)])).utf8)
                try single.ingest(payloadBase64: frame)
                singleAudio += try Self.audio(of: single.appendFrame)
                try frame.withUnsafeBytes { raw in
                    try paced.decode(payloadBase64: raw)
                    paced.gather(payloadBase64: raw, waitUpToMs: limit)
                }
                if paced.appendReady {
                    pacedAudio += try Self.audio(of: paced.appendFrame)
                    appendMs.append(paced.appendAudioMs)
                }
            }
            #expect(appendMs == [100, 60, 20, 100], "\(path)")
            #expect(pacedAudio == Array(singleAudio.prefix(pacedAudio.count)), "\(path): same audio, same order")
            #expect(singleAudio.count - pacedAudio.count == (path == .pcmu ? 160 : 960), "\(path): one frame still gathering")
        }
    }

    @Test func aShortFrameThatMustGoGoesAndNothingIsGatheredTwice() throws {
        for path in ModelAudioPath.allCases {
            var stage = try IngressStage(audioPath: path, maxAppendMs: 100)
            let short = Array(Base64.encode([UInt8](repeating: 0x7E, count: 80)).utf8)  // 10 ms
            try short.withUnsafeBytes { raw in
                try stage.decode(payloadBase64: raw)
                stage.gather(payloadBase64: raw, waitUpToMs: 0)
            }
            #expect(stage.appendReady && stage.appendAudioMs == 10, "\(path): sent at once though under 20 ms")
            let frame = Array(Base64.encode([UInt8](repeating: 0x7E, count: 160)).utf8)
            try frame.withUnsafeBytes { raw in
                try stage.decode(payloadBase64: raw)
                stage.gather(payloadBase64: raw, waitUpToMs: 100)
                stage.gather(payloadBase64: raw, waitUpToMs: 100)  // no second decode: ignored
            }
            #expect(!stage.appendReady && stage.pendingMs == 20, "\(path)")
            #expect(throws: IngressStage.Rejection.self) { try stage.ingest(payloadBase64: Array("not base64!".utf8)) }
            "A".utf8.withContiguousStorageIfAvailable { stage.gather(payloadBase64: UnsafeRawBufferPointer($0), waitUpToMs: 0) }
            #expect(!stage.appendReady && stage.pendingMs == 20, "\(path): a rejected frame adds nothing, sends nothing")
            try frame.withUnsafeBytes { raw in
                try stage.decode(payloadBase64: raw)
                stage.gather(payloadBase64: raw, waitUpToMs: 0)
            }
            #expect(stage.appendReady && stage.appendAudioMs == 40 && stage.pendingMs == 0, "\(path): the waiting frame went with it")
        }
    }

    static func audio(of appendFrame: [UInt8]) throws -> [UInt8] {
        let json = try JSONSerialization.jsonObject(with: Data(appendFrame)) as? [String: String]
        return try Base64.decode(try #require(json?["audio"]))
    }

    @Test(arguments: [ResamplerKind.polyphase, .sincFastest])
    func pcm24kPathRunsTheConverterTheCallChose(kind: ResamplerKind) throws {
        var stage = try IngressStage(audioPath: .pcm24k, resampler: kind)
        let reference = try CallResampler(from: 8_000, to: 24_000, kind: kind)
        let tone = TestAudio.sine(frequency: 1_000, amplitude: 8_000, seconds: 0.1)
        for k in 0..<5 {
            try stage.ingest(payloadBase64: Array(Base64.encode(MuLaw.encode(Array(tone[(k * 160)..<((k + 1) * 160)]))).utf8))
            let json = try JSONSerialization.jsonObject(with: Data(stage.appendFrame)) as? [String: String]
            let bytes = try Base64.decode(try #require(json?["audio"]))
            let sent = (0..<(bytes.count / 2)).map { Int16(bitPattern: UInt16(bytes[2 * $0]) | UInt16(bytes[2 * $0 + 1]) << 8) }
            var expected = [Int16](repeating: 0, count: reference.maxOutputCount(inputCount: 160))
            let count = stage.withPCM8k { pcm in expected.withUnsafeMutableBufferPointer { reference.process(pcm, into: $0) } }
            #expect(count == 480 && sent == Array(expected.prefix(count)), "\(kind), frame \(k)")
        }
        #expect(try IngressStage(audioPath: .pcm24k).resampler == .polyphase, "the default")
    }

    @Test func rejectsBadPayloadsWithoutTouchingTheLastFrame() throws {
        var stage = try IngressStage(audioPath: .pcmu)
        try stage.ingest(payloadBase64: Array(Base64.encode([UInt8](repeating: 0xFF, count: 160)).utf8))
        #expect(throws: IngressStage.Rejection.self) { try stage.ingest(payloadBase64: Array("not base64!".utf8)) }
        #expect(throws: IngressStage.Rejection.empty) { try stage.ingest(payloadBase64: []) }
        let huge = Array(Base64.encode([UInt8](repeating: 0xFF, count: 9_000)).utf8)
        #expect(throws: IngressStage.Rejection.tooLarge(bytes: 9_000)) { try stage.ingest(payloadBase64: huge) }
    }
}

@Suite struct EgressStageTests {
    let ms: UInt64 = 1_000_000
    let encoder = TwilioOutboundEncoder(streamSid: "MZ1")

    func messages(_ stage: inout EgressStage, at nowNs: UInt64) -> [[String: Any]] {
        var out: [[String: Any]] = []
        stage.pump(nowNs: nowNs, encoder: encoder) { bytes in
            out.append((try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]) ?? [:])
        }
        return out
    }

    func payloads(_ messages: [[String: Any]]) throws -> [UInt8] {
        try messages.compactMap { ($0["media"] as? [String: String])?["payload"] }.flatMap { try Base64.decode($0) }
    }

    @Test func sendsTheLeadAtOnceInFramesWithMarksAndKeepsTheRestQueued() throws {
        var stage = try EgressStage(audioPath: .pcmu, leadMs: 200, markIntervalMs: 100)
        let audio = (0..<8_000).map { UInt8(truncatingIfNeeded: $0 * 13) }  // 1 s
        let accepted = try stage.accept(itemId: "item_a", deltaBase64: Array(Base64.encode(audio).utf8))
        #expect(accepted)
        let burst = messages(&stage, at: 1_000 * ms)
        let media = burst.filter { $0["event"] as? String == "media" }
        let marks = burst.compactMap { ($0["mark"] as? [String: String])?["name"] }
        #expect(media.count == 10, "200 ms lead = ten 20 ms frames")
        #expect(marks == ["0:item_a:100", "0:item_a:200"])
        #expect(try payloads(burst) == Array(audio[0..<1_600]))
        #expect(stage.queue.depthMs == 800)
        // 40 ms later two more frames may go.
        let next = messages(&stage, at: 1_040 * ms)
        #expect(next.filter { $0["event"] as? String == "media" }.count == 2)
    }

    @Test func chunkedEgressSendsFewerLargerMessagesWithTheSameAudioAndMarks() throws {
        var stage = try EgressStage(audioPath: .pcmu, leadMs: 200, markIntervalMs: 100, chunkMs: 60)
        let audio = (0..<4_000).map { UInt8(truncatingIfNeeded: $0 * 29) }  // 500 ms
        _ = try stage.accept(itemId: "item_a", deltaBase64: Array(Base64.encode(audio).utf8))
        var all: [[String: Any]] = []
        var frameStarts: [UInt64] = []
        var t: UInt64 = 1_000 * ms
        while stage.hasAudioPending && !stage.queue.isEmpty && t < 3_000 * ms {
            stage.pump(nowNs: t, encoder: encoder, emit: { all.append((try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any]) ?? [:]) },
                       sentAudio: { audio, start in #expect(audio.count == 160); frameStarts.append(start) })
            t += 20 * ms
        }
        let sizes = all.compactMap { ($0["media"] as? [String: String])?["payload"] }.map { (try? Base64.decode($0).count) ?? -1 }
        #expect(sizes == [480, 480, 480, 160, 480, 480, 480, 480, 480],
                "the 200 ms prefill in 60 ms messages, then one 60 ms message per 60 ms: \(sizes)")
        #expect(try payloads(all) == audio)
        #expect(frameStarts.count == 25, "the recording and the echo estimate still see every 20 ms frame")
        #expect(zip(frameStarts.dropFirst(), frameStarts).allSatisfy { $0 - $1 == 20 * ms }, "back-to-back playout")
        let marks = all.compactMap { ($0["mark"] as? [String: String])?["name"] }
        #expect(marks.last == "0:item_a:500", "the last mark covers the whole item: \(marks)")
    }

    /// An answer's last 5 ms: while more may come they wait for a whole frame of room (and usually go
    /// with the next delta); once the answer is complete they go as soon as 5 ms have played.
    @Test func aShortQueueWaitsForAWholeFrameUntilTheAnswerIsComplete() throws {
        var stage = try EgressStage(audioPath: .pcmu, leadMs: 200, markIntervalMs: 100, chunkMs: 40)
        let audio = (0..<1_640).map { UInt8(truncatingIfNeeded: $0 * 7) }  // 205 ms
        _ = try stage.accept(itemId: "item_a", deltaBase64: Array(Base64.encode(audio).utf8))
        let t0 = 1_000 * ms
        _ = messages(&stage, at: t0)
        #expect(stage.queue.byteCount == 40, "the 200 ms lead went, 5 ms wait")
        #expect(stage.nextSendNs == t0 + 20 * ms, "more may come: a whole frame of room")
        #expect(messages(&stage, at: t0 + 10 * ms).isEmpty)
        stage.audioComplete()
        #expect(stage.nextSendNs == t0 + 5 * ms, "the answer is complete: its own 5 ms of room")
        let tail = messages(&stage, at: t0 + 10 * ms)
        #expect(try payloads(tail) == Array(audio[1_600...]))
        // A new answer's audio waits for whole frames again.
        _ = try stage.accept(itemId: "item_b", deltaBase64: Array(Base64.encode(Array(audio[0..<40])).utf8))
        #expect(stage.nextSendNs == t0 + 25 * ms)
    }

    @Test func aChunkLongerThanTheLeadIsCutToTheLead() throws {
        #expect(try EgressStage(audioPath: .pcmu, leadMs: 100, chunkMs: 200).chunkMs == 100)
        #expect(try EgressStage(audioPath: .pcmu, leadMs: 200, chunkMs: 40).chunkMs == 40)
    }

    @Test func framesGoAtTheirTimeWhateverWakesTheCallAndWhateverThePhaseTheReplyStartsAt() throws {
        // The egress clock wakes the call at the 2 ms grid point nearest its next frame's due time (so up
        // to 1 ms early) and up to 0.8 ms late; the reply's first delta lands at every phase of the grid
        // and of a 20 ms frame; mark echoes wake the call at random times in between. After the
        // prefill, no frame may leave before its due time (but on the clock's wake, by half a grid
        // step), every message is one frame, and the gaps stay 20 ms give or take those 1.8 ms.
        let grid: UInt64 = 2 * ms
        var sentOnEchoes = 0
        for startUs in stride(from: 130, to: 20_000, by: 1_370) {
            var stage = try EgressStage(audioPath: .pcmu, leadMs: 200, markIntervalMs: 100)
            var rng = TestAudio.SeededGenerator(seed: UInt64(startUs))
            var sends: [(ns: UInt64, bytes: Int, dueNs: UInt64, onClock: Bool)] = []
            func pump(_ now: UInt64, onClock: Bool) {
                let due = stage.nextSendNs ?? 0
                stage.pump(nowNs: now, toleranceMs: onClock ? 1 : 0, encoder: encoder, emit: { message in
                    if let json = try? JSONSerialization.jsonObject(with: Data(message)) as? [String: Any],
                       let payload = (json["media"] as? [String: String])?["payload"], let audio = try? Base64.decode(payload) {
                        sends.append((now, audio.count, due, onClock))
                    }
                })
            }
            var now = 1_000 * ms + UInt64(startUs) * 1_000
            _ = try stage.accept(itemId: "item_a", deltaBase64: Array(Base64.encode([UInt8](repeating: 0x55, count: 16_000)).utf8))
            pump(now, onClock: false)
            var nextEcho = now + UInt64(Int.random(in: 1_000...30_000, using: &rng)) * 1_000
            var wakes = 0
            while let due = stage.nextSendNs, wakes < 1_000 {
                wakes += 1
                let wake = (due + grid / 2) / grid * grid + UInt64(Int.random(in: 0...800, using: &rng)) * 1_000
                if nextEcho < wake {
                    now = max(now, nextEcho)
                    pump(now, onClock: false)
                    nextEcho += UInt64(Int.random(in: 1_000...30_000, using: &rng)) * 1_000
                } else {
                    now = max(now, wake)
                    pump(now, onClock: true)
                }
            }
            #expect(stage.queue.isEmpty, "the reply went out in \(wakes) wakes")
            let prefill = sends.prefix { $0.ns == sends[0].ns }
            let steady = sends.dropFirst(prefill.count)
            #expect(steady.count == 90, "start \(startUs) µs: prefill \(prefill.map(\.bytes))")
            #expect(steady.allSatisfy { $0.bytes == 160 })
            let early = steady.filter { $0.ns + ($0.onClock ? grid / 2 : 0) < $0.dueNs }
            #expect(early.isEmpty, "start \(startUs) µs: sent before their time: \(early.prefix(3))")
            let gaps = zip(steady.dropFirst(), steady).map { Double($0.ns) / 1e6 - Double($1.ns) / 1e6 }
            #expect(gaps.allSatisfy { abs($0 - 20) <= 1.8 }, "start \(startUs) µs: \(gaps.filter { abs($0 - 20) > 1.8 }.prefix(5))")
            sentOnEchoes += steady.filter { !$0.onClock }.count
        }
        #expect(sentOnEchoes > 0, "a mark echo after a frame fell due sends it (the path is exercised)")
    }

    @Test func bargeInTruncatesAtWhatWasHeardDropsTheRestAndMutesLateDeltas() throws {
        var stage = try EgressStage(audioPath: .pcmu, leadMs: 200, markIntervalMs: 100)
        let audio = [UInt8](repeating: 0x55, count: 8_000)
        _ = try stage.accept(itemId: "item_a", deltaBase64: Array(Base64.encode(audio).utf8))
        let burst = messages(&stage, at: 0)
        let marks = burst.compactMap { ($0["mark"] as? [String: String])?["name"] }
        stage.didReceiveMark(named: marks[0], nowNs: 100 * ms)
        let decision = stage.interrupt(nowNs: 130 * ms)
        let cut = try #require(decision)
        #expect(cut.truncate?.itemId == "item_a")
        #expect(cut.truncate?.audioEndMs == 130)
        #expect(cut.clearTwilio)
        #expect(stage.queue.isEmpty)
        #expect(!stage.hasAudioPending)
        let late = try stage.accept(itemId: "item_a", deltaBase64: Array(Base64.encode(audio).utf8))
        #expect(late)
        #expect(stage.queue.isEmpty, "late deltas of the interrupted item are dropped")
        let after = messages(&stage, at: 200 * ms)
        #expect(after.isEmpty)
    }

    @Test func audioOnlyQueuedLocallyIsUnheardAndNeedsNoClear() throws {
        var stage = try EgressStage(audioPath: .pcmu)
        _ = try stage.accept(itemId: "item_b", deltaBase64: Array(Base64.encode([UInt8](repeating: 1, count: 800)).utf8))
        let decision = stage.interrupt(nowNs: 0)
        let cut = try #require(decision)
        #expect(cut.truncate == nil)
        #expect(cut.unheardItemIds == ["item_b"])
        #expect(!cut.clearTwilio)
    }

    @Test func fullQueuePushesBackInsteadOfDroppingAudio() throws {
        var stage = try EgressStage(audioPath: .pcmu, queueCapacityMs: 100, leadMs: 40)
        let audio = (0..<2_400).map { UInt8(truncatingIfNeeded: $0) }  // 300 ms into a 100 ms queue
        let accepted = try stage.accept(itemId: "item_a", deltaBase64: Array(Base64.encode(audio).utf8))
        #expect(!accepted)
        #expect(stage.isBackpressured)
        var sent: [UInt8] = []
        var t: UInt64 = 0
        while (!stage.queue.isEmpty || stage.isBackpressured) && t < 2_000 * ms {
            sent += try payloads(messages(&stage, at: t))
            t += 20 * ms
        }
        #expect(sent == audio, "every byte goes out once, in order")
    }

    @Test func pcm24kDeltasAreResampledToEightKilohertzMuLaw() throws {
        var stage = try EgressStage(audioPath: .pcm24k)
        let tone = TestAudio.sine(frequency: 440, amplitude: 8_000, seconds: 0.3, rate: 24_000)
        var bytes: [UInt8] = []
        for s in tone { bytes.append(UInt8(truncatingIfNeeded: UInt16(bitPattern: s))); bytes.append(UInt8(UInt16(bitPattern: s) >> 8)) }
        // Split at an odd byte to exercise the carried half-sample.
        _ = try stage.accept(itemId: "item_a", deltaBase64: Array(Base64.encode(Array(bytes[0..<4_801])).utf8))
        _ = try stage.accept(itemId: "item_a", deltaBase64: Array(Base64.encode(Array(bytes[4_801...])).utf8))
        #expect(stage.queue.byteCount == 2_400, "300 ms at 8 kHz")
    }

    @Test(arguments: [ResamplerKind.polyphase, .sincFastest])
    func pcm24kDeltasRunTheConverterTheCallChose(kind: ResamplerKind) throws {
        var stage = try EgressStage(audioPath: .pcm24k, leadMs: 200, resampler: kind)
        let tone = TestAudio.sine(frequency: 1_000, amplitude: 8_000, seconds: 0.1, rate: 24_000)
        var bytes: [UInt8] = []
        for s in tone { bytes.append(UInt8(truncatingIfNeeded: UInt16(bitPattern: s))); bytes.append(UInt8(UInt16(bitPattern: s) >> 8)) }
        _ = try stage.accept(itemId: "item_a", deltaBase64: Array(Base64.encode(bytes).utf8))
        let reference = try CallResampler(from: 24_000, to: 8_000, kind: kind)
        var pcm8k = [Int16](repeating: 0, count: reference.maxOutputCount(inputCount: tone.count))
        let count = tone.withUnsafeBufferPointer { input in pcm8k.withUnsafeMutableBufferPointer { reference.process(input, into: $0) } }
        #expect(count == 800)
        #expect(try payloads(messages(&stage, at: 0)) == MuLaw.encode(Array(pcm8k.prefix(count))), "\(kind): 100 ms, all within the 200 ms lead")
    }

    @Test func deltasLongerThanTheStartingBuffersAreTakenWhole() throws {
        var pcmu = try EgressStage(audioPath: .pcmu, queueCapacityMs: 4_000)
        let audio = (0..<24_000).map { UInt8(truncatingIfNeeded: $0 * 7) }  // 3 s, past the 1 s buffers
        #expect(try pcmu.accept(itemId: "item_a", deltaBase64: Array(Base64.encode(audio).utf8)))
        #expect(pcmu.queue.byteCount == 24_000)
        var pcm24k = try EgressStage(audioPath: .pcm24k, queueCapacityMs: 4_000)
        let tone = TestAudio.sine(frequency: 300, amplitude: 8_000, seconds: 2.5, rate: 24_000)
        var bytes: [UInt8] = []
        for s in tone { bytes.append(UInt8(truncatingIfNeeded: UInt16(bitPattern: s))); bytes.append(UInt8(UInt16(bitPattern: s) >> 8)) }
        #expect(try pcm24k.accept(itemId: "item_a", deltaBase64: Array(Base64.encode(bytes).utf8)))
        #expect(abs(pcm24k.queue.byteCount - 20_000) <= 64, "2.5 s at 8 kHz")
    }
}

/// The call's detector stage on a phone line where the caller presses keys: in-band DTMF tones
/// (rendered by sox, through mu-law) must come out as digits, never as the caller talking, whether the
/// bot is speaking (barge-in) or not (a turn), while speech around them is still heard.
@Suite struct DetectorStageTests {
    static let samplesPerMs = 8
    /// When the bot starts speaking on the timeline (ms).
    static let botStartMs = 500

    struct Outcome {
        var speechStarts: [(atMs: Int, decidedAtMs: Int)] = []
        var speechEnds: [(atMs: Int, decidedAtMs: Int)] = []
        var bargeIns: [(onsetMs: Int, decidedAtMs: Int)] = []
        var digits: [DTMFEvent] = []
        var noiseFloorDbfs = 0.0
    }

    /// A caller's line: the bot's echo (`echoReturnLossDb` down, 40 ms late; `bot` nil: the bot is
    /// silent), line noise at -50 dBFS and the caller's `sounds`, each placed at a sample index, through mu-law. Runs it through
    /// a `DetectorStage` in 20 ms frames, telling it the level of the bot audio played in each frame;
    /// with `keypadAware` false the DTMF detector's word is ignored (the VAD and barge-in detector as
    /// they ran before they were told about keypad tones), for comparison.
    static func call(bot: [Int16]?, sounds: [(atSample: Int, samples: [Int16])], totalMs: Int, echoReturnLossDb: Double = 25,
                     seed: UInt64 = 3, keypadAware: Bool = true) throws -> Outcome {
        let count = totalMs * samplesPerMs
        var played = [Int16](repeating: 0, count: count)
        for (i, s) in (bot ?? []).enumerated() where botStartMs * samplesPerMs + i < count { played[botStartMs * samplesPerMs + i] = s }
        let noise = TestAudio.lineNoise(count: count, seed: seed)
        let noiseRms = 32768 * pow(10, -50.0 / 20)
        let echoGain = pow(10, -echoReturnLossDb / 20)
        var line = (0..<count).map { i in (i >= 320 ? Double(played[i - 320]) * echoGain : 0) + noise[i] * noiseRms }
        for sound in sounds {
            for (k, s) in sound.samples.enumerated() where sound.atSample + k < count { line[sound.atSample + k] += Double(s) }
        }
        let callerLine = TestAudio.muLawChannel(line.map { Int16(clamping: Int($0.rounded())) })

        var stage = try DetectorStage()
        var vad = VoiceActivityDetector()
        var bargeIn = BargeInDetector()
        var outcome = Outcome()
        played.withUnsafeBufferPointer { playedAll in
            TestAudio.forEachFrame(callerLine) { frame, ts in
                let botFrame = UnsafeBufferPointer(rebasing: playedAll[(ts * samplesPerMs)..<((ts + 20) * samplesPerMs)])
                let level = AudioLevel.dbfs(botFrame)
                let playedLevel: Double? = level > -100 ? level : nil
                var detection = stage.process(frame, timestampMs: ts, playedLevelDbfs: playedLevel)
                if !keypadAware {
                    let decision = vad.process(frame, timestampMs: ts)
                    detection.vad = decision.event
                    detection.bargeInOnsetMs = bargeIn.process(decision, timestampMs: ts, playedLevelDbfs: playedLevel).onsetMs
                }
                switch detection.vad {
                case .speechStarted(let atMs)?: outcome.speechStarts.append((atMs, ts))
                case .speechEnded(let atMs)?: outcome.speechEnds.append((atMs, ts))
                case nil: break
                }
                if let onset = detection.bargeInOnsetMs { outcome.bargeIns.append((onset, ts)) }
                if let digit = detection.dtmf { outcome.digits.append(digit) }
            }
        }
        outcome.noiseFloorDbfs = stage.vad.noiseFloorDbfs
        return outcome
    }

    /// Keys "5", "0", "#" from `startSample`: sox tones of 60, 80 and 100 ms with gaps of 60 and 90 ms,
    /// `levelDb` relative to sox's level (each tone about -5.8 dBm0). Returns the sounds and each key's
    /// first and last sample.
    static func keys(from startSample: Int, levelDb: Double) throws -> (sounds: [(atSample: Int, samples: [Int16])], spans: [Range<Int>]) {
        var sounds: [(atSample: Int, samples: [Int16])] = []
        var spans: [Range<Int>] = []
        var at = startSample
        for (key, ms, gapMs) in [("5", 60, 60), ("0", 80, 90), ("#", 100, 0)] {
            let digit = try #require(DTMFDigit(character: Character(key)))
            let tone = TestAudio.scaled(try DTMFDetectorTests.soxPair(digit, ms: ms, padMs: 0), byDb: levelDb)
            sounds.append((at, tone))
            spans.append(at..<(at + tone.count))
            at += tone.count + gapMs * samplesPerMs
        }
        return (sounds, spans)
    }

    static let keyDigits = "50#".compactMap { DTMFDigit(character: $0) }

    /// Keys land anywhere in a 20 ms frame; 157 samples puts the first one's onset at the very end of one.
    @Test(arguments: [0.0, -12.0], [0, 157])
    func keysPressedWhileTheBotTalksAreDigitsNotABargeIn(levelDb: Double, offsetSamples: Int) throws {
        let bot = try BargeInDetectorTests.voices.get().bot
        let keys = try Self.keys(from: 2_000 * Self.samplesPerMs + offsetSamples, levelDb: levelDb)
        // A handset with a good echo canceller: the bot's echo (45 dB down) stays under the line noise.
        let outcome = try Self.call(bot: bot, sounds: keys.sounds, totalMs: 4_000, echoReturnLossDb: 45)
        #expect(outcome.digits.map(\.digit) == Self.keyDigits)
        #expect(outcome.bargeIns.isEmpty, "barge-in at \(outcome.bargeIns)")
        #expect(outcome.speechStarts.isEmpty, "speech started at \(outcome.speechStarts)")
        // Without the DTMF detector's word, the same keys interrupt the bot and open a turn.
        let unaware = try Self.call(bot: bot, sounds: keys.sounds, totalMs: 4_000, echoReturnLossDb: 45, keypadAware: false)
        #expect(!unaware.bargeIns.isEmpty)
        #expect(!unaware.speechStarts.isEmpty)

        // A line with the default assumed echo (25 dB down): the echo is activity the VAD reports on its
        // own (it does not know what the bot says), and the keys add none; barge-in is echo-aware.
        let echoing = try Self.call(bot: bot, sounds: keys.sounds, totalMs: 4_000)
        let echoOnly = try Self.call(bot: bot, sounds: [], totalMs: 4_000)
        #expect(echoing.digits.map(\.digit) == Self.keyDigits)
        #expect(echoing.bargeIns.isEmpty, "barge-in at \(echoing.bargeIns)")
        #expect(echoing.speechStarts.map(\.atMs) == echoOnly.speechStarts.map(\.atMs))
    }

    @Test(arguments: [0.0, -12.0], [0, 157])
    func keysPressedWhileTheBotIsSilentOpenNoTurn(levelDb: Double, offsetSamples: Int) throws {
        let keys = try Self.keys(from: 1_500 * Self.samplesPerMs + offsetSamples, levelDb: levelDb)
        let outcome = try Self.call(bot: nil, sounds: keys.sounds, totalMs: 3_000)
        #expect(outcome.digits.map(\.digit) == Self.keyDigits)
        #expect(outcome.speechStarts.isEmpty, "speech started at \(outcome.speechStarts)")
        #expect(outcome.speechEnds.isEmpty)
        #expect(outcome.bargeIns.isEmpty)
        #expect(abs(outcome.noiseFloorDbfs - -50) < 3, "noise floor \(outcome.noiseFloorDbfs) dBFS")
        let unaware = try Self.call(bot: nil, sounds: keys.sounds, totalMs: 3_000, keypadAware: false)
        #expect(!unaware.speechStarts.isEmpty)
    }

    /// The caller presses "#" and starts talking 100-200 ms after the tone ends.
    @Test(arguments: [100, 200])
    func speechRightAfterAKeyIsStillHeardAndBargesIn(gapMs: Int) throws {
        let voices = try BargeInDetectorTests.voices.get()
        let hash = try DTMFDetectorTests.soxPair(try #require(DTMFDigit(character: "#")), ms: 80, padMs: 0)
        let keyAt = 2_000 * Self.samplesPerMs + 61
        let speechAtMs = (keyAt + hash.count) / Self.samplesPerMs + gapMs
        let sounds: [(atSample: Int, samples: [Int16])] = [(keyAt, hash), (speechAtMs * Self.samplesPerMs, voices.englishCaller)]
        let trueOnset = BargeInDetectorTests.onsetMs(of: voices.englishCaller, atMs: speechAtMs)

        let overBot = try Self.call(bot: voices.bot, sounds: sounds, totalMs: 5_500)
        #expect(overBot.digits.map(\.digit.rawValue) == ["#"])
        let barge = try #require(overBot.bargeIns.first, "no barge-in for speech \(gapMs) ms after the key")
        #expect(overBot.bargeIns.count == 1, "\(overBot.bargeIns)")
        #expect(abs(barge.onsetMs - trueOnset) <= 60, "onset \(barge.onsetMs) ms, speech from \(trueOnset) ms")
        #expect(barge.decidedAtMs <= trueOnset + BargeInConfig().minimumSpeechMs + 40, "decided at \(barge.decidedAtMs) ms")

        let botSilent = try Self.call(bot: nil, sounds: sounds, totalMs: 5_500)
        let start = try #require(botSilent.speechStarts.first, "no speech start \(gapMs) ms after the key")
        print("speech \(gapMs) ms after '#', from \(trueOnset) ms: barge-in onset \(barge.onsetMs) ms decided at "
            + "\(barge.decidedAtMs) ms; VAD start \(start.atMs) ms decided at \(start.decidedAtMs) ms")
        #expect(botSilent.speechStarts.count == 1, "\(botSilent.speechStarts)")
        #expect(abs(start.atMs - trueOnset) <= 40, "speech start \(start.atMs) ms, speech from \(trueOnset) ms")
        #expect(start.decidedAtMs <= trueOnset + VADConfig().speechStartMs + 40)
        #expect(botSilent.bargeIns.map(\.onsetMs) == [start.atMs], "with no bot audio barge-in fires on the VAD start")
    }

    /// The caller is still inside a turn (within the VAD's hangover) when they press a key: the turn
    /// ends where their speech did, not where the tone did, and the tone starts no new turn.
    @Test func aTurnOpenWhenAKeyIsPressedEndsWhereTheSpeechEnded() throws {
        let caller = try BargeInDetectorTests.voices.get().englishCaller
        let speechAtMs = 1_000
        let speechEndMs = speechAtMs + caller.count / Self.samplesPerMs
        let five = try DTMFDetectorTests.soxPair(try #require(DTMFDigit(character: "5")), ms: 100, padMs: 0)
        let sounds: [(atSample: Int, samples: [Int16])] = [(speechAtMs * Self.samplesPerMs, caller), ((speechEndMs + 150) * Self.samplesPerMs + 33, five)]
        let outcome = try Self.call(bot: nil, sounds: sounds, totalMs: speechEndMs + 2_000)
        #expect(outcome.digits.map(\.digit.rawValue) == ["5"])
        #expect(outcome.speechStarts.count == 1, "\(outcome.speechStarts)")
        let end = try #require(outcome.speechEnds.first)
        #expect(outcome.speechEnds.count == 1, "\(outcome.speechEnds)")
        print("turn open when '5' was pressed: speech ended at \(speechEndMs) ms, turn end reported at \(end.atMs) ms")
        #expect(abs(end.atMs - speechEndMs) <= 60, "turn ended at \(end.atMs) ms, speech ended at \(speechEndMs) ms")
        #expect(end.decidedAtMs <= end.atMs + VADConfig().speechStopMs + 20)
    }
}
