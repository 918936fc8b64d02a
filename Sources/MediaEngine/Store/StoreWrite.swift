/// One record a call hands to the ``StoreWriter``: fire-and-forget, batched, retried, spilled to disk
/// while the database is down. Every change is an idempotent upsert keyed by the record's natural key,
/// so replaying it (after a crash, or from the spill file) never duplicates a row.
public struct StoreWrite: Sendable, Codable, Equatable {
    /// The tenant the record belongs to (the writer is shared by all calls of a node).
    public var tenant: TenantID
    public var change: Change

    public init(tenant: TenantID, change: Change) {
        self.tenant = tenant
        self.change = change
    }

    /// What to write.
    public enum Change: Sendable, Codable, Equatable {
        /// Insert or update the call (keyed by call SID).
        case call(CallRecord)
        /// Record Twilio's status callback against the call (keyed by call SID): sets only the call's
        /// Twilio status and duration, creating the call's row if the engine has not written it.
        case callStatus(CallStatusReport)
        /// Insert or update a turn (keyed by call SID and turn index).
        case turn(TurnRecord)
        /// Insert or update a recording's metadata (keyed by call SID).
        case recording(RecordingRecord)
        /// Add a webhook to the outbox (keyed by its id; an existing one is left as it is).
        case webhook(WebhookDelivery)
    }
}

/// Something that writes a batch of ``StoreWrite``s in one transaction: what the writer drains into.
/// Every ``Store`` is one; tests use fakes that fail on demand.
public protocol StoreWriteSink: Sendable {
    /// Writes all of `batch` atomically, or none of it. Throws ``StoreError/unavailable(_:)`` when the
    /// database cannot be reached, another ``StoreError`` when it refuses the data.
    func write(_ batch: [StoreWrite]) async throws
}
