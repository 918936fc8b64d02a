public import Foundation

/// One webhook to deliver (a call's transcript, say), kept in the durable outbox until delivered so
/// that a restart of the engine does not lose it.
///
/// Delivery is at-least-once: a worker claims due deliveries (which leases them for a while), posts
/// them, and marks each delivered or failed with the time of the next attempt. The receiver should
/// deduplicate by `id`.
public struct WebhookDelivery: Sendable, Codable, Equatable, Identifiable {
    /// Also the idempotency key: enqueuing the same id twice stores it once.
    public var id: UUID
    /// What happened, e.g. `call.transcript`.
    public var event: String
    public var url: String
    /// The request body (JSON text).
    public var payload: String
    public var createdAt: Date
    /// How many times it has been claimed for delivery.
    public var attempts: Int
    /// Not claimed before this time.
    public var nextAttemptAt: Date
    /// Set once delivered; a delivered webhook is never claimed again.
    public var deliveredAt: Date?
    /// The last failure, for operators.
    public var lastError: String?

    public init(
        id: UUID = UUID(), event: String, url: String, payload: String, createdAt: Date,
        attempts: Int = 0, nextAttemptAt: Date? = nil, deliveredAt: Date? = nil, lastError: String? = nil
    ) {
        self.id = id
        self.event = event
        self.url = url
        self.payload = payload
        self.createdAt = createdAt
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt ?? createdAt
        self.deliveredAt = deliveredAt
        self.lastError = lastError
    }
}
