public import Foundation
public import Logging

/// Deletes call recordings older than their tenant's retention: the audio file first, then its row,
/// and logs each removal. A long-running service: ``run()`` sweeps, sleeps `interval`, and returns when
/// its task is cancelled (a swift-service-lifecycle `ServiceGroup` can run it as is:
/// `extension RecordingRetentionService: Service {}`).
///
/// A file that is already gone still has its row removed; a file that cannot be deleted keeps its row,
/// so the next sweep tries again. Paths are resolved inside `recordingsDirectory` only: a row whose
/// path would lead outside it never deletes anything there.
public struct RecordingRetentionService: Sendable {
    /// One recording the sweep removed.
    public struct Removal: Sendable, Equatable {
        public var tenant: TenantID
        public var callSID: String
        public var relativePath: String
        public var sizeBytes: Int64
    }

    /// What one sweep did.
    public struct Sweep: Sendable, Equatable {
        public var removed: [Removal] = []
        /// Recordings that could not be removed this time (logged with the reason).
        public var failures = 0
    }

    private let store: any Store
    private let recordingsDirectory: URL
    private let policy: @Sendable () -> RecordingRetentionPolicy
    private let clock: any WallClock
    private let interval: Duration
    private let batchSize: Int
    private let logger: Logger

    /// - Parameters:
    ///   - recordingsDirectory: the directory `RecordingRecord.relativePath` is relative to.
    ///   - policy: read at every sweep, so a config reload takes effect without a restart.
    ///   - interval: time between sweeps (an hour by default).
    ///   - batchSize: rows read per query.
    public init(
        store: any Store, recordingsDirectory: URL,
        policy: @escaping @Sendable () -> RecordingRetentionPolicy = { RecordingRetentionPolicy() },
        clock: any WallClock = SystemWallClock(), interval: Duration = .seconds(3600), batchSize: Int = 200,
        logger: Logger
    ) {
        self.store = store
        self.recordingsDirectory = recordingsDirectory.standardizedFileURL
        self.policy = policy
        self.clock = clock
        self.interval = interval
        self.batchSize = max(1, batchSize)
        self.logger = logger
    }

    /// Sweeps every `interval` until the task is cancelled.
    public func run() async throws {
        logger.info("recording retention started", metadata: ["intervalSeconds": "\(interval.components.seconds)"])
        while !Task.isCancelled {
            await sweep()
            do {
                try await clock.sleep(for: interval)
            } catch {
                break
            }
        }
        logger.info("recording retention stopped")
    }

    /// One pass over every tenant that has recordings.
    @discardableResult
    public func sweep() async -> Sweep {
        let now = clock.now()
        let policy = policy()
        var sweep = Sweep()
        do {
            for tenant in try await store.tenantsWithRecordings().sorted() {
                let days = policy.retentionDays(for: tenant)
                let cutoff = now.addingTimeInterval(-TimeInterval(days) * 86_400)
                try await expire(tenant: tenant, before: cutoff, days: days, into: &sweep)
            }
        } catch {
            sweep.failures += 1
            logger.warning("recording retention sweep stopped early; next sweep retries", metadata: ["error": "\(error)"])
        }
        if !sweep.removed.isEmpty || sweep.failures > 0 {
            logger.info(
                "recording retention sweep done",
                metadata: [
                    "removed": "\(sweep.removed.count)",
                    "bytes": "\(sweep.removed.reduce(0) { $0 + $1.sizeBytes })",
                    "failures": "\(sweep.failures)",
                ])
        }
        return sweep
    }

    private func expire(tenant: TenantID, before cutoff: Date, days: Int, into sweep: inout Sweep) async throws {
        let scope = store.scoped(to: tenant)
        while !Task.isCancelled {
            let expired = try await scope.recordings(createdBefore: cutoff, limit: batchSize)
            var removedInBatch = 0
            for recording in expired where try await remove(recording, scope: scope, days: days) {
                removedInBatch += 1
                sweep.removed.append(
                    Removal(
                        tenant: tenant, callSID: recording.callSID, relativePath: recording.relativePath,
                        sizeBytes: recording.sizeBytes))
            }
            sweep.failures += expired.count - removedInBatch
            // A batch with no progress (files that cannot be deleted) waits for the next sweep.
            if expired.count < batchSize || removedInBatch == 0 { return }
        }
    }

    /// Deletes the file (if it is still there) and then the row; false when the file stays.
    private func remove(_ recording: RecordingRecord, scope: ScopedStore, days: Int) async throws -> Bool {
        let metadata: Logger.Metadata = [
            "tenant": "\(scope.tenant)", "callSID": "\(recording.callSID)", "path": "\(recording.relativePath)",
            "bytes": "\(recording.sizeBytes)", "retentionDays": "\(days)",
        ]
        if let file = resolve(recording.relativePath) {
            do {
                try FileManager.default.removeItem(at: file)
            } catch where !FileManager.default.fileExists(atPath: file.path) {
                // Already gone (deleted by hand, or by a sweep that stopped before the row): drop the row.
            } catch {
                logger.error("cannot delete an expired recording; will retry", metadata: metadata.merging(["error": "\(error)"]) { $1 })
                return false
            }
        } else {
            logger.error("expired recording's path is outside the recordings directory; removing the row only", metadata: metadata)
        }
        _ = try await scope.deleteRecording(callSID: recording.callSID)
        logger.info("removed expired recording", metadata: metadata)
        return true
    }

    /// The file's URL inside the recordings directory, or nil when the path would leave it.
    private func resolve(_ relativePath: String) -> URL? {
        guard !relativePath.isEmpty, !relativePath.hasPrefix("/") else { return nil }
        let file = recordingsDirectory.appendingPathComponent(relativePath).standardizedFileURL
        let root = recordingsDirectory.path.hasSuffix("/") ? recordingsDirectory.path : recordingsDirectory.path + "/"
        return file.path.hasPrefix(root) ? file : nil
    }
}
