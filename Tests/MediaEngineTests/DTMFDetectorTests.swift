import Foundation
import Testing
@testable import MediaEngine

/// In-band DTMF detection: all keys, Q.24-style tolerances (frequency, twist, level, timing), line
/// noise and mu-law, and no talk-off on Hebrew and English speech.
@Suite struct DTMFDetectorTests {
    // MARK: - Signals

    /// A DTMF pair as samples (not yet rounded): each tone at its level in dBm0 (0 dBm0 = peak 22,650),
    /// optionally off its nominal frequency by a fraction, with seeded random phases.
    static func pair(
        _ digit: DTMFDigit, ms: Int, rowDbm0: Double = -10, columnDbm0: Double = -10,
        rowDeviation: Double = 0, columnDeviation: Double = 0, rate: Int = 8000, seed: UInt64 = 1
    ) -> [Double] {
        var rng = TestAudio.SeededGenerator(seed: seed &+ UInt64(digit.row * 4 + digit.column))
        let rowPhase = Double.random(in: 0..<(2 * .pi), using: &rng)
        let columnPhase = Double.random(in: 0..<(2 * .pi), using: &rng)
        let a0 = DTMFDetector.Configuration.zeroDbm0Amplitude
        let rowAmplitude = a0 * pow(10, rowDbm0 / 20), columnAmplitude = a0 * pow(10, columnDbm0 / 20)
        let rowW = 2 * Double.pi * digit.rowFrequency * (1 + rowDeviation) / Double(rate)
        let columnW = 2 * Double.pi * digit.columnFrequency * (1 + columnDeviation) / Double(rate)
        return (0..<(ms * rate / 1000)).map { n in
            rowAmplitude * sin(rowW * Double(n) + rowPhase) + columnAmplitude * sin(columnW * Double(n) + columnPhase)
        }
    }

    static func silence(ms: Int, rate: Int = 8000) -> [Double] { [Double](repeating: 0, count: ms * rate / 1000) }

    static func pcm(_ samples: [Double]) -> [Int16] { samples.map { Int16(clamping: Int($0.rounded())) } }

    /// What a phone line does to the audio: mu-law encoding and decoding.
    static func phoneLine(_ samples: [Int16]) -> [Int16] { MuLaw.decode(MuLaw.encode(samples)) }

    /// One DTMF pair rendered by sox (`synth ... sine ROW sine COLUMN`, mixed down to one channel;
    /// each tone comes out at peak ~11,560, about -5.8 dBm0), with `padMs` of silence before and after.
    static func soxPair(_ digit: DTMFDigit, ms: Int, padMs: Int, rate: Int = 8000) throws -> [Int16] {
        let seconds = String(Double(ms) / 1000), pad = String(Double(padMs) / 1000)
        return try TestAudio.soxSynth(
            ["synth", seconds, "sine", String(Int(digit.rowFrequency)), "sine", String(Int(digit.columnFrequency)),
             "pad", pad, pad],
            rate: rate)
    }

    static func detect(_ samples: [Int16], _ configuration: DTMFDetector.Configuration = .init()) throws -> [DTMFEvent] {
        var detector = try DTMFDetector(configuration: configuration)
        return detector.process(samples, timestampMs: 0)
    }

    /// Runs one DTMF pair placed after 40 ms of silence (plus `leadSamples`, so the alignment against
    /// the detector's blocks varies), followed by 60 ms of silence, through mu-law; returns the events.
    static func detectPair(_ tone: [Double], leadSamples: Int = 0,
                           _ configuration: DTMFDetector.Configuration = .init()) throws -> [DTMFEvent] {
        let rate = configuration.sampleRate
        let audio = pcm(silence(ms: 40, rate: rate) + [Double](repeating: 0, count: leadSamples) + tone
            + silence(ms: 60, rate: rate))
        return try detect(phoneLine(audio), configuration)
    }

    // MARK: - All keys

