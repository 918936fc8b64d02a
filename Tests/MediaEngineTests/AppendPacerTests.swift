import Foundation
import Testing
@testable import MediaEngine

@Suite struct AppendPacerTests {
    static func detection(speech: Bool = false) -> DetectorStage.Detection {
        DetectorStage.Detection(vad: nil, isSpeech: speech)
    }

    @Test func everythingWaitsButTheTurnsEndAndAModelBargeIn() {
        var pacer = AppendPacer(gatherAppendMs: 100, holdAfterSpeechMs: 1_000)
        let speech = Self.detection(speech: true)
        func next(_ t: Int, _ detection: DetectorStage.Detection = Self.detection(), modelBargeIn: Bool = false) -> Int {
            pacer.waitUpToMs(timestampMs: t, durationMs: 20, detection: detection, modelHearsBargeIn: modelBargeIn)
        }
        #expect(next(0) == 100, "before the caller first speaks")
        #expect(next(20, speech) == 100, "speech: the model cannot end the turn while it goes on")
        #expect(next(40, speech) == 100)
        // The last speech frame ended at 60 ms: every other frame ending up to 1060 ms goes at once.
        #expect(next(60) == 0, "the first frame after the speech takes the speech with it")
        #expect(next(80, speech) == 100, "speech again after a short pause waits again")
        #expect(next(100) == 0, "and the frame after it goes")
        #expect(next(1_060) == 0, "ends at 1080, within the hold after the speech that ended at 100")
        #expect(next(1_080) == 0, "ends at 1100, the hold's last frame")
        #expect(next(1_100) == 100, "past the hold")
        #expect(next(1_120, modelBargeIn: true) == 0, "the model's speech_started would interrupt the bot")
        #expect(next(1_140, speech, modelBargeIn: true) == 0, "nor does speech wait then")
        #expect(next(1_160) == 0, "the hold after that speech")
        #expect(next(2_160) == 100)
    }

    /// Once the model has ended the turn (`committed`), the rest of the hold is silence nobody waits on;
    /// speech the engine heard too close to the model's turn end keeps its hold.
    @Test func aTurnTheModelEndedReleasesTheHoldOnItsSpeech() {
        var pacer = AppendPacer(gatherAppendMs: 100, holdAfterSpeechMs: 1_000)
        let speech = Self.detection(speech: true)
        func next(_ t: Int, _ detection: DetectorStage.Detection = Self.detection()) -> Int {
            pacer.waitUpToMs(timestampMs: t, durationMs: 20, detection: detection, modelHearsBargeIn: false)
        }
        #expect(next(1_000, speech) == 100)
        #expect(next(1_020) == 0, "speech ended at 1020: the hold runs to 2020")
        pacer.modelEndedTurn(sentEndMs: 1_260)
        #expect(next(1_260) == 0, "the model had only 240 ms after the speech: a turn end that early keeps the hold")
        pacer.modelEndedTurn(sentEndMs: 1_540)
        #expect(next(1_540) == 100, "the model ended the turn 520 ms after the speech: the rest of the hold waits")
        #expect(next(1_560) == 100)
        #expect(next(1_580, speech) == 100, "new speech")
        #expect(next(1_600) == 0, "has its own hold")
        pacer.modelEndedTurn(sentEndMs: 1_700)
        #expect(next(1_700) == 0, "a turn end 100 ms after that speech belongs to the earlier turn: the hold stays")
        #expect(next(2_580) == 0)
        #expect(next(2_600) == 100, "until it runs out")
        pacer.modelEndedTurn(sentEndMs: 2_620)
        #expect(next(2_620) == 100, "nothing held: nothing changes")
    }

