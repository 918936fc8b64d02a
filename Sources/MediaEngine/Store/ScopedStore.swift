public import Foundation

/// A ``Store`` fixed to one tenant: the only storage handle a call, a plugin or an API handler gets.
///
/// It has no way to name another tenant: every operation passes its own `tenant`, and the backends bind
/// that value into every statement's `tenant_id = $1` in one place (`TenantStatement` in
/// `StoreBackends`). Ids of another tenant's rows (even guessed or leaked ones) match nothing.
public struct ScopedStore: Sendable {
    public let tenant: TenantID
    private let store: any Store

    public init(store: any Store, tenant: TenantID) {
        self.store = store
        self.tenant = tenant
    }

    // MARK: Calls and turns

    public func upsertCall(_ call: CallRecord) async throws { try await store.upsertCall(call, tenant: tenant) }
    public func call(sid: String) async throws -> CallRecord? { try await store.call(sid: sid, tenant: tenant) }
    public func recentCalls(limit: Int = 50) async throws -> [CallRecord] {
        try await store.recentCalls(limit: limit, tenant: tenant)
    }
    public func deleteCall(sid: String) async throws -> Bool { try await store.deleteCall(sid: sid, tenant: tenant) }
    public func upsertTurn(_ turn: TurnRecord) async throws { try await store.upsertTurn(turn, tenant: tenant) }
    public func turns(callSID: String) async throws -> [TurnRecord] {
        try await store.turns(callSID: callSID, tenant: tenant)
    }

    // MARK: Leads

    public func setLeadStatuses(_ statuses: [String]) async throws {
        try await store.setLeadStatuses(statuses, tenant: tenant)
    }
    public func leadStatuses() async throws -> [String] { try await store.leadStatuses(tenant: tenant) }
    public func upsertLead(_ draft: LeadDraft, at now: Date = Date()) async throws -> LeadUpsert {
        try await store.upsertLead(draft, at: now, tenant: tenant)
    }
    public func lead(id: UUID) async throws -> Lead? { try await store.lead(id: id, tenant: tenant) }
    public func lead(phone: NormalizedPhone) async throws -> Lead? { try await store.lead(phone: phone, tenant: tenant) }
    public func leads(status: String? = nil, limit: Int = 100) async throws -> [Lead] {
        try await store.leads(status: status, limit: limit, tenant: tenant)
    }
    public func updateLeadStatus(id: UUID, to status: String, at now: Date = Date()) async throws -> Lead? {
        try await store.updateLeadStatus(id: id, to: status, at: now, tenant: tenant)
    }
    public func deleteLead(id: UUID) async throws -> Bool { try await store.deleteLead(id: id, tenant: tenant) }

    // MARK: Appointments

    public func bookAppointment(_ request: AppointmentRequest, at now: Date = Date()) async throws -> Appointment {
        try await store.bookAppointment(request, at: now, tenant: tenant)
    }
    public func appointment(id: UUID) async throws -> Appointment? {
        try await store.appointment(id: id, tenant: tenant)
    }
    public func appointments(calendar: String? = nil, from: Date, to: Date) async throws -> [Appointment] {
        try await store.appointments(calendar: calendar, from: from, to: to, tenant: tenant)
    }
    public func rescheduleAppointment(id: UUID, startsAt: Date, durationMinutes: Int) async throws -> Appointment? {
        try await store.rescheduleAppointment(id: id, startsAt: startsAt, durationMinutes: durationMinutes, tenant: tenant)
    }
    public func cancelAppointment(id: UUID) async throws -> Bool {
        try await store.cancelAppointment(id: id, tenant: tenant)
    }

    // MARK: Recordings

    public func upsertRecording(_ recording: RecordingRecord) async throws {
        try await store.upsertRecording(recording, tenant: tenant)
    }
    public func recording(callSID: String) async throws -> RecordingRecord? {
        try await store.recording(callSID: callSID, tenant: tenant)
    }
    public func recordings(createdBefore cutoff: Date, limit: Int = 100) async throws -> [RecordingRecord] {
        try await store.recordings(createdBefore: cutoff, limit: limit, tenant: tenant)
    }
    public func deleteRecording(callSID: String) async throws -> Bool {
        try await store.deleteRecording(callSID: callSID, tenant: tenant)
    }

    // MARK: Webhook outbox

    public func enqueueWebhook(_ delivery: WebhookDelivery) async throws {
        try await store.enqueueWebhook(delivery, tenant: tenant)
    }
    public func webhook(id: UUID) async throws -> WebhookDelivery? { try await store.webhook(id: id, tenant: tenant) }
    public func claimDueWebhooks(now: Date, leaseUntil: Date, limit: Int = 20) async throws -> [WebhookDelivery] {
        try await store.claimDueWebhooks(now: now, leaseUntil: leaseUntil, limit: limit, tenant: tenant)
    }
    public func markWebhookDelivered(id: UUID, at now: Date = Date()) async throws -> Bool {
        try await store.markWebhookDelivered(id: id, at: now, tenant: tenant)
    }
    public func markWebhookFailed(id: UUID, error: String, retryAt: Date) async throws -> Bool {
        try await store.markWebhookFailed(id: id, error: error, retryAt: retryAt, tenant: tenant)
    }
}

extension Store {
    /// This store fixed to `tenant`: what calls and plugins get.
    public func scoped(to tenant: TenantID) -> ScopedStore { ScopedStore(store: self, tenant: tenant) }
}
