public import Foundation

/// A prospective customer captured during a call; one per tenant and normalized phone number.
public struct Lead: Sendable, Codable, Equatable, Identifiable {
    public var id: UUID
    public var name: String?
    public var phone: NormalizedPhone
    /// The call that first produced (or last updated) the lead.
    public var sourceCallSID: String?
    /// One of the tenant's own lead statuses (see ``ScopedStore/setLeadStatuses(_:)``).
    public var status: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, name: String?, phone: NormalizedPhone, sourceCallSID: String?, status: String,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.phone = phone
        self.sourceCallSID = sourceCallSID
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// What a plugin knows when it captures a lead; the store merges it into the existing lead with the
/// same phone number, or creates one.
public struct LeadDraft: Sendable, Codable, Equatable {
    /// Nil keeps the name already stored (a caller who does not repeat their name does not erase it).
    public var name: String?
    public var phone: NormalizedPhone
    public var sourceCallSID: String?
    /// Nil keeps the stored status, or gives a new lead the tenant's first status.
    public var status: String?

    public init(name: String?, phone: NormalizedPhone, sourceCallSID: String? = nil, status: String? = nil) {
        self.name = name
        self.phone = phone
        self.sourceCallSID = sourceCallSID
        self.status = status
    }
}

/// The outcome of ``ScopedStore/upsertLead(_:at:)``.
public struct LeadUpsert: Sendable, Equatable {
    public var lead: Lead
    /// True when no lead with that phone existed for the tenant; false when the draft was merged.
    public var created: Bool

    public init(lead: Lead, created: Bool) {
        self.lead = lead
        self.created = created
    }
}
