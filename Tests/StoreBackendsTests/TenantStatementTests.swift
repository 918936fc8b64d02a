import Testing

@testable import StoreBackends

/// The rule every statement on tenant data is checked against when it is built.
@Suite struct TenantStatementTests {
    @Test(arguments: [
        "SELECT name FROM lead_statuses WHERE tenant_id = $1 ORDER BY position",
        "DELETE FROM leads WHERE tenant_id = $1 AND id = $2",
        "UPDATE leads SET status = $3 WHERE tenant_id = $1 AND id = $2",
        "INSERT INTO calls (tenant_id, call_sid) VALUES ($1, $2) ON CONFLICT (tenant_id, call_sid) DO UPDATE SET call_sid = excluded.call_sid",
        """
        UPDATE webhook_outbox SET attempts = attempts + 1
        WHERE tenant_id = $1 AND id IN (SELECT id FROM webhook_outbox WHERE tenant_id = $1 LIMIT $2)
        """,
    ])
    func tenantBoundStatementsPass(sql: String) {
        #expect(TenantStatement.problem(in: sql) == nil)
    }

    @Test(arguments: [
        "SELECT name FROM lead_statuses WHERE id = $2 AND tenant_id = $1",  // the filter must lead the WHERE
        "DELETE FROM leads WHERE id = $2",
        "UPDATE leads SET tenant_id = $1 WHERE id = $2",
        "INSERT INTO calls (call_sid, tenant_id) VALUES ($2, $1)",
        "INSERT INTO calls (tenant_id, call_sid) VALUES ($2, $1)",
        "UPDATE webhook_outbox SET attempts = 0 WHERE tenant_id = $1 AND id IN (SELECT id FROM webhook_outbox)",
        "SELECT l.id FROM leads l JOIN appointments a ON a.id = l.id WHERE tenant_id = $1",
        "SELECT 1",
    ])
    func statementsThatCouldReachAnotherTenantFail(sql: String) {
        #expect(TenantStatement.problem(in: sql) != nil)
    }

    @Test func everyStoreStatementIsTenantBound() {
        let statements: [TenantStatement] = [
            CallSQL.upsert, CallSQL.bySID, CallSQL.recent, CallSQL.delete, CallSQL.deleteTurns, CallSQL.upsertTurn,
            CallSQL.turns, RecordingSQL.upsert, RecordingSQL.byCall, RecordingSQL.createdBefore, RecordingSQL.delete,
            LeadSQL.statuses, LeadSQL.statusExists, LeadSQL.countWithStatus, LeadSQL.deleteStatus, LeadSQL.upsertStatus,
            LeadSQL.ensureDefaultStatus, LeadSQL.insert, LeadSQL.merge, LeadSQL.byID, LeadSQL.byPhone, LeadSQL.all,
            LeadSQL.withStatus, LeadSQL.updateStatus, LeadSQL.delete, AppointmentSQL.insert, AppointmentSQL.byID,
            AppointmentSQL.overlapping, AppointmentSQL.overlappingOnCalendar, AppointmentSQL.reschedule,
            AppointmentSQL.delete, OutboxSQL.insert, OutboxSQL.byID, OutboxSQL.claim, OutboxSQL.claimSkippingLocked,
            OutboxSQL.delivered, OutboxSQL.failed,
        ]
        for statement in statements {
            #expect(TenantStatement.problem(in: statement.sql) == nil, "\(statement.sql)")
        }
    }
}
