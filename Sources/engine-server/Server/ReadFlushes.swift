import NIOCore
import NIOPosix

/// A socket with writes not yet flushed.
protocol OwedFlush: AnyObject {
    /// The socket's event loop.
    var flushLoop: any EventLoop { get }
    /// Flushes the socket if it still owes a flush (a no-op otherwise). On `flushLoop` only.
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
/// (timers) and finds nothing left to do after a settled read. A socket is noted only while a read is
/// being handled (between the handler's `beginRead()` and `settle(on:)`), so the list is empty the rest of
/// the time; one list per thread, so no lock. (An event loop of NIO's owns its thread; test loops share
/// Dispatch's workers, so a read settles only its own loop's sockets, and nothing is left in a list when
/// a worker thread exits: releasing sockets from a thread's exit handlers crashed libdispatch.)
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
    private var reading = false

    /// A socket handler is handling a read on this thread: flushes owed until `settle` wait for it.
    func beginRead() {
        reading = true
    }

    /// Notes that `socket` owes a flush, if a read is being handled (else the socket's own end-of-tick
    /// flush settles it).
    func owe(_ socket: any OwedFlush) {
        guard reading else { return }
        owed.append(socket)
    }

    /// Settles the flushes owed on `loop` (the loop of the read just handled, running this code).
    func settle(on loop: any EventLoop) {
        reading = false
        guard !owed.isEmpty else { return }
        var due: [any OwedFlush] = []
        swap(&due, &owed)
        for socket in due where socket.flushLoop === loop { socket.settleFlush() }
        due.removeAll(keepingCapacity: true)
        if owed.isEmpty { swap(&due, &owed) }  // keep the capacity for the next read
    }
}
