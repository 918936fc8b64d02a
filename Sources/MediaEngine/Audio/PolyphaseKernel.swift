/// The inner loops of `PolyphaseResampler`: one FIR phase over 8 consecutive outputs, and the rounding
/// of float results to PCM16. Inlined into the converter; no allocation, no dispatch.
///
/// Vectorizing across outputs instead of across taps means each tap is one broadcast, one unaligned
/// 8-sample load and one multiply-add, with no horizontal sum per output; on the baseline x86-64 target
/// (SSE2, which the package builds for) a `SIMD8<Float>` is two SSE registers, and four accumulators keep
/// the adds independent. The caller guarantees that 8 samples may be read at `newest` (its buffers carry
/// `width` floats of slack; lanes past its valid data are computed and dropped).
enum PolyphaseKernel {
    /// Outputs computed at once.
    static let width = 8

    /// `sum over q in 0..<count of taps[q] * x[n - q]` for the 8 outputs `n = 0...7`, where `newest[n]`
    /// is `x[n]` and the `count - 1` samples before `newest` are the history.
    @inline(__always)
    static func filter8(_ taps: UnsafePointer<Float>, count: Int, newest: UnsafePointer<Float>) -> SIMD8<Float> {
        let x = UnsafeRawPointer(newest)
        let stride = MemoryLayout<Float>.stride
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        var q = 0
        while q + 4 <= count {
            a0 += SIMD8(repeating: taps[q]) * x.loadUnaligned(fromByteOffset: -stride * q, as: SIMD8<Float>.self)
            a1 += SIMD8(repeating: taps[q + 1]) * x.loadUnaligned(fromByteOffset: -stride * (q + 1), as: SIMD8<Float>.self)
            a2 += SIMD8(repeating: taps[q + 2]) * x.loadUnaligned(fromByteOffset: -stride * (q + 2), as: SIMD8<Float>.self)
            a3 += SIMD8(repeating: taps[q + 3]) * x.loadUnaligned(fromByteOffset: -stride * (q + 3), as: SIMD8<Float>.self)
            q += 4
        }
        while q < count {
            a0 += SIMD8(repeating: taps[q]) * x.loadUnaligned(fromByteOffset: -stride * q, as: SIMD8<Float>.self)
            q += 1
        }
        return (a0 + a1) + (a2 + a3)
    }

    /// Writes `values` rounded to the nearest integer (halves away from zero) and saturated at
    /// -32768...32767. Clamping first keeps the conversion in range; adding +-0.5 and truncating rounds
    /// without a libm call (baseline x86-64 has no rounding instruction).
    @inline(__always)
    static func roundAndSaturate(_ values: UnsafePointer<Float>, count: Int, into output: UnsafeMutablePointer<Int16>) {
        for k in 0..<count {
            let clamped = min(max(values[k], -32768), 32767)
            output[k] = Int16(clamped + (clamped < 0 ? -0.5 : 0.5))
        }
    }
}
