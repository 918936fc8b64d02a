public import Foundation
public import MediaEngine

/// Leads, deduplicated per tenant by normalized phone, with per-tenant custom statuses.
extension SQLStore {
    /// The status a tenant's leads start with when it configured none.
    static let defaultLeadStatus = "new"

    public func setLeadStatuses(_ statuses: [String], tenant: TenantID) async throws {
        let cleaned = statuses.map { $0.trimmingCharacters(in: .whitespaces) }
        guard !cleaned.isEmpty, !cleaned.contains(where: \.isEmpty), Set(cleaned).count == cleaned.count,
            cleaned.allSatisfy({ $0.count <= 64 })
        else {
            throw StoreError.rejected("lead statuses must be a non-empty list of distinct names of 1 to 64 characters")
        }
        try await write(tenant) { session in
            let existing = try session.query(LeadSQL.statuses).map { try $0.text(0) }
            for name in existing where !cleaned.contains(name) {
                if try session.query(LeadSQL.countWithStatus, .text(name)).first?.int(0) ?? 0 > 0 {
                    throw StoreError.leadStatusInUse(name)
                }
                try session.execute(LeadSQL.deleteStatus, .text(name))
            }
            for (position, name) in cleaned.enumerated() {
                try session.execute(LeadSQL.upsertStatus, .text(name), SQLValue(position))
            }
        }
    }

    public func leadStatuses(tenant: TenantID) async throws -> [String] {
        try await read(tenant) { try $0.query(LeadSQL.statuses).map { try $0.text(0) } }
    }

    public func upsertLead(_ draft: LeadDraft, at now: Date, tenant: TenantID) async throws -> LeadUpsert {
        try await write(tenant) { session in
            try session.execute(LeadSQL.ensureDefaultStatus, .text(Self.defaultLeadStatus))
            if let status = draft.status { try Self.requireStatus(status, in: session) }
            let inserted = try session.query(
                LeadSQL.insert, SQLValue(UUID()), SQLValue(draft.name), .text(draft.phone.rawValue),
                SQLValue(draft.sourceCallSID), SQLValue(draft.status), SQLValue(now))
            if let row = inserted.first { return LeadUpsert(lead: try Self.decodeLead(row), created: true) }
            let merged = try session.query(
                LeadSQL.merge, .text(draft.phone.rawValue), SQLValue(draft.name), SQLValue(draft.sourceCallSID),
                SQLValue(draft.status), SQLValue(now))
            guard let row = merged.first else {
                throw StoreError.backend("lead \(draft.phone) neither inserted nor found; retry")
            }
            return LeadUpsert(lead: try Self.decodeLead(row), created: false)
        }
    }

    public func lead(id: UUID, tenant: TenantID) async throws -> Lead? {
        try await read(tenant) { try $0.query(LeadSQL.byID, SQLValue(id)).first.map(Self.decodeLead) }
    }

    public func lead(phone: NormalizedPhone, tenant: TenantID) async throws -> Lead? {
        try await read(tenant) { try $0.query(LeadSQL.byPhone, .text(phone.rawValue)).first.map(Self.decodeLead) }
    }

    public func leads(status: String?, limit: Int, tenant: TenantID) async throws -> [Lead] {
        try await read(tenant) { session in
            let rows =
                if let status {
                    try session.query(LeadSQL.withStatus, .text(status), SQLValue(max(0, limit)))
                } else {
                    try session.query(LeadSQL.all, SQLValue(max(0, limit)))
                }
            return try rows.map(Self.decodeLead)
        }
    }

    public func updateLeadStatus(id: UUID, to status: String, at now: Date, tenant: TenantID) async throws -> Lead? {
        try await write(tenant) { session in
            try Self.requireStatus(status, in: session)
            return try session.query(LeadSQL.updateStatus, SQLValue(id), .text(status), SQLValue(now))
                .first.map(Self.decodeLead)
        }
    }

    public func deleteLead(id: UUID, tenant: TenantID) async throws -> Bool {
        try await write(tenant) { try $0.execute(LeadSQL.delete, SQLValue(id)) > 0 }
    }

    /// Throws ``StoreError/unknownLeadStatus(_:)`` unless the tenant has `status` (the foreign key
    /// enforces it too; this gives the caller the precise error).
    private static func requireStatus(_ status: String, in session: TenantSession) throws {
        guard try !session.query(LeadSQL.statusExists, .text(status)).isEmpty else {
            throw StoreError.unknownLeadStatus(status)
        }
    }

