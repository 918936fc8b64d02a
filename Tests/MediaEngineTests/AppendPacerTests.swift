import Foundation
import Testing
@testable import MediaEngine

@Suite struct AppendPacerTests {
    static func detection(speech: Bool = false, maybe: Bool = false, segment: Bool = false) -> DetectorStage.Detection {
        DetectorStage.Detection(vad: nil, isSpeech: speech, mayBeSpeech: speech || maybe, inSegment: segment)
    }

    @Test func quietAudioWaitsSpeechAndTheTurnsEndDoNot() {
        var pacer = AppendPacer(quietAppendMs: 100, holdAfterSpeechMs: 1_000)
        func next(_ t: Int, _ detection: DetectorStage.Detection = Self.detection(), modelBargeIn: Bool = false) -> Int {
            pacer.waitUpToMs(timestampMs: t, durationMs: 20, detection: detection, modelHearsBargeIn: modelBargeIn)
        }
        #expect(next(0) == 100, "before the caller first speaks")
        #expect(next(20, Self.detection(maybe: true)) == 0, "maybe a soft onset")
        #expect(next(40) == 100, "a blip does not start the hold")
        #expect(next(60, Self.detection(speech: true)) == 0)
        #expect(next(80, Self.detection(speech: true, segment: true)) == 0)
        // The last speech frame ended at 100 ms: every frame ending up to 1100 ms goes at once.
        #expect(next(100, Self.detection(segment: true)) == 0)
        #expect(next(1_060) == 0, "ends at 1080, within the hold")
        #expect(next(1_080) == 0, "ends at 1100, the hold's last frame")
        #expect(next(1_100) == 100, "past the hold")
        #expect(next(1_120, modelBargeIn: true) == 0, "the model's speech_started would interrupt the bot")
        #expect(next(1_140) == 100)
        #expect(next(1_160, Self.detection(segment: true)) == 0, "the VAD's segment is still open")
        #expect(next(1_180) == 100, "an open segment alone does not extend the hold")
    }

    @Test func twentyOrLessMeansEveryFrameGoesAtOnce() {
        for quiet in [0, 20] {
            var pacer = AppendPacer(quietAppendMs: quiet, holdAfterSpeechMs: 500)
            #expect(pacer.waitUpToMs(timestampMs: 0, durationMs: 20, detection: Self.detection(), modelHearsBargeIn: false) == 0)
        }
    }

    @Test func holdCoversTheModelsOwnWaitBeforeItEndsATurn() {
        // server_vad waits silence_duration_ms; semantic_vad at most 8, 4 or 2 s (by eagerness, auto is
        // medium); plus the margin for the model judging the speech to end later than the engine does.
        let vad = TurnDetection.ServerVAD(threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 700, idleTimeoutMs: nil)
        #expect(AppendPacer(quietAppendMs: 100, turnDetection: .serverVAD(vad)).holdAfterSpeechMs == 1_200)
        #expect(AppendPacer(quietAppendMs: 100, turnDetection: .serverVAD(vad), marginMs: 0).holdAfterSpeechMs == 700)
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
                let waitMs = pacer.waitUpToMs(timestampMs: t, durationMs: 20, detection: detection, modelHearsBargeIn: false)
                ingress.gather(payloadBase64: raw, waitUpToMs: waitMs)
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
        // Speech, from its first frame, up to the hold after its end: nothing waited.
        let mustGo = (speechStart / 8)..<(speechEnd / 8 + holdMs)
        #expect(!waitedAt.contains { mustGo.contains($0) }, "\(path): waited at \(waitedAt.filter { mustGo.contains($0) })")
        // The quiet stretches away from the speech: mostly one append per 100 ms (the noise's blips that
        // may be a soft onset go at once).
        for quietSpan in [0..<(speechStart / 8 - 100), (speechEnd / 8 + holdMs + 100)..<(line.count / 8)] {
            let framesIn = quietSpan.count / 20, appendsIn = wentAt.filter { quietSpan.contains($0) }.count
            #expect(appendsIn * 10 <= framesIn * 3, "\(path): \(appendsIn) appends for \(framesIn) quiet frames in \(quietSpan)")
        }
    }
}
