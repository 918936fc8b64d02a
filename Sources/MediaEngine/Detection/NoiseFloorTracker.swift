#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Estimates the mean level of a line's noise (dB) from frame levels, while people talk over it.
///
/// Two parts:
/// - Minimum statistics: the lowest frame level over a sliding window of a few seconds. Speech is
///   never continuous for that long (between words, syllables and plosive closures the level drops to
///   the noise), so the minimum follows the noise even during speech, and needs no speech decision.
///   It falls at once on a quieter line and follows a noisier one within one window.
/// - The minimum of many noisy frames lies below the noise's mean by an amount that depends on how
///   much the noise fluctuates (about 1.5 dB for wide-band white noise in 20 ms frames, 3 dB or more
///   for a narrow band or a crackly line), and it jumps when an unusually quiet frame enters or leaves
///   the window. So the reported floor is a running mean of the frames the detector judged to be
///   noise, kept between the minimum and `maximumExcessDb` above it. Margins above this floor then
///   mean the same on every line, and the floor moves smoothly.
///
/// The window's sub-window minima live in a buffer allocated once at init; `update` and `learnNoise`
/// do not allocate.
struct NoiseFloorTracker: Sendable {
    /// Minimum of each completed sub-window, oldest overwritten first (dB).
    private var subwindowMinima: [Double]
    private var nextSlot = 0
    /// Minimum of the sub-window being filled (dB).
    private var currentMinimum = Double.infinity
    private var currentElapsedMs = 0
    private let subwindowMs: Int
    /// Time constant of the running mean of noise frames (ms).
    private let meanTimeConstantMs: Double
    /// Running mean of noise frames' levels (dB); nil before the first frame.
    private var noiseMeanDb: Double?
    /// The windowed minimum after the last update (dB); +infinity before the first frame.
    private(set) var minimumDb = Double.infinity

    /// How far above the minimum the floor may sit (dB): noise does not fluctuate more than this.
    static let maximumExcessDb = 6.0

    /// The estimated mean noise level (dB); +infinity before the first frame.
    /// How far the mean level of steady noise sits above its windowed minimum (dB): the minimum of
    /// many 20 ms frames is biased low (minimum statistics' bias). Used when the learnt mean is stale.
    static let minimumBiasDb = 2.0

    var floorDb: Double {
        guard let mean = noiseMeanDb else { return minimumDb }
        // A mean below the window's minimum is stale: learnt before the line got noisier (for example from
        // digital silence at the start of a stream, then line noise) while no frame could teach it since.
        // Trust the minimum then, with its bias, or steady noise would hold a segment open for ever.
        if mean < minimumDb { return minimumDb + Self.minimumBiasDb }
        return min(mean, minimumDb + Self.maximumExcessDb)
    }

    /// - Parameters:
    ///   - windowMs: how far back the minimum looks (ms).
    ///   - meanTimeConstantMs: how fast the floor follows the noise frames' level (ms). Symmetric:
    ///     weighting quieter frames more would follow a quieter line sooner but would put the floor
    ///     below the noise's mean, and more noise frames over the margins.
    init(windowMs: Int, meanTimeConstantMs: Double = 1000, subwindowCount: Int = 8) {
        let count = max(2, subwindowCount)
        subwindowMinima = [Double](repeating: .infinity, count: count)
        subwindowMs = max(1, windowMs / count)
        self.meanTimeConstantMs = meanTimeConstantMs
    }

    /// Adds one frame's level (dB) lasting `durationMs`, and returns the updated floor (dB).
    @discardableResult
    mutating func update(levelDb: Double, durationMs: Int) -> Double {
        if levelDb < currentMinimum { currentMinimum = levelDb }
        currentElapsedMs += durationMs
        var minimum = currentMinimum
        if currentElapsedMs >= subwindowMs {
            subwindowMinima[nextSlot] = currentMinimum
            nextSlot = nextSlot + 1 == subwindowMinima.count ? 0 : nextSlot + 1
            currentMinimum = .infinity
            currentElapsedMs = 0
        }
        for m in subwindowMinima where m < minimum { minimum = m }
        minimumDb = minimum
        if noiseMeanDb == nil { noiseMeanDb = levelDb }
        return floorDb
    }

    /// Tells the tracker that the frame just given to `update` was noise, so the floor learns from it.
    mutating func learnNoise(levelDb: Double, durationMs: Int) {
        // Start from the clamped floor so that a stale mean (before a big level change) recovers fast.
        let current = floorDb
        let weight = 1 - exp(-Double(durationMs) / meanTimeConstantMs)
        noiseMeanDb = current + weight * (levelDb - current)
    }
}
