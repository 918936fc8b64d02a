/// The calls this engine process is handling, by call SID: for the stream to find the session its
/// webhook warmed up, for status callbacks, for metrics and for draining on shutdown.
///
/// One actor for the whole process, touched once per call event (webhook, stream start, end), never
/// per audio frame.
public actor CallRegistry {
    private var calls: [String: CallSession] = [:]
    private var emptyWaiters: [CheckedContinuation<Void, Never>] = []
    /// True once draining began: new calls are refused, calls in progress finish.
    public private(set) var isDraining = false
    /// Calls ever registered (for metrics).
    public private(set) var totalCalls = 0

    public init() {}

    public enum RegistrationError: Error, Equatable, CustomStringConvertible {
        case draining
        case duplicate(callSid: String)
        public var description: String {
            switch self {
            case .draining: return "the engine is draining and takes no new calls"
            case .duplicate(let sid): return "call \(sid) is already in progress"
            }
        }
    }

    /// Registers a new call.
    public func add(_ call: CallSession) throws(RegistrationError) {
        guard !isDraining else { throw .draining }
        guard calls[call.callSid] == nil else { throw .duplicate(callSid: call.callSid) }
        calls[call.callSid] = call
        totalCalls += 1
        EngineMetrics.callsStarted.increment()
        EngineMetrics.callsActive.increment()
    }

    public func session(forCallSid callSid: String) -> CallSession? { calls[callSid] }

    /// Forgets an ended call.
    public func remove(_ callSid: String) {
        if calls.removeValue(forKey: callSid) != nil { EngineMetrics.callsActive.decrement() }
        if calls.isEmpty {
            let waiters = emptyWaiters
            emptyWaiters.removeAll()
            waiters.forEach { $0.resume() }
        }
    }

    public var activeCount: Int { calls.count }

    /// Stops taking new calls; calls in progress go on.
    public func beginDrain() { isDraining = true }

    /// Returns once every call has ended.
    public func waitUntilEmpty() async {
        guard !calls.isEmpty else { return }
        await withCheckedContinuation { emptyWaiters.append($0) }
    }

    /// Ends every call now (after a drain timeout).
    public func endAll(reason: String) async {
        for call in calls.values { await call.end(reason: reason) }
    }
}
