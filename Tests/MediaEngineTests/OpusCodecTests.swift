import Foundation
import Testing
@testable import MediaEngine

@Suite struct OpusCodecTests {
    static let clinic = "Hello, you have reached the clinic. How can I help you today?"
    static let salon = "שלום, הגעתם למספרה של דני. איך אפשר לעזור?"

    /// Encodes and decodes `samples` and returns the SNR (dB) with the decoder output shifted back by
    /// the encoder's lookahead, plus the delay within 10 samples of it at which the output matches best.
    static func roundTrip(
        _ samples: [Int16], rate: Int, bitrate: Int, application: OpusEncoder.Application = .voip
    ) throws -> (snrDb: Double, bestDelay: Int, lookahead: Int) {
        let encoder = try OpusEncoder(sampleRate: rate, application: application, bitrate: bitrate)
        let decoded = try CodecSignals.decode(CodecSignals.encode(samples, with: encoder), with: OpusDecoder(sampleRate: rate))
        return (
            CodecSignals.snrDb(reference: samples, decoded: decoded, delay: encoder.lookahead),
            CodecSignals.bestDelay(reference: samples, decoded: decoded, candidates: max(0, encoder.lookahead - 10)...(encoder.lookahead + 10)),
            encoder.lookahead
        )
    }

    @Test func lookaheadIsSixAndAHalfMillisecondsForVoIP() throws {
        for rate in [8000, 16000, 24000, 48000] {
            let encoder = try OpusEncoder(sampleRate: rate)
            #expect(encoder.lookahead == rate * 65 / 10_000, "rate \(rate)")
            #expect(encoder.preSkip48kHz == 312)
            #expect(encoder.frameSize == rate / 50)
        }
        #expect(try OpusEncoder(sampleRate: 48000, application: .restrictedLowDelay).lookahead == 120)
    }

    @Test func multiToneSurvivesAt32kbpsWithDelayEqualToLookahead() throws {
        // Measured: 14.40 dB at 16 kHz, 13.00 dB at 8 kHz (SILK, VoIP, complexity 5).
        let wideband = try Self.roundTrip(CodecSignals.multiTone(seconds: 2, rate: 16000), rate: 16000, bitrate: 32000)
        #expect(wideband.snrDb > 12)
        #expect(wideband.bestDelay == wideband.lookahead)
        let narrowband = try Self.roundTrip(CodecSignals.multiTone(seconds: 2, rate: 8000), rate: 8000, bitrate: 32000)
        #expect(narrowband.snrDb > 11)
        #expect(narrowband.bestDelay == narrowband.lookahead)
    }

    @Test func speechSurvivesAt32kbps() throws {
        // Measured at 16 kHz, VoIP: English 11.58 dB, Hebrew 10.83 dB. SILK shapes its noise
        // perceptually, so waveform SNR plateaus near 12 dB however many bits it gets.
        let english = try Self.roundTrip(TestAudio.speech(Self.clinic, voice: "en-us", rate: 16000), rate: 16000, bitrate: 32000)
        #expect(english.snrDb > 10)
        #expect(english.bestDelay == english.lookahead)
        let hebrew = try Self.roundTrip(TestAudio.speech(Self.salon, voice: "he", rate: 16000), rate: 16000, bitrate: 32000)
        #expect(hebrew.snrDb > 9.5)
    }

    @Test func fullbandMusicModeKeepsTheWaveformAt64kbps() throws {
        // Measured (CELT at 48 kHz): multi-tone 23.11 dB, English speech 20.12 dB.
        let tone = try Self.roundTrip(CodecSignals.multiTone(seconds: 1, rate: 48000), rate: 48000, bitrate: 64000, application: .audio)
        #expect(tone.snrDb > 20)
        #expect(tone.bestDelay == tone.lookahead)
        let speech = try Self.roundTrip(
            TestAudio.speech(Self.clinic, voice: "en-us", rate: 48000), rate: 48000, bitrate: 64000, application: .audio)
        #expect(speech.snrDb > 17)
    }

    @Test func averagePacketSizeTracksTheBitrate() throws {
        // Measured on the 16 kHz multi-tone: 31.6, 59.2, 105.9 bytes per 20 ms at 12, 24, 48 kbit/s.
        let tone = CodecSignals.multiTone(seconds: 2, rate: 16000)
        var previous = 0.0
        for bitrate in [12_000, 24_000, 48_000] {
            let encoder = try OpusEncoder(sampleRate: 16000, bitrate: bitrate)
            #expect(try encoder.effectiveBitrate() == bitrate)
            let packets = try CodecSignals.encode(tone, with: encoder)
            let average = Double(packets.map(\.count).reduce(0, +)) / Double(packets.count)
            let nominal = Double(bitrate) / 8 / 50
            #expect(abs(average - nominal) < 0.2 * nominal, "\(bitrate) bit/s: \(average) bytes per packet")
            #expect(average > previous)
            previous = average
        }
    }

