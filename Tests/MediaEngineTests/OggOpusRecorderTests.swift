import Foundation
import Testing
@testable import MediaEngine

@Suite struct OggOpusRecorderTests {
    static let salon = "שלום, הגעתם למספרה של דני. איך אפשר לעזור לך היום?"
    static let clinic = "Thank you for calling. Your appointment is confirmed for Tuesday at ten."

    /// Records `samples` to a file in 20 ms chunks (as a call would) and returns its path.
    static func record(_ samples: [Int16], rate: Int, comments: [String] = []) throws -> String {
        let path = OggOpusWriterTests.scratchPath("call-\(rate).opus")
        let recorder = try OggOpusRecorder(destination: .file(path: path), sampleRate: rate, comments: comments)
        let frame = rate / 50
        for start in stride(from: 0, to: samples.count, by: frame) {
            try recorder.append(AudioFrame(samples: Array(samples[start..<min(start + frame, samples.count)]),
                                           sampleRate: rate, timestampMs: start * 1000 / rate))
        }
        #expect(recorder.recordedSamples == samples.count)
        try recorder.finish()
        return path
    }

    /// Decodes `path` with opusdec at `rate` Hz (nil: opusdec's default) and reads the WAV back.
    static func opusdec(_ path: String, rate: Int?) throws -> WAVFile {
        let wav = path + ".wav"
        defer { try? FileManager.default.removeItem(atPath: wav) }
        try TestAudio.run("opusdec", ["--quiet"] + (rate.map { ["--rate", String($0)] } ?? []) + [path, wav])
        return try WAVFile.read(path: wav)
    }

    @Test func hebrewCallAt16kHzPassesOpusinfoAndDecodesToTheSameLength() throws {
        let speech = try TestAudio.speech(Self.salon, voice: "he", rate: 16000)
        let path = try Self.record(speech, rate: 16000, comments: ["KOL_TENANT=barbershop", "KOL_CALL_SID=CA42"])
        defer { try? FileManager.default.removeItem(atPath: path) }

        let info = try OggOpusWriterTests.opusinfo(path)
        #expect(!info.lowercased().contains("warning") && !info.lowercased().contains("error"), "\(info)")
        #expect(info.contains("Channels: 1"))
        #expect(info.contains("Pre-skip: 312"))
        #expect(info.contains("Original sample rate: 16000 Hz"))
        #expect(info.contains("KOL_TENANT=barbershop") && info.contains("KOL_CALL_SID=CA42"))
        #expect(info.contains("Encoded with Kol"))
        // opusinfo truncates to whole milliseconds: (final granule - pre-skip) / 48 kHz.
        let milliseconds = speech.count * 1000 / 16000
        let expectedLength = String(format: "Playback length: 0m:%02d.%03ds", milliseconds / 1000, milliseconds % 1000)
        #expect(info.contains(expectedLength), "expected '\(expectedLength)' in \(info)")

        let decoded = try Self.opusdec(path, rate: 16000)
        #expect(decoded.sampleRate == 16000 && decoded.channels == 1)
        #expect(decoded.samples.count == speech.count)  // end trimming makes it exact, not just within 20 ms
        // opusdec applies the pre-skip, so its output lines up with the input. It decodes at 48 kHz and
        // resamples, which shifts by about a sample: measured best at -1 sample, 8.4 dB (6.6 dB at 0).
        // A pre-skip wrong by even 1 ms (16 samples) would leave no good match within -3...3.
        let best = CodecSignals.bestDelay(reference: speech, decoded: decoded.samples, candidates: -3...3)
        #expect(abs(best) <= 2)
        #expect(CodecSignals.snrDb(reference: speech, decoded: decoded.samples, delay: best) > 6)
    }

