import Foundation
import Testing
@testable import MediaEngine

/// Barge-in on a simulated phone call: the bot's speech (espeak-ng) is played to the caller, comes back
/// attenuated and delayed as echo on the caller's line with line noise, through mu-law; the caller may
/// talk over it. Each 20 ms caller frame goes through a `VoiceActivityDetector` and then the
/// `BargeInDetector`, which is told the level of the bot audio played in that frame.
@Suite struct BargeInDetectorTests {
    static let rate = 8000
    static let samplesPerMs = rate / 1000
    /// When the bot starts speaking on the timeline (ms).
    static let botStartMs = 500

    /// The bot's greeting and the caller's interruptions, rendered once per test process.
    static let voices: Result<(bot: [Int16], hebrewCaller: [Int16], englishCaller: [Int16]), TestAudio.ToolError> = Result {
        let bot = try TestAudio.speech(
            "שלום, הגעתם למרפאת השיניים של דוקטור כהן. איך אפשר לעזור לכם היום? אפשר לקבוע תור או לשאול שאלה",
            voice: "he")
        let hebrew = try TestAudio.speech("רגע, סליחה, אני רוצה לשאול משהו", voice: "he")
        let english = try TestAudio.speech("Sorry, can I ask you something?", voice: "en-us")
        return (
            TestAudio.scaled(TestAudio.trimmed(bot), byDb: -6),
            TestAudio.scaled(TestAudio.trimmed(hebrew), byDb: -6),
            TestAudio.scaled(TestAudio.trimmed(english), byDb: -6)
        )
    }.mapError { TestAudio.ToolError(description: "\($0)") }

    struct Outcome {
        /// (frame media time, onset) of every firing.
        var firings: [(atMs: Int, onsetMs: Int)] = []
        var finalEchoReturnLossDb = 0.0
    }

    /// Plays `bot` from `botStartMs`; the caller's line carries its echo (`echoReturnLossDb` quieter,
    /// `echoDelayMs` later), line noise at `noiseDbfs`, and `overlay` (caller sounds) at their times.
    static func call(
        bot: [Int16], echoReturnLossDb: Double, echoDelayMs: Int, noiseDbfs: Double = -50,
        overlay: [(atMs: Int, samples: [Int16])] = [], config: BargeInConfig = BargeInConfig(), seed: UInt64 = 1
    ) -> Outcome {
        let totalMs = botStartMs + bot.count / samplesPerMs + 1500
        var played = [Int16](repeating: 0, count: totalMs * samplesPerMs)
        for (i, s) in bot.enumerated() { played[botStartMs * samplesPerMs + i] = s }
        let echoGain = pow(10, -echoReturnLossDb / 20)
        let noise = TestAudio.lineNoise(count: played.count, seed: seed)
        let noiseRms = 32768 * pow(10, noiseDbfs / 20)
        var line = [Double](repeating: 0, count: played.count)
        for i in line.indices {
            let j = i - echoDelayMs * samplesPerMs
            line[i] = (j >= 0 ? Double(played[j]) * echoGain : 0) + noise[i] * noiseRms
        }
        for sound in overlay {
            for (k, s) in sound.samples.enumerated() where sound.atMs * samplesPerMs + k < line.count {
                line[sound.atMs * samplesPerMs + k] += Double(s)
            }
        }
        let callerLine = TestAudio.muLawChannel(line.map { Int16(clamping: Int($0.rounded())) })

        var vad = VoiceActivityDetector()
        var bargeIn = BargeInDetector(config: config)
        var outcome = Outcome()
        let frame = 20 * samplesPerMs
        played.withUnsafeBufferPointer { playedAll in
            TestAudio.forEachFrame(callerLine) { callerFrame, ts in
                let start = ts * samplesPerMs
                let botFrame = UnsafeBufferPointer(rebasing: playedAll[start..<start + frame])
                let decision = bargeIn.process(vad.process(callerFrame, timestampMs: ts), timestampMs: ts, played: botFrame)
                if let onset = decision.onsetMs { outcome.firings.append((ts, onset)) }
            }
        }
        outcome.finalEchoReturnLossDb = bargeIn.echoReturnLossDb
        return outcome
    }

