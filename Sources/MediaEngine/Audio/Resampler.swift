import CSampleRate

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streaming mono PCM16 sample-rate converter over libsamplerate: one per direction per call.
///
/// **Streaming.** One persistent converter state carries the filter history from frame to frame, so a
/// stream cut into 20 ms frames comes out the same as one block (within float rounding).
///
/// **Primed, so frames stay frames.** A sinc converter holds back its look-ahead (2.5 ms for
/// `sincFastest`), so a fresh libsamplerate state returns a short first frame. This type instead primes
/// its converter at `init` and `reset()` with `primingMs` of input that ends in silence and discards what
/// comes out. From the first call on, the output is a steady delayed copy of the input and the added
/// latency is a pure signal delay, `delaySamples`. Fed whole 20 ms frames, every converter returns exactly
/// one 20 ms frame per call, the first included (tested for all 16 rate pairs). Chunks of other sizes get
/// `input.count * ratio` rounded either way, so a call may return a sample more or less than the last one;
/// the linear converter may also keep the stream's newest sample pending until the next call.
///
/// **Delay, measured.** Priming doubles as the measurement: the primer is a Gaussian pulse (sigma 0.5 ms,
/// centred at 5 ms) followed by silence, and the delay is where the pulse's centroid lands in the output
/// stream the caller will see, relative to where it was in the input. So the figure is measured on this
/// very converter and library version, for every quality and rate pair, instead of a table of constants
/// that would silently go stale with another libsamplerate. It costs one 60 ms conversion per `init` and
/// `reset()` (debug build, loaded 2-core machine: 0.15 ms for `sincFastest` 8<->24 kHz, up to 5 ms for
/// `sincBest` at 48 kHz), once per call leg, never per frame. The converter's state afterwards is that of
/// pure silence: the pulse has left the filter window long before priming ends. ResamplerTests checks the
/// figure against an independent measurement (the phase of a 40 Hz tone) for all converters and rate pairs.
///
/// **Ownership and concurrency.** The instance owns a `SRC_STATE*` (freed in `deinit`) and its scratch
/// buffers. It is deliberately not `Sendable`: it is mutable per-call state that the owning stage actor keeps
/// as a stored property, so the compiler proves a single owner and no `@unchecked` promise is needed.
///
/// **Hot path.** `process(_:into:)` does no heap allocation: it converts into preallocated float scratch
/// (sized for 100 ms of input; it grows only if a larger chunk ever arrives) and writes into caller memory.
/// Equal input and output rates pass samples through untouched, with no converter and zero delay.
public final class Resampler {
    /// libsamplerate's converters, best first. Figures measured with libsamplerate 0.2.2: the delay from
    /// priming (8->24 kHz / 24->8 kHz), and the SNR of a 1 kHz sine taken 8->24->8 kHz in 20 ms frames
    /// against the ideal sine at the reported delay.
    public enum Quality: Sendable, CaseIterable {
        /// Best sinc: 18.0 / 17.875 ms, 103.4 dB.
        case sincBest
        /// Medium sinc: 5.875 / 5.75 ms, 103.4 dB.
        case sincMedium
        /// Fastest sinc, the default: 2.5 / 2.375 ms, 103.4 dB (28 us per 20 ms frame 8->24 kHz, PITFALLS.md).
        case sincFastest
        /// Zero-order hold: 0.125 / -0.083 ms, 11.7 dB (a hold has no single delay; over 50 dB at the best shift).
        /// No anti-alias filter: not for speech.
        case zeroOrderHold
        /// Linear interpolation: 0.125 / 0.042 ms, 23.4 dB. No anti-alias filter.
        case linear

        var converterType: Int32 {
            switch self {
            case .sincBest: Int32(SRC_SINC_BEST_QUALITY)
            case .sincMedium: Int32(SRC_SINC_MEDIUM_QUALITY)
            case .sincFastest: Int32(SRC_SINC_FASTEST)
            case .zeroOrderHold: Int32(SRC_ZERO_ORDER_HOLD)
            case .linear: Int32(SRC_LINEAR)
            }
        }
    }

    /// Why a resampler could not be made.
    public enum ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
        /// `rate` Hz is not one the engine runs at; use one of `Resampler.supportedRates`.
        case unsupportedRate(Int)
        /// libsamplerate refused (its error `code` and message); usually out of memory.
        case converterFailed(code: Int32, message: String)

