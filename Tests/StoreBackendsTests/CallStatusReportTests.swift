import Foundation
import MediaEngine
import Testing

@testable import StoreBackends

/// Twilio's status callbacks recorded against calls, in whatever order they meet the engine's own
/// records, on every backend.
@Suite struct CallStatusReportTests {
    private func record(_ report: CallStatusReport, in store: SQLStore, tenant: TenantID = "acme") async throws {
        try await store.write([StoreWrite(tenant: tenant, change: .callStatus(report))])
    }

    @Test(arguments: TestBackends.enabled)
    func statusAfterTheCallSetsOnlyTwilioStatusAndDuration(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let scope = store.scoped(to: "acme")
            let ended = Fixtures.call("CA1", endedAt: Fixtures.time(95))
            try await scope.upsertCall(ended)
            try await record(Fixtures.statusReport("CA1", status: "completed", seconds: 95), in: store)

            var expected = ended
            expected.twilioStatus = "completed"
            expected.twilioDurationSeconds = 95
            #expect(try await scope.call(sid: "CA1") == expected)
        }
    }

    @Test(arguments: TestBackends.enabled)
    func statusBeforeTheCallMakesARowThatTheEnginesRecordsReplace(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let scope = store.scoped(to: "acme")
            try await record(Fixtures.statusReport("CA1", status: "completed", seconds: 40), in: store)
            let placeholder = try #require(try await scope.call(sid: "CA1"))
            #expect(placeholder.status == .completed)
            #expect(placeholder.startedAt == Fixtures.time(60))
            #expect(placeholder.endedAt == Fixtures.time(100))
            #expect(placeholder.endReason == "Twilio reports the call completed")
            #expect(placeholder.configVersion == "cfg-8")

            // The engine's end record (written later, e.g. by another node's writer) wins, keeping Twilio's fields.
            try await scope.upsertCall(Fixtures.call("CA1", endedAt: Fixtures.time(95)))
            let call = try #require(try await scope.call(sid: "CA1"))
            #expect(call.configVersion == "cfg-7" && call.endReason == "caller_hangup")
            #expect(call.twilioStatus == "completed" && call.twilioDurationSeconds == 40)
        }
    }

    @Test(arguments: TestBackends.enabled)
    func aLateInProgressStatusDoesNotReplaceAFinalOne(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let scope = store.scoped(to: "acme")
            try await scope.upsertCall(Fixtures.call("CA1"))
            try await record(Fixtures.statusReport("CA1", status: "in-progress"), in: store)
            #expect(try await scope.call(sid: "CA1")?.twilioStatus == "in-progress")
            try await record(Fixtures.statusReport("CA1", status: "completed", seconds: 12), in: store)
            try await record(Fixtures.statusReport("CA1", status: "in-progress"), in: store)
            #expect(try await scope.call(sid: "CA1")?.twilioStatus == "completed")
            #expect(try await scope.call(sid: "CA1")?.twilioDurationSeconds == 12)
            #expect(try await scope.call(sid: "CA1")?.endedAt == nil, "Twilio's status does not end the engine's row")
        }
    }

    @Test(arguments: TestBackends.enabled)
    func statusOfOneTenantNeverTouchesAnotherTenantsCall(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            try await store.scoped(to: "acme").upsertCall(Fixtures.call("CA1"))
            try await record(Fixtures.statusReport("CA1", status: "failed"), in: store, tenant: "globex")
            #expect(try await store.scoped(to: "acme").call(sid: "CA1")?.twilioStatus == nil)
            #expect(try await store.scoped(to: "globex").call(sid: "CA1")?.status == .failed)
        }
    }
}
