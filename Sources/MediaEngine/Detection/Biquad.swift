#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A second-order IIR filter section (RBJ "Audio EQ Cookbook" designs), direct form I.
///
/// The detectors use a few of these per frame instead of an FFT: five multiply-adds per sample, no
/// allocation, state carried across frames so band energies are continuous at frame boundaries.
/// Direct form I is used because only one multiply and one subtraction sit on the feedback path from
/// one output to the next (the rest can be computed ahead), which keeps the per-sample latency low.
struct Biquad: Sendable {
    private var b0: Double
    private var b1: Double
    private var b2: Double
    private var a1: Double
    private var a2: Double
    private var x1 = 0.0
    private var x2 = 0.0
    private var y1 = 0.0
    private var y2 = 0.0

    private init(b0: Double, b1: Double, b2: Double, a0: Double, a1: Double, a2: Double) {
        self.b0 = b0 / a0
        self.b1 = b1 / a0
        self.b2 = b2 / a0
        self.a1 = a1 / a0
        self.a2 = a2 / a0
    }

    /// Passes the signal through unchanged (for a stage a sample rate does not need).
    static let identity = Biquad(b0: 1, b1: 0, b2: 0, a0: 1, a1: 0, a2: 0)

    /// Second-order high-pass at `cutoffHz` (-3 dB for the default Butterworth `q`).
    static func highPass(cutoffHz: Double, sampleRate: Int, q: Double = 0.5.squareRoot()) -> Biquad {
        let w = 2 * Double.pi * cutoffHz / Double(sampleRate)
        let alpha = sin(w) / (2 * q)
        let c = cos(w)
        return Biquad(b0: (1 + c) / 2, b1: -(1 + c), b2: (1 + c) / 2, a0: 1 + alpha, a1: -2 * c, a2: 1 - alpha)
    }

    /// Second-order low-pass at `cutoffHz` (-3 dB for the default Butterworth `q`).
    static func lowPass(cutoffHz: Double, sampleRate: Int, q: Double = 0.5.squareRoot()) -> Biquad {
        let w = 2 * Double.pi * cutoffHz / Double(sampleRate)
        let alpha = sin(w) / (2 * q)
        let c = cos(w)
        return Biquad(b0: (1 - c) / 2, b1: 1 - c, b2: (1 - c) / 2, a0: 1 + alpha, a1: -2 * c, a2: 1 - alpha)
    }

    /// Filters one sample.
    @inline(__always)
    mutating func process(_ x: Double) -> Double {
        let ahead = b0 * x + b1 * x1 + b2 * x2 - a2 * y2
        let y = ahead - a1 * y1
        x2 = x1
        x1 = x
        y2 = y1
        y1 = y
        return y
    }

    /// Zeroes a state that has decayed to nothing. Call once per frame: after long digital silence the
    /// state would otherwise decay into subnormal numbers, which are very slow on x86.
    @inline(__always)
    mutating func flushDenormals() {
        if abs(y1) < 1e-20 { y1 = 0 }
        if abs(y2) < 1e-20 { y2 = 0 }
    }

    /// Forgets the filter's history.
    mutating func reset() {
        x1 = 0
        x2 = 0
        y1 = 0
        y2 = 0
    }
}
