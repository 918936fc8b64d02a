public import Foundation
public import Logging

/// Takes the records of every call on this node and writes them to the store in batches, off the
/// audio path.
///
/// - A call hands over a record with ``submit(_:)``: synchronous, never awaits the database, never
///   does I/O (an append under a lock held for that append only).
/// - ``run()`` (a long-running service) takes the records, writes them in transactions of up to
///   `batchSize`, about every `flushInterval`, oldest first.
/// - While the database is down or slower than the calls, records queue in memory up to
///   `maxQueuedWrites`; past that the oldest go to the spill file (``SpillFile``, JSON lines, synced).
///   Writes are retried with exponential backoff; when the database takes them again the spill file is
///   replayed first, then the memory queue, so order is kept.
/// - Every write is an idempotent upsert, so a record written twice (replay after a crash) is stored
///   once. A record the database refuses (a broken constraint) is set aside in `rejected.jsonl` and
///   logged instead of blocking the queue.
/// - On cancellation ``run()`` makes a last attempt to write what is in memory and spills the rest,
///   so a graceful shutdown loses nothing. Only a crash loses records: those still in memory.
public actor StoreWriter {
    /// Batching, bounds and retry timing.
    public struct Configuration: Sendable {
        /// Where the spill file (and the file of rejected records) lives, e.g. `<data dir>/spill`.
        public var spillDirectory: URL
        /// The most records written in one transaction.
        public var batchSize: Int
        /// How long a partial batch may wait in memory before it is written (when the database is up).
        public var flushInterval: Duration
        /// The most records kept in memory; past this the oldest are spilled to disk.
        public var maxQueuedWrites: Int
        /// The first wait after a failed write; doubles on each failure up to `retryMaxDelay`.
        public var retryInitialDelay: Duration
        public var retryMaxDelay: Duration

        public init(
            spillDirectory: URL, batchSize: Int = 200, flushInterval: Duration = .milliseconds(100),
            maxQueuedWrites: Int = 10_000, retryInitialDelay: Duration = .milliseconds(200),
            retryMaxDelay: Duration = .seconds(5)
        ) {
            self.spillDirectory = spillDirectory
            self.batchSize = max(1, batchSize)
            self.flushInterval = flushInterval
            self.maxQueuedWrites = max(0, maxQueuedWrites)
            self.retryInitialDelay = retryInitialDelay
            self.retryMaxDelay = retryMaxDelay
        }
    }

    /// Counters since the writer was created (for metrics and tests).
    public struct Statistics: Sendable, Equatable {
        /// Records handed to ``submit(_:)``.
        public var submitted = 0
        /// Records written to the database from memory.
        public var written = 0
        /// Records moved from memory to the spill file.
        public var spilled = 0
        /// Records written to the database from the spill file.
        public var replayed = 0
        /// Records the database refused, kept in `rejected.jsonl`.
        public var rejected = 0
        /// Records waiting in memory.
        public var queued = 0
        /// Records waiting in the spill file.
        public var spillPending = 0
        /// Failed write attempts (each retry counts).
        public var failedAttempts = 0
    }

    private enum Outcome {
        case written
        case unavailable
    }

    private let sink: any StoreWriteSink
    private let configuration: Configuration
    private let logger: Logger
    private nonisolated let inbox = StoreWriterInbox()
    /// Taken from the inbox, not yet written or spilled; oldest first.
    private var memory: [StoreWrite] = []
    private var spill: SpillFile?
    private var retryDelay: Duration?
    private var retryAt: ContinuousClock.Instant?
    private var started = false

    public init(sink: any StoreWriteSink, configuration: Configuration, logger: Logger) {
        self.sink = sink
        self.configuration = configuration
        self.logger = logger
    }

    /// Hands a record to the writer. Never blocks on the database or the disk; safe from any context.
    public nonisolated func submit(_ write: StoreWrite) { inbox.append(write) }

    /// Hands a record of `tenant` to the writer (see ``submit(_:)``).
    public nonisolated func submit(_ change: StoreWrite.Change, tenant: TenantID) {
        inbox.append(StoreWrite(tenant: tenant, change: change))
    }

    public nonisolated var statistics: Statistics { inbox.statistics }

    /// Writes submitted records until the task is cancelled, then flushes or spills what is left.
    /// Throws only when the spill file cannot be opened (check the data directory's permissions).
    public func run() async throws {
        guard !started else { throw StoreError.setupFailed("StoreWriter.run() was called twice") }
        started = true
        let spill = try SpillFile(directory: configuration.spillDirectory)
        self.spill = spill
        if spill.pendingCount > 0 {
            logger.notice("replaying records spilled by an earlier run", metadata: ["records": "\(spill.pendingCount)"])
        }
        while !Task.isCancelled {
            let moreReady = await drainOnce()
            spillOverflow()
            publishCounts()
            if !moreReady { try? await Task.sleep(for: configuration.flushInterval) }
        }
        // A new task: the final write must not see this task's cancellation.
        await Task { await self.finish() }.value
    }

    /// Returns once every record submitted so far is in the database (memory queue and spill file
    /// empty). For tests and orderly shutdowns; it waits as long as the database is down.
    public func waitUntilIdle(pollInterval: Duration = .milliseconds(10)) async {
        while !Task.isCancelled, inbox.count > 0 || !memory.isEmpty || (spill?.pendingCount ?? 0) > 0 || !started {
            try? await Task.sleep(for: pollInterval)
        }
    }

    /// One pass: the spill file's oldest batch if it has any, else batches from memory. Returns true
    /// when a full batch is already waiting (so the loop should not sleep).
    private func drainOnce() async -> Bool {
        memory.append(contentsOf: inbox.takeAll())
        if let retryAt, ContinuousClock.now < retryAt { return false }
        if let spill, spill.pendingCount > 0 {
            return await replaySpilledBatch(spill)
        }
        guard !memory.isEmpty else { return false }
        let batch = Array(memory.prefix(configuration.batchSize))
        guard await write(batch) == .written else { return false }
        memory.removeFirst(batch.count)
        inbox.update { $0.written += batch.count }
        return memory.count + inbox.count >= configuration.batchSize
    }

    private func replaySpilledBatch(_ spill: SpillFile) async -> Bool {
        do {
            let page = try spill.peek(limit: configuration.batchSize)
            for line in page.undecodable { reject(line: line, reason: "the spilled line no longer decodes") }
            guard await write(page.writes) == .written else { return false }
            try spill.consume(through: page.endOffset, count: page.lines)
            inbox.update { $0.replayed += page.writes.count }
            if spill.pendingCount == 0 { logger.notice("spill file replayed; writing from memory again") }
            return true
        } catch {
            logger.error("cannot read the spill file; will retry", metadata: ["error": "\(error)"])
            backOff()
            return false
        }
    }

    /// Writes the batch; on a refused record, isolates it by writing the batch one record at a time.
    private func write(_ batch: [StoreWrite]) async -> Outcome {
        guard !batch.isEmpty else { return .written }
        do {
            try await sink.write(batch)
            recovered()
            return .written
        } catch where isTransient(error) {
            failed(error)
            return .unavailable
        } catch {
            for write in batch {
                do {
                    try await sink.write([write])
                } catch where isTransient(error) {
                    failed(error)
                    return .unavailable
                } catch {
                    reject(line: spill?.line(for: write) ?? "\(write)", reason: "\(error)")
                }
            }
            recovered()
            return .written
        }
    }

    /// Moves the oldest records past the memory bound to the spill file.
    private func spillOverflow() {
        memory.append(contentsOf: inbox.takeAll())
        let excess = memory.count - configuration.maxQueuedWrites
        guard excess > 0, let spill else { return }
        do {
            try spill.append(memory.prefix(excess))
            memory.removeFirst(excess)
            inbox.update { $0.spilled += excess }
        } catch {
            logger.error("cannot write the spill file; keeping records in memory", metadata: ["error": "\(error)"])
        }
    }

    /// After cancellation: what is in memory goes to the database if it takes it (and nothing older
    /// waits in the spill file), otherwise to the spill file.
    private func finish() async {
        memory.append(contentsOf: inbox.takeAll())
        if (spill?.pendingCount ?? 0) == 0 {
            retryAt = nil
            while !memory.isEmpty {
                let batch = Array(memory.prefix(configuration.batchSize))
                guard await write(batch) == .written else { break }
                memory.removeFirst(batch.count)
                inbox.update { $0.written += batch.count }
            }
        }
        if !memory.isEmpty, let spill {
            do {
                try spill.append(memory)
                inbox.update { [count = memory.count] in $0.spilled += count }
                memory.removeAll()
            } catch {
                logger.critical(
                    "cannot spill records at shutdown; they are lost",
                    metadata: ["records": "\(memory.count)", "error": "\(error)"])
            }
        }
        publishCounts()
        let final = inbox.statistics
        logger.info(
            "store writer stopped",
            metadata: ["written": "\(final.written + final.replayed)", "spillPending": "\(final.spillPending)"])
    }

    private func reject(line: String, reason: String) {
        inbox.update { $0.rejected += 1 }
        logger.error("the database refused a record; kept in rejected.jsonl", metadata: ["reason": "\(reason)"])
        do {
            try spill?.reject(line, reason: reason)
        } catch {
            logger.critical("cannot keep a refused record", metadata: ["record": "\(line)", "error": "\(error)"])
        }
    }

    private func isTransient(_ error: any Error) -> Bool {
        // Anything that is not a StoreError (a cancellation, an unexpected failure) is retried, not dropped.
        (error as? StoreError)?.isTransient ?? true
    }

    private func failed(_ error: any Error) {
        inbox.update { $0.failedAttempts += 1 }
        if retryDelay == nil {
            logger.warning(
                "store unavailable; queueing records (spilling past the bound)",
                metadata: ["error": "\(error)", "queued": "\(memory.count)"])
        }
        let next = retryDelay.map { min($0 * 2, configuration.retryMaxDelay) } ?? configuration.retryInitialDelay
        retryDelay = next
        retryAt = ContinuousClock.now + next
    }

    private func backOff() { failed(StoreError.backend("spill file")) }

    private func recovered() {
        if retryDelay != nil {
            logger.notice("store available again; writing queued records", metadata: ["queued": "\(memory.count)"])
        }
        retryDelay = nil
        retryAt = nil
    }

    private func publishCounts() {
        let queued = memory.count
        let spillPending = spill?.pendingCount ?? 0
        inbox.update {
            $0.queued = queued
            $0.spillPending = spillPending
        }
    }
}