    static func decodeLead(_ row: SQLRow) throws -> Lead {
        let phoneText = try row.text(2)
        guard let phone = NormalizedPhone(rawValue: phoneText) else {
            throw SQLFailure(.decoding, "stored lead phone is not E.164: \(phoneText)")
        }
        return Lead(
            id: try row.uuid(0), name: try row.optionalText(1), phone: phone, sourceCallSID: try row.optionalText(3),
            status: try row.text(4), createdAt: try row.date(5), updatedAt: try row.date(6))
    }
}

/// The statements of leads and lead statuses (tenant bound as `$1`).
enum LeadSQL {
    static let statuses = TenantStatement(
        "SELECT name FROM lead_statuses WHERE tenant_id = $1 ORDER BY position, name")
    static let statusExists = TenantStatement("SELECT 1 FROM lead_statuses WHERE tenant_id = $1 AND name = $2")
    static let countWithStatus = TenantStatement("SELECT COUNT(*) FROM leads WHERE tenant_id = $1 AND status = $2")
    static let deleteStatus = TenantStatement("DELETE FROM lead_statuses WHERE tenant_id = $1 AND name = $2")
    static let upsertStatus = TenantStatement(
        """
        INSERT INTO lead_statuses (tenant_id, name, position) VALUES ($1, $2, $3)
        ON CONFLICT (tenant_id, name) DO UPDATE SET position = excluded.position
        """)
    /// Gives a tenant that configured no statuses the default one, so its first lead can be stored.
    /// Two first leads racing (PostgreSQL's READ COMMITTED lets both see no statuses) insert the same
    /// row: the conflict clause makes the second a no-op instead of an error.
    static let ensureDefaultStatus = TenantStatement(
        """
        INSERT INTO lead_statuses (tenant_id, name, position)
        SELECT $1, $2, 0 WHERE NOT EXISTS (SELECT 1 FROM lead_statuses WHERE tenant_id = $1)
        ON CONFLICT (tenant_id, name) DO NOTHING
        """)
    /// Inserts unless the tenant has a lead with that phone; a new lead without a status gets the
    /// tenant's first one.
    static let insert = TenantStatement(
        """
        INSERT INTO leads (tenant_id, id, name, phone, source_call_sid, status, created_at_ms, updated_at_ms)
        VALUES ($1, $2, $3, $4, $5,
                COALESCE($6, (SELECT name FROM lead_statuses WHERE tenant_id = $1 ORDER BY position, name LIMIT 1)),
                $7, $7)
        ON CONFLICT (tenant_id, phone) DO NOTHING
        RETURNING id, name, phone, source_call_sid, status, created_at_ms, updated_at_ms
        """)
    /// Merges a draft into the existing lead: given fields replace stored ones, missing ones keep them.
    static let merge = TenantStatement(
        """
        UPDATE leads SET name = COALESCE($3, name), source_call_sid = COALESCE($4, source_call_sid),
                         status = COALESCE($5, status), updated_at_ms = $6
        WHERE tenant_id = $1 AND phone = $2
        RETURNING id, name, phone, source_call_sid, status, created_at_ms, updated_at_ms
        """)
    static let byID = TenantStatement(
        """
        SELECT id, name, phone, source_call_sid, status, created_at_ms, updated_at_ms
        FROM leads WHERE tenant_id = $1 AND id = $2
        """)
    static let byPhone = TenantStatement(
        """
        SELECT id, name, phone, source_call_sid, status, created_at_ms, updated_at_ms
        FROM leads WHERE tenant_id = $1 AND phone = $2
        """)
    static let all = TenantStatement(
        """
        SELECT id, name, phone, source_call_sid, status, created_at_ms, updated_at_ms
        FROM leads WHERE tenant_id = $1 ORDER BY updated_at_ms DESC, id LIMIT $2
        """)
    static let withStatus = TenantStatement(
        """
        SELECT id, name, phone, source_call_sid, status, created_at_ms, updated_at_ms
        FROM leads WHERE tenant_id = $1 AND status = $2 ORDER BY updated_at_ms DESC, id LIMIT $3
        """)
    static let updateStatus = TenantStatement(
        """
        UPDATE leads SET status = $3, updated_at_ms = $4 WHERE tenant_id = $1 AND id = $2
        RETURNING id, name, phone, source_call_sid, status, created_at_ms, updated_at_ms
        """)
    static let delete = TenantStatement("DELETE FROM leads WHERE tenant_id = $1 AND id = $2")
}
