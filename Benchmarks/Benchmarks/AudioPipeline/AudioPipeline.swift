import Benchmark
import MediaEngine

let benchmarks: @Sendable () -> Void = {
    Benchmark("mu-law decode 20 ms", configuration: .init(metrics: [.wallClock, .mallocCountTotal])) { benchmark in
        let input = [UInt8](repeating: 0x55, count: 160)
        var output = [Int16](repeating: 0, count: 160)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            input.withUnsafeBufferPointer { i in output.withUnsafeMutableBufferPointer { o in MuLaw.decode(i, into: o) } }
        }
        blackHole(output)
    }
}
