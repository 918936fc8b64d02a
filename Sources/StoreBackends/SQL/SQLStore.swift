public import MediaEngine

/// The ``Store`` over a SQL database: one implementation, with one set of statements, for both
/// backends (open it with ``SQLiteStore/open(directory:fileName:)`` or
/// ``PostgresStore/connect(_:)``). The schemas differ per dialect (see the migrations); the
/// statements do not.
///
/// Every operation on tenant data runs through a ``TenantSession``, which binds the tenant as `$1` of
/// a constant ``TenantStatement``: that is the single place tenant isolation is enforced.
public final class SQLStore: Store {
    let database: any SQLDatabase

    init(database: any SQLDatabase) {
        self.database = database
    }

    public func close() async { await database.close() }

    /// Writes the batch in one transaction (the ``StoreWriter``'s path).
    public func write(_ batch: [StoreWrite]) async throws {
        guard !batch.isEmpty else { return }
        try await mapErrors {
            let statements = batch.map { write in
                let tenant = write.tenant.rawValue
                return switch write.change {
                case .call(let call): CallSQL.upsert.bound(to: tenant, Self.parameters(of: call))
                case .callStatus(let report): CallSQL.recordStatus.bound(to: tenant, Self.parameters(of: report))
                case .turn(let turn): CallSQL.upsertTurn.bound(to: tenant, Self.parameters(of: turn))
                case .recording(let recording): RecordingSQL.upsert.bound(to: tenant, Self.parameters(of: recording))
                case .webhook(let delivery): OutboxSQL.insert.bound(to: tenant, Self.parameters(of: delivery))
                }
            }
            try await database.write { session in try session.executeBatch(statements) }
        }
    }

    /// A write transaction on one tenant's rows, with backend failures turned into `StoreError`s.
    func write<T: Sendable>(
        _ tenant: TenantID, _ body: @escaping @Sendable (TenantSession) throws -> T
    ) async throws -> T {
        try await mapErrors { try await database.write(tenant: tenant.rawValue, body) }
    }

    /// A read of one tenant's rows, with backend failures turned into `StoreError`s.
    func read<T: Sendable>(
        _ tenant: TenantID, _ body: @escaping @Sendable (TenantSession) throws -> T
    ) async throws -> T {
        try await mapErrors { try await database.read(tenant: tenant.rawValue, body) }
    }

    /// Runs `operation`, turning a backend's `SQLFailure` into the `StoreError` a caller can act on.
    func mapErrors<T>(_ operation: () async throws -> T) async throws -> T {
        do {
            return try await operation()
        } catch let failure as SQLFailure {
            throw Self.storeError(failure)
        }
    }

    static func storeError(_ failure: SQLFailure) -> StoreError {
        switch failure.kind {
        case .connection, .contention: .unavailable(failure.message)
        case .exclusionViolation: .appointmentConflict
        case .raised where failure.message.contains(appointmentOverlapMessage): .appointmentConflict
        case .uniqueViolation, .foreignKeyViolation, .checkViolation, .notNullViolation, .raised:
            .rejected(failure.description)
        case .decoding, .other: .backend(failure.description)
        }
    }

    /// The message SQLite's no-double-booking trigger raises (see the SQLite migrations).
    static let appointmentOverlapMessage = "appointment_overlap"
}
