/// How long each tenant keeps its call recordings (from `plugins.yaml`).
public struct RecordingRetentionPolicy: Sendable, Equatable {
    /// For tenants without their own setting (and for tenants no longer configured). 7 by default.
    public var defaultRetentionDays: Int
    /// Per-tenant retention in days (0 deletes recordings at the next sweep).
    public var retentionDaysByTenant: [TenantID: Int]

    public init(defaultRetentionDays: Int = 7, retentionDaysByTenant: [TenantID: Int] = [:]) {
        self.defaultRetentionDays = defaultRetentionDays
        self.retentionDaysByTenant = retentionDaysByTenant
    }

    /// The tenant's retention in days (never negative).
    public func retentionDays(for tenant: TenantID) -> Int {
        max(0, retentionDaysByTenant[tenant] ?? defaultRetentionDays)
    }
}
