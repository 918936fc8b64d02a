import Foundation
import TestSupport
@testable import MediaEngine

/// Test audio made on the fly from Debian tools (espeak-ng renders real speech, sox converts), plus
/// deterministic noise and tone generators. Everything is 8 kHz mono PCM16 unless a rate is given.
enum TestAudio {
    struct ToolError: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs a program and returns its standard output and error (combined); throws with that output on
    /// failure. Through `ChildProcess` (posix_spawn), never Foundation's `Process` (see there).
    @discardableResult
    static func run(_ program: String, _ arguments: [String]) throws(ToolError) -> Data {
        do {
            return Data(try ChildProcess.run([program] + arguments).utf8)
        } catch {
            throw ToolError(description: "\(error)")
        }
    }

    /// A private scratch directory for this test process.
    static let scratch: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kol-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Speech rendered by espeak-ng (`voice` "he", "en-us", ...) and resampled by sox to `rate` Hz,
    /// as PCM16 mono. Leading and trailing silence that espeak adds is kept (callers trim if needed).
    /// sox runs in repeatable mode (`-R`): its dither is otherwise seeded at random, and tests near a
    /// threshold (a caller 22 dB under the bot) then passed or failed from run to run.
    static func speech(_ text: String, voice: String, wordsPerMinute: Int = 160, rate: Int = 8000) throws -> [Int16] {
        let id = UUID().uuidString
        let raw = scratch.appendingPathComponent("\(id)-espeak.wav").path
        let out = scratch.appendingPathComponent("\(id)-\(rate).wav").path
        defer { try? FileManager.default.removeItem(atPath: raw); try? FileManager.default.removeItem(atPath: out) }
        try run("espeak-ng", ["-v", voice, "-s", String(wordsPerMinute), "-w", raw, text])
        try run("sox", ["-R", raw, "-r", String(rate), "-b", "16", "-c", "1", "-e", "signed-integer", out])
        return try WAVFile.read(path: out).samples
    }

    /// Runs sox to synthesize audio (`soxArguments` follow `-n -r RATE -b 16 -c 1 OUT synth ...`).
    static func soxSynth(_ soxArguments: [String], rate: Int = 8000) throws -> [Int16] {
        let out = scratch.appendingPathComponent("\(UUID().uuidString)-synth.wav").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        try run("sox", ["-R", "-n", "-r", String(rate), "-b", "16", "-c", "1", "-e", "signed-integer", out] + soxArguments)
        return try WAVFile.read(path: out).samples
    }

    /// True when espeak-ng and sox are on PATH (CI installs them; see .ci/run).
    static var toolsAvailable: Bool {
        (try? run("sh", ["-c", "command -v espeak-ng && command -v sox"])) != nil
    }

    /// A deterministic pseudo-random generator (SplitMix64) so noisy tests are repeatable.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        /// A standard normal sample (Box-Muller).
        mutating func gaussian() -> Double {
            let u1 = max(Double.leastNonzeroMagnitude, Double.random(in: 0..<1, using: &self))
            let u2 = Double.random(in: 0..<1, using: &self)
            return sqrt(-2 * log(u1)) * cos(2 * .pi * u2)
        }
    }

    /// Telephone line noise as doubles with unit RMS: white noise band-limited to about 300-3400 Hz
    /// plus a little 50 Hz hum, the mix a PSTN line typically carries.
    static func lineNoise(count: Int, seed: UInt64, rate: Int = 8000) -> [Double] {
        var rng = SeededGenerator(seed: seed)
        var out = [Double](repeating: 0, count: count)
        // One-pole high-pass (~300 Hz) then one-pole low-pass (~3400 Hz) on white noise.
        let hpA = exp(-2 * Double.pi * 300 / Double(rate))
        let lpA = exp(-2 * Double.pi * 3400 / Double(rate))
        var prevX = 0.0, hp = 0.0, lp = 0.0
        for i in 0..<count {
            let x = rng.gaussian()
            hp = hpA * (hp + x - prevX); prevX = x
            lp = (1 - lpA) * hp + lpA * lp
            out[i] = lp + 0.05 * sin(2 * Double.pi * 50 * Double(i) / Double(rate))
        }
        let rms = sqrt(out.reduce(0) { $0 + $1 * $1 } / Double(max(1, count)))
        return out.map { $0 / max(rms, 1e-12) }
    }

    /// Mean square of `samples` over the indexes where `mask` is true (all of them when nil).
    static func power(_ samples: [Int16], mask: [Bool]? = nil) -> Double {
        var sum = 0.0, n = 0
        for (i, s) in samples.enumerated() where mask?[i] ?? true { sum += Double(s) * Double(s); n += 1 }
        return n > 0 ? sum / Double(n) : 0
    }

    /// Adds unit-RMS `noise` to `signal`, scaled so that signal power (measured where `speechMask` is
    /// true) over noise power is `snrDb`; the result is clipped to PCM16.
    static func mix(_ signal: [Int16], noise: [Double], snrDb: Double, speechMask: [Bool]? = nil) -> [Int16] {
        precondition(noise.count >= signal.count)
        let speechPower = power(signal, mask: speechMask)
        let gain = sqrt(speechPower / pow(10, snrDb / 10))
        return signal.indices.map { i in
            Int16(clamping: Int((Double(signal[i]) + gain * noise[i]).rounded()))
        }
    }

    /// The samples after a trip through a G.711 mu-law phone line (encode then decode).
    static func muLawChannel(_ samples: [Int16]) -> [Int16] {
        MuLaw.decode(MuLaw.encode(samples))
    }

    /// The samples with their level changed by `db` (negative is quieter), clipped to PCM16.
    static func scaled(_ samples: [Int16], byDb db: Double) -> [Int16] {
        let gain = pow(10, db / 20)
        return samples.map { Int16(clamping: Int((Double($0) * gain).rounded())) }
    }

    /// Unit-RMS noise as PCM16 at `levelDbfs` (mean power relative to full scale, as `AudioLevel`).
    static func scaledNoise(_ noise: [Double], levelDbfs: Double) -> [Int16] {
        let rms = 32768 * pow(10, levelDbfs / 20)
        return noise.map { Int16(clamping: Int(($0 * rms).rounded())) }
    }

    /// Samples with leading and trailing near-silence (|x| <= `threshold`) removed.
    static func trimmed(_ samples: [Int16], threshold: Int16 = 64) -> [Int16] {
        guard let first = samples.firstIndex(where: { abs(Int($0)) > Int(threshold) }),
              let last = samples.lastIndex(where: { abs(Int($0)) > Int(threshold) }) else { return [] }
        return Array(samples[first...last])
    }

    /// Calls `body` with each whole frame of `frameMs` (20 ms by default) and its media time in ms;
    /// a trailing partial frame is dropped, as a phone stream never sends one.
    static func forEachFrame(
        _ samples: [Int16], rate: Int = 8000, frameMs: Int = 20,
        _ body: (_ frame: UnsafeBufferPointer<Int16>, _ timestampMs: Int) throws -> Void
    ) rethrows {
        let size = rate * frameMs / 1000
        try samples.withUnsafeBufferPointer { all in
            var start = 0
            while start + size <= all.count {
                try body(UnsafeBufferPointer(rebasing: all[start..<start + size]), start * 1000 / rate)
                start += size
            }
        }
    }

    /// A sine tone as PCM16.
    static func sine(frequency: Double, amplitude: Double, seconds: Double, rate: Int = 8000) -> [Int16] {
        let n = Int(seconds * Double(rate))
        return (0..<n).map { Int16((amplitude * sin(2 * .pi * frequency * Double($0) / Double(rate))).rounded()) }
    }
}
