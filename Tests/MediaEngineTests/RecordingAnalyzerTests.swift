import Foundation
import Testing
@testable import MediaEngine

/// `engine-server analyze` runs this over a recording: real speech and keypad tones on a noisy line.
@Suite struct RecordingAnalyzerTests {
    /// A phone recording at 8 kHz: 0.8 s of line, a Hebrew sentence, 1 s, keys 5 and #, 1 s, an English
    /// sentence, 1 s; line noise 20 dB under the speech, through mu-law. Returns it with the truth.
    static func recording() throws -> (samples: [Int16], speech: [(Double, Double)], digits: [(Double, Character)]) {
        let hebrew = TestAudio.trimmed(try TestAudio.speech("שלום, אני רוצה לקבוע תור למחר", voice: "he"))
        let english = TestAudio.trimmed(try TestAudio.speech("I would like to book an appointment", voice: "en-us"))
        func silence(_ seconds: Double) -> [Int16] { [Int16](repeating: 0, count: Int(seconds * 8_000)) }
        func tone(_ low: Double, _ high: Double) -> [Int16] {
            let a = TestAudio.sine(frequency: low, amplitude: 6_000, seconds: 0.08)
            let b = TestAudio.sine(frequency: high, amplitude: 6_000, seconds: 0.08)
            return zip(a, b).map { Int16(clamping: Int($0) + Int($1)) }
        }
        var samples = silence(0.8)
        let heStart = Double(samples.count) / 8_000
        samples += hebrew
        let heEnd = Double(samples.count) / 8_000
        samples += silence(1.0)
        let fiveAt = Double(samples.count) / 8_000
        samples += tone(770, 1336) + silence(0.12)
        let hashAt = Double(samples.count) / 8_000
        samples += tone(941, 1477) + silence(1.0)
        let enStart = Double(samples.count) / 8_000
        samples += english
        let enEnd = Double(samples.count) / 8_000
        samples += silence(1.0)
        let mask = samples.indices.map { i in
            let t = Double(i) / 8_000
            return (t >= heStart && t < heEnd) || (t >= enStart && t < enEnd)
        }
        let noisy = TestAudio.mix(samples, noise: TestAudio.lineNoise(count: samples.count, seed: 11), snrDb: 20, speechMask: mask)
        return (TestAudio.muLawChannel(noisy), [(heStart, heEnd), (enStart, enEnd)], [(fiveAt, "5"), (hashAt, "#")])
    }

    @Test func findsTheSpeechSegmentsAndKeypadDigitsOfAPhoneRecording() throws {
        let (samples, speech, digits) = try Self.recording()
        let file = WAVFile(samples: samples, sampleRate: 8_000, encoding: .muLaw)
        let report = try RecordingAnalyzer().analyze(try WAVFile.parse(file.serialized()))
        #expect(report.speech.count == 2, "\(report.speech) vs \(speech)")
        for (found, truth) in zip(report.speech, speech) {
            #expect(abs(found.start - truth.0) < 0.15, "segment starts at \(found.start), truth \(truth.0)")
            #expect(abs(found.end - truth.1) < 0.25, "segment ends at \(found.end), truth \(truth.1)")
        }
        #expect(report.dtmf.map(\.digit) == digits.map(\.1))
        for (found, truth) in zip(report.dtmf, digits) { #expect(abs(found.time - truth.0) < 0.04) }
        #expect(abs(report.durationSeconds - Double(samples.count) / 8_000) < 0.001)
    }

    @Test func resamplesRecordingsAtOtherRatesFirst() throws {
        let (samples, speech, digits) = try Self.recording()
        let upsampler = try Resampler(from: 8_000, to: 16_000, quality: .sincBest)
        let wide = upsampler.process(samples) + upsampler.flush()
        let report = try RecordingAnalyzer().analyze(WAVFile(samples: wide, sampleRate: 16_000))
        #expect(report.speech.count == speech.count, "\(report.speech) vs \(speech)")
        #expect(report.dtmf.map(\.digit) == digits.map(\.1))
    }

    @Test func vadSettingsChangeWhatCountsAsOneTurn() throws {
        let (samples, _, _) = try Self.recording()
        var merged = VADConfig()
        merged.speechStopMs = 3_000  // pauses up to 3 s stay inside one segment
        let report = try RecordingAnalyzer(vadConfig: merged).analyze(pcm8k: samples)
        #expect(report.speech.count == 1)
    }
}
