public import Foundation
public import MediaEngine

/// Appointments. The database refuses overlapping slots on one calendar (PostgreSQL: an exclusion
/// constraint; SQLite: triggers), so two calls booking the same slot at once cannot both succeed.
extension SQLStore {
    public func bookAppointment(_ request: AppointmentRequest, at now: Date, tenant: TenantID) async throws
        -> Appointment
    {
        try Self.validate(durationMinutes: request.durationMinutes)
        let endsAt = request.startsAt.addingTimeInterval(TimeInterval(request.durationMinutes) * 60)
        return try await write(tenant) { session in
            let rows = try session.query(
                AppointmentSQL.insert, SQLValue(UUID()), .text(request.calendar), SQLValue(request.startsAt),
                SQLValue(endsAt), .text(request.customerName), SQLValue(request.customerPhone?.rawValue),
                SQLValue(request.sourceCallSID), SQLValue(request.notes), SQLValue(now))
            guard let row = rows.first else { throw StoreError.backend("booking returned no row; retry") }
            return try Self.decodeAppointment(row)
        }
    }

    public func appointment(id: UUID, tenant: TenantID) async throws -> Appointment? {
        try await read(tenant) { try $0.query(AppointmentSQL.byID, SQLValue(id)).first.map(Self.decodeAppointment) }
    }

    public func appointments(calendar: String?, from: Date, to: Date, tenant: TenantID) async throws -> [Appointment] {
        try await read(tenant) { session in
            let rows =
                if let calendar {
                    try session.query(AppointmentSQL.overlappingOnCalendar, SQLValue(from), SQLValue(to), .text(calendar))
                } else {
                    try session.query(AppointmentSQL.overlapping, SQLValue(from), SQLValue(to))
                }
            return try rows.map(Self.decodeAppointment)
        }
    }

    public func rescheduleAppointment(id: UUID, startsAt: Date, durationMinutes: Int, tenant: TenantID) async throws
        -> Appointment?
    {
        try Self.validate(durationMinutes: durationMinutes)
        let endsAt = startsAt.addingTimeInterval(TimeInterval(durationMinutes) * 60)
        return try await write(tenant) { session in
            try session.query(AppointmentSQL.reschedule, SQLValue(id), SQLValue(startsAt), SQLValue(endsAt))
                .first.map(Self.decodeAppointment)
        }
    }

    public func cancelAppointment(id: UUID, tenant: TenantID) async throws -> Bool {
        try await write(tenant) { try $0.execute(AppointmentSQL.delete, SQLValue(id)) > 0 }
    }

    private static func validate(durationMinutes: Int) throws {
        guard durationMinutes > 0 else {
            throw StoreError.rejected("an appointment lasts at least one minute (got \(durationMinutes))")
        }
    }

    static func decodeAppointment(_ row: SQLRow) throws -> Appointment {
        let startsAtMs = try row.int64(2)
        let endsAtMs = try row.int64(3)
        let phone = try row.optionalText(5)
        return Appointment(
            id: try row.uuid(0), calendar: try row.text(1), startsAt: try row.date(2),
            durationMinutes: Int((endsAtMs - startsAtMs) / 60_000), customerName: try row.text(4),
            customerPhone: phone.flatMap(NormalizedPhone.init(rawValue:)), sourceCallSID: try row.optionalText(6),
            notes: try row.optionalText(7), createdAt: try row.date(8))
    }
}

/// The statements of appointments (tenant bound as `$1`). Slots are half-open [starts, ends).
enum AppointmentSQL {
    static let insert = TenantStatement(
        """
        INSERT INTO appointments (tenant_id, id, calendar, starts_at_ms, ends_at_ms, customer_name, customer_phone,
                                  source_call_sid, notes, created_at_ms)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        RETURNING id, calendar, starts_at_ms, ends_at_ms, customer_name, customer_phone, source_call_sid, notes,
                  created_at_ms
        """)
    static let byID = TenantStatement(
        """
        SELECT id, calendar, starts_at_ms, ends_at_ms, customer_name, customer_phone, source_call_sid, notes,
               created_at_ms
        FROM appointments WHERE tenant_id = $1 AND id = $2
        """)
    static let overlapping = TenantStatement(
        """
        SELECT id, calendar, starts_at_ms, ends_at_ms, customer_name, customer_phone, source_call_sid, notes,
               created_at_ms
        FROM appointments WHERE tenant_id = $1 AND starts_at_ms < $3 AND ends_at_ms > $2
        ORDER BY starts_at_ms, calendar, id
        """)
    static let overlappingOnCalendar = TenantStatement(
        """
        SELECT id, calendar, starts_at_ms, ends_at_ms, customer_name, customer_phone, source_call_sid, notes,
               created_at_ms
        FROM appointments WHERE tenant_id = $1 AND starts_at_ms < $3 AND ends_at_ms > $2 AND calendar = $4
        ORDER BY starts_at_ms, id
        """)
    static let reschedule = TenantStatement(
        """
        UPDATE appointments SET starts_at_ms = $3, ends_at_ms = $4 WHERE tenant_id = $1 AND id = $2
        RETURNING id, calendar, starts_at_ms, ends_at_ms, customer_name, customer_phone, source_call_sid, notes,
                  created_at_ms
        """)
    static let delete = TenantStatement("DELETE FROM appointments WHERE tenant_id = $1 AND id = $2")
}
