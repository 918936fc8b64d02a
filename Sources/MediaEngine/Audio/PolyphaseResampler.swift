/// Streaming mono PCM16 sample-rate converter for whole-number ratios (up by L or down by M, 2...6:
/// 8<->16, 8<->24, 8<->48, 16<->48, 24<->48 kHz), built for the call's per-frame path: 8 kHz caller audio
/// up to the model's 24 kHz, and the model's 24 kHz down to 8 kHz for Twilio: 2.3 us per 20 ms frame
/// either way, against 31-53 us for libsamplerate's fastest sinc (`Resampler`, which stays the general
/// converter), in the AudioPipeline benchmarks (release, 2-core VM).
///
/// **The filter.** One linear-phase lowpass FIR running at the high rate, designed at `init` by the
/// Kaiser window method (`KaiserLowpass`), kept in `Float`:
/// - passband to 0.85 of the low rate's Nyquist (3.4 kHz at 8 kHz: the whole telephone band passes);
/// - stopband from the low rate's Nyquist (4 kHz at 8 kHz): nothing above it aliases into the 8 kHz
///   signal on the way down, and the spectral images zero-stuffing makes on the way up are removed;
/// - `2 * L * 27 + 1` taps (163 at 24 kHz; 27 low-rate samples either side of the centre), which buys,
///   with the transition only 0.15 of Nyquist (600 Hz) wide, a stopband attenuation of 65.8 dB and a
///   passband ripple of +0.004/-0.005 dB (the same ripple Kaiser's design gives both bands), by the
///   formulas in `KaiserLowpass`: `A = 7.95 + 14.36 * (0.075 / L) * 2 L 27 = 66.1` dB, `beta = 6.33`.
///   The figures are measured on the coefficients by PolyphaseResamplerTests (and on real tones and
///   speech there too), for every ratio. 65 dB is well past what the audio needs (mu-law's own SNR is
///   about 38 dB); a shorter filter cannot keep the band edges there: 72 taps at 24 kHz would give 33 dB,
///   or 66 dB only with a 1.4 kHz transition that cuts the band at 2.6 kHz or lets 4-4.8 kHz alias.
///
/// **Delay.** The filter is symmetric, so its delay is exactly its centre: 27 low-rate samples (3.375 ms
/// at 8 kHz, 1.6875 ms at 16 kHz), a whole number of samples at both rates (`delaySamples`: 81 at 24 kHz
/// up, 27 at 8 kHz down). No priming and no gap: the first frame's output starts with the response to
/// the filter's zero history, and every 20 ms frame in gives exactly one 20 ms frame out.
///
/// **Polyphase.** Of the L zero-stuffed samples an upsampler filters, only every L-th is not zero, so
/// output `L i + p` needs just the taps `h[p + L q]` (phase `p`, 55 of them) against the inputs
/// `x[i - q]`. A downsampler by M computes only the outputs it keeps, each as the same sum split by
/// phase: input `x[n M - p]` meets the taps `h[p + M q]`, so the input is dealt into M low-rate lines
/// as it arrives (`nextPhase`) and output `n` is due when the group of M samples ending at `n M` is in.
/// The first sample completes a group (its M - 1 predecessors are history zeros), so 480 samples give
/// 160 outputs on every call; chunks that are not a multiple of M carry the partial group over.
/// Either way each output is one (up) or M (down) dot products of 55 taps: 26,400 multiply-adds per 20 ms
/// at 8<->24 kHz. `PolyphaseKernel` computes 8 consecutive low-rate outputs at once (SIMD8, a tap times
/// 8 consecutive samples), so no horizontal sums and no shuffles.
///
/// **Memory and hot path.** Coefficients (L x 55 floats), history lines (55 + 256 + 8 floats each: one
/// up, M down) and a float staging area are allocated at `init` (about 5 kB a direction at 8<->24 kHz)
/// and freed in `deinit`. `process(_:into:)` never allocates: input longer than 256 low-rate samples is
/// worked in blocks, each block's history moved down with one `memmove` of 54-55 floats per line. Output is rounded to
/// nearest and saturated at the Int16 range (a full-scale square wave rings over it; it clips, never wraps).
///
/// **Ownership and concurrency.** Not `Sendable`, like `Resampler`: per-call mutable state that the
/// owning stage keeps as a stored property, so the call's actor is its single owner.
public final class PolyphaseResampler {
    /// Why a converter could not be made.
    public enum ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
        /// The rates are not positive or not a whole-number ratio of 2...6 apart; use `Resampler`
        /// (libsamplerate) for other pairs, or no converter at all for equal rates.
        case unsupportedRatio(inputRate: Int, outputRate: Int)

