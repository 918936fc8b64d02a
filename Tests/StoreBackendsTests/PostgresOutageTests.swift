import Foundation
import Logging
import MediaEngine
import Testing

@testable import StoreBackends

/// PostgreSQL really stopped in the middle of a run of calls: calls keep submitting, records queue and
/// spill, and once the server is back every record is in the database exactly once.
@Suite struct PostgresOutageTests {
    @Test(.enabled(if: TestBackends.postgresEnabled, TestBackends.skipMessage))
    func stoppingPostgresMidRunLosesNoRecords() async throws {
        let (server, url) = try PostgresTestServer.launch()
        defer {
            do {
                try server.destroy()
            } catch {
                Issue.record("could not remove the test's PostgreSQL server: \(error)")
            }
        }
        let spill = try TestBackends.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: spill) }

        let store = try await PostgresStore.connect(
            PostgresConfiguration(connectionString: url, poolSize: 2, connectTimeoutSeconds: 2))
        let writer = StoreWriter(
            sink: store,
            configuration: StoreWriter.Configuration(
                spillDirectory: spill, batchSize: 50, flushInterval: .milliseconds(10), maxQueuedWrites: 100,
                retryInitialDelay: .milliseconds(20), retryMaxDelay: .milliseconds(300)),
            logger: Logger(label: "kol.test.outage"))
        let running = Task { try await writer.run() }

        // Calls go on the whole time: one call (a call record and a turn) about every millisecond.
        let feeder = Task {
            var calls = 0
            while !Task.isCancelled {
                writer.submit(.call(Fixtures.call("CA\(calls)", endedAt: Fixtures.time(30))), tenant: "acme")
                writer.submit(.turn(Fixtures.turn("CA\(calls)", index: 0)), tenant: "acme")
                calls += 1
                try? await Task.sleep(for: .milliseconds(1))
            }
            return calls
        }
        defer {
            // Only matters when an expectation below throws: never leave the tasks running.
            feeder.cancel()
            running.cancel()
        }

        #expect(await eventually { writer.statistics.written >= 200 })
        try server.stop()
        #expect(await eventually { writer.statistics.spilled >= 200 && writer.statistics.failedAttempts > 0 })
        try server.start()
        #expect(await eventually { writer.statistics.replayed >= 200 })
        feeder.cancel()
        let calls = await feeder.value
        await writer.waitUntilIdle()
        running.cancel()
        try await running.value

        let scope = store.scoped(to: "acme")
        let stored = try await scope.recentCalls(limit: 1_000_000)
        let turnCount = try await store.database.read(tenant: "acme") { session in
            try session.query(TenantStatement("SELECT COUNT(*) FROM turns WHERE tenant_id = $1")).first?.int(0)
        }

        // The pool's idle connections die with a restart; the next read and write reconnect by themselves.
        try server.stop()
        try server.start()
        let afterRestart = try await scope.recentCalls(limit: 1)
        let lead = try await scope.upsertLead(LeadDraft(name: "after restart", phone: Fixtures.phone("053-000-0001")))
        await store.close()
        #expect(afterRestart.count == 1)
        #expect(lead.created)

        let statistics = writer.statistics
        print(
            "PostgreSQL outage: \(calls) calls (\(statistics.submitted) records) submitted, \(statistics.spilled) spilled, "
                + "\(statistics.replayed) replayed, \(statistics.failedAttempts) failed attempts, "
                + "\(stored.count) calls and \(turnCount ?? -1) turns stored")
        #expect(stored.count == calls)
        #expect(Set(stored.map(\.callSID)).count == calls)
        #expect(turnCount == calls)
        #expect(statistics.submitted == 2 * calls)
        #expect(statistics.written + statistics.replayed == 2 * calls)
        #expect(statistics.rejected == 0)
        #expect(statistics.spillPending == 0)
    }
}
