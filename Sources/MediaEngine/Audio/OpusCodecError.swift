import COpus

/// Why an `OpusEncoder` or `OpusDecoder` call failed. Each description says what to change.
///
/// Parameter errors are caught in Swift before libopus sees them; anything libopus itself rejects
/// arrives as `.libopus` with its own message (`opus_strerror`).
public enum OpusCodecError: Error, Equatable, CustomStringConvertible {
    /// The codec runs at 8000, 16000, 24000 or 48000 Hz only.
    case unsupportedSampleRate(Int)
    /// Bitrates (bits per second) must be within `OpusEncoder.bitrateRange`.
    case invalidBitrate(Int)
    /// Complexity must be within `OpusEncoder.complexityRange` (0 fastest ... 10 best).
    case invalidComplexity(Int)
    /// Expected packet loss must be 0...100 percent.
    case invalidPacketLossPercent(Int)
    /// The encoder takes exactly one 20 ms frame (`frameSize` samples) per call.
    case wrongFrameSize(expected: Int, got: Int)
    /// A caller-owned output buffer cannot hold the result (sizes in samples or bytes, as the call uses).
    case outputTooSmall(needed: Int, available: Int)
    /// libopus returned an error code; `message` is its `opus_strerror` text.
    case libopus(operation: String, code: Int32, message: String)

    public var description: String {
        switch self {
        case let .unsupportedSampleRate(rate):
            return "Opus does not run at \(rate) Hz; use 8000, 16000, 24000 or 48000 (resample first)"
        case let .invalidBitrate(bitsPerSecond):
            return "Opus bitrate \(bitsPerSecond) bit/s is out of range; use \(OpusEncoder.bitrateRange.lowerBound)"
                + "...\(OpusEncoder.bitrateRange.upperBound)"
        case let .invalidComplexity(complexity):
            return "Opus complexity \(complexity) is out of range; use 0...10"
        case let .invalidPacketLossPercent(percent):
            return "expected packet loss \(percent)% is out of range; use 0...100"
        case let .wrongFrameSize(expected, got):
            return "Opus encoder takes one 20 ms frame of \(expected) samples, got \(got); buffer input into whole frames"
        case let .outputTooSmall(needed, available):
            return "output buffer holds \(available), needs at least \(needed); pass a larger buffer"
        case let .libopus(operation, code, message):
            return "\(operation) failed: \(message) (libopus error \(code))"
        }
    }

    /// Wraps a negative libopus return code with libopus's own message.
    static func libopus(_ operation: String, _ code: Int32) -> OpusCodecError {
        let message = opus_strerror(code).map { String(cString: $0) } ?? "unknown error"
        return .libopus(operation: operation, code: code, message: message)
    }
}
