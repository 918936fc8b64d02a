import Foundation
import Testing
@testable import MediaEngine

@Suite struct ResamplerTests {
    typealias Quality = Resampler.Quality
    static let ratePairs = Resampler.supportedRates.flatMap { a in Resampler.supportedRates.map { b in (a, b) } }

    /// Feeds `input` in chunks of `chunk` samples (20 ms at the input rate by default) and concatenates the output.
    static func stream(_ input: [Int16], through resampler: Resampler, chunk: Int? = nil) -> [Int16] {
        let size = chunk ?? resampler.inputRate / 50
        var output: [Int16] = []
        for start in stride(from: 0, to: input.count, by: size) {
            output += resampler.process(Array(input[start..<min(start + size, input.count)]))
        }
        return output
    }

    /// An independent measurement of a resampler's delay (output samples): the phase of a 40 Hz tone after
    /// conversion, by quadrature correlation over 8 whole periods in steady state (100-300 ms). A 25 ms
    /// period makes delays from -5 to 20 ms unambiguous.
    static func measuredDelay(inputRate: Int, outputRate: Int, quality: Quality) throws -> Double {
        let resampler = try Resampler(from: inputRate, to: outputRate, quality: quality)
        let output = stream(TestAudio.sine(frequency: 40, amplitude: 8000, seconds: 0.3, rate: inputRate), through: resampler)
        let theta = 2 * Double.pi * 40 / Double(outputRate)
        var s = 0.0, c = 0.0
        for k in (outputRate / 10)..<(outputRate * 3 / 10) {
            s += Double(output[k]) * sin(theta * Double(k))
            c += Double(output[k]) * cos(theta * Double(k))
        }
        // output[k] ~ A sin(theta (k - delay)), so s ~ cos(theta delay) and c ~ -sin(theta delay).
        var delay = atan2(-c, s) / theta
        let period = Double(outputRate) / 40
        if delay < -period / 5 { delay += period }
        return delay
    }

    /// SNR (dB) of `output` against `amplitude sin(2 pi f (n - delay) / rate)` over `range`.
    static func snr(
        _ output: [Int16], frequency: Double, amplitude: Double, rate: Int, delay: Double, range: Range<Int>
    ) -> Double {
        var signal = 0.0, noise = 0.0
        for n in range {
            let ideal = amplitude * sin(2 * .pi * frequency * (Double(n) - delay) / Double(rate))
            signal += ideal * ideal
            noise += (Double(output[n]) - ideal) * (Double(output[n]) - ideal)
        }
        return 10 * log10(signal / max(noise, 1e-9))
    }

    // MARK: Quality

    @Test(arguments: Quality.allCases)
    func oneKilohertzSineSurvivesEightToTwentyFourAndBack(quality: Quality) throws {
        let up = try Resampler(from: 8000, to: 24000, quality: quality)
        let down = try Resampler(from: 24000, to: 8000, quality: quality)
        let input = TestAudio.sine(frequency: 1000, amplitude: 10000, seconds: 1, rate: 8000)
        let output = Self.stream(Self.stream(input, through: up), through: down)
        #expect(output.count == input.count)

        // Frequency: 900 upward zero crossings in the 0.1-1.0 s steady state.
        let steady = 800..<8000
        let upward = steady.dropFirst().filter { output[$0 - 1] < 0 && output[$0] >= 0 }.count
        #expect(abs(upward - 900) <= 1)

        // SNR against the ideal sine delayed by the delays the two resamplers report.
        let delay = up.delaySamples / 3 + down.delaySamples  // 8 kHz samples
        let snr = Self.snr(output, frequency: 1000, amplitude: 10000, rate: 8000, delay: delay, range: steady)
        switch quality {
        case .sincBest, .sincMedium, .sincFastest:
            #expect(snr >= 90, "\(quality): SNR \(snr) dB at delay \(delay)")  // measured 103.4 dB
        case .linear:
            #expect(snr >= 20, "\(quality): SNR \(snr) dB at delay \(delay)")  // measured 23.4 dB
        case .zeroOrderHold:
            // A hold has no single delay: centroid and pick points differ by 1/3 sample here (measured 11.7 dB).
            #expect(snr >= 10, "\(quality): SNR \(snr) dB at delay \(delay)")
        }
    }