    @Test func settersTakeEffectMidStream() throws {
        let tone = CodecSignals.multiTone(seconds: 1, rate: 16000)
        let encoder = try OpusEncoder(sampleRate: 16000, bitrate: 12_000, complexity: 0)
        let low = try CodecSignals.encode(tone, with: encoder)
        try encoder.setBitrate(48_000)
        try encoder.setComplexity(10)
        #expect(encoder.bitrate == 48_000 && encoder.complexity == 10)
        #expect(try encoder.effectiveBitrate() == 48_000)
        #expect(try encoder.effectiveComplexity() == 10)
        let high = try CodecSignals.encode(tone, with: encoder)
        let lowBytes = low.map(\.count).reduce(0, +), highBytes = high.map(\.count).reduce(0, +)
        #expect(Double(highBytes) > 2.5 * Double(lowBytes))

        // Same input and bitrate, different complexity: libopus makes different decisions.
        let simple = try OpusEncoder(sampleRate: 16000, bitrate: 24_000, complexity: 0)
        let thorough = try OpusEncoder(sampleRate: 16000, bitrate: 24_000, complexity: 10)
        #expect(try simple.effectiveComplexity() == 0)
        #expect(try CodecSignals.encode(tone, with: simple) != CodecSignals.encode(tone, with: thorough))
    }

    @Test func decoderFinalRangeMatchesEncoderOnEveryPacket() throws {
        let encoder = try OpusEncoder(sampleRate: 8000)
        let decoder = try OpusDecoder(sampleRate: 8000)
        let speech = try TestAudio.speech(Self.salon, voice: "he", rate: 8000)
        for start in stride(from: 0, to: speech.count - 160, by: 160) {
            let packet = try encoder.encode(Array(speech[start..<(start + 160)]))
            let pcm = try decoder.decode(packet)
            #expect(pcm.count == 160)
            #expect(try decoder.finalRange() == encoder.finalRange())
        }
    }

    @Test func lostPacketsAreConcealedAndFadeOut() throws {
        let tone = CodecSignals.multiTone(seconds: 0.5, rate: 16000)
        let packets = try CodecSignals.encode(tone, with: OpusEncoder(sampleRate: 16000, bitrate: 32_000))
        let decoder = try OpusDecoder(sampleRate: 16000)
        for packet in packets.prefix(20) { _ = try decoder.decode(packet) }
        let toneLevel = tone.withUnsafeBufferPointer { AudioLevel.dbfs($0) }
        var levels: [Double] = []
        for _ in 0..<5 {
            let concealed = try decoder.decode(nil)  // the array convenience: nil is a lost packet
            #expect(concealed.count == 320)
            #expect(try decoder.lastPacketDuration() == 320)
            levels.append(concealed.withUnsafeBufferPointer { AudioLevel.dbfs($0) })
        }
        // Measured: -19.0, -25.6, -35.7, -50.2, -65.9 dBFS against a -15.5 dBFS tone.
        #expect(levels[0] > toneLevel - 6)
        #expect(zip(levels, levels.dropFirst()).allSatisfy { $0 > $1 })
        // An empty packet through the pointer API is a loss too.
        var out = [Int16](repeating: 1, count: 320)
        let count = try out.withUnsafeMutableBufferPointer { try decoder.decode(UnsafeBufferPointer(start: nil, count: 0), into: $0) }
        #expect(count == 320)
    }

    @Test func inbandFECRecoversLostSpeechBetterThanConcealment() throws {
        let speech = try TestAudio.speech(Self.clinic, voice: "en-us", rate: 16000)
        let encoder = try OpusEncoder(sampleRate: 16000, bitrate: 24_000)
        try encoder.setInbandFEC(true, expectedPacketLossPercent: 20)
        let packets = try CodecSignals.encode(speech, with: encoder)
        let clean = try CodecSignals.decode(packets, with: OpusDecoder(sampleRate: 16000))
        var fecTotal = 0.0, concealTotal = 0.0, trials = 0
        for lost in stride(from: 20, to: packets.count - 2, by: 7) {
            let reference = Array(clean[(lost * 320)..<((lost + 1) * 320)])
            guard TestAudio.power(reference) > 1e5 else { continue }  // only frames with speech in them
            let withFEC = try OpusDecoder(sampleRate: 16000), withoutFEC = try OpusDecoder(sampleRate: 16000)
            for packet in packets[..<lost] { _ = try withFEC.decode(packet); _ = try withoutFEC.decode(packet) }
            var recovered = [Int16](repeating: 0, count: 320)
            let count = try packets[lost + 1].withUnsafeBufferPointer { next in
                try recovered.withUnsafeMutableBufferPointer { try withFEC.recoverLostFrame(fromNextPacket: next, into: $0) }
            }
            #expect(count == 320)
            fecTotal += CodecSignals.snrDb(reference: reference, decoded: recovered, delay: 0)
            concealTotal += CodecSignals.snrDb(reference: reference, decoded: try withoutFEC.decode(nil), delay: 0)
            trials += 1
        }
        // Measured over 17 frames: FEC 7.9 dB, concealment 0.2 dB on average against the clean decode.
        #expect(trials >= 10)
        #expect(fecTotal / Double(trials) > concealTotal / Double(trials) + 4)
    }

