/// The largest value pushed within the last `windowMs` of media time (a peak meter with a hold).
///
/// Entries live in a ring allocated once at init, sized for frames of at least `minimumFrameMs`; with
/// shorter frames the oldest entries of the window are dropped early (the maximum is then taken over
/// the most recent `capacity` frames). `push` and `maximum` do not allocate.
struct SlidingMaximum: Sendable {
    private var values: [Double]
    private var timesMs: [Int]
    private var next = 0
    private var count = 0
    let windowMs: Int

    init(windowMs: Int, minimumFrameMs: Int = 10) {
        self.windowMs = max(0, windowMs)
        let capacity = self.windowMs / max(1, minimumFrameMs) + 2
        values = [Double](repeating: -.infinity, count: capacity)
        timesMs = [Int](repeating: .min, count: capacity)
    }

    /// Records `value` for the frame at media time `atMs` (frames in time order).
    mutating func push(_ value: Double, atMs: Int) {
        values[next] = value
        timesMs[next] = atMs
        next = next + 1 == values.count ? 0 : next + 1
        count = min(count + 1, values.count)
    }

    /// The largest value pushed at a time in `nowMs - windowMs ... nowMs`; -infinity if none.
    func maximum(nowMs: Int) -> Double {
        var result = -Double.infinity
        let oldest = nowMs - windowMs
        for i in 0..<count where timesMs[i] >= oldest && values[i] > result {
            result = values[i]
        }
        return result
    }

    mutating func reset() {
        for i in values.indices { values[i] = -.infinity; timesMs[i] = .min }
        next = 0
        count = 0
    }
}
