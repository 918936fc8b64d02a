/// A key press recognised by `DTMFDetector`: reported once, when the tone has lasted the minimum
/// duration, never again while the key is held.
public struct DTMFEvent: Sendable, Equatable, CustomStringConvertible {
    /// The key.
    public var digit: DTMFDigit
    /// Media time of the tone's onset in ms (the start of the first analysis block the tone filled),
    /// on the same timeline as the frames' `timestampMs`. Within about -3...+11 ms of the true onset
    /// at 8 kHz: partly filled blocks are not counted.
    public var timestampMs: Int

    public init(digit: DTMFDigit, timestampMs: Int) {
        self.digit = digit
        self.timestampMs = timestampMs
    }

    public var description: String { "DTMF \(digit.rawValue) at \(timestampMs) ms" }
}
