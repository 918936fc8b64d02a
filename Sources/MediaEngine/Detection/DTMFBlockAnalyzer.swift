#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The signal-processing half of `DTMFDetector`: sixteen Goertzel filters over fixed blocks of
/// 12.75 ms (102 samples at 8 kHz), and the per-block decision whether the block holds one clean
/// DTMF pair.
///
/// Samples are kept and their energy summed per quarter block as they come. At the end of a block:
///
/// 0. A block whose energy is too low for any tone in it to pass the level screen is rejected by
///    level at once (exactly the verdict the filters would give: the line's silence and quiet noise).
///    Otherwise the filters run over it, on the 8 DTMF frequencies and on their second harmonics,
///    all in one `SIMD16<Float>` recursion per sample; the fundamentals are also sampled at the half
///    block.
/// 1. Screening (every block, cheap): strongest row and column, their level, twist, their share of
///    the block's energy, and whether the energy is the same in all four quarters of the block.
/// 2. Tone model (only for a block that passes screening right after a block that screened as the
///    same pair): each tone's frequency from the phase advance between the two blocks (unwrapped
///    with the coarser phase advance between the block's halves), then the complex amplitudes of the
///    two tones solved jointly so each one's leakage into the other's filter is removed. With that
///    model: exact frequency deviation, level and twist checks, and residual checks on the other six
///    DTMF filters and on the two second harmonics.
///
/// Why 102 samples: the block must pass a tone 1.5% off nominal with little loss (-1.4 dB at 1633 Hz)
/// and still separate neighbouring rows 73 Hz apart (-22 dB leakage); the frequency tolerance itself
/// comes from the phase estimate, not from the filters' bandwidth.
struct DTMFBlockAnalyzer: Sendable {
    /// What one block looked like.
    struct Verdict: Sendable, Equatable {
        /// The pair's key when screening passed (the block is filled by one DTMF pair), else nil.
        var digit: DTMFDigit?
        /// True when the tone model also passed against the previous block (same pair in both).
        var confirmed: Bool
        /// The first check that failed, if any.
        var rejection: DTMFDetector.Check?
        /// The block was too quiet to hold a tone: rejected by level without running the filters.
        var quiet = false
    }

    /// Samples per block.
    let blockLength: Int
    /// Samples in the first half of a block.
    let halfLength: Int

    // Filter constants. Lanes 0-3 rows, 4-7 columns, 8-15 the same frequencies doubled.
    private let coefficients: SIMD16<Float>        // 2 cos(omega)
    private let omega: SIMD8<Double>                // rad/sample, fundamentals
    // Phase factors to turn Goertzel states into block-start-referenced DFT values:
    // P(L) = s1 e^{-j omega (L-1)} - s2 e^{-j omega L}.
    private let cosHalfLast, sinHalfLast, cosHalf, sinHalf: SIMD8<Double>
    private let cosLast, sinLast, cosFull, sinFull: SIMD8<Double>
    private let cosHarmonicLast, sinHarmonicLast, cosHarmonicFull, sinHarmonicFull: SIMD8<Double>

    // Thresholds, precomputed from the configuration (powers and squared amplitudes, no logs per block).
    private let screenLevelAmplitude2: Double       // A^2 floor for screening (extra 3 dB for filter loss)
    private let minimumAmplitude2, maximumAmplitude2: Double
    private let screenNormalTwist, screenReverseTwist: Double  // power ratios, 2 dB looser than the model's
    private let normalTwist, reverseTwist: Double
    private let energyShare: Double
    private let energyRipple: Float
    private let quarterLengths: SIMD4<Float>
    private let maximumDeviation: Double            // fraction
    private let groupRejection, harmonicRejection: Double  // power ratios (residual / tone)

    /// Block energy (sum of squared samples) under which no tone in the block can pass the level
    /// screen: the filters are not run (see `finishBlock`).
    private let quietBlockEnergy: Double

