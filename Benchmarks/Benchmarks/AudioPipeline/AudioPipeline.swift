import Benchmark
import Foundation
import MediaEngine

// Per-20-ms-frame cost of every stage of the audio path, and of the whole per-call chain, for both model
// audio paths: `pcmu` (mu-law passed through to the model; decoded once for the detectors) and `pcm24k`
// (PCM16 24 kHz, resampled both ways by `PolyphaseResampler`, the default, or by libsamplerate's fastest
// sinc, which the chains are also run with). Each iteration is one 20 ms frame; the figures are
// nanoseconds and heap allocations per frame.

/// Every benchmark here: one 20 ms frame per iteration, reported in nanoseconds, with heap allocations.
func frameConfiguration() -> Benchmark.Configuration {
    Benchmark.Configuration(metrics: [.wallClock, .cpuTotal, .mallocCountTotal], timeUnits: .nanoseconds, warmupIterations: 200,
                            scalingFactor: .kilo, maxDuration: .seconds(3), maxIterations: 1_000_000)
}

/// A voiced, speech-like test signal (120 Hz with harmonics, syllable-rate amplitude changes, a little
/// noise) at `rate` Hz: the detectors take the same paths as on speech.
func speechLike(seconds: Double, rate: Int) -> [Int16] {
    var seed: UInt64 = 42
    return (0..<Int(seconds * Double(rate))).map { n in
        let t = Double(n) / Double(rate)
        var x = 0.0
        for h in 1...12 { x += sin(2 * .pi * 120 * Double(h) * t) / Double(h) }
        let envelope = 0.55 + 0.45 * sin(2 * .pi * 4 * t)
        seed = seed &* 6364136223846793005 &+ 1442695040888963407
        let noise = Double(Int64(bitPattern: seed >> 11) % 2000) / 2000
        return Int16(clamping: Int((x * envelope * 5_000 + noise * 300).rounded()))
    }
}

/// Cuts `samples` into 20 ms frames.
func frames(_ samples: [Int16], rate: Int) -> [[Int16]] {
    stride(from: 0, to: samples.count - rate / 50 + 1, by: rate / 50).map { Array(samples[$0..<($0 + rate / 50)]) }
}

let tenantYAML = """
    version: 1
    tenants:
      - id: bench
        display_name: Bench
        phone_numbers: ["+15555550100"]
        language: he
        twilio_auth_token_env: BENCH_TOKEN
        model:
          instructions: "benchmark"
          audio_path: %PATH%
    """

func settings(_ path: ModelAudioPath) -> CallSettings {
    let yaml = tenantYAML.replacingOccurrences(of: "%PATH%", with: path.rawValue)
    guard let tenant = try? TenantDirectory(yaml: yaml).tenants.first else { fatalError("benchmark tenant YAML is invalid") }
    return CallSettings(tenant: tenant)
}

