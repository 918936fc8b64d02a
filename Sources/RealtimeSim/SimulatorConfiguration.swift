public import Logging

/// Everything a simulated session needs to know besides the client's own `session.update`: the script,
/// timing, faults, and who watches.
public struct SimulatorConfiguration: Sendable {
    /// What the simulated callers "said" and what the model answers.
    public var script: SimulatorScript
    /// Pause between `response.created` and the first output item, ms: the model "thinking". 0 for
    /// latency benchmarks.
    public var thinkTimeMs: Int
    /// How fast reply audio is delivered.
    public var pacing: SimulatorPacing
    /// Audio per `response.output_audio.delta`, ms (the last delta of a reply may be shorter).
    public var deltaDurationMs: Int
    /// Faults applied to new connections (see `RealtimeSimulatorServer.setFaults` to change them later).
    public var faults: SimulatorFaults
    /// The model reported when the client's URL names none.
    public var defaultModel: String
    /// Called (synchronously, on the session's actor) for each notable thing a session does, truncations
    /// above all. Keep it quick; `SimulatorObservationLog.record` is a ready-made one.
    public var observer: (@Sendable (SimulatorObservation) -> Void)?
    /// Where sessions log (truncations at info, protocol errors at notice, the rest at debug).
    public var logger: Logger

    public init(script: SimulatorScript = .default, thinkTimeMs: Int = 300, pacing: SimulatorPacing = .realTimeMultiple(4),
                deltaDurationMs: Int = 100, faults: SimulatorFaults = .none, defaultModel: String = "gpt-realtime",
                observer: (@Sendable (SimulatorObservation) -> Void)? = nil,
                logger: Logger = Logger(label: "kol.realtime-sim")) {
        self.script = script
        self.thinkTimeMs = thinkTimeMs
        self.pacing = pacing
        self.deltaDurationMs = deltaDurationMs
        self.faults = faults
        self.defaultModel = defaultModel
        self.observer = observer
        self.logger = logger
    }

    /// No think time and all audio at once: the fastest, for tests that only check the protocol.
    public static func instant(script: SimulatorScript = .default) -> SimulatorConfiguration {
        SimulatorConfiguration(script: script, thinkTimeMs: 0, pacing: .burst)
    }
}