        public var description: String {
            switch self {
            case .unsupportedRatio(let input, let output):
                return "PolyphaseResampler: \(input) Hz -> \(output) Hz is not a whole-number ratio of 2...6; "
                    + "use Resampler (libsamplerate) for this pair"
            }
        }
    }

    /// Ratios supported (L up, M down).
    public static let supportedFactors = 2...6
    /// Taps either side of the filter's centre, in low-rate samples; the filter's delay.
    public static let halfLengthLowRate = 27
    /// The passband edge as a fraction of the low rate's Nyquist; the stopband starts at that Nyquist.
    public static let passbandFraction = 0.85
    /// Low-rate samples (up: input, down: output) worked per block.
    static let blockLength = 256

    public let inputRate: Int   // Hz
    public let outputRate: Int  // Hz
    /// L when upsampling, M when downsampling.
    public let factor: Int
    public let isUpsampling: Bool
    /// Length of the prototype filter at the high rate.
    public let tapCount: Int
    /// How far the output lags the input, in output samples (exact: the filter's centre). Input sample
    /// `j` shows up at output sample `j * outputRate / inputRate + delaySamples`.
    public let delaySamples: Int
    /// `delaySamples` in milliseconds.
    public var delayMs: Double { Double(delaySamples) * 1000 / Double(outputRate) }

    /// Taps per phase (`2 * halfLengthLowRate + 1`).
    let phaseLength: Int
    /// Floats per history line: history, a block, the partial group (down), 8 floats a vector may read past.
    private let lineLength: Int
    /// Phase-major: phase `p`'s taps `h[p + factor * q]` at `coefficients[p * phaseLength + q]`.
    private let coefficients: UnsafeMutablePointer<Float>
    /// Up: one line of input; down: `factor` lines, line `p` holding `x[n M - p]` at index `phaseLength - 1 + n`
    /// for the block's groups `n`, after `phaseLength - 1` samples of history.
    private let lines: UnsafeMutablePointer<Float>
    /// Float outputs of one block before rounding (up: interleaved by phase).
    private let staging: UnsafeMutablePointer<Float>
    /// Down: the line the next input sample goes to (`factor - 1` when it starts a group). Every call
    /// ends by computing its completed groups, so a partial group is all that carries over, at the
    /// lines' first slot after the history.
    private var nextPhase = 0

    /// Makes a converter from `inputRate` to `outputRate` (Hz), one a whole multiple (2...6) of the other.
    public init(from inputRate: Int, to outputRate: Int) throws(ConfigurationError) {
        let low = min(inputRate, outputRate), high = max(inputRate, outputRate)
        guard low > 0, high % low == 0, Self.supportedFactors.contains(high / low) else {
            throw .unsupportedRatio(inputRate: inputRate, outputRate: outputRate)
        }
        self.inputRate = inputRate
        self.outputRate = outputRate
        factor = high / low
        isUpsampling = outputRate > inputRate
        phaseLength = 2 * Self.halfLengthLowRate + 1
        tapCount = 2 * factor * Self.halfLengthLowRate + 1
        delaySamples = isUpsampling ? factor * Self.halfLengthLowRate : Self.halfLengthLowRate

        coefficients = .allocate(capacity: factor * phaseLength)
        coefficients.initialize(repeating: 0, count: factor * phaseLength)
        for (k, tap) in Self.design(factor: factor, upsampling: isUpsampling).coefficients.enumerated() {
            coefficients[(k % factor) * phaseLength + k / factor] = Float(tap)
        }

        lineLength = phaseLength + Self.blockLength + PolyphaseKernel.width
        let lineCount = isUpsampling ? 1 : factor
        lines = .allocate(capacity: lineCount * lineLength)
        lines.initialize(repeating: 0, count: lineCount * lineLength)
        let stagingCount = (isUpsampling ? factor : 1) * Self.blockLength + PolyphaseKernel.width
        staging = .allocate(capacity: stagingCount)
        staging.initialize(repeating: 0, count: stagingCount)
    }

    /// The prototype filter for a factor of `factor` (Double, as designed; the converter keeps it as
    /// `Float` taps only). Band edges are in cycles per high-rate sample, where the low rate's Nyquist is
    /// `0.5 / factor`. An upsampler's filter has gain `factor` to make up for zero-stuffing.
    static func design(factor: Int, upsampling: Bool) -> KaiserLowpass {
        let nyquist = 0.5 / Double(factor)
        return KaiserLowpass(taps: 2 * factor * halfLengthLowRate + 1, passbandEdge: passbandFraction * nyquist,
                             stopbandEdge: nyquist, gain: upsampling ? Double(factor) : 1)
    }

    deinit {
        coefficients.deallocate()
        lines.deallocate()
        staging.deallocate()
    }

    /// The most samples one `process` call can return for `inputCount` input samples; size `output` so.
    /// Up: exactly `inputCount * L`. Down: `inputCount / M` or one more, as the partial group allows.
    public func maxOutputCount(inputCount: Int) -> Int {
        isUpsampling ? inputCount * factor : (inputCount + factor - 1) / factor
    }

    /// Converts `input` as the next chunk of the stream and writes the result to the start of `output`
    /// (which must hold `maxOutputCount(inputCount: input.count)`); returns the samples written.
    /// No heap allocation, whatever the chunk size.
    public func process(_ input: UnsafeBufferPointer<Int16>, into output: UnsafeMutableBufferPointer<Int16>) -> Int {
        precondition(output.count >= maxOutputCount(inputCount: input.count),
                     "PolyphaseResampler.process: output holds \(output.count), needs \(maxOutputCount(inputCount: input.count))")
        guard let source = input.baseAddress, let target = output.baseAddress, !input.isEmpty else { return 0 }
        return isUpsampling ? upsample(source, count: input.count, into: target)
                            : downsample(source, count: input.count, into: target)
    }

    /// Convenience for tests and tools (allocates): converts `input` as the next chunk of the stream.
    public func process(_ input: [Int16]) -> [Int16] {
        var output = [Int16](repeating: 0, count: maxOutputCount(inputCount: input.count))
        let count = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { process(source, into: $0) }
        }
        output.removeLast(output.count - count)
        return output
    }

    /// Forgets the stream: the history becomes zeros again, as after `init`. Cheap (clears a few kB).
    public func reset() {
        lines.update(repeating: 0, count: (isUpsampling ? 1 : factor) * lineLength)
        nextPhase = 0
    }

    // MARK: Internals

    /// Up by L, a block of at most `blockLength` inputs at a time: each 8 inputs give 8 outputs of every
    /// phase, interleaved into `staging` (output `L i + p`), then rounded into `output`.
    private func upsample(_ input: UnsafePointer<Int16>, count: Int, into output: UnsafeMutablePointer<Int16>) -> Int {
        let taps = phaseLength, phases = factor, line = lines, staging = staging, coefficients = coefficients
        let history = taps - 1
        var consumed = 0
        while consumed < count {
            let block = min(Self.blockLength, count - consumed)
            for j in 0..<block { line[history + j] = Float(input[consumed + j]) }
            var i = 0
            while i < block {
                let lanes = min(PolyphaseKernel.width, block - i)
                for p in 0..<phases {
                    let y = PolyphaseKernel.filter8(coefficients + p * taps, count: taps, newest: line + history + i)
                    let interleaved = staging + phases * i + p
                    if lanes == PolyphaseKernel.width {
                        for t in 0..<8 { interleaved[phases * t] = y[t] }  // a constant count: unrolled, 7% fewer instructions
                    } else {
                        for t in 0..<lanes { interleaved[phases * t] = y[t] }
                    }
                }
                i += PolyphaseKernel.width
            }
            PolyphaseKernel.roundAndSaturate(staging, count: block * phases, into: output + consumed * phases)
            line.update(from: line + block, count: history)
            consumed += block
        }
        return count * phases
    }

    /// Down by M: deals the input into the phase lines (whole groups a line at a time, the samples of a
    /// partial group one by one); every `blockLength` completed groups, and at the end of the input,
    /// computes their outputs.
    private func downsample(_ input: UnsafePointer<Int16>, count: Int, into output: UnsafeMutablePointer<Int16>) -> Int {
        let history = phaseLength - 1, last = factor - 1, lines = lines, lineLength = lineLength
        var phase = nextPhase, groups = 0, written = 0, j = 0
        while j < count {
            if phase == last && count - j >= factor {
                // Whole groups: line p takes each group's sample M - 1 - p.
                let run = min((count - j) / factor, Self.blockLength - groups)
                for p in 0..<factor {
                    let line = lines + p * lineLength + history + groups, first = input + j + last - p
                    for g in 0..<run { line[g] = Float(first[g * factor]) }
                }
                groups += run
                j += run * factor
            } else {
                lines[phase * lineLength + history + groups] = Float(input[j])
                j += 1
                if phase == 0 {
                    groups += 1
                    phase = last
                } else {
                    phase -= 1
                }
            }
            if groups == Self.blockLength {
                written += finishBlock(groups: groups, into: output + written)
                groups = 0
            }
        }
        if groups > 0 { written += finishBlock(groups: groups, into: output + written) }
        nextPhase = phase
        return written
    }

    /// Computes the outputs of the block's first `groups` groups into `output` and moves each line down
    /// by `groups`, keeping its history and the partial group. Returns `groups`.
    private func finishBlock(groups: Int, into output: UnsafeMutablePointer<Int16>) -> Int {
        let taps = phaseLength, history = taps - 1, staging = staging, coefficients = coefficients
        var i = 0
        while i < groups {
            var sum = SIMD8<Float>()
            for p in 0..<factor {
                sum += PolyphaseKernel.filter8(coefficients + p * taps, count: taps, newest: lines + p * lineLength + history + i)
            }
            UnsafeMutableRawPointer(staging + i).storeBytes(of: sum, as: SIMD8<Float>.self)
            i += PolyphaseKernel.width
        }
        PolyphaseKernel.roundAndSaturate(staging, count: groups, into: output)
        for p in 0..<factor {
            let line = lines + p * lineLength
            line.update(from: line + groups, count: taps)
        }
        return groups
    }
}
