/// Why a store operation failed, and what to do about it.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database cannot be reached (down, restarting, network). Transient: retry later. Writes that
    /// go through ``StoreWriter`` are queued and retried by it, so calls are not affected.
    case unavailable(String)
    /// The slot overlaps an existing appointment on the same calendar: offer another time.
    case appointmentConflict
    /// The status is not one of the tenant's lead statuses: use one from ``ScopedStore/leadStatuses()``
    /// or add it with ``ScopedStore/setLeadStatuses(_:)``.
    case unknownLeadStatus(String)
    /// The status cannot be removed while leads still have it: move those leads to another status first.
    case leadStatusInUse(String)
    /// The database refused the data (a constraint such as "ends before it starts"): the record is
    /// wrong and retrying it will not help.
    case rejected(String)
    /// The database's schema is newer than this engine knows (an older engine started against a newer
    /// database): upgrade the engine.
    case schemaTooNew(found: Int, supported: Int)
    /// Opening or migrating the database failed: the message says which step and why.
    case setupFailed(String)
    /// Any other failure reported by the database, with its message.
    case backend(String)

    /// True for failures that may go away by themselves (retry), false for ones that will not.
    public var isTransient: Bool {
        if case .unavailable = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .unavailable(let reason): "database unavailable (retry later): \(reason)"
        case .appointmentConflict: "the slot overlaps an existing appointment on that calendar"
        case .unknownLeadStatus(let status): "'\(status)' is not one of the tenant's lead statuses"
        case .leadStatusInUse(let status): "lead status '\(status)' is still used by leads; move them first"
        case .rejected(let reason): "the database rejected the record: \(reason)"
        case .schemaTooNew(let found, let supported):
            "database schema version \(found) is newer than this engine supports (\(supported)); upgrade the engine"
        case .setupFailed(let reason): "store setup failed: \(reason)"
        case .backend(let message): "database error: \(message)"
        }
    }
}