        public var description: String {
            switch self {
            case .unsupportedRate(let rate):
                let rates = Resampler.supportedRates.map(String.init).joined(separator: ", ")
                return "Resampler: \(rate) Hz is not supported; use one of \(rates) Hz"
            case .converterFailed(let code, let message):
                return "Resampler: libsamplerate error \(code): \(message)"
            }
        }
    }

    /// Sample rates (Hz) the engine converts between, in any direction.
    public static let supportedRates = [8000, 16000, 24000, 48000]
    /// Input consumed by priming at `init` and `reset()` (ms): pulse, then enough silence to clear the
    /// longest filter (`sincBest` spans about +-18 ms).
    public static let primingMs = 60
    /// Input the scratch buffers are first sized for (ms).
    static let scratchMs = 100

    public let inputRate: Int   // Hz
    public let outputRate: Int  // Hz
    public let quality: Quality
    /// Output samples per input sample.
    public let ratio: Double
    /// How far the output lags the input, in output samples (may be fractional or, for zero-order hold,
    /// slightly negative): input sample `j` shows up around output sample `j * ratio + delaySamples`.
    public private(set) var delaySamples: Double = 0
    /// `delaySamples` in milliseconds.
    public var delayMs: Double { delaySamples * 1000 / Double(outputRate) }

    /// The converter; nil when the rates are equal (pass-through).
    private let state: OpaquePointer?
    /// Float input: `pending` samples the converter left unconsumed last call, then the new input.
    private var inputScratch: UnsafeMutableBufferPointer<Float>
    private var outputScratch: UnsafeMutableBufferPointer<Float>
    private var pending = 0

    /// Makes a converter from `inputRate` to `outputRate` (Hz, each one of `supportedRates`) and primes it.
    public init(from inputRate: Int, to outputRate: Int, quality: Quality = .sincFastest) throws(ConfigurationError) {
        for rate in [inputRate, outputRate] where !Self.supportedRates.contains(rate) { throw .unsupportedRate(rate) }
        self.inputRate = inputRate
        self.outputRate = outputRate
        self.quality = quality
        ratio = Double(outputRate) / Double(inputRate)
        let inputCapacity = inputRate * Self.scratchMs / 1000
        inputScratch = .allocate(capacity: inputCapacity)
        outputScratch = .allocate(capacity: Self.outputCapacity(forInput: inputCapacity, ratio: ratio))
        if inputRate == outputRate {
            state = nil
            return
        }
        var error: Int32 = 0
        guard let state = src_new(quality.converterType, 1, &error) else {
            inputScratch.deallocate()
            outputScratch.deallocate()
            throw .converterFailed(code: error, message: String(cString: src_strerror(error)))
        }
        self.state = state
        delaySamples = prime()
        guard delaySamples.isFinite else { throw .converterFailed(code: 0, message: "priming pulse did not come out") }
    }

    deinit {
        if let state { src_delete(state) }
        inputScratch.deallocate()
        outputScratch.deallocate()
    }

    /// The most samples one `process` call can return for `inputCount` input samples; size `output` so.
    public func maxOutputCount(inputCount: Int) -> Int { Self.outputCapacity(forInput: inputCount, ratio: ratio) }

    /// Converts `input` and writes the result to the start of `output` (which must hold
    /// `maxOutputCount(inputCount: input.count)`); returns the samples written. No heap allocation unless
    /// `input` is longer than any chunk before it (and than 100 ms).
    public func process(_ input: UnsafeBufferPointer<Int16>, into output: UnsafeMutableBufferPointer<Int16>) -> Int {
        precondition(output.count >= maxOutputCount(inputCount: input.count),
                     "Resampler.process: output holds \(output.count), needs \(maxOutputCount(inputCount: input.count))")
        guard let state else {
            guard let source = input.baseAddress, let target = output.baseAddress else { return 0 }
            target.update(from: source, count: input.count)
            return input.count
        }
        if pending + input.count > inputScratch.count { grow(toInput: pending + input.count) }
        if let source = input.baseAddress {
            src_short_to_float_array(source, inputScratch.baseAddress! + pending, Int32(input.count))
        }
        let produced = convert(state, count: pending + input.count, outputCapacity: output.count, endOfInput: false)
        src_float_to_short_array(outputScratch.baseAddress, output.baseAddress, Int32(produced))
        return produced
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

    /// The most samples `flush` can return.
    public var maxFlushCount: Int { Int(max(0, delaySamples).rounded(.up)) + maxOutputCount(inputCount: 4) }

    /// Ends the stream: writes what the filter still holds (about `delaySamples` samples, the tail of the
    /// last input; none for zero-order hold and linear) to `output`, which must hold `maxFlushCount`.
    /// Returns the count and leaves the resampler `reset()` for a new stream.
    public func flush(into output: UnsafeMutableBufferPointer<Int16>) -> Int {
        precondition(output.count >= maxFlushCount, "Resampler.flush: output holds \(output.count), needs \(maxFlushCount)")
        guard let state else { return 0 }
        let produced = convert(state, count: pending, outputCapacity: output.count, endOfInput: true)
        src_float_to_short_array(outputScratch.baseAddress, output.baseAddress, Int32(produced))
        reset()
        return produced
    }

    /// Convenience for tests and tools (allocates): `flush(into:)` into a new array.
    public func flush() -> [Int16] {
        var output = [Int16](repeating: 0, count: maxFlushCount)
        let count = output.withUnsafeMutableBufferPointer { flush(into: $0) }
        output.removeLast(output.count - count)
        return output
    }

    /// Forgets the stream (filter history and pending input) and primes again, as after `init`;
    /// `delaySamples` is unchanged. Costs one priming conversion; not for the per-frame path.
    public func reset() {
        guard let state else { return }
        src_reset(state)
        pending = 0
        _ = prime()
    }

    // MARK: Internals

    /// Runs the converter over `inputScratch[0..<count]`, output into `outputScratch`, and keeps what it
    /// did not consume (a sample or two for linear and zero-order hold) as `pending` for the next call.
    private func convert(_ state: OpaquePointer, count: Int, outputCapacity: Int, endOfInput: Bool) -> Int {
        let input = inputScratch.baseAddress!, output = outputScratch.baseAddress!
        let capacity = min(outputCapacity, outputScratch.count)
        // libsamplerate 0.2.2's linear converter reads the sample before its input when handed exactly
        // one frame (src_linear.c, first loop), so a lone sample waits in `pending` for the next one.
        let minimumFrames = quality == .linear ? 2 : 1
        var consumed = 0, produced = 0
        while true {
            if count - consumed > 0 && count - consumed < minimumFrames { break }
            var data = SRC_DATA(
                data_in: input + consumed, data_out: output + produced,
                input_frames: count - consumed, output_frames: capacity - produced,
                input_frames_used: 0, output_frames_gen: 0, end_of_input: endOfInput ? 1 : 0, src_ratio: ratio)
            let error = src_process(state, &data)
            precondition(error == 0, "libsamplerate src_process: \(String(cString: src_strerror(error)))")
            consumed += data.input_frames_used
            produced += data.output_frames_gen
            if consumed == count || produced == capacity || data.input_frames_used + data.output_frames_gen == 0 { break }
        }
        pending = count - consumed
        if pending > 0 && consumed > 0 { input.update(from: input + consumed, count: pending) }
        return produced
    }

    /// Feeds `primingMs` of input (a Gaussian pulse, then silence), discards the output, and returns the
    /// delay the pulse showed: its output centroid minus its input centre (scaled to the output rate),
    /// plus the output the converter still owes for the priming input (`input * ratio - produced`).
    private func prime() -> Double {
        guard let state else { return 0 }
        let count = inputRate * Self.primingMs / 1000
        let centre = Double(inputRate) * 0.005, sigma = Double(inputRate) * 0.0005  // samples
        for n in 0..<count {
            let t = (Double(n) - centre) / sigma
            inputScratch[n] = Float(0.5 * exp(-0.5 * t * t))
        }
        let produced = convert(state, count: count, outputCapacity: outputScratch.count, endOfInput: false)
        var mass = 0.0, moment = 0.0
        for k in 0..<produced {
            mass += Double(outputScratch[k])
            moment += Double(k) * Double(outputScratch[k])
        }
        let pulseDelay = moment / mass - centre * ratio
        let delay = Double(count) * ratio - Double(produced) + pulseDelay
        return (delay * 1000).rounded() / 1000  // float noise below 0.001 sample is not information
    }

    /// Reallocates the scratch buffers for `input` samples per call, keeping pending input.
    private func grow(toInput input: Int) {
        let newInput = UnsafeMutableBufferPointer<Float>.allocate(capacity: input)
        _ = newInput.initialize(from: inputScratch[0..<pending])
        inputScratch.deallocate()
        inputScratch = newInput
        outputScratch.deallocate()
        outputScratch = .allocate(capacity: Self.outputCapacity(forInput: input, ratio: ratio))
    }

    /// Output room for `input` new samples: the converter may also finish up to 2 pending samples and
    /// round up by one.
    private static func outputCapacity(forInput input: Int, ratio: Double) -> Int {
        Int((Double(input + 2) * ratio).rounded(.up)) + 2
    }
}