    @Test func detectsEverySoxGeneratedKeyOnceThroughMuLaw() throws {
        for digit in DTMFDigit.allCases {
            let audio = try Self.soxPair(digit, ms: 60, padMs: 100)
            let events = try Self.detect(Self.phoneLine(audio))
            #expect(events.map(\.digit) == [digit], "key \(digit)")
            if let onset = events.first?.timestampMs { #expect(abs(onset - 100) <= 15, "key \(digit) onset \(onset) ms") }
        }
    }

    @Test func detectsEveryKeyInLineNoiseAtFifteenAndTwentyDbSnr() throws {
        let noise = TestAudio.lineNoise(count: 8000, seed: 7)
        for snrDb in [15.0, 20.0] {
            for digit in DTMFDigit.allCases {
                for (trial, lead) in [0, 29, 57, 83].enumerated() {
                    let tone = Self.pcm(Self.pair(digit, ms: 60, rowDbm0: -15, columnDbm0: -15, seed: UInt64(trial)))
                    let audio = [Int16](repeating: 0, count: 800 + lead) + tone + [Int16](repeating: 0, count: 1200)
                    let mask = audio.indices.map { $0 >= 800 + lead && $0 < 800 + lead + tone.count }
                    let noisy = TestAudio.mix(audio, noise: Array(noise[(trial * 500)...]), snrDb: snrDb, speechMask: mask)
                    let events = try Self.detect(Self.phoneLine(noisy))
                    #expect(events.map(\.digit) == [digit], "key \(digit) at \(snrDb) dB SNR, lead \(lead)")
                    if let onset = events.first?.timestampMs {
                        let trueOnset = (800 + lead) * 1000 / 8000
                        #expect(abs(onset - trueOnset) <= 15, "key \(digit) onset \(onset) vs \(trueOnset) ms")
                    }
                }
            }
        }
    }

    @Test func decodesASequenceOnceEachInOrderWithOnsetTimes() throws {
        // "0524#": 60 ms sox tones, 60 ms gaps, after 200 ms of silence; through mu-law.
        let keys = "0524#".compactMap { DTMFDigit(character: $0) }
        var audio = [Int16](repeating: 0, count: 1600)
        var onsets: [Int] = []
        for digit in keys {
            onsets.append(audio.count / 8)
            audio += try Self.soxPair(digit, ms: 60, padMs: 0) + [Int16](repeating: 0, count: 480)
        }
        let events = try Self.detect(Self.phoneLine(audio))
        #expect(events.map(\.digit) == keys)
        for (event, onset) in zip(events, onsets) {
            #expect(abs(event.timestampMs - onset) <= 25, "\(event) vs onset \(onset) ms")
        }
    }

    @Test func detectsKeysAtSixteenKilohertz() throws {
        let configuration = DTMFDetector.Configuration(sampleRate: 16000)
        let keys = "159D*".compactMap { DTMFDigit(character: $0) }
        var audio: [Int16] = []
        for digit in keys { audio += try Self.soxPair(digit, ms: 50, padMs: 50, rate: 16000) }
        let events = try Self.detect(audio, configuration)
        #expect(events.map(\.digit) == keys)
        #expect(try DTMFDetector(configuration: configuration).blockLength == 204)
    }

    // MARK: - Q.24 tolerances

    @Test func acceptsFrequencyDeviationsOfOnePointFivePercent() throws {
        for digit in DTMFDigit.allCases {
            for deviation in [0.015, -0.015] {
                for (rowDeviation, columnDeviation) in [(deviation, 0.0), (0.0, deviation), (deviation, deviation)] {
                    let tone = Self.pair(digit, ms: 60, rowDeviation: rowDeviation, columnDeviation: columnDeviation)
                    let events = try Self.detectPair(tone, leadSamples: digit.row * 25)
                    #expect(events.map(\.digit) == [digit], "key \(digit) row \(rowDeviation) column \(columnDeviation)")
                }
            }
        }
    }

    @Test func rejectsFrequencyDeviationsOfThreePointFiveToFivePercent() throws {
        for digit in DTMFDigit.allCases {
            for deviation in [0.035, -0.035, 0.04, -0.04, 0.05, -0.05] {
                for (rowDeviation, columnDeviation) in [(deviation, 0.0), (0.0, deviation)] {
                    let tone = Self.pair(digit, ms: 60, rowDeviation: rowDeviation, columnDeviation: columnDeviation)
                    let events = try Self.detectPair(tone, leadSamples: digit.column * 25)
                    #expect(events.isEmpty, "key \(digit) row \(rowDeviation) column \(columnDeviation): \(events)")
                }
            }
        }
    }

    @Test func acceptsTwistWithinLimitsAndRejectsExcessiveTwist() throws {
        for digit in DTMFDigit.allCases {
            // Normal twist: row louder. Reverse twist: column louder.
            let normal7 = Self.pair(digit, ms: 60, rowDbm0: -10, columnDbm0: -17)
            let reverse3 = Self.pair(digit, ms: 60, rowDbm0: -13, columnDbm0: -10)
            let normal11 = Self.pair(digit, ms: 60, rowDbm0: -10, columnDbm0: -21)
            let reverse7 = Self.pair(digit, ms: 60, rowDbm0: -17, columnDbm0: -10)
            #expect(try Self.detectPair(normal7).map(\.digit) == [digit], "key \(digit) normal twist 7 dB")
            #expect(try Self.detectPair(reverse3).map(\.digit) == [digit], "key \(digit) reverse twist 3 dB")
            #expect(try Self.detectPair(normal11).isEmpty, "key \(digit) normal twist 11 dB")
            #expect(try Self.detectPair(reverse7).isEmpty, "key \(digit) reverse twist 7 dB")
            // The limits are configurable.
            let lenient = DTMFDetector.Configuration(maximumNormalTwistDb: 12, maximumReverseTwistDb: 8)
            #expect(try Self.detectPair(normal11, lenient).map(\.digit) == [digit], "key \(digit) normal 11 dB, limit 12")
            #expect(try Self.detectPair(reverse7, lenient).map(\.digit) == [digit], "key \(digit) reverse 7 dB, limit 8")
        }
    }

    @Test func acceptsLevelsFromMinus36ToMinus3Dbm0AndRejectsQuieterTones() throws {
        // The mapping: a -36 dBm0 sine is -42.2 dBFS.
        let quietSine = Self.pcm(Self.pair(.five, ms: 100, rowDbm0: -36, columnDbm0: -200))
        let dbfs = quietSine.withUnsafeBufferPointer { AudioLevel.dbfs($0) }
        #expect(abs(dbfs - (-36 + DTMFDetector.Configuration.zeroDbm0InDbfs)) < 0.1)

        for digit in DTMFDigit.allCases {
            let quiet = Self.pair(digit, ms: 60, rowDbm0: -36, columnDbm0: -36)
            let loud = Self.pair(digit, ms: 60, rowDbm0: -3, columnDbm0: -3)  // louder pairs clip PCM16
            let tooQuiet = Self.pair(digit, ms: 60, rowDbm0: -42, columnDbm0: -42)
            #expect(try Self.detectPair(quiet).map(\.digit) == [digit], "key \(digit) at -36 dBm0")
            #expect(try Self.detectPair(loud).map(\.digit) == [digit], "key \(digit) at -3 dBm0")
            #expect(try Self.detectPair(tooQuiet).isEmpty, "key \(digit) at -42 dBm0")
        }
        // The range is configurable: a -10 dBm0 pair is too loud for a -40...-20 dBm0 range.
        let narrow = DTMFDetector.Configuration(levelRangeDbm0: -40 ... -20)
        #expect(try Self.detectPair(Self.pair(.seven, ms: 60), narrow).isEmpty)
    }

    @Test func acceptsFortyMillisecondTonesAndRejectsTwentyMillisecondTones() throws {
        for digit in DTMFDigit.allCases {
            // Every alignment of the tone against the 102-sample blocks, in steps of 13 samples.
            for lead in stride(from: 0, to: 102, by: 13) {
                let long = Self.pair(digit, ms: 40, seed: UInt64(lead))
                let short = Self.pair(digit, ms: 20, seed: UInt64(lead))
                #expect(try Self.detectPair(long, leadSamples: lead).map(\.digit) == [digit], "key \(digit) 40 ms, lead \(lead)")
                #expect(try Self.detectPair(short, leadSamples: lead).isEmpty, "key \(digit) 20 ms, lead \(lead)")
            }
        }
        // The minimum is configurable: with 60 ms (3 blocks), 30 ms tones are not enough.
        let slow = DTMFDetector.Configuration(minimumToneDurationMs: 60)
        #expect(try DTMFDetector(configuration: slow).requiredToneBlocks == 3)
        for lead in stride(from: 0, to: 102, by: 17) {
            #expect(try Self.detectPair(Self.pair(.nine, ms: 30), leadSamples: lead, slow).isEmpty, "30 ms, lead \(lead)")
            #expect(try Self.detectPair(Self.pair(.nine, ms: 60), leadSamples: lead, slow).map(\.digit) == [.nine], "60 ms, lead \(lead)")
        }
    }

    // MARK: - One event per key press

    @Test func reportsAHeldKeyOnceAndBridgesAShortDropout() throws {
        let held = Self.pair(.pound, ms: 1000)
        #expect(try Self.detectPair(held).map(\.digit) == [.pound])

        // A 10 ms dropout inside a press is not a pause.
        let dropout = Self.pair(.six, ms: 100) + Self.silence(ms: 10) + Self.pair(.six, ms: 100, seed: 9)
        #expect(try Self.detectPair(dropout).map(\.digit) == [.six])

        // A 40 ms gap is: the same key twice.
        let twice = Self.pair(.six, ms: 60) + Self.silence(ms: 40) + Self.pair(.six, ms: 60, seed: 9)
        let events = try Self.detectPair(twice)
        #expect(events.map(\.digit) == [.six, .six])
        if events.count == 2 { #expect(abs(events[1].timestampMs - events[0].timestampMs - 100) <= 15) }
    }

    @Test func frameByFrameProcessingReturnsEachEventOnceWithMediaTimestamps() throws {
        // 20 ms frames on a timeline that starts at 5,000 ms; the key starts at 5,100 ms.
        let audio = Self.phoneLine(Self.pcm(Self.silence(ms: 100) + Self.pair(.eight, ms: 80) + Self.silence(ms: 200)))
        var detector = try DTMFDetector()
        var events: [(frame: Int, event: DTMFEvent)] = []
        audio.withUnsafeBufferPointer { all in
            for frame in 0..<(all.count / 160) {
                let slice = UnsafeBufferPointer(rebasing: all[(frame * 160)..<((frame + 1) * 160)])
                if let event = detector.process(slice, timestampMs: 5000 + frame * 20) { events.append((frame, event)) }
            }
        }
        #expect(events.map(\.event.digit) == [.eight])
        if let first = events.first {
            #expect(abs(first.event.timestampMs - 5100) <= 15)
            // Reported within the frame where the second full block ends: 100 ms + at most ~3 blocks.
            #expect(first.frame * 20 <= 100 + 40)
        }
        #expect(detector.statistics.events == 1)
    }

    /// `toneOnsetMs` is what keeps the VAD and barge-in from taking a key for speech: it must come on
    /// within the first three 20 ms frames the tone reaches, hold through the press and go off soon after.
    @Test(arguments: [0, 37, 79, 159])
    func toneOnsetMarksAKeyFromItsThirdFrameUntilItIsReleased(leadSamples: Int) throws {
        let toneStart = 800 + leadSamples, toneEnd = toneStart + 800  // samples: 100 ms of "8"
        let audio = Self.phoneLine(Self.pcm(Self.silence(ms: 100) + [Double](repeating: 0, count: leadSamples)
            + Self.pair(.eight, ms: 100) + Self.silence(ms: 200)))
        var detector = try DTMFDetector()
        var onsets: [Int?] = []
        var events: [DTMFEvent] = []
        TestAudio.forEachFrame(audio) { frame, ts in
            if let event = detector.process(frame, timestampMs: ts) { events.append(event) }
            onsets.append(detector.toneOnsetMs)
        }
        let event = try #require(events.first)
        #expect(events.count == 1)
        let firstToneFrame = toneStart / 160, lastToneFrame = (toneEnd - 1) / 160
        let present = onsets.indices.filter { onsets[$0] != nil }
        let first = try #require(present.first)
        #expect(first >= firstToneFrame && first <= firstToneFrame + 2, "tone from frame \(firstToneFrame), present from \(first)")
        #expect(present == Array(first...(present.last ?? first)), "present in one stretch: \(present)")
        #expect((present.last ?? 0) >= lastToneFrame, "present until frame \(present.last ?? 0), tone until \(lastToneFrame)")
        #expect((present.last ?? 0) * 20 < toneEnd / 8 + 60, "released after frame \(present.last ?? 0)")
        #expect(present.allSatisfy { onsets[$0] == event.timestampMs })
    }

    @Test func toneOnsetComesBeforeTheKeyWhenALongerToneIsRequired() throws {
        let configuration = DTMFDetector.Configuration(minimumToneDurationMs: 80)
        let audio = Self.phoneLine(Self.pcm(Self.silence(ms: 100) + Self.pair(.two, ms: 120) + Self.silence(ms: 100)))
        var detector = try DTMFDetector(configuration: configuration)
        var firstPresentMs: Int?, reportedMs: Int?
        TestAudio.forEachFrame(audio) { frame, ts in
            if detector.process(frame, timestampMs: ts) != nil, reportedMs == nil { reportedMs = ts }
            if detector.toneOnsetMs != nil, firstPresentMs == nil { firstPresentMs = ts }
        }
        let present = try #require(firstPresentMs), reported = try #require(reportedMs)
        #expect(present <= 140)
        #expect(present < reported, "present from \(present) ms, reported at \(reported) ms")
    }

    @Test func rejectsUnsupportedSampleRates() {
        #expect(throws: DTMFDetector.ConfigurationError.unsupportedSampleRate(11025)) {
            _ = try DTMFDetector(configuration: .init(sampleRate: 11025))
        }
        #expect(throws: DTMFDetector.ConfigurationError.self) {
            _ = try DTMFDetector(configuration: .init(minimumToneEnergyShare: 1.5))
        }
    }

