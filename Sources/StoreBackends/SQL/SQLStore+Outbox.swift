public import Foundation
public import MediaEngine

/// The durable outbox of webhook deliveries.
extension SQLStore {
    public func enqueueWebhook(_ delivery: WebhookDelivery, tenant: TenantID) async throws {
        try await write(tenant) { try Self.enqueue(delivery, in: $0) }
    }

    public func webhook(id: UUID, tenant: TenantID) async throws -> WebhookDelivery? {
        try await read(tenant) { try $0.query(OutboxSQL.byID, SQLValue(id)).first.map(Self.decodeWebhook) }
    }

    public func claimDueWebhooks(now: Date, leaseUntil: Date, limit: Int, tenant: TenantID) async throws
        -> [WebhookDelivery]
    {
        // PostgreSQL lets concurrent workers (several engine nodes) skip each other's rows; SQLite has a
        // single writer, so its claim is already exclusive.
        let claim = database.dialect == .postgres ? OutboxSQL.claimSkippingLocked : OutboxSQL.claim
        return try await write(tenant) { session in
            try session.query(claim, SQLValue(now), SQLValue(leaseUntil), SQLValue(max(0, limit)))
                .map(Self.decodeWebhook)
                .sorted { ($0.nextAttemptAt, $0.createdAt) < ($1.nextAttemptAt, $1.createdAt) }
        }
    }

    public func markWebhookDelivered(id: UUID, at now: Date, tenant: TenantID) async throws -> Bool {
        try await write(tenant) { try $0.execute(OutboxSQL.delivered, SQLValue(id), SQLValue(now)) > 0 }
    }

    public func markWebhookFailed(id: UUID, error: String, retryAt: Date, tenant: TenantID) async throws -> Bool {
        try await write(tenant) { try $0.execute(OutboxSQL.failed, SQLValue(id), .text(error), SQLValue(retryAt)) > 0 }
    }

    static func enqueue(_ delivery: WebhookDelivery, in session: TenantSession) throws {
        try session.execute(OutboxSQL.insert, parameters(of: delivery))
    }

    /// `$2...` of ``OutboxSQL/insert``.
    static func parameters(of delivery: WebhookDelivery) -> [SQLValue] {
        [
            SQLValue(delivery.id), .text(delivery.event), .text(delivery.url), .text(delivery.payload),
            SQLValue(delivery.createdAt), SQLValue(delivery.attempts), SQLValue(delivery.nextAttemptAt),
            SQLValue(delivery.deliveredAt), SQLValue(delivery.lastError),
        ]
    }

    static func decodeWebhook(_ row: SQLRow) throws -> WebhookDelivery {
        WebhookDelivery(
            id: try row.uuid(0), event: try row.text(1), url: try row.text(2), payload: try row.text(3),
            createdAt: try row.date(4), attempts: try row.int(5), nextAttemptAt: try row.date(6),
            deliveredAt: try row.optionalDate(7), lastError: try row.optionalText(8))
    }
}

/// The statements of the webhook outbox (tenant bound as `$1`).
enum OutboxSQL {
    static let insert = TenantStatement(
        """
        INSERT INTO webhook_outbox (tenant_id, id, event, url, payload, created_at_ms, attempts, next_attempt_at_ms,
                                    delivered_at_ms, last_error)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        ON CONFLICT (tenant_id, id) DO NOTHING
        """)
    static let byID = TenantStatement(
        """
        SELECT id, event, url, payload, created_at_ms, attempts, next_attempt_at_ms, delivered_at_ms, last_error
        FROM webhook_outbox WHERE tenant_id = $1 AND id = $2
        """)
    static let claim = TenantStatement(
        """
        UPDATE webhook_outbox SET lease_until_ms = $3, attempts = attempts + 1
        WHERE tenant_id = $1 AND id IN (
            SELECT id FROM webhook_outbox
            WHERE tenant_id = $1 AND delivered_at_ms IS NULL AND next_attempt_at_ms <= $2
              AND (lease_until_ms IS NULL OR lease_until_ms <= $2)
            ORDER BY next_attempt_at_ms, created_at_ms, id LIMIT $4)
        RETURNING id, event, url, payload, created_at_ms, attempts, next_attempt_at_ms, delivered_at_ms, last_error
        """)
    static let claimSkippingLocked = TenantStatement(
        """
        UPDATE webhook_outbox SET lease_until_ms = $3, attempts = attempts + 1
        WHERE tenant_id = $1 AND id IN (
            SELECT id FROM webhook_outbox
            WHERE tenant_id = $1 AND delivered_at_ms IS NULL AND next_attempt_at_ms <= $2
              AND (lease_until_ms IS NULL OR lease_until_ms <= $2)
            ORDER BY next_attempt_at_ms, created_at_ms, id LIMIT $4
            FOR UPDATE SKIP LOCKED)
        RETURNING id, event, url, payload, created_at_ms, attempts, next_attempt_at_ms, delivered_at_ms, last_error
        """)
    static let delivered = TenantStatement(
        """
        UPDATE webhook_outbox SET delivered_at_ms = $3, lease_until_ms = NULL
        WHERE tenant_id = $1 AND id = $2 AND delivered_at_ms IS NULL
        """)
    static let failed = TenantStatement(
        """
        UPDATE webhook_outbox SET last_error = $3, next_attempt_at_ms = $4, lease_until_ms = NULL
        WHERE tenant_id = $1 AND id = $2 AND delivered_at_ms IS NULL
        """)
}