    @Test func discontinuousTransmissionSendsOneByteDuringSilence() throws {
        let silence = [Int16](repeating: 0, count: 16000)
        let plain = try CodecSignals.encode(silence, with: OpusEncoder(sampleRate: 16000))
        let encoder = try OpusEncoder(sampleRate: 16000)
        try encoder.setDiscontinuousTransmission(true)
        let dtx = try CodecSignals.encode(silence, with: encoder)
        // Measured: after 10 frames (200 ms) of silence, 1-byte packets with a refresh every 400 ms.
        #expect(dtx.filter { $0.count == 1 }.count >= 35)
        #expect(plain.allSatisfy { $0.count > 2 })
    }

    @Test func invalidParametersThrowTypedErrors() throws {
        #expect(throws: OpusCodecError.unsupportedSampleRate(44100)) { try OpusEncoder(sampleRate: 44100) }
        #expect(throws: OpusCodecError.unsupportedSampleRate(44100)) { try OpusDecoder(sampleRate: 44100) }
        #expect(throws: OpusCodecError.invalidBitrate(1000)) { try OpusEncoder(sampleRate: 8000, bitrate: 1000) }
        #expect(throws: OpusCodecError.invalidComplexity(11)) { try OpusEncoder(sampleRate: 8000, complexity: 11) }

        let encoder = try OpusEncoder(sampleRate: 16000)
        #expect(throws: OpusCodecError.wrongFrameSize(expected: 320, got: 319)) {
            try encoder.encode([Int16](repeating: 0, count: 319))
        }
        #expect(throws: OpusCodecError.invalidBitrate(600_000)) { try encoder.setBitrate(600_000) }
        #expect(encoder.bitrate == 24_000)
        #expect(throws: OpusCodecError.invalidComplexity(-1)) { try encoder.setComplexity(-1) }
        #expect(throws: OpusCodecError.invalidPacketLossPercent(101)) {
            try encoder.setInbandFEC(true, expectedPacketLossPercent: 101)
        }
        var tiny = [UInt8](repeating: 0, count: 1)
        let frame = [Int16](repeating: 0, count: 320)
        #expect(throws: OpusCodecError.outputTooSmall(needed: 2, available: 1)) {
            try frame.withUnsafeBufferPointer { pcm in try tiny.withUnsafeMutableBufferPointer { try encoder.encode(pcm, into: $0) } }
        }

        // libopus's own verdicts arrive with its own message.
        let decoder = try OpusDecoder(sampleRate: 16000)
        #expect(throws: OpusCodecError.libopus(operation: "opus_decode", code: -4, message: "corrupted stream")) {
            try decoder.decode([0x03, 0x00])  // code 3 packet announcing zero frames
        }
        let packet = try encoder.encode(frame)
        var short = [Int16](repeating: 0, count: 100)
        #expect(throws: OpusCodecError.libopus(operation: "opus_decode", code: -2, message: "buffer too small")) {
            try packet.withUnsafeBufferPointer { p in try short.withUnsafeMutableBufferPointer { try decoder.decode(p, into: $0) } }
        }
        #expect(throws: OpusCodecError.outputTooSmall(needed: 320, available: 100)) {
            try short.withUnsafeMutableBufferPointer { try decoder.concealLoss(into: $0) }
        }
        #expect(OpusCodecError.unsupportedSampleRate(44100).description.contains("resample"))
        #expect(OpusCodecError.libopus("opus_decode", -4).description == "opus_decode failed: corrupted stream (libopus error -4)")
    }

    @Test func resetForgetsTheSignalHistory() throws {
        let tone = CodecSignals.multiTone(seconds: 0.2, rate: 8000)
        let encoder = try OpusEncoder(sampleRate: 8000)
        let first = try CodecSignals.encode(tone, with: encoder)
        try encoder.reset()
        #expect(try CodecSignals.encode(tone, with: encoder) == first)
        let decoder = try OpusDecoder(sampleRate: 8000)
        let once = try CodecSignals.decode(first, with: decoder)
        try decoder.reset()
        #expect(try CodecSignals.decode(first, with: decoder) == once)
    }
}
