import NIOCore
import NIOPosix

/// A socket with writes not yet flushed.
protocol OwedFlush: AnyObject {
    /// Flushes the socket if it still owes a flush (a no-op otherwise).
    func settleFlush()
}

/// The flushes owed by sockets written while the event loop handles a read, settled as soon as that read
/// has been handled.
///
/// The engine writes each message at once and flushes each socket once per batch of writes, so a pump's
/// `media` + `mark` leave in one `writev`. Left to the end of the event-loop tick (`execute`), a flush
/// waited until every other socket ready in that tick had been read and handled: at 200 calls on one
/// core, several milliseconds, which reached Twilio as send jitter. The socket handlers
/// (`MediaStreamChannelHandler`, `RealtimeSocketHandler`) settle what is owed at `channelReadComplete`,
/// right after the read that caused it; the end-of-tick flush stays for writes made from anywhere else
/// (timers) and finds nothing left to do after a settled read. One list per event-loop thread: only code
/// on that loop adds to it, so it needs no lock.
final class ReadFlushes {
    // nonisolated(unsafe): the variable is a pthread key, safe to use from any thread; each thread only
    // ever reads and writes its own value, so no `ReadFlushes` is shared between threads.
    nonisolated(unsafe) private static let perThread = ThreadSpecificVariable<ReadFlushes>()

    /// The list of the event loop running on this thread.
    static var onThisThread: ReadFlushes {
        if let flushes = perThread.currentValue { return flushes }
        let flushes = ReadFlushes()
        perThread.currentValue = flushes
        return flushes
    }

    private var owed: [any OwedFlush] = []

    /// Notes that `socket` owes a flush (it settles itself if the tick ends first).
    func owe(_ socket: any OwedFlush) {
        owed.append(socket)
    }

    /// Settles every flush owed so far.
    func settle() {
        guard !owed.isEmpty else { return }
        // A flush may not add to the list (it writes nothing new), but keep to a copy-free swap anyway.
        var due: [any OwedFlush] = []
        swap(&due, &owed)
        for socket in due { socket.settleFlush() }
        due.removeAll(keepingCapacity: true)
        if owed.isEmpty { swap(&due, &owed) }  // keep the capacity for the next read
    }
}
