import Foundation
import Testing
@testable import MediaEngine

/// The call recording's mix: the caller's frames drive the timeline, the bot's audio lands where it plays,
/// a `clear` takes out what was never played, and the file is valid Ogg Opus of the call's length.
@Suite struct CallAudioRecorderTests {
    static let msNs: UInt64 = 1_000_000

    /// A 1 kHz tone at about -6 dBFS as mu-law, `ms` long.
    static func toneMuLaw(ms: Int) -> [UInt8] {
        MuLaw.encode(TestAudio.sine(frequency: 1_000, amplitude: 16_000, seconds: Double(ms) / 1000))
    }

    /// Records a call of `callerMs` of caller silence (20 ms frames arriving in real time on a fake clock),
    /// calling `botAt` with the recorder after each frame's arrival time (ms); returns the decoded file.
    static func record(callerMs: Int, botAt: (CallAudioRecorder, Int) throws -> Void) throws -> (samples: [Int16], info: String) {
        let path = OggOpusWriterTests.scratchPath("call-mix.opus")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let recorder = try CallAudioRecorder(path: path, comments: ["KOL_TENANT=clinic", "KOL_CALL=CA1"])
        let silence = [Int16](repeating: 0, count: 160)
        for timestamp in stride(from: 0, to: callerMs, by: 20) {
            try silence.withUnsafeBufferPointer {
                try recorder.appendCaller($0, timestampMs: timestamp, nowNs: UInt64(timestamp + 20) * msNs)
            }
            try botAt(recorder, timestamp + 20)
        }
        let (durationMs, size) = try recorder.finish()
        #expect(durationMs == callerMs)
        #expect(size == Int64((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1))
        let info = try OggOpusWriterTests.opusinfo(path)
        return (try OggOpusRecorderTests.opusdec(path, rate: 8000).samples, info)
    }

    /// Sends `muLaw` as the pacer would: 20 ms frames, each starting to play where the previous ends.
    static func send(_ muLaw: [UInt8], to recorder: CallAudioRecorder, playingFromMs startMs: Int) throws {
        for (k, offset) in stride(from: 0, to: muLaw.count, by: 160).enumerated() {
            try muLaw[offset..<min(offset + 160, muLaw.count)].withUnsafeBufferPointer {
                try recorder.appendBot($0, playoutStartNs: UInt64(startMs + 20 * k) * msNs)
            }
        }
    }

    /// Milliseconds (in 20 ms steps) where the decoded audio is louder than -30 dBFS.
    static func loudSpans(_ samples: [Int16]) -> [Int] {
        stride(from: 0, to: samples.count - 160, by: 160).compactMap { start in
            let window = samples[start..<(start + 160)].map { Double($0) * Double($0) }
            return AudioLevel.powerToDbfs(window.reduce(0, +) / 160) > -30 ? start / 8 : nil
        }
    }

    @Test func botAudioSentAheadLandsWhereItPlaysOnTheCallersTimeline() throws {
        let tone = Self.toneMuLaw(ms: 1_000)
        let (samples, info) = try Self.record(callerMs: 3_000) { recorder, nowMs in
            if nowMs == 1_000 { try Self.send(tone, to: recorder, playingFromMs: 1_000) }
        }
        #expect(info.contains("Channels: 1") && info.contains("KOL_TENANT=clinic"), "\(info)")
        #expect(info.contains("Playback length: 0m:03.000s"), "\(info)")
        let loud = Self.loudSpans(samples)
        let first = try #require(loud.first), last = try #require(loud.last)
        #expect(abs(first - 1_000) <= 40, "tone starts at \(first) ms")
        #expect(abs(last - 1_980) <= 40, "tone ends at \(last) ms")
        #expect(loud.count >= 48 && loud.count <= 52, "contiguous: \(loud.count) loud 20 ms windows")
    }

    @Test func clearTakesOutBotAudioSentButNeverPlayed() throws {
        let tone = Self.toneMuLaw(ms: 1_000)
        let (samples, _) = try Self.record(callerMs: 3_000) { recorder, nowMs in
            if nowMs == 1_000 { try Self.send(tone, to: recorder, playingFromMs: 1_000) }
            if nowMs == 1_400 { recorder.clearBot(atNs: 1_400 * Self.msNs) }
        }
        let loud = Self.loudSpans(samples)
        #expect(abs((loud.first ?? -1) - 1_000) <= 40)
        #expect(abs((loud.last ?? -1) - 1_380) <= 40, "audio after the clear at 1400 ms was dropped: \(loud.last ?? -1)")
    }

    @Test func botAudioAfterTheCallersLastFrameIsStillRecorded() throws {
        let path = OggOpusWriterTests.scratchPath("bot-only.opus")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let recorder = try CallAudioRecorder(path: path, comments: [])
        try Self.send(Self.toneMuLaw(ms: 6_000), to: recorder, playingFromMs: 0)  // more than the ring holds
        let (durationMs, size) = try recorder.finish()
        #expect(durationMs == 6_000)
        #expect(size > 1_000)
        #expect(try OggOpusWriterTests.opusinfo(path).contains("Playback length: 0m:06.000s"))
    }

    @Test func lostCallerFramesBecomeSilenceAndAJumpRestartsTheTimeline() throws {
        let path = OggOpusWriterTests.scratchPath("gaps.opus")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let recorder = try CallAudioRecorder(path: path, comments: [])
        let frame = [Int16](repeating: 1_000, count: 160)
        for timestamp in [0, 20, 100, 120, 60_000, 60_020] {  // 60 ms lost, then a 60 s jump
            try frame.withUnsafeBufferPointer {
                try recorder.appendCaller($0, timestampMs: timestamp, nowNs: UInt64(timestamp + 20) * Self.msNs)
            }
        }
        try frame.withUnsafeBufferPointer {  // a duplicate of a frame already recorded adds nothing
            try recorder.appendCaller($0, timestampMs: 60_020, nowNs: 60_041 * Self.msNs)
        }
        #expect(recorder.durationMs == 140 + 40)
        _ = try recorder.finish()
    }
}