    // Running state of the current block: its samples (filtered at its end), the filters' states.
    private var block: [Int16]
    private var s1 = SIMD16<Float>(), s2 = SIMD16<Float>()
    private var halfS1 = SIMD8<Float>(), halfS2 = SIMD8<Float>()
    /// Sum of squared samples in each quarter of the block (quarters end at k * N / 4, k = 1...4).
    private var quarterEnergy = SIMD4<Float>()
    /// The quarter being filled (4 once the block is complete).
    private var quarter = 0
    /// Samples of the current block consumed so far.
    private(set) var fill = 0
    // The previous block's DFT values (for the phase advance) and its screened pair (-1: none).
    private var previousRe = SIMD8<Double>(), previousIm = SIMD8<Double>()
    private var previousPair = -1

    init(configuration: DTMFDetector.Configuration, skipsQuietBlocks: Bool = true) {
        let rate = Double(configuration.sampleRate)
        blockLength = 102 * configuration.sampleRate / 8000
        halfLength = blockLength / 2
        let n = Double(blockLength), m = Double(halfLength)
        let rows = DTMFDigit.rowFrequencies, columns = DTMFDigit.columnFrequencies
        let hz = SIMD8<Double>(lowHalf: rows, highHalf: columns)
        let w = 2 * Double.pi * hz / rate
        omega = w
        var coefficients = SIMD16<Float>()
        var values = [SIMD8<Double>](repeating: .zero, count: 12)
        for lane in 0..<8 {
            coefficients[lane] = Float(2 * cos(w[lane]))
            coefficients[lane + 8] = Float(2 * cos(2 * w[lane]))
            let angles = [w[lane] * (m - 1), w[lane] * m, w[lane] * (n - 1), w[lane] * n,
                          2 * w[lane] * (n - 1), 2 * w[lane] * n]
            for (i, angle) in angles.enumerated() {
                values[2 * i][lane] = cos(angle)
                values[2 * i + 1][lane] = sin(angle)
            }
        }
        self.coefficients = coefficients
        (cosHalfLast, sinHalfLast, cosHalf, sinHalf) = (values[0], values[1], values[2], values[3])
        (cosLast, sinLast, cosFull, sinFull) = (values[4], values[5], values[6], values[7])
        (cosHarmonicLast, sinHarmonicLast, cosHarmonicFull, sinHarmonicFull) = (values[8], values[9], values[10], values[11])

        let a0 = DTMFDetector.Configuration.zeroDbm0Amplitude
        let margin = DTMFDetector.Configuration.levelMarginDb
        func amplitude2(dbm0: Double) -> Double { a0 * a0 * pow(10, dbm0 / 10) }
        minimumAmplitude2 = amplitude2(dbm0: configuration.levelRangeDbm0.lowerBound - margin)
        maximumAmplitude2 = amplitude2(dbm0: configuration.levelRangeDbm0.upperBound + margin)
        screenLevelAmplitude2 = minimumAmplitude2 * pow(10, -3.0 / 10)
        normalTwist = pow(10, configuration.maximumNormalTwistDb / 10)
        reverseTwist = pow(10, configuration.maximumReverseTwistDb / 10)
        screenNormalTwist = normalTwist * pow(10, 2.0 / 10)
        screenReverseTwist = reverseTwist * pow(10, 2.0 / 10)
        energyShare = configuration.minimumToneEnergyShare
        energyRipple = Float(pow(10, configuration.maximumEnergyRippleDb / 10))
        let ends = SIMD4<Int>(1, 2, 3, 4) &* blockLength / 4
        quarterLengths = SIMD4<Float>(Float(ends[0]), Float(ends[1] - ends[0]), Float(ends[2] - ends[1]), Float(ends[3] - ends[2]))
        maximumDeviation = configuration.maximumFrequencyDeviationPercent / 100
        groupRejection = pow(10, -configuration.minimumGroupRejectionDb / 10)
        harmonicRejection = pow(10, -configuration.minimumHarmonicRejectionDb / 10)
        // A filter's |P|^2 is at most N times the block's energy E (Cauchy-Schwarz), so a tone's
        // amplitude^2 as the screen reads it, 4 |P|^2 / N^2, is at most 4 E / N. Below the screen's
        // floor by that bound, with 3 dB to spare for the filters' float rounding: -53 dBFS RMS at the
        // default -36 dBm0 lowest level, the line's silence and quiet noise.
        quietBlockEnergy = skipsQuietBlocks ? screenLevelAmplitude2 * n / 4 / 2 : 0
        block = [Int16](repeating: 0, count: blockLength)
    }

