import Histogram

/// A latency distribution in milliseconds, kept as an HdrHistogram of microseconds, so percentiles are
/// exact to the precision's digits however many values are recorded and histograms merge losslessly.
///
/// The range is set up front (growing only past it): HdrHistogram grows its array with generic code that
/// is not specialised here, and growing a new histogram value by value cost about 4 ms per finished call,
/// stalling every caller on the generator's event loop when calls ended together.
struct LatencyHistogram: Sendable {
    /// How finely values are kept; histograms merge only with their own kind.
    enum Precision: Sendable {
        /// 3 significant digits, up to 10 minutes without growing (about 170 KB): a run's distributions.
        case report
        /// 2 significant digits, up to 60 s without growing (about 20 KB): one call's distributions,
        /// merged into `perCall` totals.
        case perCall
    }

    private(set) var histogram: Histogram<UInt64>

    init(_ precision: Precision = .report) {
        switch precision {
        case .report: histogram = Histogram(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
        case .perCall: histogram = Histogram(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .two)
        }
        histogram.autoResize = true
    }

    /// Records one value (ms). Negative values are recorded as 0 (callers keep signed data elsewhere).
    mutating func record(ms: Double) {
        guard ms.isFinite else { return }
        histogram.record(UInt64((max(0, ms) * 1000).rounded()))
    }

    /// Adds every value of `other`.
    mutating func add(_ other: LatencyHistogram) {
        guard other.count > 0 else { return }
        histogram.add(other.histogram)
    }

    var count: Int { Int(histogram.totalCount) }

    /// The value (ms) at `percentile` (0...100); 0 when empty.
    func percentileMs(_ percentile: Double) -> Double {
        count == 0 ? 0 : Double(histogram.valueAtPercentile(percentile)) / 1000
    }

    var maxMs: Double { count == 0 ? 0 : Double(histogram.maxRecorded) / 1000 }
    var minMs: Double { count == 0 ? 0 : Double(histogram.min) / 1000 }
    var meanMs: Double { histogram.mean / 1000 }

    /// Count, min, p1, p50, p95, p99, max and mean, for tables and JSON.
    var summary: LatencySummary {
        LatencySummary(count: count, min: minMs, p1: percentileMs(1), p50: percentileMs(50), p95: percentileMs(95),
                       p99: percentileMs(99), max: maxMs, mean: count == 0 ? 0 : meanMs)
    }

    /// The cumulative distribution as (ms, percentile) points: one per recorded value level, thinned to
    /// at most `maxPoints` (the last point is always the maximum at 100 %).
    func cdf(maxPoints: Int = 200) -> [CDFPoint] {
        guard count > 0 else { return [] }
        var points: [CDFPoint] = []
        var total: UInt64 = 0
        for value in histogram.recordedValues() {
            total += value.count
            points.append(CDFPoint(ms: Double(histogram.highestEquivalentForValue(value.value)) / 1000,
                                   percentile: 100 * Double(total) / Double(histogram.totalCount)))
        }
        guard points.count > maxPoints, let last = points.last else { return points }
        let stride = Double(points.count) / Double(maxPoints - 1)
        var thinned = (0..<(maxPoints - 1)).map { points[Int(Double($0) * stride)] }
        thinned.append(last)
        return thinned
    }

    /// Counts in `bucketCount` equal-width buckets from the minimum to the 99.9th percentile (values
    /// above go into the last bucket, so an outlier does not squash the plot).
    func buckets(_ bucketCount: Int = 40) -> [HistogramBucket] {
        guard count > 0, bucketCount > 0 else { return [] }
        let low = minMs
        let high = max(percentileMs(99.9), low + 0.001)
        let width = (high - low) / Double(bucketCount)
        var counts = [Int](repeating: 0, count: bucketCount)
        for value in histogram.recordedValues() {
            let ms = Double(histogram.medianEquivalentForValue(value.value)) / 1000
            let index = min(bucketCount - 1, max(0, Int((ms - low) / width)))
            counts[index] += Int(value.count)
        }
        return counts.enumerated().map { i, n in
            HistogramBucket(fromMs: low + Double(i) * width, toMs: low + Double(i + 1) * width, count: n)
        }
    }
}

/// The usual percentiles of one distribution (ms).
struct LatencySummary: Sendable, Codable, Equatable {
    var count: Int
    var min: Double
    /// The low tail matters for margins (how close the playout buffer came to running dry).
    var p1: Double
    var p50: Double
    var p95: Double
    var p99: Double
    var max: Double
    var mean: Double
}

/// One point of a cumulative distribution: `percentile` % of values are at most `ms`.
struct CDFPoint: Sendable, Codable, Equatable {
    var ms: Double
    var percentile: Double
}

/// One bar of a histogram: `count` values in `fromMs..<toMs`.
struct HistogramBucket: Sendable, Codable, Equatable {
    var fromMs: Double
    var toMs: Double
    var count: Int
}
