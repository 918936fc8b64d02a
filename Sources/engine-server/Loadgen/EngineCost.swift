/// What the calls cost the engine process, from the load test's timeline of its CPU time and resident
/// memory against the number of calls in progress.
///
/// - CPU-seconds per call-second: engine CPU time over the calls' total duration (the active-call count
///   integrated over time), over the whole run and over the plateau (intervals with at least 90 % of
///   the peak number of calls in progress, where start-up and ramp effects are smallest).
/// - Memory per call: the slope of a least-squares line of RSS against calls in progress, over the ramp
///   up to the peak (memory the allocator keeps after calls end makes the ramp-down useless).
struct EngineCost: Sendable, Codable, Equatable {
    var cpuSecondsPerCallSecond: Double?
    var cpuSecondsPerCallSecondAtPlateau: Double?
    /// Calls in progress on the plateau (mean).
    var plateauCalls: Double?
    var memoryPerCallKB: Double?
    var baselineRSSMB: Double?
    var peakRSSMB: Double?
    var peakCPUPercent: Double?

    /// Computes the figures from `timeline` (nil fields when the timeline has no engine samples).
    init(timeline: [TimelinePoint]) {
        let samples = timeline.compactMap { p -> (t: Double, active: Double, cpu: Double, rss: Double)? in
            guard let cpu = p.engineCPUSeconds, let rss = p.engineRSSBytes else { return nil }
            return (p.t, Double(p.activeCalls), cpu, Double(rss))
        }
        guard samples.count >= 2, let first = samples.first else { return }
        baselineRSSMB = first.rss / 1_048_576
        peakRSSMB = samples.map(\.rss).max().map { $0 / 1_048_576 }
        peakCPUPercent = timeline.compactMap(\.engineCPUPercent).max()
        let peak = samples.map(\.active).max() ?? 0
        var cpu = 0.0, callSeconds = 0.0, plateauCPU = 0.0, plateauCallSeconds = 0.0, plateauTime = 0.0
        for (a, b) in zip(samples, samples.dropFirst()) {
            let dt = b.t - a.t
            guard dt > 0 else { continue }
            let calls = (a.active + b.active) / 2 * dt
            cpu += b.cpu - a.cpu
            callSeconds += calls
            if peak > 0, a.active >= 0.9 * peak, b.active >= 0.9 * peak {
                plateauCPU += b.cpu - a.cpu
                plateauCallSeconds += calls
                plateauTime += dt
            }
        }
        if callSeconds > 0 { cpuSecondsPerCallSecond = cpu / callSeconds }
        if plateauCallSeconds > 0 {
            cpuSecondsPerCallSecondAtPlateau = plateauCPU / plateauCallSeconds
            plateauCalls = plateauCallSeconds / plateauTime
        }
        if let peakIndex = samples.firstIndex(where: { $0.active == peak }) {
            let ramp = samples[...peakIndex]
            memoryPerCallKB = Self.slope(ramp.map { ($0.active, $0.rss) }).map { $0 / 1024 }
        }
    }

    /// Least-squares slope of y over x; nil with fewer than 3 points or no spread in x.
    static func slope(_ points: [(x: Double, y: Double)]) -> Double? {
        guard points.count >= 3 else { return nil }
        let n = Double(points.count)
        let meanX = points.reduce(0) { $0 + $1.x } / n
        let meanY = points.reduce(0) { $0 + $1.y } / n
        let sxx = points.reduce(0) { $0 + ($1.x - meanX) * ($1.x - meanX) }
        guard sxx > 0 else { return nil }
        return points.reduce(0) { $0 + ($1.x - meanX) * ($1.y - meanY) } / sxx
    }
}