    /// True when a whole block has been consumed and `finishBlock` must run before more samples.
    var isBlockComplete: Bool { fill == blockLength }

    /// Takes `samples[start...]` into the block up to the next quarter-block boundary, summing their
    /// energy, and returns how many samples were consumed (at least one when any remain).
    @inline(__always)
    mutating func consume(_ samples: UnsafeBufferPointer<Int16>, from start: Int) -> Int {
        let end = (quarter + 1) * blockLength / 4
        let take = min(end - fill, samples.count - start)
        var e: Float = 0
        let offset = fill - start
        block.withUnsafeMutableBufferPointer { block in
            for index in start..<(start + take) {
                let sample = samples[index]
                block[offset + index] = sample
                let x = Float(sample)
                e += x * x
            }
        }
        quarterEnergy[quarter] += e
        fill += take
        if fill == end { quarter += 1 }
        return take
    }

    /// Runs the sixteen Goertzel filters over the whole block, keeping the fundamentals' states at
    /// the half block.
    private mutating func runFilters() {
        var a = SIMD16<Float>(), b = SIMD16<Float>()
        let c = coefficients
        block.withUnsafeBufferPointer { block in
            for index in 0..<halfLength {
                let next = c * a + (SIMD16(repeating: Float(block[index])) - b)
                b = a
                a = next
            }
            halfS1 = a.lowHalf
            halfS2 = b.lowHalf
            for index in halfLength..<blockLength {
                let next = c * a + (SIMD16(repeating: Float(block[index])) - b)
                b = a
                a = next
            }
        }
        s1 = a
        s2 = b
    }

