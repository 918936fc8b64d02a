#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A linear-phase lowpass FIR made by the window method: an ideal (sinc) lowpass cut off halfway
/// through the transition band, times a Kaiser window whose shape `beta` trades transition width for
/// stopband attenuation (J. F. Kaiser, "Nonrecursive digital filter design using the I0-sinh window
/// function", 1974; Oppenheim & Schafer, Discrete-Time Signal Processing, section 7.5.3).
///
/// Kaiser's empirical formulas, for a filter of `taps` coefficients whose band edges are `transition`
/// apart (cycles per sample):
/// - attenuation `A = 7.95 + 14.36 * transition * (taps - 1)` dB, in the stopband and as passband ripple
///   alike (the window method gives both bands the same ripple `delta = 10^(-A/20)`);
/// - `beta = 0.1102 (A - 8.7)` for `A > 50` dB, `0.5842 (A - 21)^0.4 + 0.07886 (A - 21)` for 21...50 dB.
/// They predict the measured figures within about 0.5 dB (PolyphaseResamplerTests measures them).
///
/// Computed once, in Double, when a converter is made; never on the per-frame path.
struct KaiserLowpass {
    /// Filter length; odd, so the centre tap `taps / 2` makes the delay a whole number of samples.
    let taps: Int
    /// Last frequency that must pass (cycles per sample, 0..<0.5).
    let passbandEdge: Double
    /// First frequency that must be stopped (cycles per sample, above `passbandEdge`).
    let stopbandEdge: Double
    /// Stopband attenuation (dB) and the Kaiser window shape it calls for, by Kaiser's formulas.
    let estimatedAttenuationDb: Double
    let beta: Double
    /// The impulse response, symmetric around `taps / 2`, scaled so the coefficients sum to `gain`.
    let coefficients: [Double]

    /// Designs the filter. `gain`: its gain at 0 Hz (an upsampler by L needs L: zero-stuffing leaves
    /// only 1/L of the signal's energy in each output sample).
    init(taps: Int, passbandEdge: Double, stopbandEdge: Double, gain: Double = 1) {
        precondition(taps % 2 == 1 && taps >= 3, "KaiserLowpass: taps must be odd and at least 3, not \(taps)")
        precondition(0 < passbandEdge && passbandEdge < stopbandEdge && stopbandEdge <= 0.5,
                     "KaiserLowpass: need 0 < passband edge < stopband edge <= 0.5")
        self.taps = taps
        self.passbandEdge = passbandEdge
        self.stopbandEdge = stopbandEdge
        let attenuation = 7.95 + 14.36 * (stopbandEdge - passbandEdge) * Double(taps - 1)
        let shape = Self.beta(forAttenuationDb: attenuation)
        estimatedAttenuationDb = attenuation
        beta = shape
        let cutoff = (passbandEdge + stopbandEdge) / 2  // the ideal lowpass's edge: -6 dB
        let centre = taps / 2
        let windowScale = 1 / Self.besselI0(shape)
        var h = (0..<taps).map { k -> Double in
            let n = Double(k - centre)
            let ratio = n / Double(centre)
            let window = Self.besselI0(shape * (1 - ratio * ratio).squareRoot()) * windowScale
            let sinc = n == 0 ? 2 * cutoff : sin(2 * .pi * cutoff * n) / (.pi * n)
            return sinc * window
        }
        let sum = h.reduce(0, +)
        for k in h.indices { h[k] *= gain / sum }
        coefficients = h
    }

    /// Kaiser's window shape for a stopband attenuation of `attenuation` dB.
    static func beta(forAttenuationDb attenuation: Double) -> Double {
        if attenuation > 50 { return 0.1102 * (attenuation - 8.7) }
        if attenuation >= 21 { return 0.5842 * pow(attenuation - 21, 0.4) + 0.07886 * (attenuation - 21) }
        return 0
    }

    /// The zeroth-order modified Bessel function of the first kind, by its power series
    /// `sum ((x/2)^k / k!)^2`, summed until a term no longer changes the total.
    static func besselI0(_ x: Double) -> Double {
        var sum = 1.0, term = 1.0, k = 1.0
        let half = x / 2
        while term > sum * 1e-17 {
            term *= (half / k) * (half / k)
            sum += term
            k += 1
        }
        return sum
    }

    /// The filter's gain at `frequency` (cycles per sample), relative to its gain at 0 Hz. The filter is
    /// symmetric, so this is the real amplitude `h[c] + 2 sum h[c + n] cos(2 pi f n)` (c the centre)
    /// up to sign; returned as a magnitude.
    func relativeMagnitude(atFrequency frequency: Double) -> Double {
        let centre = taps / 2
        var amplitude = coefficients[centre]
        for n in 1...centre {
            amplitude += 2 * coefficients[centre + n] * cos(2 * .pi * frequency * Double(n))
        }
        let dc = coefficients.reduce(0, +)
        return abs(amplitude / dc)
    }
}
