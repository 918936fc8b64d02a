import Testing
@testable import MediaEngine

@Suite struct SlidingMaximumTests {
    /// The largest value at a time in `now - window ... now`, by scanning everything (the reference).
    static func reference(_ pushed: [(value: Double, atMs: Int)], nowMs: Int, windowMs: Int) -> Double {
        pushed.filter { $0.atMs >= nowMs - windowMs && $0.atMs <= nowMs }.map(\.value).max() ?? -.infinity
    }

    @Test(arguments: [10, 20, 30])
    func matchesAScanOfTheWindow(frameMs: Int) {
        var meter = SlidingMaximum(windowMs: 250)
        var pushed: [(value: Double, atMs: Int)] = []
        var level = -40.0
        for frame in 0..<2_000 {
            let t = frame * frameMs
            // Runs of silence (-inf), falling and rising levels and repeats, as a bot's playback gives.
            switch frame / 50 % 4 {
            case 0: level = -.infinity
            case 1: level = level.isFinite ? level - 0.5 : -20
            case 2: level = Double(frame * 7_919 % 51 - 60)  // scattered, repeatable
            default: level = level.isFinite ? min(-5, level + 0.7) : -50
            }
            meter.push(level, atMs: t)
            pushed.append((level, t))
            #expect(meter.maximum(nowMs: t) == Self.reference(pushed, nowMs: t, windowMs: 250), "at \(t) ms")
            #expect(meter.maximum(nowMs: t + 100) == Self.reference(pushed, nowMs: t + 100, windowMs: 250))
            #expect(meter.maximum(nowMs: t + 300) == Self.reference(pushed, nowMs: t + 300, windowMs: 250))
        }
    }

    @Test func emptyAndResetGiveMinusInfinity() {
        var meter = SlidingMaximum(windowMs: 100)
        #expect(meter.maximum(nowMs: 0) == -.infinity)
        meter.push(-3, atMs: 0)
        #expect(meter.maximum(nowMs: 100) == -3)
        #expect(meter.maximum(nowMs: 101) == -.infinity, "out of the window")
        meter.reset()
        #expect(meter.maximum(nowMs: 0) == -.infinity)
    }

    @Test func framesShorterThanTheSizingForgetTheOldestEarly() {
        var meter = SlidingMaximum(windowMs: 100, minimumFrameMs: 20)  // room for 7 entries
        for t in 0..<20 { meter.push(Double(-t), atMs: t) }  // falling: every entry is kept, 1 ms apart
        #expect(meter.maximum(nowMs: 19) == -13, "the 7 newest remain")
    }
}