    /// Decides on the completed block and starts the next one. A block that screens as `heldDigit`
    /// (a key already reported and still held, where only screening matters) skips the tone model.
    mutating func finishBlock(heldDigit: DTMFDigit?) -> Verdict {
        defer { clearBlock() }
        // Too quiet for any tone to pass the level screen: the verdict the filters would give, without
        // them. (The previous block's DFT values are only read after a block that screened as a pair.)
        if Double(quarterEnergy.sum()) < quietBlockEnergy {
            previousPair = -1
            return Verdict(digit: nil, confirmed: false, rejection: .level, quiet: true)
        }
        runFilters()
        let n = Double(blockLength)
        let a = SIMD8<Double>(s1.lowHalf), b = SIMD8<Double>(s2.lowHalf)
        let re = a * cosLast - b * cosFull
        let im = b * sinFull - a * sinLast
        let power = re * re + im * im
        let previousRe = self.previousRe, previousIm = self.previousIm, previousPair = self.previousPair
        self.previousRe = re
        self.previousIm = im
        self.previousPair = -1

        var row = 0, column = 4
        for lane in 1..<4 where power[lane] > power[row] { row = lane }
        for lane in 5..<8 where power[lane] > power[column] { column = lane }
        let rowPower = power[row], columnPower = power[column]

        // Screening. Raw amplitude^2 of a tone from its filter: (2|P|/N)^2.
        let toAmplitude2 = 4 / (n * n)
        if min(rowPower, columnPower) * toAmplitude2 < screenLevelAmplitude2 {
            return Verdict(digit: nil, confirmed: false, rejection: .level)
        }
        if rowPower > columnPower * screenNormalTwist || columnPower > rowPower * screenReverseTwist {
            return Verdict(digit: nil, confirmed: false, rejection: .twist)
        }
        // A sine of amplitude A gives |P|^2 = (A N / 2)^2 and block energy N A^2 / 2.
        if (rowPower + columnPower) * 2 / n < energyShare * Double(quarterEnergy.sum()) {
            return Verdict(digit: nil, confirmed: false, rejection: .energyShare)
        }
        // Steady energy across the block's quarters: a tone that fills only part of the block (or
        // speech) varies; two steady tones vary by under +/-0.8 dB (their beat).
        let meanSquares = quarterEnergy / quarterLengths
        if meanSquares.max() > meanSquares.min() * energyRipple {
            return Verdict(digit: nil, confirmed: false, rejection: .unsteadyEnergy)
        }
        let pair = row * 4 + (column - 4)
        self.previousPair = pair
        let digit = DTMFDigit(row: row, column: column - 4)
        guard digit != heldDigit, previousPair == pair else {
            return Verdict(digit: digit, confirmed: false, rejection: nil)
        }

        // Tone model. Frequency offsets (rad/sample) from the phase advance over one block.
        let rowHalves = halves(lane: row, re: re[row], im: im[row])
        let columnHalves = halves(lane: column, re: re[column], im: im[column])
        let rowTotal = Phasor(re[row], im[row]), columnTotal = Phasor(re[column], im[column])
        let rowOffset = frequencyOffset(lane: row, total: rowTotal, previous: Phasor(previousRe[row], previousIm[row]),
                                        halves: rowHalves)
        let columnOffset = frequencyOffset(lane: column, total: columnTotal,
                                           previous: Phasor(previousRe[column], previousIm[column]), halves: columnHalves)
        if abs(rowOffset) > maximumDeviation * omega[row] || abs(columnOffset) > maximumDeviation * omega[column] {
            return Verdict(digit: digit, confirmed: false, rejection: .frequency)
        }
        let rowOmega = omega[row] + rowOffset, columnOmega = omega[column] + columnOffset
        // Solve P_row = ar D(rowOmega - w_row) + ac D(columnOmega - w_row), and the same at w_column.
        let m11 = kernel(rowOffset), m12 = kernel(columnOmega - omega[row])
        let m21 = kernel(rowOmega - omega[column]), m22 = kernel(columnOffset)
        let determinant = m11 * m22 - m12 * m21
        guard determinant.norm2 > 1e-12 else {
            return Verdict(digit: digit, confirmed: false, rejection: .frequency)
        }
        let rowAmplitude = (rowTotal * m22 - m12 * columnTotal) / determinant
        let columnAmplitude = (m11 * columnTotal - m21 * rowTotal) / determinant
        // The model's tones are A/2 e^{j...}: A^2 = 4 |amplitude|^2.
        let rowA2 = 4 * rowAmplitude.norm2, columnA2 = 4 * columnAmplitude.norm2
        if min(rowA2, columnA2) < minimumAmplitude2 || max(rowA2, columnA2) > maximumAmplitude2 {
            return Verdict(digit: digit, confirmed: false, rejection: .level)
        }
        if rowA2 > columnA2 * normalTwist || columnA2 > rowA2 * reverseTwist {
            return Verdict(digit: digit, confirmed: false, rejection: .twist)
        }
        // No other tone in either group beyond what the pair leaks there.
        for lane in 0..<8 where lane != row && lane != column {
            let model = rowAmplitude * kernel(rowOmega - omega[lane]) + columnAmplitude * kernel(columnOmega - omega[lane])
            let residual = Phasor(re[lane], im[lane]) - model
            if residual.norm2 > (lane < 4 ? rowPower : columnPower) * groupRejection {
                return Verdict(digit: digit, confirmed: false, rejection: .otherToneInGroup)
            }
        }
        // Second harmonics (lanes 8-15), less the pair's leakage there.
        for lane in 0..<8 where lane == row || lane == column {
            let h1 = Double(s1[lane + 8]), h2 = Double(s2[lane + 8])
            let harmonic = Phasor(h1 * cosHarmonicLast[lane] - h2 * cosHarmonicFull[lane],
                                  h2 * sinHarmonicFull[lane] - h1 * sinHarmonicLast[lane])
            let harmonicOmega = 2 * omega[lane]
            let model = rowAmplitude * kernel(rowOmega - harmonicOmega) + columnAmplitude * kernel(columnOmega - harmonicOmega)
            if (harmonic - model).norm2 > power[lane] * harmonicRejection {
                return Verdict(digit: digit, confirmed: false, rejection: .secondHarmonic)
            }
        }
        return Verdict(digit: digit, confirmed: true, rejection: nil)
    }

