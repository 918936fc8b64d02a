/// The inner loops of `PolyphaseResampler`: one FIR phase over 8 consecutive outputs, and the rounding
/// of float results to PCM16. No allocation, no dispatch.
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
    ///
    /// Out of line on purpose: inlined into the phase loops (as whole-module optimization does with
    /// `@inline(__always)`), LLVM merged the overlapping loads of neighbouring taps into shuffles and
    /// spilled the accumulators, about twice the instructions (callgrind, 8<->24 kHz: 73,000 against
    /// 35,000 per frame). Alone it is 8 instructions a tap (broadcast, 2 loads, 2 multiplies, 2 adds); the
    /// call costs a few per 55 taps.
    @inline(never)
    static func filter8(_ taps: UnsafePointer<Float>, count: Int, newest: UnsafePointer<Float>) -> SIMD8<Float> {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        var q = 0
        while q &+ 4 <= count {
            let x = newest - q
            a0 += SIMD8(repeating: taps[q]) * UnsafeRawPointer(x).loadUnaligned(as: SIMD8<Float>.self)
            a1 += SIMD8(repeating: taps[q &+ 1]) * UnsafeRawPointer(x - 1).loadUnaligned(as: SIMD8<Float>.self)
            a2 += SIMD8(repeating: taps[q &+ 2]) * UnsafeRawPointer(x - 2).loadUnaligned(as: SIMD8<Float>.self)
            a3 += SIMD8(repeating: taps[q &+ 3]) * UnsafeRawPointer(x - 3).loadUnaligned(as: SIMD8<Float>.self)
            q &+= 4
        }
        while q < count {
            a0 += SIMD8(repeating: taps[q]) * UnsafeRawPointer(newest - q).loadUnaligned(as: SIMD8<Float>.self)
            q &+= 1
        }
        return (a0 + a1) + (a2 + a3)
    }

    /// Writes `values` rounded to the nearest integer (ties to even) and saturated at -32768...32767.
    /// Clamped first, a value plus 1.5 * 2^23 is a float whose low mantissa bits are the rounded integer
    /// (the float unit rounds the sum), read back by subtracting that constant's bit pattern: no libm
    /// call (baseline x86-64 has no rounding instruction) and no branch.
    @inline(__always)
    static func roundAndSaturate(_ values: UnsafePointer<Float>, count: Int, into output: UnsafeMutablePointer<Int16>) {
        let magic: Float = 12_582_912  // 1.5 * 2^23
        for k in 0..<count {
            var v = values[k]
            v = v < -32768 ? -32768 : v
            v = v > 32767 ? 32767 : v
            output[k] = Int16(truncatingIfNeeded: Int32(bitPattern: (v + magic).bitPattern) &- Int32(bitPattern: magic.bitPattern))
        }
    }
}
