/// A statement over one tenant's rows: the only kind of statement `SQLStore` runs on tenant data.
///
/// This is where tenant isolation is enforced, once: the text is a compile-time constant (nothing a
/// caller passes can change it), every statement filters or stamps `tenant_id = $1`, and `$1` is
/// always bound by ``TenantSession`` to the session's tenant, never taken from a caller's arguments.
/// A guessed id of another tenant's row therefore matches nothing, for reads, updates and deletes.
struct TenantStatement: Sendable {
    let sql: String

    init(_ sql: StaticString) {
        let text = "\(sql)"
        precondition(
            text.contains("tenant_id") && text.contains("$1"),
            "a tenant statement must filter or stamp tenant_id with $1: \(text)")
        self.sql = text
    }
}

/// A transaction fixed to one tenant: binds `$1` of every ``TenantStatement`` to `tenant`; a statement's
/// own parameters start at `$2`.
struct TenantSession {
    let tenant: String
    private let session: any SQLSession

    init(tenant: String, session: any SQLSession) {
        self.tenant = tenant
        self.session = session
    }

    @discardableResult
    func execute(_ statement: TenantStatement, _ parameters: SQLValue...) throws -> Int {
        try session.execute(statement.sql, [.text(tenant)] + parameters)
    }

    func query(_ statement: TenantStatement, _ parameters: SQLValue...) throws -> [SQLRow] {
        try session.query(statement.sql, [.text(tenant)] + parameters)
    }
}

extension SQLDatabase {
    /// A write transaction on `tenant`'s rows.
    func write<T: Sendable>(
        tenant: String, _ body: @escaping @Sendable (TenantSession) throws -> T
    ) async throws -> T {
        try await write { session in try body(TenantSession(tenant: tenant, session: session)) }
    }

    /// A read of `tenant`'s rows.
    func read<T: Sendable>(
        tenant: String, _ body: @escaping @Sendable (TenantSession) throws -> T
    ) async throws -> T {
        try await read { session in try body(TenantSession(tenant: tenant, session: session)) }
    }
}
