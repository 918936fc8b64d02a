/// A statement over one tenant's rows: the only kind of statement `SQLStore` runs on tenant data.
///
/// This is where tenant isolation is enforced, once: the text is a compile-time constant (nothing a
/// caller passes can change it), every statement filters or stamps `tenant_id = $1` (checked when it
/// is built, see ``problem(in:)``), and `$1` is always bound by ``TenantSession`` to the session's
/// tenant, never taken from a caller's arguments.
/// A guessed id of another tenant's row therefore matches nothing, for reads, updates and deletes.
struct TenantStatement: Sendable {
    let sql: String

    init(_ sql: StaticString) {
        let text = "\(sql)"
        if let problem = Self.problem(in: text) { preconditionFailure("\(problem): \(text)") }
        self.sql = text
    }

    /// The statement with `$1` bound to `tenant` and `parameters` as `$2`, `$3`, ...: the only place
    /// the tenant is bound.
    func bound(to tenant: String, _ parameters: [SQLValue]) -> BoundStatement {
        BoundStatement(sql: sql, parameters: [.text(tenant)] + parameters)
    }

    /// Why `sql` is not tenant-bound, or nil when it is. The rule, checked on every statement when it
    /// is built: each table read, updated or deleted from (each `FROM`, `JOIN` and `UPDATE`) comes with its own
    /// `WHERE tenant_id = $1`, and an `INSERT` stamps `$1` into `tenant_id` (its first column). The store's
    /// statements are written to this shape; the tenant isolation suite checks the behaviour.
    static func problem(in sql: String) -> String? {
        let spaced = sql.replacingOccurrences(of: "(", with: " ( ").replacingOccurrences(of: ")", with: " ) ")
            .replacingOccurrences(of: ",", with: " , ")
        let text = " " + spaced.split(whereSeparator: \.isWhitespace).joined(separator: " ") + " "
        // An upsert's `DO UPDATE` changes only the row its conflict target (which has tenant_id) found;
        // `FOR UPDATE` locks rows the query already selected. Neither names a table.
        let tables = text.occurrences(of: " FROM ") + text.occurrences(of: " JOIN ") + text.occurrences(of: " UPDATE ")
            - text.occurrences(of: " DO UPDATE ") - text.occurrences(of: " FOR UPDATE ")
        let filters = text.occurrences(of: " WHERE tenant_id = $1 ")
        if text.hasPrefix(" INSERT ") {
            guard text.contains(" ( tenant_id , "), text.contains(" VALUES ( $1 , ") || text.contains(" SELECT $1 , ") else {
                return "an INSERT must put $1 in tenant_id"
            }
        }
        guard tables == filters else {
            return "each FROM, JOIN and UPDATE needs its own WHERE tenant_id = $1 (\(tables) tables, \(filters) filters)"
        }
        return tables > 0 || text.hasPrefix(" INSERT ") ? nil : "a tenant statement must touch a table"
    }
}

extension String {
    fileprivate func occurrences(of needle: String) -> Int {
        components(separatedBy: needle).count - 1
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
        try execute(statement, parameters)
    }

    @discardableResult
    func execute(_ statement: TenantStatement, _ parameters: [SQLValue]) throws -> Int {
        let bound = statement.bound(to: tenant, parameters)
        return try session.execute(bound.sql, bound.parameters)
    }

    func query(_ statement: TenantStatement, _ parameters: SQLValue...) throws -> [SQLRow] {
        let bound = statement.bound(to: tenant, parameters)
        return try session.query(bound.sql, bound.parameters)
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
