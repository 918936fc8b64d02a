/// Detects DTMF key presses carried in-band as tones in a call's PCM16 audio (for paths that do not
/// deliver them out of band, the way Twilio's `dtmf` message does).
///
/// Feed consecutive frames (20 ms is the engine's size) with their media timestamps; a key press is
/// reported once, when its tone has lasted `minimumToneDurationMs`, with the media time of its onset.
/// Holding the key does not repeat it; a gap of `minimumPauseDurationMs` ends the press.
///
/// ```swift
/// var detector = try DTMFDetector()                     // 8 kHz, Q.24-style defaults
/// if let event = detector.process(frame, timestampMs: t) { ... event.digit, event.timestampMs ... }
/// ```
///
/// How (see `DTMFBlockAnalyzer`): Goertzel filters on the 8 DTMF frequencies and their second
/// harmonics over 12.75 ms blocks; a block counts for a key when one row and one column tone fill it
/// (level, twist, >= 70% of the energy, steady across the block) and, against the block before, their
/// frequencies are within +/-2.3% and no other DTMF frequency or second harmonic is present beyond
/// what the pair itself leaks there. Two such blocks in a row (three or more for longer minimum
/// durations) make a key press.
///
/// Cost: no heap allocation in `process` (a copy of a detector makes its own 12.75 ms sample buffer on
/// its first frame); the per-sample work is one 16-lane multiply-add recursion, run at the end of each
/// block, and skipped for a block too quiet to hold a tone.
/// One detector per call and direction; it is a value type, so copies are independent.
public struct DTMFDetector: Sendable {
    /// The checks a block can fail, for `Statistics`.
    public enum Check: Sendable, Equatable {
        /// A tone below (or above) the level range.
        case level
        /// Normal or reverse twist beyond the limit.
        case twist
        /// The pair carries too little of the block's energy (talk-off).
        case energyShare
        /// The energy differs between the block's quarters: not stationary, or the tone fills only part.
        case unsteadyEnergy
        /// A tone off its nominal frequency by more than the tolerance.
        case frequency
        /// Another frequency of the same group is present (talk-off).
        case otherToneInGroup
        /// A tone has a second harmonic (talk-off).
        case secondHarmonic
    }

    /// Counts of analysed blocks and of the check each rejected block failed first; for tuning and
    /// monitoring (blocks are 12.75 ms).
    public struct Statistics: Sendable, Equatable {
        public var blocks = 0
        public var rejectedByLevel = 0
        public var rejectedByTwist = 0
        public var rejectedByEnergyShare = 0
        public var rejectedByUnsteadyEnergy = 0
        public var rejectedByFrequency = 0
        public var rejectedByOtherToneInGroup = 0
        public var rejectedBySecondHarmonic = 0
        /// Blocks that held a DTMF pair by every check.
        public var confirmedBlocks = 0
        /// Blocks too quiet for any tone to pass the level check, decided without running the filters
        /// (also counted in `rejectedByLevel`): the line's silence and quiet noise.
        public var quietBlocks = 0
        /// Key presses reported.
        public var events = 0

        public init() {}

        mutating func count(_ check: Check) {
            switch check {
            case .level: rejectedByLevel += 1
            case .twist: rejectedByTwist += 1
            case .energyShare: rejectedByEnergyShare += 1
            case .unsteadyEnergy: rejectedByUnsteadyEnergy += 1
            case .frequency: rejectedByFrequency += 1
            case .otherToneInGroup: rejectedByOtherToneInGroup += 1
            case .secondHarmonic: rejectedBySecondHarmonic += 1
            }
        }
    }

    public let configuration: Configuration
    /// Analysis block length in samples (102 at 8 kHz, 204 at 16 kHz: 12.75 ms).
    public var blockLength: Int { analyzer.blockLength }
    /// Consecutive blocks a tone must fill to be reported.
    public let requiredToneBlocks: Int
    /// Consecutive blocks without the tone that end a key press.
    public let requiredPauseBlocks: Int
    /// What the detector has seen so far.
    public private(set) var statistics = Statistics()

    /// Media time (ms) at which the keypad tone present now began (the start of its first analysis
    /// block, as `DTMFEvent.timestampMs`), or nil when no tone is present. For the other detectors,
    /// which must not take the tone for speech.
    ///
    /// A tone counts as present from its first confirmed block on (two blocks the same pair filled,
    /// the second passing the tone model: at most about 38 ms after the tone began, so 20 ms frames
    /// see it by the third frame the tone reaches), which is before its key is reported when
    /// `minimumToneDurationMs` asks for more blocks; it stays present while the key is held and until
    /// the key is released (`minimumPauseDurationMs` after the tone stopped). A single block that
    /// merely screened as a pair does not count, so a speech sound that happens to look like one does
    /// not silence the caller. Reading it costs nothing.
    public var toneOnsetMs: Int? {
        if held != nil { return heldOnsetMs }
        return candidateBlocks >= 2 ? candidateOnsetMs : nil
    }

