/// Runs the engine's detectors over a whole recording, exactly as a call runs them on its live audio:
/// 20 ms frames of 8 kHz PCM16 through the call's `DetectorStage` (the in-band DTMF detector, then the
/// voice activity detector, which takes no keypad tone for speech), with no bot audio playing.
///
/// Backs `engine-server analyze`, which lets a tenant's engineer tune the VAD on recordings of their
/// own lines. Recordings at other rates are resampled to 8 kHz first (libsamplerate, best quality).
public struct RecordingAnalyzer {
    /// What the detectors found in a recording.
    public struct Report: Sendable, Equatable {
        /// Speech segments, in seconds from the start of the recording.
        public var speech: [(start: Double, end: Double)]
        /// Keypad digits, with the time their tone began (seconds).
        public var dtmf: [(time: Double, digit: Character)]
        /// Length of the analyzed audio (seconds).
        public var durationSeconds: Double
        /// The VAD's noise floor at the end of the recording (dBFS).
        public var noiseFloorDbfs: Double

        public init(speech: [(start: Double, end: Double)], dtmf: [(time: Double, digit: Character)], durationSeconds: Double,
                    noiseFloorDbfs: Double) {
            self.speech = speech
            self.dtmf = dtmf
            self.durationSeconds = durationSeconds
            self.noiseFloorDbfs = noiseFloorDbfs
        }

        public static func == (a: Report, b: Report) -> Bool {
            a.speech.elementsEqual(b.speech, by: { $0.start == $1.start && $0.end == $1.end })
                && a.dtmf.elementsEqual(b.dtmf, by: { $0.time == $1.time && $0.digit == $1.digit })
                && a.durationSeconds == b.durationSeconds && a.noiseFloorDbfs == b.noiseFloorDbfs
        }
    }

    public var vadConfig: VADConfig
    public var dtmfConfig: DTMFDetector.Configuration

    public init(vadConfig: VADConfig = VADConfig(), dtmfConfig: DTMFDetector.Configuration = DTMFDetector.Configuration()) {
        self.vadConfig = vadConfig
        self.dtmfConfig = dtmfConfig
    }

    /// Analyzes `file` (any supported rate; mono already).
    public func analyze(_ file: WAVFile) throws -> Report {
        var samples = file.samples
        if file.sampleRate != 8_000 {
            if Resampler.supportedRates.contains(file.sampleRate) {
                let resampler = try Resampler(from: file.sampleRate, to: 8_000, quality: .sincBest)
                // Drop the converter's delay so times line up with the file (and its leading zeros,
                // which are not part of the recording, never reach the detectors).
                let converted = resampler.process(samples) + resampler.flush()
                samples = Array(converted.dropFirst(Int(resampler.delaySamples.rounded())))
            } else {
                samples = LinearResampling.resample(samples, from: file.sampleRate, to: 8_000)
            }
        }
        return try analyze(pcm8k: samples)
    }

    /// Analyzes 8 kHz PCM16 samples.
    public func analyze(pcm8k samples: [Int16]) throws -> Report {
        var stage = try DetectorStage(vad: vadConfig, dtmf: dtmfConfig)
        var speech: [(Double, Double)] = []
        var digits: [(Double, Character)] = []
        var openStart: Int?
        let frame = 160
        var offset = 0
        samples.withUnsafeBufferPointer { all in
            while offset < all.count {
                let end = min(offset + frame, all.count)
                let chunk = UnsafeBufferPointer(rebasing: all[offset..<end])
                let timestampMs = offset / 8
                let detection = stage.process(chunk, timestampMs: timestampMs, playedLevelDbfs: nil)
                switch detection.vad {
                case .speechStarted(let atMs)?: openStart = atMs
                case .speechEnded(let atMs)?:
                    speech.append((Double(openStart ?? atMs) / 1000, Double(atMs) / 1000))
                    openStart = nil
                case nil: break
                }
                if let event = detection.dtmf {
                    digits.append((Double(event.timestampMs) / 1000, event.digit.rawValue))
                }
                offset = end
            }
        }
        if case .speechEnded(let atMs)? = stage.finish() {
            speech.append((Double(openStart ?? atMs) / 1000, Double(atMs) / 1000))
        }
        return Report(speech: speech, dtmf: digits, durationSeconds: Double(samples.count) / 8_000,
                      noiseFloorDbfs: stage.vad.noiseFloorDbfs)
    }
}

/// Plain linear interpolation, for the rare recording whose rate libsamplerate's wrapper does not
/// take (e.g. 11025 or 44100 Hz); offline use only.
enum LinearResampling {
    static func resample(_ input: [Int16], from: Int, to: Int) -> [Int16] {
        guard from != to, !input.isEmpty else { return input }
        let count = Int((Double(input.count) * Double(to) / Double(from)).rounded(.down))
        // A short moving average first, so content above the new Nyquist does not fold back as loudly.
        let taps = max(1, from / to)
        var smoothed = [Double](repeating: 0, count: input.count)
        var acc = 0.0
        for i in input.indices {
            acc += Double(input[i])
            if i >= taps { acc -= Double(input[i - taps]) }
            smoothed[i] = acc / Double(min(i + 1, taps))
        }
        return (0..<count).map { k in
            let x = Double(k) * Double(from) / Double(to)
            let i = Int(x)
            let frac = x - Double(i)
            let a = smoothed[min(i, input.count - 1)], b = smoothed[min(i + 1, input.count - 1)]
            return Int16(clamping: Int((a + (b - a) * frac).rounded()))
        }
    }
}
