import Foundation
import MediaEngine
import Testing

@testable import StoreBackends

/// Appointments: no double booking, decided by the database.
@Suite struct AppointmentTests {
    private func request(_ startMinutes: Double, _ duration: Int, calendar: String = "") -> AppointmentRequest {
        AppointmentRequest(
            calendar: calendar, startsAt: Fixtures.time(startMinutes * 60), durationMinutes: duration,
            customerName: "Noa", customerPhone: Fixtures.phone("050-111-2222"), sourceCallSID: "CA1",
            notes: "haircut")
    }

    @Test(arguments: TestBackends.enabled)
    func bookedAppointmentReadsBack(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let scope = store.scoped(to: "acme")
            let booked = try await scope.bookAppointment(request(60, 30), at: Fixtures.time(1))
            #expect(booked.startsAt == Fixtures.time(3_600))
            #expect(booked.durationMinutes == 30)
            #expect(booked.endsAt == Fixtures.time(5_400))
            #expect(try await scope.appointment(id: booked.id) == booked)
        }
    }

    @Test(arguments: TestBackends.enabled)
    func overlappingSlotIsRefusedAndAdjacentSlotsAreNot(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let scope = store.scoped(to: "acme")
            _ = try await scope.bookAppointment(request(60, 30))
            await #expect(throws: StoreError.appointmentConflict) { try await scope.bookAppointment(request(75, 30)) }
            await #expect(throws: StoreError.appointmentConflict) { try await scope.bookAppointment(request(50, 15)) }
            await #expect(throws: StoreError.appointmentConflict) { try await scope.bookAppointment(request(65, 5)) }
            _ = try await scope.bookAppointment(request(30, 30))  // ends as the other starts
            _ = try await scope.bookAppointment(request(90, 30))  // starts as the other ends
            _ = try await scope.bookAppointment(request(60, 30, calendar: "room-2"))  // another calendar
            _ = try await store.scoped(to: "globex").bookAppointment(request(60, 30))  // another tenant
            let listed = try await scope.appointments(from: Fixtures.time(0), to: Fixtures.time(7_200))
            #expect(
                listed.map(\.startsAt) == [
                    Fixtures.time(1_800), Fixtures.time(3_600), Fixtures.time(3_600), Fixtures.time(5_400),
                ])
            let roomTwo = try await scope.appointments(calendar: "room-2", from: Fixtures.time(0), to: Fixtures.time(7_200))
            #expect(roomTwo.count == 1)
        }
    }

    @Test(arguments: TestBackends.enabled)
    func concurrentBookingsOfOneSlotLetExactlyOneWin(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let scope = store.scoped(to: "acme")
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for offset in 0..<8 {
                    let slot = request(60 + Double(offset), 30)
                    group.addTask {
                        do {
                            _ = try await scope.bookAppointment(slot)
                            return true
                        } catch StoreError.appointmentConflict {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            #expect(try await scope.appointments(from: Fixtures.time(0), to: Fixtures.time(86_400)).count == 1)
        }
    }

    @Test(arguments: TestBackends.enabled)
    func databaseRefusesAnOverlapInsertedPastTheStore(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            _ = try await store.scoped(to: "acme").bookAppointment(request(60, 30))
            let insert = """
                INSERT INTO appointments (tenant_id, id, calendar, starts_at_ms, ends_at_ms, customer_name, created_at_ms)
                VALUES ($1, $2, '', $3, $4, 'raw', 0)
                """
            let startMs = SQLValue.milliseconds(Fixtures.time(4_000))
            await #expect {
                try await store.database.write { session in
                    try session.execute(insert, [.text("acme"), .text("raw-1"), .integer(startMs), .integer(startMs + 60_000)])
                }
            } throws: { error in
                SQLStore.storeError(try #require(error as? SQLFailure)) == .appointmentConflict
            }
        }
    }

    @Test(arguments: TestBackends.enabled)
    func rescheduleMovesOrRefusesATakenSlot(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let scope = store.scoped(to: "acme")
            let first = try await scope.bookAppointment(request(60, 30))
            let second = try await scope.bookAppointment(request(120, 30))
            await #expect(throws: StoreError.appointmentConflict) {
                try await scope.rescheduleAppointment(id: second.id, startsAt: Fixtures.time(70 * 60), durationMinutes: 30)
            }
            // Moving within its own slot does not conflict with itself.
            let moved = try await scope.rescheduleAppointment(
                id: first.id, startsAt: Fixtures.time(65 * 60), durationMinutes: 45)
            #expect(moved?.startsAt == Fixtures.time(3_900))
            #expect(moved?.durationMinutes == 45)
            #expect(try await scope.cancelAppointment(id: second.id))
            #expect(try await scope.appointment(id: second.id) == nil)
        }
    }

    @Test(arguments: TestBackends.enabled)
    func zeroLengthAppointmentIsRejected(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store async throws in
            await #expect(throws: StoreError.self) {
                try await store.scoped(to: "acme").bookAppointment(request(60, 0))
            }
        }
    }
}
