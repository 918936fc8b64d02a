import NIOCore

/// A pending wake-up of a `SimulatedSession` (think time, the pause before the next delta, the
/// close-after-ms fault): a task scheduled on the session's event loop when the session runs on one in
/// real time (no hop, no Swift task per delta), else a Swift task sleeping on the session's clock (tests'
/// manual clock, sessions without a loop).
enum SessionTimer {
    case scheduled(Scheduled<Void>)
    case task(Task<Void, Never>)

    /// Stops the wake-up if it has not fired yet (a no-op once it has).
    func cancel() {
        switch self {
        case .scheduled(let scheduled): scheduled.cancel()
        case .task(let task): task.cancel()
        }
    }
}
