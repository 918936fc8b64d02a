import Foundation
@testable import MediaEngine

/// A call-like timeline of real sentences (espeak-ng, 8 kHz unless asked) separated by silences of
/// varied length, with the ground truth of where speech is, for measuring the voice activity detector.
///
/// Ground truth is derived from the CLEAN signal: a 20 ms frame is active when its level is above
/// `activeThresholdDbfs` (about 30 dB below the speech's average level, so the soft edges of words
/// count), then gaps between active frames shorter than `mergeGapMs` (the VAD's default hangover) are
/// filled. So pauses between words inside a sentence count as speech, and the silences between
/// sentences (0.8 s and longer) do not.
///
/// A caveat on the Hebrew: espeak-ng reads unpointed Hebrew without vowels, so much of a sentence
/// comes out as long consonant murmurs 20-25 dB below its loudest syllables (real Hebrew speech is not
/// like that). Those stretches count as speech in the ground truth, and at 0 dB SNR they are 15 dB or
/// more under the noise, which is why Hebrew scores lower than English there.
struct SpeechCorpus: Sendable {
    static let frameMs = 20
    static let activeThresholdDbfs = -55.0
    static let mergeGapMs = VADConfig().speechStopMs

    /// Clean timeline, PCM16 at `rate`.
    let samples: [Int16]
    /// Samples per second (Hz).
    let rate: Int
    /// Ground truth per 20 ms frame: true where the caller is speaking.
    let truth: [Bool]
    /// Sample range of each sentence on the timeline.
    let sentenceRanges: [Range<Int>]

    static let hebrewSentences = [
        "שלום, אני רוצה לקבוע תור למחר בבוקר",
        "תודה רבה, להתראות",
        "האם אפשר לדבר עם מישהו מהמשרד?",
        "קוראים לי דנה, ואני מתקשרת בקשר להזמנה",
        "אני צריך לבטל את הפגישה של יום שלישי",
        "מה שעות הפתיחה שלכם בשבוע הבא?",
        "כן, זה בסדר גמור מבחינתי",
        "אפשר לשלוח לי את הפרטים בהודעה?",
    ]

    static let englishSentences = [
        "Hello, I would like to book an appointment for tomorrow morning.",
        "Thank you very much, goodbye.",
        "Can I speak with someone from the billing department?",
        "My name is Dana, and I am calling about my order.",
        "What are your opening hours next week?",
        "Yes, that works perfectly for me.",
        "Could you send me the details by text message?",
    ]

    /// Silences between sentences (s), cycled; the timeline opens with 1.2 s of silence and ends
    /// with 1.5 s.
    static let gapsSeconds = [0.8, 1.7, 1.1, 2.5, 0.9, 2.0, 1.4, 1.0]
    /// Per-sentence level changes (dB) so that the corpus is not one flat loudness; espeak renders
    /// peaks near full scale, so everything is lowered to a telephone-like -28 dBFS average or so.
    static let gainsDb = [-6.0, -8.5, -5.0, -7.5, -9.0, -6.5, -5.5, -8.0]

    /// The Hebrew timeline (about 31 s, 58% speech), rendered once per test process.
    static let hebrew: Result<SpeechCorpus, TestAudio.ToolError> = build(hebrewSentences, voice: "he")
    /// The English timeline (about 30 s, 60% speech), rendered once per test process.
    static let english: Result<SpeechCorpus, TestAudio.ToolError> = build(englishSentences, voice: "en-us")
    /// Three Hebrew sentences at 16 kHz (about 12 s), for the other sample rates.
    static let hebrew16k: Result<SpeechCorpus, TestAudio.ToolError> =
        build(Array(hebrewSentences.prefix(3)), voice: "he", rate: 16000)
    /// Three English sentences at 24 kHz (about 12 s).
    static let english24k: Result<SpeechCorpus, TestAudio.ToolError> =
        build(Array(englishSentences.prefix(3)), voice: "en-us", rate: 24000)

    static func build(_ sentences: [String], voice: String, rate: Int = 8000) -> Result<SpeechCorpus, TestAudio.ToolError> {
        // Render in parallel: espeak-ng and sox are separate processes.
        let rendered = RenderSlots(count: sentences.count)
        DispatchQueue.concurrentPerform(iterations: sentences.count) { i in
            rendered.set(i, Result { try TestAudio.speech(sentences[i], voice: voice, rate: rate) }
                .mapError { TestAudio.ToolError(description: "\($0)") })
        }
        var samples = [Int16](repeating: 0, count: rate * 12 / 10)
        var ranges: [Range<Int>] = []
        for (i, result) in rendered.all().enumerated() {
            let speech: [Int16]
            switch result {
            case .success(let s): speech = TestAudio.scaled(TestAudio.trimmed(s), byDb: gainsDb[i % gainsDb.count])
            case .failure(let e): return .failure(e)
            }
            if i > 0 {
                samples += [Int16](repeating: 0, count: Int(gapsSeconds[(i - 1) % gapsSeconds.count] * Double(rate)))
            }
            ranges.append(samples.count..<samples.count + speech.count)
            samples += speech
        }
        samples += [Int16](repeating: 0, count: rate * 3 / 2)
        samples.removeLast(samples.count % (rate * frameMs / 1000))
        let truth = groundTruth(samples, rate: rate)
        return .success(SpeechCorpus(samples: samples, rate: rate, truth: truth, sentenceRanges: ranges))
    }

