import Foundation
import Logging
import MediaEngine

/// Places a load test's calls: arrivals at `ratePerSecond`, never more than `concurrency` at once,
/// `calls` in all, each running a scenario drawn from the mix, and everything bounded by the hard stop
/// (`durationSeconds` after the start: no call starts later, calls in progress hang up then, and a call
/// that does not end within a grace period after it is abandoned as failed).
struct LoadGenerator: Sendable {
    let plan: LoadPlan
    /// Where the engine's webhook is, and the public URL its signatures are checked against.
    let engineURL: String
    let publicURL: String
    /// The called number and its tenant's auth token, by language ("he", "en").
    let lines: [String: (number: String, authToken: String)]
    let clips: LoadClips
    let collector: LoadCollector
    let logger: Logger

    /// Seconds a call may take past the hard stop to hang up before it is abandoned.
    static let graceSeconds = 10.0

    /// Runs the plan; returns when every call has ended (at most the duration plus the grace period).
    func run(startNs: UInt64 = MonotonicClock.nowNs()) async {
        let hardStopNs = startNs + UInt64(plan.durationSeconds * 1e9)
        var random = SplitMix64(seed: plan.seed)
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for index in 0..<plan.calls {
                if plan.ratePerSecond > 0 {
                    let dueNs = startNs + UInt64(Double(index) / plan.ratePerSecond * 1e9)
                    let now = MonotonicClock.nowNs()
                    if dueNs > now { try? await Task.sleep(nanoseconds: min(dueNs, hardStopNs) - now) }
                }
                while running >= plan.concurrency, MonotonicClock.nowNs() < hardStopNs {
                    await group.next()
                    running -= 1
                }
                guard MonotonicClock.nowNs() < hardStopNs else { break }
                let scenario = plan.mix.pick(random.nextUnit())
                let language = plan.language(ofCall: index)
                running += 1
                group.addTask { await placeCall(index: index, scenario: scenario, language: language, hardStopNs: hardStopNs) }
            }
        }
    }

    private func placeCall(index: Int, scenario: LoadScenario, language: String, hardStopNs: UInt64) async {
        guard let line = lines[language] else { return }
        collector.callStarted(scenario)
        let callSid = "CA" + Self.hex(UInt64(index), digits: 8) + Self.hex(UInt64.random(in: 0...UInt64.max), digits: 16)
            + Self.hex(UInt64.random(in: 0...UInt64.max), digits: 8)
        let caller = SyntheticCaller(engineURL: engineURL, publicURL: publicURL, authToken: line.authToken,
                                     from: String(format: "+1555%07d", index % 10_000_000), to: line.number,
                                     callSid: callSid, logger: logger, hangUpAtNs: hardStopNs)
        let remaining = Double(hardStopNs - min(hardStopNs, MonotonicClock.nowNs())) / 1e9
        let outcome = await caller.run(scenario.script(clips.language(language)), deadlineSeconds: remaining + Self.graceSeconds)
        collector.callEnded(outcome, scenario: scenario)
    }

    /// The low `digits` hex digits of `value`, zero-padded.
    static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text.suffix(digits)
    }
}

/// A small seeded generator (SplitMix64), so a seed always draws the same scenarios.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform draw in 0..<1.
    mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