    @Test func ignoresThirtySecondsOfHebrewAndEnglishSpeechOnAPhoneLine() throws {
        let sentences: [(voice: String, text: String)] = [
            ("he", "שלום, הגעתם למרפאת השיניים של דוקטור כהן. אני יכולה לעזור לכם לקבוע תור, לשנות תור קיים או לענות על שאלות."),
            ("en-us", "Hello, thank you for calling. How can I help you today? I would like to book an appointment for next Tuesday morning."),
            ("he", "אני רוצה לקבוע תור ליום שלישי הבא בשעה עשר בבוקר, אם אפשר. המספר שלי הוא אפס חמש שתיים, שלוש ארבע חמש, שש שבע שמונה תשע."),
            ("en-us", "My phone number is zero five two, three four five, six seven eight nine. Please call me back as soon as possible."),
            ("he", "תודה רבה, יום נעים ולהתראות. אם תרצו לדבר עם נציג, אנא הישארו על הקו."),
            ("en-us", "The quick brown fox jumps over the lazy dog while the five boxing wizards jump quickly. Have a wonderful evening."),
        ]
        var speech: [Int16] = []
        for sentence in sentences { speech += try TestAudio.speech(sentence.text, voice: sentence.voice) }
        #expect(speech.count >= 30 * 8000, "only \(speech.count / 8000) s of speech")

        var detector = try DTMFDetector()
        var events: [DTMFEvent] = []
        var toneFrames = 0
        TestAudio.forEachFrame(Self.phoneLine(speech)) { frame, ts in
            if let event = detector.process(frame, timestampMs: ts) { events.append(event) }
            if detector.toneOnsetMs != nil { toneFrames += 1 }
        }
        #expect(events.isEmpty, "talk-off: \(events)")
        #expect(toneFrames == 0, "speech taken for a keypad tone in \(toneFrames) frames")
        // The speech was loud enough to be screened, and the energy-share check is what stopped it.
        let stats = detector.statistics
        #expect(stats.blocks >= 30 * 8000 / 102)
        #expect(stats.rejectedByEnergyShare > 300)
        #expect(stats.confirmedBlocks == 0)
    }
}

