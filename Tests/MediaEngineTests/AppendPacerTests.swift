import Foundation
import Testing
@testable import MediaEngine

@Suite struct AppendPacerTests {
    @Test func quietAudioWaitsSpeechAndTheTurnsEndDoNot() {
        var pacer = AppendPacer(quietAppendMs: 100, holdAfterSpeechMs: 1_000)
        func next(_ t: Int, speech: Bool = false, segment: Bool = false, modelBargeIn: Bool = false) -> Int {
            pacer.appendMs(timestampMs: t, durationMs: 20, isSpeech: speech, inSegment: segment, modelHearsBargeIn: modelBargeIn,
                           minimumMs: 20)
        }
        #expect(next(0) == 100, "before the caller first speaks")
        #expect(next(20, speech: true) == 20)
        #expect(next(40, speech: true) == 20)
        // The last speech frame ended at 60 ms: every frame ending up to 1060 ms goes at once.
        #expect(next(60) == 20)
        #expect(next(1_020) == 20, "ends at 1040, within the hold")
        #expect(next(1_040) == 20, "ends at 1060, the hold's last frame")
        #expect(next(1_060) == 100, "past the hold")
        #expect(next(1_080, modelBargeIn: true) == 20, "the model's speech_started would interrupt the bot")
        #expect(next(1_100) == 100)
        #expect(next(1_120, segment: true) == 20, "the VAD's segment is still open")
        #expect(next(1_140) == 100, "an open segment alone does not extend the hold")
    }

    @Test func neverBelowTheEnginesFixedAppendSize() {
        var pacer = AppendPacer(quietAppendMs: 100, holdAfterSpeechMs: 500)
        #expect(pacer.appendMs(timestampMs: 0, durationMs: 20, isSpeech: true, inSegment: true, modelHearsBargeIn: false, minimumMs: 40) == 40)
        #expect(pacer.appendMs(timestampMs: 600, durationMs: 20, isSpeech: false, inSegment: false, modelHearsBargeIn: false, minimumMs: 200) == 200)
        var off = AppendPacer(quietAppendMs: 20, holdAfterSpeechMs: 500)
        #expect(off.appendMs(timestampMs: 0, durationMs: 20, isSpeech: false, inSegment: false, modelHearsBargeIn: false, minimumMs: 20) == 20)
    }

    @Test func holdCoversTheModelsOwnWaitBeforeItEndsATurn() {
        let vad = TurnDetection.ServerVAD(threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 700, idleTimeoutMs: nil)
        #expect(AppendPacer(quietAppendMs: 100, turnDetection: .serverVAD(vad)).holdAfterSpeechMs == 1_200)
        #expect(AppendPacer(quietAppendMs: 100, turnDetection: .semanticVAD(eagerness: .low)).holdAfterSpeechMs == 8_500)
        #expect(AppendPacer(quietAppendMs: 100, turnDetection: .semanticVAD(eagerness: .auto)).holdAfterSpeechMs == 4_500)
        #expect(AppendPacer(quietAppendMs: 100, turnDetection: .semanticVAD(eagerness: .high)).holdAfterSpeechMs == 2_500)
    }

    /// A caller's line as the call runs it (decode, detectors, pacer, gather): a Hebrew sentence between
    /// four seconds of line noise. The model gets every byte in order, the speech and the hold after it
    /// frame by frame, and the quiet stretches in far fewer messages.
    @Test(arguments: ModelAudioPath.allCases)
    func aCallersLineReachesTheModelWholeWithItsSpeechUndelayed(path: ModelAudioPath) throws {
        let sentence = TestAudio.trimmed(try TestAudio.speech("שלום, אני רוצה לקבוע תור למחר בבוקר", voice: "he"))
        let quiet = 32_000, speechStart = quiet, speechEnd = quiet + sentence.count
        let clean = [Int16](repeating: 0, count: quiet) + sentence + [Int16](repeating: 0, count: quiet)
        let noise = TestAudio.scaledNoise(TestAudio.lineNoise(count: clean.count, seed: 7), levelDbfs: -60)
        let line = MuLaw.encode(zip(clean, noise).map { Int16(clamping: Int($0) + Int($1)) })
        let holdMs = 1_000
        var ingress = try IngressStage(audioPath: path, maxAppendMs: 100)
        var reference = try IngressStage(audioPath: path)  // every frame alone: the audio the model must get
        var detector = try DetectorStage()
        var pacer = AppendPacer(quietAppendMs: 100, holdAfterSpeechMs: holdMs)
        var sent: [UInt8] = [], expected: [UInt8] = []
        var waitedAt: [Int] = [], wentAt: [Int] = []  // media ms of frames that did (not) complete an append
        for start in stride(from: 0, to: line.count - 159, by: 160) {
            let t = start / 8
            let payload = Array(Base64.encode(Array(line[start..<(start + 160)])).utf8)
            try reference.ingest(payloadBase64: payload)
            expected += try IngressStageTests.audio(of: reference.appendFrame)
            try payload.withUnsafeBytes { raw in
                try ingress.decode(payloadBase64: raw)
                let detection = ingress.withPCM8k { detector.process($0, timestampMs: t, playedLevelDbfs: nil) }
                let ms = pacer.appendMs(timestampMs: t, durationMs: 20, isSpeech: detection.isSpeech,
                                        inSegment: detection.inSegment, modelHearsBargeIn: false,
                                        minimumMs: ingress.appendEveryMs)
                ingress.gather(payloadBase64: raw, upToMs: ms)
            }
            if ingress.appendReady {
                #expect(ingress.appendAudioMs <= 100)
                sent += try IngressStageTests.audio(of: ingress.appendFrame)
                wentAt.append(t)
            } else {
                waitedAt.append(t)
            }
        }
        #expect(sent == Array(expected.prefix(sent.count)), "\(path): the same audio in the same order")
        #expect(expected.count - sent.count < (path == .pcmu ? 800 : 4_800), "\(path): at most 100 ms still gathering at the end")
        // Speech (after the detector's first 60 ms) up to the hold after its end: nothing waited.
        let mustGo = (speechStart / 8 + 60)..<(speechEnd / 8 + holdMs)
        #expect(!waitedAt.contains { mustGo.contains($0) }, "\(path): waited at \(waitedAt.filter { mustGo.contains($0) })")
        // The quiet stretches away from the speech: one append per 100 ms.
        for quietSpan in [0..<(speechStart / 8 - 100), (speechEnd / 8 + holdMs + 100)..<(line.count / 8)] {
            let framesIn = quietSpan.count / 20, appendsIn = wentAt.filter { quietSpan.contains($0) }.count
            #expect(appendsIn <= framesIn / 5 + 1, "\(path): \(appendsIn) appends for \(framesIn) quiet frames in \(quietSpan)")
        }
    }
}