    /// Media time of the first 20 ms frame of `speech` (placed at `atMs`) louder than -55 dBFS.
    static func onsetMs(of speech: [Int16], atMs: Int) -> Int {
        var first = -1
        TestAudio.forEachFrame(speech) { frame, ts in
            if first < 0 && AudioLevel.dbfs(frame) > -55 { first = ts }
        }
        return atMs + first
    }

    @Test(arguments: [20.0, 30.0], [30, 60])
    func echoOfTheBotsOwnSpeechIsNotABargeIn(echoReturnLossDb: Double, echoDelayMs: Int) throws {
        let voices = try Self.voices.get()
        let outcome = Self.call(bot: voices.bot, echoReturnLossDb: echoReturnLossDb, echoDelayMs: echoDelayMs)
        #expect(outcome.firings.isEmpty, "fired at \(outcome.firings)")
    }

    @Test(arguments: [20.0, 30.0], [30, 60])
    func callerTalkingOverTheEchoBargesInPromptly(echoReturnLossDb: Double, echoDelayMs: Int) throws {
        let voices = try Self.voices.get()
        for (caller, atMs) in [(voices.hebrewCaller, 2300), (voices.englishCaller, 3100)] {
            let outcome = Self.call(bot: voices.bot, echoReturnLossDb: echoReturnLossDb, echoDelayMs: echoDelayMs,
                                    overlay: [(atMs, caller)])
            let trueOnset = Self.onsetMs(of: caller, atMs: atMs)
            let firing = try #require(outcome.firings.first, "no barge-in (ERL \(echoReturnLossDb) dB, delay \(echoDelayMs) ms)")
            print("barge-in ERL \(Int(echoReturnLossDb)) dB, delay \(echoDelayMs) ms: speech from \(trueOnset) ms, "
                + "onset reported \(firing.onsetMs) ms, fired on the frame at \(firing.atMs) ms")
            #expect(outcome.firings.count == 1, "fired at \(outcome.firings)")
            #expect(abs(firing.onsetMs - trueOnset) <= 60, "onset \(firing.onsetMs) ms, true \(trueOnset) ms")
            #expect(firing.atMs <= trueOnset + BargeInConfig().minimumSpeechMs + 40,
                    "fired at \(firing.atMs) ms for speech from \(trueOnset) ms")
        }
    }

    @Test(arguments: [60, 100])
    func coughOrClickDoesNotInterrupt(burstMs: Int) throws {
        let voices = try Self.voices.get()
        var rng = TestAudio.SeededGenerator(seed: 42)
        // A cough: loud broadband noise with a fast attack and decay, as loud as speech peaks.
        let count = burstMs * Self.samplesPerMs
        let cough: [Int16] = (0..<count).map { i in
            let envelope = sin(Double.pi * Double(i) / Double(count))
            return Int16(clamping: Int(rng.gaussian() * 6000 * envelope))
        }
        // A click: a few full-scale samples.
        let click: [Int16] = [0, 20000, -24000, 16000, -8000, 3000]
        let outcome = Self.call(bot: voices.bot, echoReturnLossDb: 25, echoDelayMs: 40,
                                overlay: [(1800, cough), (3400, click), (4200, cough)])
        #expect(outcome.firings.isEmpty, "fired at \(outcome.firings)")
    }

    @Test func loudEchoIsRejectedWhenTheReturnLossIsConfigured() throws {
        let voices = try Self.voices.get()
        let config = BargeInConfig(echoReturnLossDb: 6, marginDb: 8)
        let outcome = Self.call(bot: voices.bot, echoReturnLossDb: 6, echoDelayMs: 40, config: config)
        #expect(outcome.firings.isEmpty, "fired at \(outcome.firings)")
        // The default configuration would take that echo for the caller.
        let naive = Self.call(bot: voices.bot, echoReturnLossDb: 6, echoDelayMs: 40)
        #expect(!naive.firings.isEmpty)
    }

    @Test func withNoBotAudioItFiresOnTheVADStart() throws {
        let voices = try Self.voices.get()
        let silentBot = [Int16](repeating: 0, count: 3 * Self.rate)
        let outcome = Self.call(bot: silentBot, echoReturnLossDb: 25, echoDelayMs: 40, overlay: [(1200, voices.englishCaller)])
        let trueOnset = Self.onsetMs(of: voices.englishCaller, atMs: 1200)
        let firing = try #require(outcome.firings.first)
        #expect(outcome.firings.count == 1)
        #expect(abs(firing.onsetMs - trueOnset) <= 40, "onset \(firing.onsetMs) ms, true \(trueOnset) ms")
        #expect(firing.atMs <= trueOnset + VADConfig().speechStartMs + 40)
    }

    @Test func learnsAQuietEchoButNeverAssumesLessEchoThanConfigured() throws {
        let voices = try Self.voices.get()
        let quiet = Self.call(bot: voices.bot, echoReturnLossDb: 45, echoDelayMs: 40, noiseDbfs: -62)
        #expect(quiet.finalEchoReturnLossDb > 30, "learned \(quiet.finalEchoReturnLossDb) dB")
        #expect(quiet.finalEchoReturnLossDb <= 40)
        let loud = Self.call(bot: voices.bot, echoReturnLossDb: 20, echoDelayMs: 40)
        #expect(loud.finalEchoReturnLossDb >= 25)
        #expect(loud.finalEchoReturnLossDb < 30, "learned \(loud.finalEchoReturnLossDb) dB")
    }

    @Test func aQuietCallerCanInterruptOnceTheEchoIsKnownToBeWeak() throws {
        let voices = try Self.voices.get()
        // The caller is 22 dB quieter than the bot: below the default allowance (return loss 25 dB minus
        // margin 10 dB), within what 2.5 s of the bot talking on a line with 45 dB of return loss and
        // little noise lets the detector learn.
        let caller = TestAudio.scaled(voices.hebrewCaller, byDb: -22)
        let trueOnset = Self.onsetMs(of: caller, atMs: 3000)
        let adaptive = Self.call(bot: voices.bot, echoReturnLossDb: 45, echoDelayMs: 40, noiseDbfs: -62,
                                 overlay: [(3000, caller)])
        let fixed = Self.call(bot: voices.bot, echoReturnLossDb: 45, echoDelayMs: 40, noiseDbfs: -62, overlay: [(3000, caller)],
                              config: BargeInConfig(adaptsEchoReturnLoss: false))
        let firing = try #require(adaptive.firings.first)
        #expect(adaptive.firings.count == 1)
        #expect(abs(firing.onsetMs - trueOnset) <= 60)
        #expect(fixed.firings.isEmpty, "fired at \(fixed.firings)")
    }

    /// A keypad tone (the VAD marks its frames) never counts, and it drops the run its first frames
    /// began before the DTMF detector knew; the echo estimate learns nothing from it.
    @Test func keypadToneFramesDropTheRunAndTeachNoEcho() {
        var detector = BargeInDetector()
        let speech = VADDecision(isSpeech: true, isInSegment: false, event: nil, levelDbfs: -20, durationMs: 20)
        // A quiet tone, far enough under the bot that an ordinary frame that level would raise the estimate.
        let tone = VADDecision(isSpeech: false, isInSegment: false, event: nil, levelDbfs: -45, durationMs: 20, isKeypadTone: true)
        let line = VADDecision(isSpeech: false, isInSegment: false, event: nil, levelDbfs: -60, durationMs: 20)
        var firings: [(atMs: Int, onsetMs: Int)] = []
        var ts = 0
        func feed(_ decision: VADDecision, frames: Int) {
            for _ in 0..<frames {
                if let onset = detector.process(decision, timestampMs: ts, playedLevelDbfs: -15).onsetMs { firings.append((ts, onset)) }
                ts += 20
            }
        }
        feed(line, frames: 10)
        let learned = detector.echoReturnLossDb
        feed(speech, frames: 7)  // 140 ms: one frame short of firing
        feed(tone, frames: 1)  // a gap the run would otherwise forgive
        #expect(firings.isEmpty, "fired at \(firings)")
        #expect(detector.echoReturnLossDb == learned, "learned \(detector.echoReturnLossDb) dB from the tone")
        let speechAgainMs = ts
        feed(speech, frames: 8)
        #expect(firings.map(\.onsetMs) == [speechAgainMs], "fired at \(firings)")
        #expect(firings.first?.atMs == speechAgainMs + 140)
    }
}
