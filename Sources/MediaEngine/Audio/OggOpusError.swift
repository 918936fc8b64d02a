/// Why writing an Ogg Opus file (`OggOpusWriter`, `OggOpusRecorder`) failed. Each description says
/// what to do about it.
public enum OggOpusError: Error, Equatable, CustomStringConvertible {
    /// The output file could not be created (`reason` is the system's message).
    case cannotCreate(path: String, reason: String)
    /// Writing or syncing the output file failed (`reason` is the system's message).
    case writeFailed(path: String, reason: String)
    /// A packet handed to the writer is not an Opus packet (empty, or its TOC byte describes no frames).
    case invalidPacket(byteCount: Int)
    /// A user comment is not `NAME=value` with a printable ASCII name (RFC 7845 section 5.2).
    case invalidComment(String)
    /// Pre-skip is a 16-bit field: 0...65535 samples at 48 kHz.
    case invalidPreSkip(Int)
    /// End trimming may only remove samples of the last page's packets (RFC 7845 section 4.5).
    case invalidEndTrim(requestedGranule: Int64, allowed: ClosedRange<Int64>)
    /// A recorder got audio at a different rate than it encodes; resample first.
    case sampleRateMismatch(expected: Int, got: Int)
    /// The writer was already finished (its last page carries the end-of-stream flag).
    case alreadyFinished
    /// The Opus encoder failed.
    case codec(OpusCodecError)

    public var description: String {
        switch self {
        case let .cannotCreate(path, reason):
            return "\(path): cannot create the recording (\(reason)); check the directory exists and is writable"
        case let .writeFailed(path, reason):
            return "\(path): writing the recording failed (\(reason)); check free disk space"
        case let .invalidPacket(byteCount):
            return "a \(byteCount)-byte packet is not a valid Opus packet; pass OpusEncoder output only"
        case let .invalidComment(comment):
            return "comment '\(comment)' is not NAME=value with a printable ASCII name without '='"
        case let .invalidPreSkip(samples):
            return "pre-skip \(samples) does not fit 0...65535 samples at 48 kHz"
        case let .invalidEndTrim(requested, allowed):
            return "final granule position \(requested) is outside \(allowed.lowerBound)...\(allowed.upperBound); "
                + "end trimming can only cut into the last page"
        case let .sampleRateMismatch(expected, got):
            return "recorder encodes \(expected) Hz audio but got \(got) Hz; resample before recording"
        case .alreadyFinished:
            return "the Ogg Opus stream is already finished; start a new writer for more audio"
        case let .codec(error):
            return error.description
        }
    }
}
