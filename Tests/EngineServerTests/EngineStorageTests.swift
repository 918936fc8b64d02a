import Foundation
import Logging
import MediaEngine
import Testing
@testable import engine_server

/// Opening the engine's storage and wiring the tenants' recording retention.
@Suite struct EngineStorageTests {
    static var logger: Logger {
        var logger = Logger(label: "storage-test")
        logger.logLevel = .error
        return logger
    }

    @Test func retentionComesFromEachTenantsRecordingPolicyWithSevenDaysForOthers() throws {
        let directory = try TenantDirectory(yaml: EngineHarness.tenantsYAML, sourceName: "test.yaml")
        let policy = EngineStorage.retentionPolicy(of: directory)
        #expect(policy.retentionDays(for: "clinic") == 7)
        #expect(policy.retentionDays(for: "plumbing") == directory.tenant(id: "plumbing")?.recording.retentionDays)
        #expect(policy.retentionDays(for: "removed-tenant") == 7)
    }

    @Test func sqliteStoreIsCreatedUnderTheDataDirectoryOnFirstOpen() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("kol-storage-\(UUID().uuidString)/data")
        defer { try? FileManager.default.removeItem(at: data.deletingLastPathComponent()) }
        let storage = try await EngineStorage.open(dataDirectory: data, databaseURL: nil, logger: Self.logger)
        try await storage.store.scoped(to: "clinic").upsertCall(
            CallRecord(callSID: "CA1", from: "", to: "", startedAt: Date(timeIntervalSince1970: 1_700_000_000), configVersion: "v"))
        await storage.close()
        #expect(FileManager.default.fileExists(atPath: data.appendingPathComponent("kol.sqlite").path))
        #expect(storage.description.contains("SQLite"))
        #expect(storage.recordingsDirectory == data.appendingPathComponent("recordings", isDirectory: true))
    }

    @Test func aDatabaseURLThatIsNotPostgresIsRefusedWithItsReason() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("kol-storage-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        await #expect(throws: StorageSetupError.self) {
            _ = try await EngineStorage.open(dataDirectory: data, databaseURL: "mysql://db/kol", logger: Self.logger)
        }
    }

    @Test func logsNeverShowTheDatabasePassword() {
        #expect(EngineStorage.redacted("postgresql://kol:s3cret@db.internal:5432/kol?sslmode=verify-full")
            == "postgresql://kol:***@db.internal:5432/kol")
        #expect(EngineStorage.redacted("postgresql://db.internal/kol?password=s3cret") == "postgresql://db.internal/kol")
    }
}