let benchmarks: @Sendable () -> Void = {
    let speech8k = frames(speechLike(seconds: 4, rate: 8_000), rate: 8_000)
    let speech24k = frames(speechLike(seconds: 4, rate: 24_000), rate: 24_000)
    let muLawFrames = speech8k.map(MuLaw.encode)
    let payloads = muLawFrames.map { Array(Base64.encode($0).utf8) }

    Benchmark("codec: mu-law decode", configuration: frameConfiguration()) { benchmark in
        var out = [Int16](repeating: 0, count: 160)
        var k = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            muLawFrames[k % muLawFrames.count].withUnsafeBufferPointer { i in out.withUnsafeMutableBufferPointer { MuLaw.decode(i, into: $0) } }
            k += 1
        }
        blackHole(out)
    }

    Benchmark("codec: mu-law encode", configuration: frameConfiguration()) { benchmark in
        var out = [UInt8](repeating: 0, count: 160)
        var k = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            speech8k[k % speech8k.count].withUnsafeBufferPointer { i in out.withUnsafeMutableBufferPointer { MuLaw.encode(i, into: $0) } }
            k += 1
        }
        blackHole(out)
    }

    Benchmark("codec: base64 decode (Twilio payload)", configuration: frameConfiguration()) { benchmark in
        var out = [UInt8](repeating: 0, count: 160)
        var k = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let n = payloads[k % payloads.count].withUnsafeBufferPointer { i in
                out.withUnsafeMutableBufferPointer { (try? Base64.decode(i, into: $0)) ?? 0 }
            }
            blackHole(n)
            k += 1
        }
    }

    /// One converter direction, one 20 ms frame per iteration: `make` builds the converter before the
    /// measurement and hands back its output capacity and its `process` (one closure call per frame,
    /// nanoseconds against the microseconds of filtering).
    typealias Convert = (UnsafeBufferPointer<Int16>, UnsafeMutableBufferPointer<Int16>) -> Int
    func resampleBenchmark(_ name: String, input: [[Int16]], make: @escaping @Sendable () -> (outputCount: Int, process: Convert)?) {
        Benchmark(name, configuration: frameConfiguration()) { benchmark in
            guard let converter = make() else { return }
            var out = [Int16](repeating: 0, count: converter.outputCount)
            var k = 0
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let n = input[k % input.count].withUnsafeBufferPointer { i in out.withUnsafeMutableBufferPointer { converter.process(i, $0) } }
                blackHole(n)
                k += 1
            }
        }
    }

    for quality in [Resampler.Quality.sincFastest, .sincMedium, .linear] {
        resampleBenchmark("resample 8k->24k \(quality)", input: speech8k) {
            (try? Resampler(from: 8_000, to: 24_000, quality: quality)).map { r in (r.maxOutputCount(inputCount: 160), { r.process($0, into: $1) }) }
        }
        resampleBenchmark("resample 24k->8k \(quality)", input: speech24k) {
            (try? Resampler(from: 24_000, to: 8_000, quality: quality)).map { r in (r.maxOutputCount(inputCount: 480), { r.process($0, into: $1) }) }
        }
    }
    resampleBenchmark("resample 8k->24k polyphase", input: speech8k) {
        (try? PolyphaseResampler(from: 8_000, to: 24_000)).map { r in (r.maxOutputCount(inputCount: 160), { r.process($0, into: $1) }) }
    }
    resampleBenchmark("resample 24k->8k polyphase", input: speech24k) {
        (try? PolyphaseResampler(from: 24_000, to: 8_000)).map { r in (r.maxOutputCount(inputCount: 480), { r.process($0, into: $1) }) }
    }

    Benchmark("detect: VAD", configuration: frameConfiguration()) { benchmark in
        var vad = VoiceActivityDetector()
        var k = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let d = speech8k[k % speech8k.count].withUnsafeBufferPointer { vad.process($0, timestampMs: k * 20) }
            blackHole(d)
            k += 1
        }
    }

    Benchmark("detect: barge-in (given the VAD decision)", configuration: frameConfiguration()) { benchmark in
        var vad = VoiceActivityDetector()
        let decisions = speech8k.enumerated().map { k, f in f.withUnsafeBufferPointer { vad.process($0, timestampMs: k * 20) } }
        var detector = BargeInDetector()
        var k = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(detector.process(decisions[k % decisions.count], timestampMs: k * 20, playedLevelDbfs: -20))
            k += 1
        }
    }

    Benchmark("detect: in-band DTMF", configuration: frameConfiguration()) { benchmark in
        guard var dtmf = try? DTMFDetector() else { return }
        var k = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(speech8k[k % speech8k.count].withUnsafeBufferPointer { dtmf.process($0, timestampMs: k * 20) })
            k += 1
        }
    }

    Benchmark("codec: Opus encode 8 kHz 24 kbit/s", configuration: frameConfiguration()) { benchmark in
        guard let encoder = try? OpusEncoder(sampleRate: 8_000) else { return }
        var packet = [UInt8](repeating: 0, count: 1_500)
        var k = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let n = speech8k[k % speech8k.count].withUnsafeBufferPointer { i in
                packet.withUnsafeMutableBufferPointer { (try? encoder.encode(i, into: $0)) ?? 0 }
            }
            blackHole(n)
            k += 1
        }
    }

    Benchmark("codec: Opus decode 8 kHz", configuration: frameConfiguration()) { benchmark in
        guard let encoder = try? OpusEncoder(sampleRate: 8_000), let decoder = try? OpusDecoder(sampleRate: 8_000) else { return }
        let packets: [[UInt8]] = speech8k.compactMap { try? encoder.encode($0) }
        var out = [Int16](repeating: 0, count: 960)
        var k = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let n = packets[k % packets.count].withUnsafeBufferPointer { p in
                out.withUnsafeMutableBufferPointer { (try? decoder.decode(p, into: $0)) ?? 0 }
            }
            blackHole(n)
            k += 1
        }
    }

    // pcmu has no converter; pcm24k runs with the default converter and with libsamplerate's, for comparison.
    let chains: [(path: ModelAudioPath, resampler: ResamplerKind)] = [(.pcmu, .polyphase), (.pcm24k, .polyphase), (.pcm24k, .sincFastest)]
    for (path, resampler) in chains {
        let chain = path == .pcmu ? "chain pcmu" : "chain \(path.rawValue) (\(resampler.rawValue))"
        Benchmark("\(chain): ingress (payload -> model frame + detectors)", configuration: frameConfiguration()) { benchmark in
            let call = settings(path)
            guard var ingress = try? IngressStage(audioPath: path, resampler: resampler),
                  var detector = try? DetectorStage(settings: call) else { return }
            var k = 0
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                payloads[k % payloads.count].withUnsafeBytes { try? ingress.ingest(payloadBase64: $0) }
                let d = ingress.withPCM8k { detector.process($0, timestampMs: k * 20, playedLevelDbfs: nil) }
                blackHole(d)
                blackHole(ingress.appendFrame.count)
                k += 1
            }
        }

        Benchmark("\(chain): egress (model delta -> paced Twilio media)", configuration: frameConfiguration()) { benchmark in
            guard var egress = try? EgressStage(audioPath: path, leadMs: 20, markIntervalMs: 1_000_000, resampler: resampler) else { return }
            // One 20 ms model delta per frame, in the path's output format, base64 as the model sends it.
            let deltas: [[UInt8]] = path == .pcmu
                ? muLawFrames.map { Array(Base64.encode($0).utf8) }
                : speech24k.map { f in
                    var bytes: [UInt8] = []
                    for s in f { bytes.append(UInt8(truncatingIfNeeded: UInt16(bitPattern: s))); bytes.append(UInt8(UInt16(bitPattern: s) >> 8)) }
                    return Array(Base64.encode(bytes).utf8)
                }
            let encoder = TwilioOutboundEncoder(streamSid: "MZ00000000000000000000000000000001")
            var now: UInt64 = 1_000_000_000
            var k = 0
            var sent = 0
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                _ = deltas[k % deltas.count].withUnsafeBytes { try? egress.accept(itemId: "item_bench", deltaBase64: $0) }
                egress.pump(nowNs: now, encoder: encoder) { sent += $0.count }
                now += 20_000_000
                k += 1
            }
            blackHole(sent)
        }
    }
}
