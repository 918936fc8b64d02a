import Foundation
import MediaEngine
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Samples a running load test once a second: the generator's totals, the engine's CPU and memory (when
/// its process is known) and the generator's own, into a timeline; and keeps a progress line on stderr
/// (redrawn in place on a terminal, one line every 10 s otherwise).
final class LoadMonitor: Sendable {
    let collector: LoadCollector
    let engine: ProcessSampler?
    /// The generator's own process (nil when it is the engine's, in-process).
    let generator: ProcessSampler?
    let showProgress: Bool
    private let points = Mutex<[TimelinePoint]>([])

    init(collector: LoadCollector, engine: ProcessSampler?, generator: ProcessSampler?, showProgress: Bool) {
        self.collector = collector
        self.engine = engine
        self.generator = generator
        self.showProgress = showProgress
    }

    /// The timeline so far.
    var timeline: [TimelinePoint] { points.withLock { $0 } }

    /// Samples every `intervalSeconds` from `startNs` until cancelled.
    func run(startNs: UInt64, intervalSeconds: Double = 1) async {
        let terminal = isatty(STDERR_FILENO) == 1
        var tick: UInt64 = 0
        sample(startNs: startNs)
        while !Task.isCancelled {
            tick += 1
            let due = startNs + UInt64(Double(tick) * intervalSeconds * 1e9)
            let now = MonotonicClock.nowNs()
            if due > now {
                do { try await Task.sleep(nanoseconds: due - now) } catch { break }
            }
            let point = sample(startNs: startNs)
            if showProgress, terminal || tick % 10 == 0 { printProgress(point, terminal: terminal) }
        }
        sample(startNs: startNs)
        if showProgress, terminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    @discardableResult
    private func sample(startNs: UInt64) -> TimelinePoint {
        let p = collector.progress
        let engineSample = engine?.sample()
        let generatorSample = generator?.sample()
        let t = Double(MonotonicClock.nowNs() - startNs) / 1e9
        var point = TimelinePoint(t: t, activeCalls: p.active, finishedCalls: p.finished, failedCalls: p.failed,
                                  lateFrames: p.late, missingFrames: p.missing, turnP95Ms: p.turnP95, bargeInP95Ms: p.bargeInP95,
                                  engineCPUSeconds: engineSample?.cpuSeconds, engineRSSBytes: engineSample?.rssBytes,
                                  generatorCPUSeconds: generatorSample?.cpuSeconds, generatorRSSBytes: generatorSample?.rssBytes)
        points.withLock { list in
            if let previous = list.last, t - previous.t >= 0.5 {  // shorter intervals: tick-granular CPU times are noise
                let dt = t - previous.t
                if let now = point.engineCPUSeconds, let before = previous.engineCPUSeconds { point.engineCPUPercent = 100 * (now - before) / dt }
                if let now = point.generatorCPUSeconds, let before = previous.generatorCPUSeconds {
                    point.generatorCPUPercent = 100 * (now - before) / dt
                }
            }
            list.append(point)
        }
        return point
    }

    private func printProgress(_ point: TimelinePoint, terminal: Bool) {
        var line = String(format: "[%6.1f s] calls active %d, done %d, failed %d | turn p95 %.0f ms, barge-in p95 %.0f ms | late %d, missing %d",
                          point.t, point.activeCalls, point.finishedCalls, point.failedCalls, point.turnP95Ms, point.bargeInP95Ms,
                          point.lateFrames, point.missingFrames)
        if let cpu = point.engineCPUPercent { line += String(format: " | engine CPU %.0f%%", cpu) }
        if let rss = point.engineRSSBytes { line += String(format: ", RSS %.0f MB", Double(rss) / 1_048_576) }
        if let cpu = point.generatorCPUPercent { line += String(format: " | generator CPU %.0f%%", cpu) }
        FileHandle.standardError.write(Data((terminal ? "\r\u{1B}[K" + line : line + "\n").utf8))
    }
}

/// One second of a load test.
struct TimelinePoint: Sendable, Codable, Equatable {
    /// Seconds since the start.
    var t: Double
    var activeCalls: Int
    var finishedCalls: Int
    var failedCalls: Int
    var lateFrames: Int
    var missingFrames: Int
    var turnP95Ms: Double
    var bargeInP95Ms: Double
    /// Cumulative CPU time (s) and resident memory (bytes) of the engine process and of the generator's
    /// own; the CPU percentages are over the interval before the point (100 % = one core).
    var engineCPUSeconds: Double?
    var engineRSSBytes: Int?
    var generatorCPUSeconds: Double?
    var generatorRSSBytes: Int?
    var engineCPUPercent: Double?
    var generatorCPUPercent: Double?
}
