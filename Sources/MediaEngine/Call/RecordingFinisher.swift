import Dispatch

/// Finishes call recordings off the calls' threads. In the server a call runs on an event loop shared
/// with hundreds of others; a recording's end encodes the last audio, writes the last page and syncs the
/// file to disk (`fsync`), which takes milliseconds on an idle disk and far longer on a busy one. Done
/// in place, every call on that loop would miss its 20 ms ticks meanwhile. Here it runs on one utility
/// queue, in the order calls end.
public enum RecordingFinisher {
    private static let queue = DispatchQueue(label: "kol.recording-finisher", qos: .utility)
    private static let pending = DispatchGroup()

    /// Runs `work` on the finisher's queue.
    static func submit(_ work: @escaping @Sendable () -> Void) {
        queue.async(group: pending, execute: work)
    }

    /// Returns once every recording handed over so far is finished and reported (shutdown waits for this
    /// before the store's writer stops, so the last calls' recordings are stored).
    public static func waitUntilIdle() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            pending.notify(queue: .global()) { done.resume() }
        }
    }
}
