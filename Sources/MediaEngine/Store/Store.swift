public import Foundation

/// The engine's storage: calls, turns, leads, appointments, recordings' metadata and the webhook outbox.
///
/// Two backends implement it (module `StoreBackends`): SQLite, the embedded default, and PostgreSQL
/// through libpq. Every operation takes the tenant it acts for and touches only that tenant's rows;
/// the backends bind the tenant into every statement in one place, and a test suite proves that no
/// operation for one tenant reads, changes or deletes another's rows, even given their ids.
///
/// Calls and plugins never hold a `Store`: they get a ``ScopedStore`` fixed to their call's tenant.
/// Writes on a call's path go through ``StoreWriter`` (never awaited by the audio path); the rest are
/// interactive (a plugin booking a slot needs to know it got it).
///
/// Times are stored with millisecond precision. Operations that stamp a time take it as `at`
/// (the caller's clock), so tests are deterministic.
public protocol Store: StoreWriteSink {
    // MARK: Calls and turns

    /// Inserts the call, or replaces the stored one with the same call SID.
    func upsertCall(_ call: CallRecord, tenant: TenantID) async throws
    func call(sid: String, tenant: TenantID) async throws -> CallRecord?
    /// The most recently started calls first.
    func recentCalls(limit: Int, tenant: TenantID) async throws -> [CallRecord]
    /// Deletes the call and its turns; false when the tenant has no such call.
    func deleteCall(sid: String, tenant: TenantID) async throws -> Bool
    /// Inserts the turn, or replaces the stored one with the same call SID and index.
    func upsertTurn(_ turn: TurnRecord, tenant: TenantID) async throws
    /// The call's turns in order of `index`.
    func turns(callSID: String, tenant: TenantID) async throws -> [TurnRecord]

    // MARK: Leads

    /// Replaces the tenant's lead statuses with `statuses`, in that order (the first is what new leads
    /// get). Throws ``StoreError/leadStatusInUse(_:)`` when a removed status is still used by a lead.
    func setLeadStatuses(_ statuses: [String], tenant: TenantID) async throws
    /// The tenant's lead statuses in order; `["new"]` once a lead was stored without any configured.
    func leadStatuses(tenant: TenantID) async throws -> [String]
    /// Creates the lead, or merges the draft into the tenant's lead with the same phone number.
    func upsertLead(_ draft: LeadDraft, at now: Date, tenant: TenantID) async throws -> LeadUpsert
    func lead(id: UUID, tenant: TenantID) async throws -> Lead?
    func lead(phone: NormalizedPhone, tenant: TenantID) async throws -> Lead?
    /// Leads with `status` (all when nil), most recently updated first.
    func leads(status: String?, limit: Int, tenant: TenantID) async throws -> [Lead]
    /// The updated lead, or nil when the tenant has no such lead.
    func updateLeadStatus(id: UUID, to status: String, at now: Date, tenant: TenantID) async throws -> Lead?
    func deleteLead(id: UUID, tenant: TenantID) async throws -> Bool

    // MARK: Appointments

    /// Books the slot, or throws ``StoreError/appointmentConflict`` when it overlaps another on the
    /// same calendar (decided by the database, so concurrent bookings cannot both win).
    func bookAppointment(_ request: AppointmentRequest, at now: Date, tenant: TenantID) async throws -> Appointment
    func appointment(id: UUID, tenant: TenantID) async throws -> Appointment?
    /// Appointments overlapping [from, to), on `calendar` (all calendars when nil), by start time.
    func appointments(calendar: String?, from: Date, to: Date, tenant: TenantID) async throws -> [Appointment]
    /// Moves the appointment; nil when the tenant has no such appointment; throws
    /// ``StoreError/appointmentConflict`` when the new slot is taken.
    func rescheduleAppointment(id: UUID, startsAt: Date, durationMinutes: Int, tenant: TenantID) async throws
        -> Appointment?
    func cancelAppointment(id: UUID, tenant: TenantID) async throws -> Bool

    // MARK: Recordings

    func upsertRecording(_ recording: RecordingRecord, tenant: TenantID) async throws
    func recording(callSID: String, tenant: TenantID) async throws -> RecordingRecord?
    /// Recordings created before `cutoff`, oldest first.
    func recordings(createdBefore cutoff: Date, limit: Int, tenant: TenantID) async throws -> [RecordingRecord]
    func deleteRecording(callSID: String, tenant: TenantID) async throws -> Bool
    /// The tenants that have at least one recording: the retention service's only unscoped read
    /// (ids only), so that recordings of a tenant removed from config still expire.
    func tenantsWithRecordings() async throws -> [TenantID]

    // MARK: Webhook outbox

    /// Adds the delivery to the outbox; an existing delivery with the same id is left unchanged.
    func enqueueWebhook(_ delivery: WebhookDelivery, tenant: TenantID) async throws
    func webhook(id: UUID, tenant: TenantID) async throws -> WebhookDelivery?
    /// Claims up to `limit` undelivered deliveries due at `now`, leasing them until `leaseUntil`
    /// (another worker will not claim them before) and counting the attempt. Oldest due first.
    func claimDueWebhooks(now: Date, leaseUntil: Date, limit: Int, tenant: TenantID) async throws
        -> [WebhookDelivery]
    func markWebhookDelivered(id: UUID, at now: Date, tenant: TenantID) async throws -> Bool
    /// Records the failure and makes the delivery due again at `retryAt`.
    func markWebhookFailed(id: UUID, error: String, retryAt: Date, tenant: TenantID) async throws -> Bool

    // MARK: Lifecycle

    /// Closes the connections; the store must not be used afterwards.
    func close() async
}