/// Blocks too quiet to hold a tone are decided without the filters, and with exactly their verdict.
@Suite struct DTMFQuietBlockTests {
    /// Runs `audio` in 20 ms frames; returns the events and the statistics.
    static func run(_ audio: [Int16]) throws -> (events: [DTMFEvent], statistics: DTMFDetector.Statistics) {
        var detector = try DTMFDetector()
        return (detector.process(audio, timestampMs: 0), detector.statistics)
    }

    @Test func silenceAndQuietLineNoiseSkipTheFilters() throws {
        let silence = try Self.run([Int16](repeating: 0, count: 8_000))
        #expect(silence.statistics.blocks == 78)
        #expect(silence.statistics.quietBlocks == 78)
        #expect(silence.statistics.rejectedByLevel == 78)
        let noise = try Self.run(TestAudio.scaledNoise(TestAudio.lineNoise(count: 8_000, seed: 5), levelDbfs: -60))
        #expect(noise.statistics.quietBlocks == noise.statistics.blocks)
        let loud = try Self.run(TestAudio.scaledNoise(TestAudio.lineNoise(count: 8_000, seed: 5), levelDbfs: -40))
        #expect(loud.statistics.quietBlocks == 0, "noise at -40 dBFS could hide a tone at the lowest level: filtered")
    }

