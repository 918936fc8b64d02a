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
