import Foundation
import MediaEngine
import Testing

@testable import StoreBackends

/// The webhook outbox: durable, claimed with a lease, retried, never redelivered once delivered.
@Suite struct OutboxTests {
    @Test(arguments: TestBackends.enabled)
    func enqueueIsIdempotentByID(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let scope = store.scoped(to: "acme")
            let hook = Fixtures.webhook()
            try await scope.enqueueWebhook(hook)
            var changed = hook
            changed.payload = "{}"
            try await scope.enqueueWebhook(changed)
            #expect(try await scope.webhook(id: hook.id) == hook)
        }
    }

    @Test(arguments: TestBackends.enabled)
    func claimLeasesDueDeliveriesOldestFirst(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let scope = store.scoped(to: "acme")
            let first = Fixtures.webhook(at: Fixtures.time(0))
            let second = Fixtures.webhook(at: Fixtures.time(10))
            let future = WebhookDelivery(
                event: "call.transcript", url: "https://x.example", payload: "{}", createdAt: Fixtures.time(0),
                nextAttemptAt: Fixtures.time(3_600))
            for hook in [second, future, first] { try await scope.enqueueWebhook(hook) }

            let claimed = try await scope.claimDueWebhooks(now: Fixtures.time(20), leaseUntil: Fixtures.time(80))
            #expect(claimed.map(\.id) == [first.id, second.id])
            #expect(claimed.allSatisfy { $0.attempts == 1 })
            // Leased: another worker finds nothing until the lease ends.
            #expect(try await scope.claimDueWebhooks(now: Fixtures.time(30), leaseUntil: Fixtures.time(90)).isEmpty)
            let again = try await scope.claimDueWebhooks(now: Fixtures.time(80), leaseUntil: Fixtures.time(140))
            #expect(again.map(\.id) == [first.id, second.id])
            #expect(again.allSatisfy { $0.attempts == 2 })
        }
    }

    @Test(arguments: TestBackends.enabled)
    func deliveredIsNeverClaimedAndFailedWaitsForItsRetryTime(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let scope = store.scoped(to: "acme")
            let delivered = Fixtures.webhook()
            let failing = Fixtures.webhook()
            try await scope.enqueueWebhook(delivered)
            try await scope.enqueueWebhook(failing)
            _ = try await scope.claimDueWebhooks(now: Fixtures.time(1), leaseUntil: Fixtures.time(61))
            #expect(try await scope.markWebhookDelivered(id: delivered.id, at: Fixtures.time(2)))
            #expect(try await scope.markWebhookFailed(id: failing.id, error: "HTTP 503", retryAt: Fixtures.time(300)))
            #expect(try await !scope.markWebhookDelivered(id: delivered.id, at: Fixtures.time(3)))

            #expect(try await scope.claimDueWebhooks(now: Fixtures.time(299), leaseUntil: Fixtures.time(359)).isEmpty)
            let retried = try await scope.claimDueWebhooks(now: Fixtures.time(300), leaseUntil: Fixtures.time(360))
            #expect(retried.map(\.id) == [failing.id])
            #expect(retried.first?.lastError == "HTTP 503")
            #expect(try await scope.webhook(id: delivered.id)?.deliveredAt == Fixtures.time(2))
        }
    }

    @Test(arguments: TestBackends.enabled)
    func outboxSurvivesReopeningTheStore(backend: StoreBackendKind) async throws {
        try await TestBackends.withLocation(backend) { open in
            let hook = Fixtures.webhook()
            let first = try await open()
            try await first.scoped(to: "acme").enqueueWebhook(hook)
            await first.close()
            let second = try await open()
            let reread = try await second.scoped(to: "acme").webhook(id: hook.id)
            await second.close()
            #expect(reread == hook)
        }
    }
}
