/// Level measurements on PCM16 audio, shared by the detectors.
public enum AudioLevel {
    /// Mean power of the samples relative to a full-scale square wave (dBFS); -120 for silence.
    public static func dbfs(_ samples: UnsafeBufferPointer<Int16>) -> Double {
        guard !samples.isEmpty else { return -120 }
        var sum: Double = 0
        for s in samples {
            let x = Double(s)
            sum += x * x
        }
        return powerToDbfs(sum / Double(samples.count))
    }

    /// Converts a mean-square sample power (in PCM16 units squared) to dBFS, floored at -120.
    @inline(__always)
    public static func powerToDbfs(_ meanSquare: Double) -> Double {
        let fullScale = 32768.0 * 32768.0
        guard meanSquare > 0 else { return -120 }
        return max(-120, 10 * log10(meanSquare / fullScale))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
