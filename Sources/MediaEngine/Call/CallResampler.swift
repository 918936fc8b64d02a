/// The sample-rate converter a call stage owns, of the kind the call's settings chose: this engine's
/// `PolyphaseResampler` or libsamplerate's `Resampler`.
///
/// An enum over the two concrete classes rather than a protocol: each frame pays one switch and a direct
/// call, with no existential box and no witness-table dispatch. Owned (not `Sendable`) like the
/// converters themselves: the stage, and so the call's actor, is its single owner.
enum CallResampler {
    case polyphase(PolyphaseResampler)
    case libsamplerate(Resampler)

    /// Makes a converter of `kind` from `inputRate` to `outputRate` (Hz). Throws the converter's own
    /// configuration error (`PolyphaseResampler.ConfigurationError` or `Resampler.ConfigurationError`).
    init(from inputRate: Int, to outputRate: Int, kind: ResamplerKind) throws {
        if let quality = kind.libsamplerateQuality {
            self = .libsamplerate(try Resampler(from: inputRate, to: outputRate, quality: quality))
        } else {
            self = .polyphase(try PolyphaseResampler(from: inputRate, to: outputRate))
        }
    }

    /// The most samples one `process` call can return for `inputCount` input samples.
    func maxOutputCount(inputCount: Int) -> Int {
        switch self {
        case .polyphase(let resampler): resampler.maxOutputCount(inputCount: inputCount)
        case .libsamplerate(let resampler): resampler.maxOutputCount(inputCount: inputCount)
        }
    }

    /// Converts the next chunk of the stream into `output` (sized by `maxOutputCount`); returns the
    /// samples written. No heap allocation (see each converter).
    func process(_ input: UnsafeBufferPointer<Int16>, into output: UnsafeMutableBufferPointer<Int16>) -> Int {
        switch self {
        case .polyphase(let resampler): resampler.process(input, into: output)
        case .libsamplerate(let resampler): resampler.process(input, into: output)
        }
    }

}