    /// Forgets the running block and the previous block.
    mutating func reset() {
        clearBlock()
        previousPair = -1
    }

    private mutating func clearBlock() {
        quarterEnergy = .zero
        quarter = 0
        fill = 0
    }

    /// DFT values of the block's two halves at `lane`, both referenced to the block start.
    private func halves(lane: Int, re: Double, im: Double) -> (first: Phasor, second: Phasor) {
        let h1 = Double(halfS1[lane]), h2 = Double(halfS2[lane])
        let first = Phasor(h1 * cosHalfLast[lane] - h2 * cosHalf[lane], h2 * sinHalf[lane] - h1 * sinHalfLast[lane])
        return (first, Phasor(re, im) - first)
    }

    /// The tone's offset from the filter frequency in rad/sample: the phase advance between two
    /// consecutive blocks (precise, but ambiguous by 2 pi / N), unwrapped with the phase advance
    /// between the block's halves (coarse, unambiguous over the filter's main lobe).
    private func frequencyOffset(lane: Int, total: Phasor, previous: Phasor,
                                 halves: (first: Phasor, second: Phasor)) -> Double {
        let n = Double(blockLength)
        let coarse = (halves.second * halves.first.conjugate).angle / Double(halfLength)
        let expected = Phasor(cosFull[lane], -sinFull[lane])
        let fine = (total * previous.conjugate * expected).angle / n
        let step = 2 * Double.pi / n
        return fine + ((coarse - fine) / step).rounded() * step
    }

    /// Sum over the block of e^{j delta k}: how a tone `delta` rad/sample away shows in a filter.
    private func kernel(_ delta: Double) -> Phasor {
        let n = Double(blockLength)
        let denominator = sin(delta / 2)
        let magnitude = abs(denominator) < 1e-12 ? n : sin(n * delta / 2) / denominator
        let phase = delta * (n - 1) / 2
        return Phasor(magnitude * cos(phase), magnitude * sin(phase))
    }
}

/// A complex number, just enough for the tone model.
private struct Phasor {
    var re: Double
    var im: Double
    init(_ re: Double, _ im: Double) {
        self.re = re
        self.im = im
    }
    var norm2: Double { re * re + im * im }
    var conjugate: Phasor { Phasor(re, -im) }
    var angle: Double { atan2(im, re) }
    static func + (l: Phasor, r: Phasor) -> Phasor { Phasor(l.re + r.re, l.im + r.im) }
    static func - (l: Phasor, r: Phasor) -> Phasor { Phasor(l.re - r.re, l.im - r.im) }
    static func * (l: Phasor, r: Phasor) -> Phasor { Phasor(l.re * r.re - l.im * r.im, l.re * r.im + l.im * r.re) }
    static func / (l: Phasor, r: Phasor) -> Phasor {
        let d = r.norm2
        return Phasor((l.re * r.re + l.im * r.im) / d, (l.im * r.re - l.re * r.im) / d)
    }
}
