import Foundation
import MediaEngine
import Testing

@testable import StoreBackends

/// No operation made with tenant A's scope reads, changes or deletes tenant B's rows, even when it is
/// given B's real ids (as if guessed or leaked).
@Suite struct TenantIsolationTests {
    /// Everything tenant B has, as B sees it.
    private struct Snapshot: Equatable {
        var calls: [CallRecord]
        var turns: [TurnRecord]
        var leads: [Lead]
        var statuses: [String]
        var appointments: [Appointment]
        var recordings: [RecordingRecord]
        var webhook: WebhookDelivery?
    }

    /// B's ids, known to the attacker.
    private struct Seeded {
        var callSID = "CA-globex-1"
        var lead: Lead
        var appointment: Appointment
        var webhook: WebhookDelivery
    }

    private let far = Fixtures.time(365 * 86_400)

    private func seed(_ b: ScopedStore) async throws -> Seeded {
        try await b.setLeadStatuses(["new", "vip"])
        try await b.upsertCall(Fixtures.call("CA-globex-1"))
        try await b.upsertTurn(Fixtures.turn("CA-globex-1", index: 0))
        try await b.upsertRecording(Fixtures.recording("CA-globex-1"))
        let lead = try await b.upsertLead(
            LeadDraft(name: "B's customer", phone: Fixtures.phone("050-999-8888"), status: "vip"), at: Fixtures.time(0))
        let appointment = try await b.bookAppointment(
            AppointmentRequest(startsAt: Fixtures.time(3_600), durationMinutes: 30, customerName: "B's customer"),
            at: Fixtures.time(0))
        let webhook = Fixtures.webhook()
        try await b.enqueueWebhook(webhook)
        return Seeded(lead: lead.lead, appointment: appointment, webhook: webhook)
    }

    private func snapshot(_ b: ScopedStore, _ seeded: Seeded) async throws -> Snapshot {
        Snapshot(
            calls: try await b.recentCalls(), turns: try await b.turns(callSID: seeded.callSID),
            leads: try await b.leads(), statuses: try await b.leadStatuses(),
            appointments: try await b.appointments(from: Fixtures.time(-far.timeIntervalSince1970), to: far),
            recordings: try await b.recordings(createdBefore: far), webhook: try await b.webhook(id: seeded.webhook.id))
    }

    @Test(arguments: TestBackends.enabled)
    func tenantCannotReadAnotherTenantsRowsByID(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let a = store.scoped(to: "acme")
            let seeded = try await seed(store.scoped(to: "globex"))
            #expect(try await a.call(sid: seeded.callSID) == nil)
            #expect(try await a.turns(callSID: seeded.callSID).isEmpty)
            #expect(try await a.lead(id: seeded.lead.id) == nil)
            #expect(try await a.lead(phone: seeded.lead.phone) == nil)
            #expect(try await a.appointment(id: seeded.appointment.id) == nil)
            #expect(try await a.recording(callSID: seeded.callSID) == nil)
            #expect(try await a.webhook(id: seeded.webhook.id) == nil)
        }
    }

    @Test(arguments: TestBackends.enabled)
    func tenantListsOnlyItsOwnRows(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let a = store.scoped(to: "acme")
            _ = try await seed(store.scoped(to: "globex"))
            #expect(try await a.recentCalls().isEmpty)
            #expect(try await a.leads().isEmpty)
            #expect(try await a.leads(status: "vip").isEmpty)
            #expect(try await a.leadStatuses().isEmpty)
            #expect(try await a.appointments(from: Fixtures.time(0), to: far).isEmpty)
            #expect(try await a.recordings(createdBefore: far).isEmpty)
            #expect(try await a.claimDueWebhooks(now: far, leaseUntil: far).isEmpty)
        }
    }

    @Test(arguments: TestBackends.enabled)
    func tenantCannotUpdateOrDeleteAnotherTenantsRowsByID(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let a = store.scoped(to: "acme")
            let b = store.scoped(to: "globex")
            let seeded = try await seed(b)
            let before = try await snapshot(b, seeded)
            try await a.setLeadStatuses(["vip"])

            #expect(try await a.updateLeadStatus(id: seeded.lead.id, to: "vip") == nil)
            #expect(try await a.rescheduleAppointment(id: seeded.appointment.id, startsAt: far, durationMinutes: 5) == nil)
            #expect(try await !a.markWebhookDelivered(id: seeded.webhook.id))
            #expect(try await !a.markWebhookFailed(id: seeded.webhook.id, error: "x", retryAt: far))
            #expect(try await !a.deleteLead(id: seeded.lead.id))
            #expect(try await !a.cancelAppointment(id: seeded.appointment.id))
            #expect(try await !a.deleteRecording(callSID: seeded.callSID))
            #expect(try await !a.deleteCall(sid: seeded.callSID))

            #expect(try await snapshot(b, seeded) == before)
        }
    }

    @Test(arguments: TestBackends.enabled)
    func writingWithAnotherTenantsKeysCreatesOwnRowsAndLeavesTheirsAlone(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let a = store.scoped(to: "acme")
            let b = store.scoped(to: "globex")
            let seeded = try await seed(b)
            let before = try await snapshot(b, seeded)

            try await a.upsertCall(Fixtures.call(seeded.callSID, endedAt: Fixtures.time(9)))
            try await a.upsertTurn(Fixtures.turn(seeded.callSID, index: 0, speaker: .caller))
            try await a.upsertRecording(Fixtures.recording(seeded.callSID, path: "acme/other.opus"))
            var hook = seeded.webhook
            hook.payload = "{\"from\":\"acme\"}"
            try await a.enqueueWebhook(hook)
            let lead = try await a.upsertLead(LeadDraft(name: "A's", phone: seeded.lead.phone))
            try await store.write([StoreWrite(tenant: "acme", change: .call(Fixtures.call(seeded.callSID)))])

            #expect(lead.created)
            #expect(lead.lead.id != seeded.lead.id)
            #expect(try await a.call(sid: seeded.callSID)?.status == .completed)
            #expect(try await a.webhook(id: hook.id)?.payload == hook.payload)
            #expect(try await snapshot(b, seeded) == before)
            // And tenant A's deletes now remove only A's copies.
            #expect(try await a.deleteCall(sid: seeded.callSID))
            #expect(try await a.deleteRecording(callSID: seeded.callSID))
            #expect(try await snapshot(b, seeded) == before)
        }
    }

    @Test(arguments: TestBackends.enabled)
    func statusListsAreIndependentPerTenant(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let b = store.scoped(to: "globex")
            let seeded = try await seed(b)
            // A removing "vip" (which B's lead uses) from A's own list is fine and changes nothing of B's.
            try await store.scoped(to: "acme").setLeadStatuses(["new", "vip"])
            try await store.scoped(to: "acme").setLeadStatuses(["new"])
            #expect(try await b.leadStatuses() == ["new", "vip"])
            #expect(try await b.lead(id: seeded.lead.id)?.status == "vip")
        }
    }
}
