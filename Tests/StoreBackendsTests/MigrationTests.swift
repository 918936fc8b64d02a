import Foundation
import MediaEngine
import Testing

@testable import StoreBackends

/// Migrations: from an empty database, from the previous version with data in it, idempotent, and
/// refusing a schema newer than the code.
@Suite struct MigrationTests {
    /// Runs `body` on an unmigrated database of `kind`, removed afterwards.
    private func withDatabase<T>(
        _ kind: StoreBackendKind, _ body: (any SQLDatabase, SchemaMigrator) async throws -> T
    ) async throws -> T {
        switch kind {
        case .sqlite:
            let directory = try TestBackends.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let database = try SQLiteStore.openDatabase(directory: directory)
            do {
                let value = try await body(database, SQLiteMigrations.migrator)
                await database.close()
                return value
            } catch {
                await database.close()
                throw error
            }
        case .postgres:
            let configuration = try TestBackends.postgresConfiguration()
            let database = try await PostgresStore.openDatabase(configuration)
            do {
                let value = try await body(database, PostgresMigrations.migrator)
                await database.close()
                try? await PostgresStore.dropSchema(configuration)
                return value
            } catch {
                await database.close()
                try? await PostgresStore.dropSchema(configuration)
                throw error
            }
        }
    }

    @Test(arguments: TestBackends.enabled)
    func emptyDatabaseMigratesToTheLatestVersionOnce(backend: StoreBackendKind) async throws {
        try await withDatabase(backend) { database, migrator in
            #expect(try await migrator.currentVersion(database) == 0)
            #expect(try await migrator.migrate(database) == [1, 2, 3])
            #expect(try await migrator.migrate(database) == [])
            #expect(try await migrator.currentVersion(database) == 3)
            let store = SQLStore(database: database)
            let lead = try await store.scoped(to: "acme").upsertLead(LeadDraft(name: "A", phone: Fixtures.phone("0521112222")))
            #expect(lead.created)
        }
    }

    @Test(arguments: TestBackends.enabled)
    func versionOneDatabaseWithDataMigratesKeepingEveryRow(backend: StoreBackendKind) async throws {
        try await withDatabase(backend) { database, migrator in
            #expect(try await migrator.migrate(database, upTo: 1) == [1])
            // Rows as the version-1 engine wrote them: free-text lead statuses, no outbox.
            try await database.write { session in
                let insertLead = """
                    INSERT INTO leads (tenant_id, id, name, phone, source_call_sid, status, created_at_ms, updated_at_ms)
                    VALUES ($1, $2, $3, $4, NULL, $5, 1000, 2000)
                    """
                try session.execute(insertLead, [.text("acme"), .text("9f1c3c52-6a55-4f43-8b3e-0d3a1f1e0001"), .text("A"), .text("+972521110001"), .text("hot")])
                try session.execute(insertLead, [.text("acme"), .text("9f1c3c52-6a55-4f43-8b3e-0d3a1f1e0002"), .text("B"), .text("+972521110002"), .text("new")])
                try session.execute(insertLead, [.text("globex"), .text("9f1c3c52-6a55-4f43-8b3e-0d3a1f1e0003"), .text("C"), .text("+972521110003"), .text("cold")])
                try session.execute(
                    """
                    INSERT INTO calls (tenant_id, call_sid, from_number, to_number, started_at_ms, status, config_version)
                    VALUES ($1, 'CA1', '+972501', '+972302', 1700000000000, 'in_progress', 'v1')
                    """, [.text("acme")])
            }

            #expect(try await migrator.migrate(database) == [2, 3])

            let store = SQLStore(database: database)
            let acme = store.scoped(to: "acme")
            #expect(try await acme.leads().count == 2)
            #expect(try await acme.leadStatuses() == ["new", "hot"])
            #expect(try await store.scoped(to: "globex").leadStatuses() == ["cold"])
            #expect(try await acme.lead(phone: Fixtures.phone("+972521110001"))?.status == "hot")
            #expect(try await acme.call(sid: "CA1")?.configVersion == "v1")
            // What version 2 added works on the migrated data.
            let id = try #require(UUID(uuidString: "9f1c3c52-6a55-4f43-8b3e-0d3a1f1e0002"))
            await #expect(throws: StoreError.unknownLeadStatus("cold")) {
                try await acme.updateLeadStatus(id: id, to: "cold")
            }
            let hook = Fixtures.webhook()
            try await acme.enqueueWebhook(hook)
            #expect(try await acme.webhook(id: hook.id) == hook)
            let duplicate = try await acme.upsertLead(LeadDraft(name: nil, phone: Fixtures.phone("052-111-0001")))
            #expect(!duplicate.created)
        }
    }

    @Test(arguments: TestBackends.enabled)
    func versionTwoCallsGainTwilioStatusColumnsKeepingTheirRows(backend: StoreBackendKind) async throws {
        try await withDatabase(backend) { database, migrator in
            #expect(try await migrator.migrate(database, upTo: 2) == [1, 2])
            try await database.write { session in
                try session.execute(
                    """
                    INSERT INTO calls (tenant_id, call_sid, from_number, to_number, started_at_ms, ended_at_ms, status,
                                       end_reason, config_version)
                    VALUES ($1, 'CA2', '+972501', '+972302', 1700000000000, 1700000060000, 'completed', 'bye', 'v2')
                    """, [.text("acme")])
            }

            #expect(try await migrator.migrate(database) == [3])

            let acme = SQLStore(database: database).scoped(to: "acme")
            let call = try #require(try await acme.call(sid: "CA2"))
            #expect(call.configVersion == "v2" && call.endReason == "bye")
            #expect(call.twilioStatus == nil && call.twilioDurationSeconds == nil)
            try await SQLStore(database: database).write([
                StoreWrite(tenant: "acme", change: .callStatus(Fixtures.statusReport("CA2", status: "completed", seconds: 60)))
            ])
            #expect(try await acme.call(sid: "CA2")?.twilioStatus == "completed")
            #expect(try await acme.call(sid: "CA2")?.twilioDurationSeconds == 60)
        }
    }

    @Test(arguments: TestBackends.enabled)
    func databaseFromANewerEngineIsRefused(backend: StoreBackendKind) async throws {
        try await withDatabase(backend) { database, migrator in
            try await migrator.migrate(database)
            try await database.write { session in
                try session.execute(
                    "INSERT INTO kol_schema_migrations (version, name, applied_at_ms) VALUES (99, 'future', 0)", [])
            }
            await #expect(throws: StoreError.schemaTooNew(found: 99, supported: 3)) {
                try await migrator.migrate(database)
            }
        }
    }

    @Test func sqliteStoreIsCreatedOnFirstOpenInWALMode() async throws {
        let directory = try TestBackends.temporaryDirectory().appendingPathComponent("data/nested")
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent().deletingLastPathComponent()) }
        let store = try await SQLiteStore.open(directory: directory)
        let mode = try await store.database.read { session in try session.query("PRAGMA journal_mode", []).first?.text(0) }
        await store.close()
        #expect(mode == "wal")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("kol.sqlite").path))
    }
}