    // MARK: Streaming

    @Test(arguments: Quality.allCases)
    func twentyMillisecondChunksGiveTheSameOutputAsOneBlock(quality: Quality) throws {
        var rng = TestAudio.SeededGenerator(seed: 42)
        let noise = TestAudio.lineNoise(count: 48000, seed: 9, rate: 48000).map { Int16(clamping: Int(($0 * 4000).rounded())) }
        for (inputRate, outputRate) in [(8000, 24000), (24000, 8000), (16000, 48000), (48000, 16000)] {
            let input = Array(noise.prefix(inputRate))  // 1 s
            let block = try Resampler(from: inputRate, to: outputRate, quality: quality).process(input)
            let framed = Self.stream(input, through: try Resampler(from: inputRate, to: outputRate, quality: quality))
            let ragged = try Resampler(from: inputRate, to: outputRate, quality: quality)
            var raggedOutput: [Int16] = []
            var start = 0
            while start < input.count {
                let end = min(input.count, start + Int.random(in: 1...700, using: &rng))
                let chunk = Array(input[start..<end])
                let out = ragged.process(chunk)
                #expect(out.count <= ragged.maxOutputCount(inputCount: chunk.count))
                raggedOutput += out
                start = end
            }
            #expect(block.count == outputRate, "\(quality) \(inputRate)->\(outputRate): \(block.count) samples")
            for other in [framed, raggedOutput] {
                // Linear may still hold the stream's last sample pending, depending on where chunks end.
                #expect(abs(other.count - block.count) <= (quality == .linear ? 1 : 0))
                let maxDiff = zip(block, other).map { abs(Int($0) - Int($1)) }.max() ?? 0
                #expect(maxDiff <= 1, "\(quality) \(inputRate)->\(outputRate): max |diff| \(maxDiff)")
            }
        }
    }

    @Test(arguments: Quality.allCases)
    func everyTwentyMillisecondFrameComesOutAsOneFrame(quality: Quality) throws {
        for (inputRate, outputRate) in Self.ratePairs {
            let resampler = try Resampler(from: inputRate, to: outputRate, quality: quality)
            let frame = TestAudio.sine(frequency: 440, amplitude: 5000, seconds: 0.02, rate: inputRate)
            let counts = (0..<10).map { _ in resampler.process(frame).count }
            #expect(counts == Array(repeating: outputRate / 50, count: 10), "\(quality) \(inputRate)->\(outputRate): \(counts)")
        }
    }