    /// The quiet check never changes a verdict: speech (8 kHz), line noise from -70 to -30 dBFS, and every
    /// key from -45 dBm0 (rejected) to -10 dBm0 (accepted), in 20 ms frames and two odd sizes, give the
    /// same events, tone onsets and statistics with it as with the filters run on every block.
    @Test(arguments: [8_000, 16_000])
    func skippingQuietBlocksChangesNoVerdict(rate: Int) throws {
        var signals: [[Int16]] = []
        if rate == 8_000 { signals.append(TestAudio.trimmed(try TestAudio.speech("שלום, אני רוצה לקבוע תור למחר בבוקר", voice: "he"))) }
        for level in [-70.0, -60, -55, -52, -50, -48, -45, -40, -30] {
            signals.append(TestAudio.scaledNoise(TestAudio.lineNoise(count: 2 * rate, seed: 3), levelDbfs: level))
        }
        for dbm0 in [-45.0, -40, -39, -38, -37, -36, -30, -10] {
            for digit in DTMFDigit.allCases {
                let tone = DTMFDetectorTests.pair(digit, ms: 60, rowDbm0: dbm0, columnDbm0: dbm0 - 1, rate: rate)
                let audio = DTMFDetectorTests.pcm(DTMFDetectorTests.silence(ms: 33, rate: rate) + tone
                    + DTMFDetectorTests.silence(ms: 70, rate: rate))
                signals.append(rate == 8_000 ? DTMFDetectorTests.phoneLine(audio) : audio)
            }
        }
        let configuration = DTMFDetector.Configuration(sampleRate: rate)
        var skipped = 0, events = 0
        for audio in signals {
            for frame in [rate / 50, rate / 50 - 23, rate / 25] {
                var fast = try DTMFDetector(configuration: configuration)
                var full = try DTMFDetector(configuration: configuration, skipsQuietBlocks: false)
                var start = 0
                while start < audio.count {
                    let end = min(audio.count, start + frame), ms = start * 1000 / rate
                    let (a, b) = audio[start..<end].withUnsafeBufferPointer {
                        (fast.process($0, timestampMs: ms), full.process($0, timestampMs: ms))
                    }
                    #expect(a == b && fast.toneOnsetMs == full.toneOnsetMs, "at \(start) in frames of \(frame)")
                    if a != nil { events += 1 }
                    start = end
                }
                var statistics = fast.statistics
                skipped += statistics.quietBlocks
                statistics.quietBlocks = 0
                #expect(statistics == full.statistics)
                #expect(full.statistics.quietBlocks == 0)
            }
        }
        #expect(skipped > 0)
        // The keys at -36, -30 and -10 dBm0 are accepted (16 each, in three frame sizes); -45 and -40
        // are not: the comparison covered both detections and rejections.
        #expect(events >= 16 * 3 * 3 && events < 16 * 8 * 3)
    }
}