    /// Silence nobody waits on gathers up to `gatherAppendMs`; the caller's speech at most 100 ms, so the
    /// model's own `speech_started` is never more than 80 ms late.
    @Test func speechGathersLessThanSilence() {
        let speech = Self.detection(speech: true)
        var pacer = AppendPacer(gatherAppendMs: 200, holdAfterSpeechMs: 1_000)
        #expect(pacer.waitUpToMs(timestampMs: 0, durationMs: 20, detection: Self.detection(), modelHearsBargeIn: false) == 200)
        #expect(pacer.waitUpToMs(timestampMs: 20, durationMs: 20, detection: speech, modelHearsBargeIn: false) == AppendPacer.speechGatherMs)
        #expect(pacer.waitUpToMs(timestampMs: 40, durationMs: 20, detection: Self.detection(), modelHearsBargeIn: false) == 0, "the hold")
        #expect(pacer.waitUpToMs(timestampMs: 1_040, durationMs: 20, detection: Self.detection(), modelHearsBargeIn: false) == 200, "past it")
        var small = AppendPacer(gatherAppendMs: 60, holdAfterSpeechMs: 1_000)
        #expect(small.waitUpToMs(timestampMs: 0, durationMs: 20, detection: speech, modelHearsBargeIn: false) == 60, "never above the option")
    }

    /// Media times (ms) of the frames that completed an append, when `silence` frames of silence and
    /// then `speech` frames of speech go through the pacer and the call's ingress (gather 200 ms).
    static func appendTimes(silence: Int, speech: Int) throws -> [Int] {
        var ingress = try IngressStage(audioPath: .pcmu, maxAppendMs: 200)
        var pacer = AppendPacer(gatherAppendMs: 200, holdAfterSpeechMs: 1_000)
        let payload = Array(Base64.encode([UInt8](repeating: 0xFF, count: 160)).utf8)
        var ready: [Int] = []
        for (index, isSpeech) in (Array(repeating: false, count: silence) + Array(repeating: true, count: speech)).enumerated() {
            let t = index * 20
            try payload.withUnsafeBytes { raw in
                try ingress.decode(payloadBase64: raw)
                let wait = pacer.waitUpToMs(timestampMs: t, durationMs: 20, detection: Self.detection(speech: isSpeech), modelHearsBargeIn: false)
                ingress.gather(payloadBase64: raw, waitUpToMs: wait)
            }
            if ingress.appendReady { ready.append(t) }
        }
        return ready
    }