    private var analyzer: DTMFBlockAnalyzer
    /// Media time (ms) of the first sample of the block being filled.
    private var blockStartMs = 0
    /// The key whose blocks are being counted, how many in a row, and when its first block started.
    private var candidate: DTMFDigit?
    private var candidateBlocks = 0
    private var candidateOnsetMs = 0
    /// The key reported and not yet released, its tone's onset, and the blocks without it since.
    private var held: DTMFDigit?
    private var heldOnsetMs = 0
    private var pauseBlocks = 0
    /// A second event completed within one `process` call waits here for the next call.
    private var pending: DTMFEvent?

    /// Throws `ConfigurationError` for a sample rate or value it cannot work with.
    public init(configuration: Configuration = Configuration()) throws(ConfigurationError) {
        try self.init(configuration: configuration, skipsQuietBlocks: true)
    }

    /// `skipsQuietBlocks: false` runs the filters on every block (for tests: the verdicts are the same).
    init(configuration: Configuration, skipsQuietBlocks: Bool) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        analyzer = DTMFBlockAnalyzer(configuration: configuration, skipsQuietBlocks: skipsQuietBlocks)
        let blockMs = Double(analyzer.blockLength) * 1000 / Double(configuration.sampleRate)
        // A tone of D ms always fills floor(D / block) - 1 whole blocks; at least 2, which the
        // frequency measurement needs (it compares consecutive blocks).
        requiredToneBlocks = max(2, Int((Double(configuration.minimumToneDurationMs) / blockMs).rounded(.down)) - 1)
        // A gap of P ms always leaves floor(P / block) consecutive blocks without a steady tone.
        requiredPauseBlocks = max(1, Int((Double(configuration.minimumPauseDurationMs) / blockMs).rounded(.down)))
    }

    /// Analyses one frame of PCM16 samples at `configuration.sampleRate`, whose first sample is at
    /// media time `timestampMs`, and returns the key press whose detection completed in it, if any.
    ///
    /// Frames may have any length and need not align with the detector's blocks. Two presses are
    /// at least 5 blocks (63.75 ms) apart, so a frame of up to 60 ms completes at most one; should a
    /// longer frame complete two, the second is returned by the next call (feed long buffers in
    /// 20 ms slices, as `process(_:timestampMs:)` on arrays does). No allocation.
    public mutating func process(_ frame: UnsafeBufferPointer<Int16>, timestampMs: Int) -> DTMFEvent? {
        var result = pending
        pending = nil
        let rate = configuration.sampleRate
        var index = 0
        while index < frame.count {
            if analyzer.fill == 0 {
                blockStartMs = timestampMs + index * 1000 / rate
            }
            index += analyzer.consume(frame, from: index)
            guard analyzer.isBlockComplete else { continue }
            if let event = endBlock() {
                if result == nil { result = event } else { pending = event }
            }
        }
        return result
    }

    /// Convenience for tests and offline use (allocates): analyses `samples` in 20 ms frames, the
    /// first starting at `timestampMs`, and returns every key press in order.
    public mutating func process(_ samples: [Int16], timestampMs: Int) -> [DTMFEvent] {
        let frameLength = configuration.sampleRate / 50
        var events: [DTMFEvent] = []
        samples.withUnsafeBufferPointer { all in
            var start = 0
            while start < all.count {
                let count = min(frameLength, all.count - start)
                let frame = UnsafeBufferPointer(rebasing: all[start..<(start + count)])
                if let event = process(frame, timestampMs: timestampMs + start * 1000 / configuration.sampleRate) {
                    events.append(event)
                }
                start += count
            }
        }
        if let last = pending {
            events.append(last)
            pending = nil
        }
        return events
    }

    /// Forgets all audio seen so far (a new stream); keeps the statistics.
    public mutating func reset() {
        analyzer.reset()
        candidate = nil
        candidateBlocks = 0
        held = nil
        pauseBlocks = 0
        pending = nil
    }

    /// Runs the block decision and the key-press state machine; returns a newly recognised press.
    private mutating func endBlock() -> DTMFEvent? {
        // While the reported key is held, screening alone tells whether it still is.
        let verdict = analyzer.finishBlock(heldDigit: held)
        statistics.blocks += 1
        if let check = verdict.rejection { statistics.count(check) }
        if verdict.confirmed { statistics.confirmedBlocks += 1 }
        if verdict.quiet { statistics.quietBlocks += 1 }

        if let digit = verdict.digit {
            if verdict.confirmed && candidate == digit {
                candidateBlocks += 1
            } else {
                // First block of a possible press (or the tone model failed): count from here.
                candidate = digit
                candidateBlocks = 1
                candidateOnsetMs = blockStartMs
            }
        } else {
            candidate = nil
            candidateBlocks = 0
        }

        if let key = held {
            if verdict.digit == key {
                pauseBlocks = 0
            } else {
                pauseBlocks += 1
                if pauseBlocks >= requiredPauseBlocks { held = nil }
            }
        }
        guard held == nil, let digit = candidate, candidateBlocks >= requiredToneBlocks else { return nil }
        held = digit
        heldOnsetMs = candidateOnsetMs
        pauseBlocks = 0
        statistics.events += 1
        return DTMFEvent(digit: digit, timestampMs: candidateOnsetMs)
    }
}
