/// What a load test does: how many calls, how fast, for how long, which scripts, against what.
/// Built by `LoadtestCommand` from its flags; recorded as is in the JSON report.
struct LoadPlan: Sendable, Codable, Equatable {
    /// Calls to place in all.
    var calls: Int
    /// Most calls in progress at once.
    var concurrency: Int
    /// New calls per second (0: as fast as `concurrency` allows).
    var ratePerSecond: Double
    /// Hard stop (s): no call starts after it, and calls still in progress hang up at it.
    var durationSeconds: Double
    /// Which scripts, how often.
    var mix: CallMix
    /// Caller language: "he", "en" or "mixed" (alternating).
    var language: String
    /// Seed of the scenario draws (the same seed places the same calls).
    var seed: UInt64
    /// The engine's egress lead (ms): frames within the first `leadMs` of a talk spurt are its prefill
    /// and are left out of the jitter figures.
    var leadMs = Double(EngineConfiguration.defaultEgressLeadMs)

    /// The language of call number `index`.
    func language(ofCall index: Int) -> String {
        language == "mixed" ? (index % 2 == 0 ? "he" : "en") : language
    }
}

/// What the load test ran against (for the report).
struct LoadTarget: Sendable, Codable, Equatable {
    /// "in-process" (engine and simulator in the generator's process) or "url".
    var mode: String
    var engineURL: String
    /// Called numbers by language.
    var numbers: [String: String]
    /// The tenants' model audio path and barge-in detector, when known.
    var audioPath: String?
    var bargeIn: String?
    /// The simulator's think time (ms), when the load test runs the simulator.
    var thinkTimeMs: Int?
    /// The engine process sampled for CPU and memory, if any.
    var enginePid: Int32?
    /// The engine's sample-rate converter, when known and used (pcm24k tenants).
    var resampler: String? = nil
    /// Where the plan's `leadMs` came from.
    var egressLeadFrom: EngineEgressLead.Source? = nil
}

/// A load test that cannot run as asked; the message says what to change.
struct LoadtestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
