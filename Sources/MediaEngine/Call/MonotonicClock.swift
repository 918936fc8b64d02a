#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The engine's time source for pacing, marks and latency figures: monotonic nanoseconds that never
/// jump with wall-clock changes. Calls take a clock function so tests can drive time themselves.
public enum MonotonicClock {
    /// Now, in nanoseconds since an arbitrary fixed point (boot).
    @inline(__always)
    public static func nowNs() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