    /// Active frames of the clean signal, with short gaps merged (see the type's documentation).
    static func groundTruth(_ clean: [Int16], rate: Int) -> [Bool] {
        var active: [Bool] = []
        TestAudio.forEachFrame(clean, rate: rate) { frame, _ in active.append(AudioLevel.dbfs(frame) > activeThresholdDbfs) }
        let mergeFrames = mergeGapMs / frameMs
        var lastActive: Int?
        for i in active.indices where active[i] {
            if let last = lastActive, i - last - 1 < mergeFrames {
                for j in last + 1..<i { active[j] = true }
            }
            lastActive = i
        }
        return active
    }

    /// Ground truth expanded to one flag per sample (for SNR measurement).
    var sampleMask: [Bool] {
        let size = rate * Self.frameMs / 1000
        return (0..<samples.count).map { truth[min($0 / size, truth.count - 1)] }
    }

    /// Fraction of truth frames that are speech.
    var speechFraction: Double { Double(truth.filter { $0 }.count) / Double(truth.count) }

    /// The clean timeline plus line noise at `snrDb` (speech power over the speech frames), through a
    /// mu-law phone line, optionally scaled by `levelDb` before the line.
    func noisy(snrDb: Double, seed: UInt64, levelDb: Double = 0) -> [Int16] {
        let noise = TestAudio.lineNoise(count: samples.count, seed: seed, rate: rate)
        let mixed = TestAudio.mix(samples, noise: noise, snrDb: snrDb, speechMask: sampleMask)
        return TestAudio.muLawChannel(levelDb == 0 ? mixed : TestAudio.scaled(mixed, byDb: levelDb))
    }
}

/// Result slots filled from concurrent renders (each index written once, under a lock).
private final class RenderSlots: @unchecked Sendable {
    // Safe: every access to `slots` holds `lock`.
    private let lock = NSLock()
    private var slots: [Result<[Int16], TestAudio.ToolError>?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: Result<[Int16], TestAudio.ToolError>) { lock.withLock { slots[i] = value } }
    func all() -> [Result<[Int16], TestAudio.ToolError>] {
        lock.withLock { slots.map { $0 ?? .failure(TestAudio.ToolError(description: "sentence not rendered")) } }
    }
}

/// How well a VAD's reported segments match a corpus's ground truth.
struct VADScore: CustomStringConvertible {
    /// Fraction of frames whose label (inside a reported segment or not) matches the truth.
    var accuracy: Double
    /// Truth-speech frames labelled non-speech, and truth-silence frames labelled speech.
    var missedFrames: Int
    var falseFrames: Int
    var segments: Int

    var description: String {
        String(format: "accuracy %.2f%% (missed %d, false %d frames, %d segments)",
               accuracy * 100, missedFrames, falseFrames, segments)
    }

    /// Runs a fresh detector over `signal` in 20 ms frames and scores its segments against `truth`.
    static func measure(_ signal: [Int16], truth: [Bool], rate: Int = 8000, config: VADConfig = VADConfig()) -> VADScore {
        var vad = VoiceActivityDetector(config: config, sampleRate: rate)
        var segments: [(start: Int, end: Int)] = []
        var openStart: Int?
        func note(_ event: VADEvent?) {
            switch event {
            case .speechStarted(let at): openStart = at
            case .speechEnded(let at): if let s = openStart { segments.append((s, at)) }; openStart = nil
            case nil: break
            }
        }
        TestAudio.forEachFrame(signal, rate: rate) { frame, ts in note(vad.process(frame, timestampMs: ts).event) }
        note(vad.finish())
        var labels = [Bool](repeating: false, count: truth.count)
        for seg in segments {
            for i in labels.indices where i * 20 + 10 >= seg.start && i * 20 + 10 < seg.end { labels[i] = true }
        }
        var missed = 0, falses = 0
        for i in truth.indices where truth[i] != labels[i] {
            if truth[i] { missed += 1 } else { falses += 1 }
        }
        return VADScore(accuracy: 1 - Double(missed + falses) / Double(truth.count),
                        missedFrames: missed, falseFrames: falses, segments: segments.count)
    }
}
