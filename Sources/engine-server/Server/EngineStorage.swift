import Foundation
import Logging
import MediaEngine
import ServiceLifecycle
import StoreBackends

/// What calls leave behind and where it goes: the store (SQLite under the data directory by default, or
/// PostgreSQL), the node's batching ``StoreWriter`` with its spill file, and the recordings directory with
/// its retention service.
///
/// Layout of the data directory: `kol.sqlite` (the embedded store; absent with PostgreSQL), `spill/` (records
/// waiting while the database is down, and refused ones), `recordings/<tenant>/<day>/<call>.opus`.
///
/// Lifecycle: ``services(retention:logger:)`` go first in the engine's `ServiceGroup`, so that on shutdown
/// they stop last, after the calls have drained and handed over their final records; the writer then writes
/// (or spills) what is left, and ``close()`` closes the database once the group has returned.
struct EngineStorage: Sendable {
    let store: any Store
    let writer: StoreWriter
    let dataDirectory: URL
    /// Which database, for the start-up log line (never the password).
    let description: String

    /// Where recordings are written; `RecordingRecord.relativePath` is relative to it.
    var recordingsDirectory: URL { dataDirectory.appendingPathComponent("recordings", isDirectory: true) }

    /// Opens the store: PostgreSQL when `databaseURL` is a `postgresql://` (or `postgres://`) URL, otherwise
    /// SQLite in `dataDirectory` (created on first run). Migrates it to the latest schema.
    /// Throws ``StorageSetupError`` with the reason (unreachable server, unwritable directory...).
    static func open(dataDirectory: URL, databaseURL: String?, logger: Logger,
                     writerConfiguration: (URL) -> StoreWriter.Configuration = { StoreWriter.Configuration(spillDirectory: $0) })
        async throws -> EngineStorage
    {
        let store: any Store
        let description: String
        do {
            try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
            if let url = databaseURL, !url.isEmpty {
                guard Self.isPostgresURL(url) else { throw StorageSetupError("--database-url must be a postgresql:// URL") }
                store = try await PostgresStore.connect(PostgresConfiguration(connectionString: url))
                description = "PostgreSQL at \(Self.redacted(url))"
            } else {
                store = try await SQLiteStore.open(directory: dataDirectory)
                description = "SQLite at \(dataDirectory.appendingPathComponent("kol.sqlite").path)"
            }
        } catch let error as StorageSetupError {
            throw error
        } catch {
            throw StorageSetupError("cannot open the store: \(error)")
        }
        let writer = StoreWriter(sink: store, configuration: writerConfiguration(dataDirectory.appendingPathComponent("spill")),
                                 logger: logger)
        return EngineStorage(store: store, writer: writer, dataDirectory: dataDirectory, description: description)
    }

    /// The writer and the recording retention, to run in the engine's service group (see the type's notes).
    /// `retention` is read at every sweep, so a config reload changes it without a restart.
    func services(retention: @escaping @Sendable () -> RecordingRetentionPolicy, logger: Logger) -> [any Service] {
        let sweeper = RecordingRetentionService(store: store, recordingsDirectory: recordingsDirectory, policy: retention,
                                                logger: logger)
        return [StoreWriterService(writer: writer), RecordingRetentionRunner(service: sweeper)]
    }

    /// Closes the database; only after the writer's service has stopped.
    func close() async { await store.close() }

    /// The retention of every configured tenant (`recording.retention_days`); 7 days for others.
    static func retentionPolicy(of directory: TenantDirectory) -> RecordingRetentionPolicy {
        var days: [TenantID: Int] = [:]
        for tenant in directory.tenants { days[TenantID(tenant.id)] = tenant.recording.retentionDays }
        return RecordingRetentionPolicy(defaultRetentionDays: 7, retentionDaysByTenant: days)
    }

    static func isPostgresURL(_ url: String) -> Bool { url.hasPrefix("postgresql://") || url.hasPrefix("postgres://") }

    /// The URL without its password or query (`postgresql://user:secret@host/db?sslmode=require` ->
    /// `postgresql://user:***@host/db`), for logs.
    static func redacted(_ url: String) -> String {
        let base = String(url.prefix { $0 != "?" })
        guard let at = base.lastIndex(of: "@"), let scheme = base.range(of: "://"), scheme.upperBound <= at,
              let colon = base[scheme.upperBound..<at].firstIndex(of: ":") else { return base }
        return String(base[..<base.index(after: colon)]) + "***" + String(base[at...])
    }
}

/// Why the store could not be opened; `serve` prints it and exits non-zero.
struct StorageSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs the ``StoreWriter`` until graceful shutdown, then lets it write or spill what it holds.
struct StoreWriterService: Service {
    let writer: StoreWriter

    func run() async throws {
        let writer = self.writer
        try await cancelWhenGracefulShutdown { try await writer.run() }
    }
}

/// Runs the recording retention sweeps until graceful shutdown.
struct RecordingRetentionRunner: Service {
    let service: RecordingRetentionService

    func run() async throws {
        let service = self.service
        try await cancelWhenGracefulShutdown { try await service.run() }
    }
}