    @Test func packetsInTheFileDecodeInSwiftAlignedByThePreSkip() throws {
        let speech = try TestAudio.speech(Self.clinic, voice: "en-us", rate: 8000)
        let path = try Self.record(speech, rate: 8000)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let pages = try OggPage.parse([UInt8](Data(contentsOf: URL(fileURLWithPath: path))))
        let packets = OggPage.packets(Array(pages.dropFirst(2)))
        let decoded = try CodecSignals.decode(packets, with: OpusDecoder(sampleRate: 8000))
        // What a player does: drop pre-skip (312 at 48 kHz = 52 at 8 kHz), stop at the final granule.
        let preSkip = 312 / 6
        let playable = Int(try #require(pages.last).granulePosition - 312) / 6
        #expect(playable == speech.count)
        let played = Array(decoded[preSkip..<(preSkip + playable)])
        // Measured 11.59 dB (8 kHz, 24 kbit/s VoIP): the same as the codec's own round trip.
        #expect(CodecSignals.snrDb(reference: speech, decoded: played, delay: 0) > 10)
    }

    @Test func englishCallAt8kHzDecodesAt48kHzToTheSameDuration() throws {
        let speech = try TestAudio.speech(Self.clinic, voice: "en-us", rate: 8000)
        let path = try Self.record(speech, rate: 8000)
        defer { try? FileManager.default.removeItem(atPath: path) }

        let info = try OggOpusWriterTests.opusinfo(path)
        #expect(!info.lowercased().contains("warning"), "\(info)")
        #expect(info.contains("Original sample rate: 8000 Hz"))
        // Without --rate, opus-tools 0.2's opusdec writes the OpusHead input rate (8000 here).
        #expect(try Self.opusdec(path, rate: nil).sampleRate == 8000)
        let decoded = try Self.opusdec(path, rate: 48000)
        #expect(decoded.sampleRate == 48000)
        #expect(abs(decoded.durationSeconds - Double(speech.count) / 8000) <= 0.020)
        #expect(decoded.samples.count == speech.count * 6)
    }

    @Test func chunkingOfTheInputDoesNotChangeTheFile() throws {
        let speech = try TestAudio.speech(Self.clinic, voice: "en-us", rate: 8000)
        let whole = try OggOpusRecorder(destination: .memory, sampleRate: 8000, serialNumber: 99)
        try whole.append(speech)
        try whole.finish()
        let ragged = try OggOpusRecorder(destination: .memory, sampleRate: 8000, serialNumber: 99)
        var start = 0, size = 1
        while start < speech.count {
            try ragged.append(Array(speech[start..<min(start + size, speech.count)]))
            start += size
            size = size * 3 % 401 + 1  // 1, 4, 13, 40, 121, 364, 291, ...: odd sizes across frame edges
        }
        try ragged.finish()
        #expect(ragged.writer.bytes == whole.writer.bytes)
        #expect(whole.durationMs == speech.count / 8)
    }

    @Test func finalGranuleTrimsTheEncoderPadding() throws {
        // 1234 samples at 8 kHz: 8 frames (1280 samples) cover 1234 + 52 lookahead.
        let recorder = try OggOpusRecorder(destination: .memory, sampleRate: 8000)
        try recorder.append(CodecSignals.multiTone(seconds: 1234.0 / 8000, rate: 8000))
        try recorder.finish()
        #expect(recorder.writer.packetCount == 9)  // 1234 + 52 = 1286 > 1280 needs a ninth frame
        let pages = try OggPage.parse(recorder.writer.bytes)
        #expect(pages.last?.granulePosition == Int64(312 + 1234 * 6))
        #expect(pages.last?.endsStream == true)
        #expect(throws: OggOpusError.alreadyFinished) { try recorder.append([0]) }
    }

    @Test func anEmptyRecordingIsAValidFile() throws {
        let recorder = try OggOpusRecorder(destination: .memory, sampleRate: 24000)
        try recorder.finish()
        #expect(recorder.writer.packetCount == 1)  // one frame pushes the lookahead out
        #expect(try OggPage.parse(recorder.writer.bytes).last?.granulePosition == 312)
    }

    @Test func rejectsAudioAtAnotherRateAndBadSettings() throws {
        let recorder = try OggOpusRecorder(destination: .memory, sampleRate: 16000)
        #expect(throws: OggOpusError.sampleRateMismatch(expected: 16000, got: 8000)) {
            try recorder.append(AudioFrame(samples: [0, 0], sampleRate: 8000, timestampMs: 0))
        }
        #expect(throws: OggOpusError.codec(.unsupportedSampleRate(44100))) {
            try OggOpusRecorder(destination: .memory, sampleRate: 44100)
        }
        #expect(throws: OggOpusError.codec(.invalidBitrate(100))) {
            try OggOpusRecorder(destination: .memory, sampleRate: 8000, bitrate: 100)
        }
        #expect(throws: OggOpusError.invalidComment("tenant acme")) {
            try OggOpusRecorder(destination: .memory, sampleRate: 8000, comments: ["tenant acme"])
        }
    }
}