    @Test func bufferAPIWritesIntoCallerMemory() throws {
        let resampler = try Resampler(from: 8000, to: 16000)
        let frame = TestAudio.sine(frequency: 440, amplitude: 5000, seconds: 0.02, rate: 8000)
        var output = [Int16](repeating: 0, count: resampler.maxOutputCount(inputCount: frame.count))
        let written = frame.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { resampler.process(input, into: $0) }
        }
        #expect(written == 320)
        #expect(output.count >= 320 && output.count <= 330)
        #expect(try Resampler(from: 8000, to: 16000).process(frame) == Array(output.prefix(written)))
    }

    // MARK: Delay

    @Test func reportedDelayMatchesTheMeasuredPhaseDelayForEveryConverterAndRatePair() throws {
        for quality in Quality.allCases {
            for (inputRate, outputRate) in Self.ratePairs {
                let reported = try Resampler(from: inputRate, to: outputRate, quality: quality).delaySamples
                let measured = try Self.measuredDelay(inputRate: inputRate, outputRate: outputRate, quality: quality)
                #expect(abs(reported - measured) <= 1,
                        "\(quality) \(inputRate)->\(outputRate): reported \(reported), measured \(measured)")
            }
        }
    }

    @Test func impulseComesOutDelaySamplesLater() throws {
        for quality in [Quality.sincBest, .sincMedium, .sincFastest, .linear] {
            let resampler = try Resampler(from: 8000, to: 24000, quality: quality)
            var input = [Int16](repeating: 0, count: 800)
            input[400] = 20000
            let output = Self.stream(input, through: resampler)
            let peak = output.indices.max { output[$0] < output[$1] } ?? 0
            #expect(abs(Double(peak) - (1200 + resampler.delaySamples)) <= 1, "\(quality): peak at \(peak)")
        }
    }

    @Test func defaultConverterDelaysAreTheMeasuredOnes() throws {
        // sincFastest, as measured by priming and confirmed by the phase and impulse tests above.
        #expect(try Resampler(from: 8000, to: 24000).delaySamples == 60)  // 2.5 ms
        #expect(try Resampler(from: 24000, to: 8000).delaySamples == 19)  // 2.375 ms
        #expect(try Resampler(from: 8000, to: 24000).delayMs == 2.5)
        #expect(try Resampler(from: 16000, to: 16000).delaySamples == 0)
    }

    // MARK: Rates, flush, reset

    @Test func allSixteenRatePairsKeepLevelAndLength() throws {
        for (inputRate, outputRate) in Self.ratePairs {
            let resampler = try Resampler(from: inputRate, to: outputRate)
            let input = TestAudio.sine(frequency: 440, amplitude: 10000, seconds: 0.2, rate: inputRate)
            let output = Self.stream(input, through: resampler)
            #expect(output.count == outputRate / 5)
            let steady = output[(outputRate / 20)...].map { Double($0) }
            let rms = sqrt(steady.reduce(0) { $0 + $1 * $1 } / Double(steady.count))
            #expect(abs(20 * log10(rms / (10000 / 2.0.squareRoot()))) < 0.1, "\(inputRate)->\(outputRate): RMS \(rms)")
        }
    }

    @Test func unsupportedRatesAreRejected() {
        #expect(throws: Resampler.ConfigurationError.unsupportedRate(44100)) { try Resampler(from: 44100, to: 8000) }
        #expect(throws: Resampler.ConfigurationError.unsupportedRate(22050)) { try Resampler(from: 8000, to: 22050) }
        #expect(throws: Resampler.ConfigurationError.unsupportedRate(0)) { try Resampler(from: 0, to: 8000) }
        #expect(Resampler.ConfigurationError.unsupportedRate(11025).description.contains("8000, 16000, 24000, 48000"))
    }

    @Test func flushReturnsTheHeldBackTailAndStartsAFreshStream() throws {
        let resampler = try Resampler(from: 8000, to: 24000)
        let input = TestAudio.sine(frequency: 440, amplitude: 10000, seconds: 0.1, rate: 8000)
        let body = Self.stream(input, through: resampler)
        let tail = resampler.flush()
        #expect(body.count == 2400)
        #expect(tail.count == 60)  // the 2.5 ms sincFastest holds back
        #expect(tail.map { abs(Int($0)) }.max() ?? 0 > 5000)  // it is the end of the tone, not silence
        #expect(resampler.process(input) == (try Resampler(from: 8000, to: 24000)).process(input))
    }

    @Test func resetForgetsTheStream() throws {
        let resampler = try Resampler(from: 24000, to: 16000, quality: .sincMedium)
        _ = resampler.process(TestAudio.sine(frequency: 1000, amplitude: 10000, seconds: 0.05, rate: 24000))
        resampler.reset()
        let input = TestAudio.sine(frequency: 300, amplitude: 10000, seconds: 0.05, rate: 24000)
        #expect(resampler.process(input) == (try Resampler(from: 24000, to: 16000, quality: .sincMedium)).process(input))
        #expect(resampler.delaySamples == 46)
    }
}