    /// What the call's ingress makes of those limits: the first speech frame after 180 ms of waiting
    /// silence finds the append due and sends it at once; speech then goes in appends of 100 ms.
    @Test func theFirstSpeechFrameSendsTheSilenceGatheredBeforeIt() throws {
        #expect(try Self.appendTimes(silence: 9, speech: 11) == [180, 280, 380],
                "200 ms with the first speech frame, then 100 ms of speech each")
    }

    /// The worst case for the model's speech onset: silence just sent (200 ms gathered), so the first
    /// speech frame starts a new append, which goes when it holds 100 ms: the onset 80 ms late.
    @Test func speechRightAfterASilenceAppendIsAtMost80MsLate() throws {
        // The silence goes with the frame at 180 ms; the speech frame at 200 ms (whole at 220) waits for
        // the frame at 280 (whole at 300): 80 ms.
        #expect(try Self.appendTimes(silence: 10, speech: 10) == [180, 280, 380])
    }

    @Test func twentyOrLessMeansEveryFrameGoesAtOnce() {
        for gather in [0, 20] {
            var pacer = AppendPacer(gatherAppendMs: gather, holdAfterSpeechMs: 500)
            #expect(pacer.waitUpToMs(timestampMs: 0, durationMs: 20, detection: Self.detection(), modelHearsBargeIn: false) == 0)
        }
    }

    @Test func holdCoversTheModelsOwnWaitBeforeItEndsATurn() {
        // server_vad waits silence_duration_ms; semantic_vad at most 8, 4 or 2 s (by eagerness, auto is
        // medium); plus the margin for the model judging the speech to end later than the engine does.
        let vad = TurnDetection.ServerVAD(threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 700, idleTimeoutMs: nil)
        #expect(AppendPacer(gatherAppendMs: 100, turnDetection: .serverVAD(vad)).holdAfterSpeechMs == 1_200)
        #expect(AppendPacer(gatherAppendMs: 100, turnDetection: .serverVAD(vad), marginMs: 0).holdAfterSpeechMs == 700)
        #expect(AppendPacer(gatherAppendMs: 100, turnDetection: .semanticVAD(eagerness: .low)).holdAfterSpeechMs == 8_500)
        #expect(AppendPacer(gatherAppendMs: 100, turnDetection: .semanticVAD(eagerness: .auto)).holdAfterSpeechMs == 4_500)
        #expect(AppendPacer(gatherAppendMs: 100, turnDetection: .semanticVAD(eagerness: .high)).holdAfterSpeechMs == 2_500)
    }

    /// Server VAD cannot end the turn before it has heard `silence_duration_ms` of silence: the start of
    /// the silence (less the 200 ms the model's VAD may hear the speech end sooner) gathers like speech;
    /// semantic VAD may end it at once, and a window of 200 ms or less leaves nothing to gather.
    @Test func theStartOfTheSilenceGathersWhenTheModelCannotEndTheTurnYet() {
        func vad(silenceMs: Int) -> TurnDetection {
            .serverVAD(TurnDetection.ServerVAD(threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: silenceMs, idleTimeoutMs: nil))
        }
        #expect(AppendPacer(gatherAppendMs: 200, turnDetection: vad(silenceMs: 500)).quietGatherMs == 300)
        #expect(AppendPacer(gatherAppendMs: 200, turnDetection: vad(silenceMs: 200)).quietGatherMs == 0)
        #expect(AppendPacer(gatherAppendMs: 200, turnDetection: vad(silenceMs: 100)).quietGatherMs == 0)
        #expect(AppendPacer(gatherAppendMs: 200, turnDetection: .semanticVAD(eagerness: .high)).quietGatherMs == 0)

        var pacer = AppendPacer(gatherAppendMs: 200, turnDetection: vad(silenceMs: 500))  // hold 1000, quiet gather 300
        let speech = Self.detection(speech: true)
        func next(_ t: Int, _ detection: DetectorStage.Detection = Self.detection(), modelBargeIn: Bool = false) -> Int {
            pacer.waitUpToMs(timestampMs: t, durationMs: 20, detection: detection, modelHearsBargeIn: modelBargeIn)
        }
        for t in stride(from: 0, to: 100, by: 20) { #expect(next(t, speech) == AppendPacer.speechGatherMs) }
        #expect(next(100) == AppendPacer.speechGatherMs, "100 ms of speech ended at 100: its first 300 ms of silence gather like it")
        for t in stride(from: 120, to: 220, by: 20) { #expect(next(t, speech) == AppendPacer.speechGatherMs, "a pause between words") }
        #expect(next(220) == AppendPacer.speechGatherMs, "the second word ended at 220")
        #expect(next(480) == AppendPacer.speechGatherMs, "ends at 500: 280 ms of silence")
        #expect(next(500) == 0, "ends at 520: 300 ms, where a model hearing the speech end 200 ms sooner ends the turn")
        #expect(next(1_200) == 0, "ends at 1220, the hold's last frame")
        #expect(next(1_220) == 200, "past the hold")
        #expect(next(1_240, speech) == AppendPacer.speechGatherMs)
        #expect(next(1_260, modelBargeIn: true) == 0, "the model's speech_started would interrupt the bot")
    }

    /// A frame or two the engine's VAD takes for speech after the last word (a click, a breath) keeps
    /// the hold going but does not restart the quiet gathering: the model's VAD most likely ignored it,
    /// and its silence window started with the word's end.
    @Test func aClickAfterTheLastWordDoesNotRestartTheQuietGathering() {
        var pacer = AppendPacer(gatherAppendMs: 200, holdAfterSpeechMs: 1_000, quietGatherMs: 300)
        let speech = Self.detection(speech: true)
        func next(_ t: Int, _ detection: DetectorStage.Detection = Self.detection()) -> Int {
            pacer.waitUpToMs(timestampMs: t, durationMs: 20, detection: detection, modelHearsBargeIn: false)
        }
        for t in stride(from: 0, to: 200, by: 20) { _ = next(t, speech) }  // a word, 0-200 ms
        #expect(next(200) == AppendPacer.speechGatherMs)
        #expect(next(400, speech) == AppendPacer.speechGatherMs, "a click at 400-420 ms")
        #expect(next(460) == AppendPacer.speechGatherMs, "ends at 480: 280 ms after the word")
        #expect(next(480) == 0, "ends at 500: 300 ms after the word, whatever the click")
        #expect(next(1_400) == 0, "the hold runs from the click: ends at 1420")
        #expect(next(1_420) == 200)
        for t in stride(from: 2_000, to: 2_060, by: 20) { _ = next(t, speech) }  // 60 ms: still short
        #expect(next(2_060) == 0, "a short sound after a long silence: frame by frame")
        for t in stride(from: 2_080, to: 2_180, by: 20) { _ = next(t, speech) }  // 100 ms: a word
        #expect(next(2_180) == AppendPacer.speechGatherMs, "after a word, the quiet gathering starts again")
        #expect(AppendPacer(gatherAppendMs: 200, holdAfterSpeechMs: 500, quietGatherMs: 800).quietGatherMs == 500,
                "never past the hold")
    }

    /// With the start of the silence gathering, the frame at which a model that heard the speech end up
    /// to 200 ms before the engine did completes its 500 ms window still reaches it at once: the first
    /// frame past the gathering sends everything before it.
    @Test func theModelsWindowEndsOnAFrameThatGoesAtOnce() throws {
        var ingress = try IngressStage(audioPath: .pcmu, maxAppendMs: 200)
        let vad = TurnDetection.ServerVAD(threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 500, idleTimeoutMs: nil)
        var pacer = AppendPacer(gatherAppendMs: 200, turnDetection: .serverVAD(vad))
        let payload = Array(Base64.encode([UInt8](repeating: 0xFF, count: 160)).utf8)
        var sentEndMs = 0  // media time the model has heard up to
        var heardByEndOf: [Int: Int] = [:]  // frame end -> media time the model had once that frame was in
        for index in 0..<60 {
            let t = index * 20
            try payload.withUnsafeBytes { raw in
                try ingress.decode(payloadBase64: raw)
                let wait = pacer.waitUpToMs(timestampMs: t, durationMs: 20, detection: Self.detection(speech: t < 400), modelHearsBargeIn: false)
                ingress.gather(payloadBase64: raw, waitUpToMs: wait)
            }
            if ingress.appendReady { sentEndMs = t + 20 }
            heardByEndOf[t + 20] = sentEndMs
        }
        // The engine's speech ends at 400 ms; a model hearing it end at 200..400 ms ends the turn at 700..900.
        for modelSpeechEnd in stride(from: 200, through: 400, by: 20) {
            let windowEnd = modelSpeechEnd + 500
            #expect(heardByEndOf[windowEnd] == windowEnd, "a model whose speech ended at \(modelSpeechEnd) ms hears its window end on time")
        }
        #expect(heardByEndOf[680] == 600, "the silence before 700 ms gathered in appends of 100 ms")
        // A model that heard the speech end more than 200 ms before the engine did ends the turn inside
        // the gathering: at most 80 ms late.
        for windowEnd in stride(from: 420, to: 700, by: 20) {
            let heardAt = try #require(heardByEndOf.keys.sorted().first { heardByEndOf[$0]! >= windowEnd })
            #expect(heardAt - windowEnd <= 80, "a window ending at \(windowEnd) ms is heard at \(heardAt)")
        }
    }

    /// A caller's line as the call runs it (decode, detectors, a call's pacer for the standard server
    /// VAD, gather): a Hebrew sentence between four seconds of line noise. The model gets every byte in
    /// order, the silence after the speech frame by frame once it could end the turn on it (so the end
    /// of the turn is not delayed), and the rest in far fewer messages.
    @Test(arguments: ModelAudioPath.allCases)
    func aCallersLineReachesTheModelWholeWithTheEndOfItsTurnUndelayed(path: ModelAudioPath) throws {
        let sentence = TestAudio.trimmed(try TestAudio.speech("שלום, אני רוצה לקבוע תור למחר בבוקר", voice: "he"))
        let quiet = 32_000, speechStart = quiet, speechEnd = quiet + sentence.count
        let clean = [Int16](repeating: 0, count: quiet) + sentence + [Int16](repeating: 0, count: quiet)
        let noise = TestAudio.scaledNoise(TestAudio.lineNoise(count: clean.count, seed: 7), levelDbfs: -60)
        let line = MuLaw.encode(zip(clean, noise).map { Int16(clamping: Int($0) + Int($1)) })
        var pacer = AppendPacer(gatherAppendMs: 100, turnDetection: .serverVAD(.standard))
        let holdMs = pacer.holdAfterSpeechMs, quietMs = pacer.quietGatherMs
        #expect(holdMs == 1_000 && quietMs == 300)
        var ingress = try IngressStage(audioPath: path, maxAppendMs: 100)
        var reference = try IngressStage(audioPath: path)  // every frame alone: the audio the model must get
        var detector = try DetectorStage()
        var sent: [UInt8] = [], expected: [UInt8] = []
        var waitedAt: [Int] = [], wentAt: [Int] = []  // media ms of frames that did (not) complete an append
        var previousWasSpeech = false, speechEnds = 0, lastSpeechEndMs: Int?
        for start in stride(from: 0, to: line.count - 159, by: 160) {
            let t = start / 8
            let payload = Array(Base64.encode(Array(line[start..<(start + 160)])).utf8)
            try reference.ingest(payloadBase64: payload)
            expected += try IngressStageTests.audio(of: reference.appendFrame)
            let isSpeech = try payload.withUnsafeBytes { raw in
                try ingress.decode(payloadBase64: raw)
                let detection = ingress.withPCM8k { detector.process($0, timestampMs: t, playedLevelDbfs: nil) }
                let waitMs = pacer.waitUpToMs(timestampMs: t, durationMs: 20, detection: detection, modelHearsBargeIn: false)
                ingress.gather(payloadBase64: raw, waitUpToMs: waitMs)
                return detection.isSpeech
            }
            if previousWasSpeech && !isSpeech { speechEnds += 1 }
            previousWasSpeech = isSpeech
            if isSpeech { lastSpeechEndMs = t + 20 }
            if !isSpeech, let end = lastSpeechEndMs, (quietMs...holdMs).contains(t + 20 - end) {
                // Where the model could end the turn: the frame goes at once with everything before it.
                #expect(ingress.appendReady && ingress.pendingMs == 0, "\(path): audio still waiting at \(t) ms")
            }
            if ingress.appendReady {
                #expect(ingress.appendAudioMs <= 100)
                sent += try IngressStageTests.audio(of: ingress.appendFrame)
                wentAt.append(t)
            } else {
                waitedAt.append(t)
            }
        }
        #expect(speechEnds >= 1, "\(path): the VAD heard the sentence")
        #expect(sent == Array(expected.prefix(sent.count)), "\(path): the same audio in the same order")
        #expect(expected.count - sent.count < (path == .pcmu ? 800 : 4_800), "\(path): at most 100 ms still gathering at the end")
        // The silence after the speech, from where a model could end the turn on it to the end of the
        // hold (give or take the VAD's reading of the sentence's soft last sound): nothing waited, so
        // what came before went with its first frame.
        let mustGo = (speechEnd / 8 + quietMs + 100)..<(speechEnd / 8 + holdMs - 100)
        #expect(!waitedAt.contains { mustGo.contains($0) }, "\(path): waited at \(waitedAt.filter { mustGo.contains($0) })")
        // The quiet stretches away from the speech, and the speech itself with its pauses: far fewer
        // appends than frames.
        let spans = [(0..<(speechStart / 8 - 100), 3), (speechStart / 8..<speechEnd / 8, 5), ((speechEnd / 8 + holdMs + 100)..<(line.count / 8), 3)]
        for (span, tenthsAtMost) in spans {
            let framesIn = span.count / 20, appendsIn = wentAt.filter { span.contains($0) }.count
            #expect(appendsIn * 10 <= framesIn * tenthsAtMost, "\(path): \(appendsIn) appends for \(framesIn) frames in \(span)")
        }
    }
}
