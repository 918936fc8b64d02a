import Foundation
import MediaEngine
@testable import RealtimeSim
import Testing

@Suite("SpeechClips: bundled espeak-ng speech")
struct SpeechClipsTests {
    @Test func bundledClipsCoverBothLanguagesAndRoles() throws {
        let clips = try SpeechClips.bundled()
        #expect(clips.clips.count == 22)
        for language in ["he", "en"] {
            #expect(clips.clips(language: language, role: .bot).map(\.name)
                    == ["greeting", "ask-details", "offer", "booked", "confirm", "sorry", "goodbye"])
            #expect(clips.clips(language: language, role: .caller).map(\.name) == ["appointment", "details", "accept", "goodbye"])
        }
        #expect(clips.clip("greeting", language: "he")?.text == "שלום, הגעת למרפאת השיניים. במה אפשר לעזור?")
        #expect(clips.clip("goodbye", language: "he")?.text == "תודה רבה, להתראות")
        for clip in clips.clips {
            #expect((1000...8000).contains(clips.durationMs(of: clip)), "\(clip.file): \(clips.durationMs(of: clip)) ms")
        }
        // 8 kHz mu-law: one byte per sample, well under the 1.5 MB budget.
        let totalBytes = clips.clips.reduce(0) { $0 + clips.durationMs(of: $1) * 8 }
        #expect(totalBytes < 1_500_000)
    }

    @Test func callerTranscriptsInTheDefaultScriptMatchTheCallerClips() throws {
        let clips = try SpeechClips.bundled()
        for (language, conversation) in SimulatorScript.default.languages {
            #expect(conversation.turns.map(\.heard) == clips.clips(language: language, role: .caller).map(\.text))
        }
    }

    @Test func resamplingKeepsLengthAndIsCached() throws {
        let clips = try SpeechClips.bundled()
        let clip = try #require(clips.clip("appointment", language: "en", role: .caller))
        let narrow = try clips.samples(of: clip, sampleRate: 8000)
        let wide = try clips.samples(of: clip, sampleRate: 24000)
        #expect(wide.count == narrow.count * 3)
        #expect(try clips.samples(of: clip, sampleRate: 24000) == wide)
        #expect(try clips.muLaw(of: clip).count == narrow.count)
        // Same speech energy after resampling (within 1 dB), and time-aligned (delay removed).
        let level8 = narrow.withUnsafeBufferPointer { AudioLevel.dbfs($0) }
        let level24 = wide.withUnsafeBufferPointer { AudioLevel.dbfs($0) }
        #expect(abs(level8 - level24) < 1)
        #expect(throws: SpeechClipError.unsupportedRate(11025)) { try clips.samples(of: clip, sampleRate: 11025) }
        #expect(throws: SpeechClipError.unknownClip(name: "nope", language: "he", role: .bot)) {
            try clips.samples("nope", language: "he", role: .bot, sampleRate: 8000)
        }
    }

    @Test func replyAudioIsCutIntoDeltasOfTheRequestedLength() throws {
        let clips = try SpeechClips.bundled()
        let clip = try #require(clips.clip("offer", language: "he"))
        let samples = try clips.samples(of: clip, sampleRate: 8000)
        let audio = try clips.replyAudio(for: clip, format: .pcmu, deltaMs: 40)
        #expect(audio.chunkSamples.dropLast().allSatisfy { $0 == 320 })
        #expect(audio.totalSamples == samples.count)
        let decoded = try audio.chunks.flatMap { try Base64.decode(String(decoding: $0, as: UTF8.self)) }
        #expect(decoded == MuLaw.encode(samples))
    }
}
