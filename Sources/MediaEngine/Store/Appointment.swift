public import Foundation

/// A booked slot on one of a tenant's calendars. Two appointments on the same calendar never overlap:
/// the database itself refuses it (an exclusion constraint in PostgreSQL, a trigger in SQLite), so two
/// calls booking the same slot at the same moment cannot both succeed.
public struct Appointment: Sendable, Codable, Equatable, Identifiable {
    public var id: UUID
    /// Which calendar (a staff member, a room); empty for a tenant's single calendar.
    public var calendar: String
    public var startsAt: Date
    public var durationMinutes: Int
    public var customerName: String
    public var customerPhone: NormalizedPhone?
    public var sourceCallSID: String?
    public var notes: String?
    public var createdAt: Date

    /// `startsAt + durationMinutes`: the slot is the half-open interval [startsAt, endsAt).
    public var endsAt: Date { startsAt.addingTimeInterval(TimeInterval(durationMinutes) * 60) }

    public init(
        id: UUID, calendar: String, startsAt: Date, durationMinutes: Int, customerName: String,
        customerPhone: NormalizedPhone?, sourceCallSID: String?, notes: String?, createdAt: Date
    ) {
        self.id = id
        self.calendar = calendar
        self.startsAt = startsAt
        self.durationMinutes = durationMinutes
        self.customerName = customerName
        self.customerPhone = customerPhone
        self.sourceCallSID = sourceCallSID
        self.notes = notes
        self.createdAt = createdAt
    }
}

/// A request to book a slot; the store gives it an id and refuses it if the slot is taken.
public struct AppointmentRequest: Sendable, Codable, Equatable {
    public var calendar: String
    public var startsAt: Date
    /// Must be positive.
    public var durationMinutes: Int
    public var customerName: String
    public var customerPhone: NormalizedPhone?
    public var sourceCallSID: String?
    public var notes: String?

    public init(
        calendar: String = "", startsAt: Date, durationMinutes: Int, customerName: String,
        customerPhone: NormalizedPhone? = nil, sourceCallSID: String? = nil, notes: String? = nil
    ) {
        self.calendar = calendar
        self.startsAt = startsAt
        self.durationMinutes = durationMinutes
        self.customerName = customerName
        self.customerPhone = customerPhone
        self.sourceCallSID = sourceCallSID
        self.notes = notes
    }
}
