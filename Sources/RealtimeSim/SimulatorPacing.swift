/// How fast a simulated response's audio is delivered. The real API generates audio faster than real
/// time and the engine must pace playback itself; the simulator reproduces that.
public enum SimulatorPacing: Sendable, Hashable, Codable {
    /// One delta every `deltaMs / factor` ms: 4 means four times real time (a 100 ms delta every 25 ms).
    case realTimeMultiple(Double)
    /// The whole reply at once, without any sleep (load tests of the engine's queues, burst handling).
    case burst

    /// The pause after a delta carrying `audioMs` of audio; nil for `burst`.
    func pause(afterAudioMs audioMs: Int) -> Duration? {
        switch self {
        case .burst:
            return nil
        case .realTimeMultiple(let factor):
            guard factor > 0, factor.isFinite else { return nil }
            return .microseconds(Int((Double(audioMs) * 1000 / factor).rounded()))
        }
    }
}
