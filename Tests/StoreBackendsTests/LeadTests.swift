import Foundation
import MediaEngine
import Testing

@testable import StoreBackends

/// Leads: one per tenant and normalized phone, with the tenant's own statuses.
@Suite struct LeadTests {
    @Test(arguments: TestBackends.enabled)
    func sameNumberWrittenDifferentlyIsOneLead(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let scope = store.scoped(to: "acme")
            let first = try await scope.upsertLead(
                LeadDraft(name: "דנה", phone: Fixtures.phone("050-123-4567"), sourceCallSID: "CA1"),
                at: Fixtures.time(0))
            let second = try await scope.upsertLead(
                LeadDraft(name: nil, phone: Fixtures.phone("+972 50 123 4567"), sourceCallSID: "CA2"),
                at: Fixtures.time(60))
            #expect(first.created)
            #expect(!second.created)
            #expect(second.lead.id == first.lead.id)
            #expect(second.lead.name == "דנה")  // a draft without a name keeps the stored one
            #expect(second.lead.sourceCallSID == "CA2")
            #expect(second.lead.createdAt == Fixtures.time(0))
            #expect(second.lead.updatedAt == Fixtures.time(60))
            #expect(try await scope.leads().count == 1)
            #expect(try await scope.lead(phone: Fixtures.phone("00972501234567"))?.id == first.lead.id)
        }
    }

    @Test(arguments: TestBackends.enabled)
    func newLeadGetsTheTenantsFirstStatus(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let scope = store.scoped(to: "acme")
            try await scope.setLeadStatuses(["פנייה חדשה", "חזרנו", "נסגר"])
            let upsert = try await scope.upsertLead(LeadDraft(name: "Avi", phone: Fixtures.phone("052-000-1111")))
            #expect(upsert.lead.status == "פנייה חדשה")
            #expect(try await scope.leadStatuses() == ["פנייה חדשה", "חזרנו", "נסגר"])
        }
    }

    @Test(arguments: TestBackends.enabled)
    func tenantWithoutStatusesGetsTheDefaultOne(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let scope = store.scoped(to: "acme")
            let upsert = try await scope.upsertLead(LeadDraft(name: "Avi", phone: Fixtures.phone("052-000-1111")))
            #expect(upsert.lead.status == "new")
            #expect(try await scope.leadStatuses() == ["new"])
        }
    }

    @Test(arguments: TestBackends.enabled)
    func statusMustBeOneOfTheTenants(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let scope = store.scoped(to: "acme")
            try await scope.setLeadStatuses(["new", "won"])
            let lead = try await scope.upsertLead(LeadDraft(name: "Avi", phone: Fixtures.phone("052-000-1111"))).lead
            await #expect(throws: StoreError.unknownLeadStatus("lost")) {
                try await scope.updateLeadStatus(id: lead.id, to: "lost")
            }
            let won = try await scope.updateLeadStatus(id: lead.id, to: "won", at: Fixtures.time(5))
            #expect(won?.status == "won")
            #expect(won?.updatedAt == Fixtures.time(5))
            #expect(try await scope.leads(status: "won").map(\.id) == [lead.id])
            #expect(try await scope.leads(status: "new").isEmpty)
        }
    }

    @Test(arguments: TestBackends.enabled)
    func statusInUseCannotBeRemoved(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let scope = store.scoped(to: "acme")
            try await scope.setLeadStatuses(["new", "won", "spam"])
            _ = try await scope.upsertLead(LeadDraft(name: "A", phone: Fixtures.phone("052-000-1111"), status: "won"))
            await #expect(throws: StoreError.leadStatusInUse("won")) {
                try await scope.setLeadStatuses(["new"])
            }
            #expect(try await scope.leadStatuses() == ["new", "won", "spam"])
            try await scope.setLeadStatuses(["won", "new"])  // reorder and drop the unused one
            #expect(try await scope.leadStatuses() == ["won", "new"])
        }
    }

    @Test(arguments: TestBackends.enabled)
    func foreignKeyRefusesAStatusTheTenantDoesNotHave(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            try await store.scoped(to: "acme").setLeadStatuses(["new"])
            try await store.scoped(to: "globex").setLeadStatuses(["vip"])
            // Straight to the database, past the store's own check: the schema itself refuses it.
            await #expect(throws: SQLFailure.self) {
                try await store.database.write { session in
                    try session.execute(
                        """
                        INSERT INTO leads (tenant_id, id, name, phone, source_call_sid, status, created_at_ms, updated_at_ms)
                        VALUES ('acme', 'x', NULL, '+972520001111', NULL, 'vip', 0, 0)
                        """, [])
                }
            }
        }
    }

    @Test(arguments: TestBackends.enabled)
    func deletedLeadIsGone(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let scope = store.scoped(to: "acme")
            let lead = try await scope.upsertLead(LeadDraft(name: "A", phone: Fixtures.phone("052-000-1111"))).lead
            #expect(try await scope.deleteLead(id: lead.id))
            #expect(try await scope.lead(id: lead.id) == nil)
            #expect(try await !scope.deleteLead(id: lead.id))
        }
    }

    @Test(arguments: TestBackends.enabled)
    func concurrentCapturesOfOneNumberMakeOneLead(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let scope = store.scoped(to: "acme")
            let created = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        try await scope.upsertLead(
                            LeadDraft(name: "caller \(index)", phone: Fixtures.phone("054-765-4321"))
                        ).created
                    }
                }
                return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            #expect(created == 1)
            #expect(try await scope.leads().count == 1)
        }
    }
}
