import Foundation
import MediaEngine
import Testing

@testable import StoreBackends

/// Calls, turns and recordings' metadata behave the same on every backend.
@Suite struct CallAndRecordingTests {
    @Test(.enabled(if: TestBackends.postgresEnabled, TestBackends.skipMessage))
    func postgresServerAnswers() async throws {
        try await TestBackends.withStore(.postgres) { store in
            let calls = try await store.scoped(to: "acme").recentCalls()
            #expect(calls.isEmpty)
        }
    }

    @Test(arguments: TestBackends.enabled)
    func callIsStoredAtStartAndUpdatedAtEnd(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let scope = store.scoped(to: "acme")
            try await scope.upsertCall(Fixtures.call("CA1"))
            #expect(try await scope.call(sid: "CA1") == Fixtures.call("CA1"))

            let ended = Fixtures.call("CA1", endedAt: Fixtures.time(95.25))
            try await scope.upsertCall(ended)
            #expect(try await scope.call(sid: "CA1") == ended)
            #expect(try await scope.recentCalls().count == 1)
        }
    }

    @Test(arguments: TestBackends.enabled)
    func replayedStartRecordDoesNotReopenAnEndedCall(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let scope = store.scoped(to: "acme")
            let ended = Fixtures.call("CA1", endedAt: Fixtures.time(60))
            try await scope.upsertCall(ended)
            try await scope.upsertCall(Fixtures.call("CA1"))
            #expect(try await scope.call(sid: "CA1")?.status == .completed)
            #expect(try await scope.call(sid: "CA1")?.endedAt == Fixtures.time(60))
        }
    }

    @Test(arguments: TestBackends.enabled)
    func recentCallsComeNewestFirstUpToTheLimit(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let scope = store.scoped(to: "acme")
            for index in 0..<5 {
                try await scope.upsertCall(Fixtures.call("CA\(index)", startedAt: Fixtures.time(Double(index) * 60)))
            }
            #expect(try await scope.recentCalls(limit: 3).map(\.callSID) == ["CA4", "CA3", "CA2"])
        }
    }

    @Test(arguments: TestBackends.enabled)
    func turnsKeepTranscriptInterruptionAndLatency(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let scope = store.scoped(to: "acme")
            try await scope.upsertCall(Fixtures.call("CA1"))
            let turns = [
                Fixtures.turn("CA1", index: 0, speaker: .caller), Fixtures.turn("CA1", index: 1),
                Fixtures.turn("CA1", index: 2),
            ]
            for turn in turns.reversed() { try await scope.upsertTurn(turn) }
            try await scope.upsertTurn(turns[1])  // a rewrite does not duplicate
            let stored = try await scope.turns(callSID: "CA1")
            #expect(stored == turns)
            #expect(stored[1].interrupted && stored[1].truncatedAtMs == 1_240)
            #expect(stored[1].latency?.endOfSpeechToFirstAudioMs == 640)
            #expect(stored[0].latency == nil)
        }
    }

    @Test(arguments: TestBackends.enabled)
    func deletingACallDeletesItsTurns(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let scope = store.scoped(to: "acme")
            try await scope.upsertCall(Fixtures.call("CA1"))
            try await scope.upsertTurn(Fixtures.turn("CA1", index: 0))
            #expect(try await scope.deleteCall(sid: "CA1"))
            #expect(try await scope.call(sid: "CA1") == nil)
            #expect(try await scope.turns(callSID: "CA1").isEmpty)
            #expect(try await !scope.deleteCall(sid: "CA1"))
        }
    }

    @Test(arguments: TestBackends.enabled)
    func turnEndingBeforeItStartsIsRejectedByTheDatabase(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            var turn = Fixtures.turn("CA1", index: 0)
            turn.endMediaMs = turn.startMediaMs - 1
            await #expect {
                try await store.scoped(to: "acme").upsertTurn(turn)
            } throws: { error in
                guard case .rejected = error as? StoreError else { return false }
                return true
            }
        }
    }

    @Test(arguments: TestBackends.enabled)
    func recordingsAreListedOldestFirstBeforeACutoff(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let scope = store.scoped(to: "acme")
            try await scope.upsertRecording(Fixtures.recording("CA2", createdAt: Fixtures.time(200)))
            try await scope.upsertRecording(Fixtures.recording("CA1", createdAt: Fixtures.time(100)))
            try await scope.upsertRecording(Fixtures.recording("CA3", createdAt: Fixtures.time(300)))
            #expect(try await scope.recording(callSID: "CA1") == Fixtures.recording("CA1", createdAt: Fixtures.time(100)))
            let expired = try await scope.recordings(createdBefore: Fixtures.time(300))
            #expect(expired.map(\.callSID) == ["CA1", "CA2"])
            #expect(try await scope.deleteRecording(callSID: "CA1"))
            #expect(try await scope.recording(callSID: "CA1") == nil)
            #expect(try await store.tenantsWithRecordings() == ["acme"])
        }
    }

    @Test(arguments: TestBackends.enabled)
    func batchWriteStoresEveryKindOfRecordInOneTransaction(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let hook = Fixtures.webhook()
            try await store.write([
                StoreWrite(tenant: "acme", change: .call(Fixtures.call("CA1"))),
                StoreWrite(tenant: "acme", change: .turn(Fixtures.turn("CA1", index: 0))),
                StoreWrite(tenant: "globex", change: .recording(Fixtures.recording("CA9"))),
                StoreWrite(tenant: "acme", change: .webhook(hook)),
            ])
            #expect(try await store.scoped(to: "acme").call(sid: "CA1") != nil)
            #expect(try await store.scoped(to: "acme").turns(callSID: "CA1").count == 1)
            #expect(try await store.scoped(to: "globex").recording(callSID: "CA9") != nil)
            #expect(try await store.scoped(to: "acme").webhook(id: hook.id) == hook)
        }
    }

    @Test(arguments: TestBackends.enabled)
    func batchWithOneBadRecordWritesNothing(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store async throws in
            var bad = Fixtures.recording("CA2")
            bad.channels = 5
            await #expect(throws: StoreError.self) {
                try await store.write([
                    StoreWrite(tenant: "acme", change: .call(Fixtures.call("CA1"))),
                    StoreWrite(tenant: "acme", change: .recording(bad)),
                ])
            }
            #expect(try await store.scoped(to: "acme").call(sid: "CA1") == nil)
        }
    }

    @Test(arguments: TestBackends.enabled)
    func largeBatchFailingPartWayWritesNothingAndTheStoreGoesOn(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            // 150 records span three PostgreSQL pipeline chunks; the bad one sits in the second.
            var batch = (0..<150).map { StoreWrite(tenant: "acme", change: .turn(Fixtures.turn("CA1", index: $0))) }
            var bad = Fixtures.turn("CA1", index: 100)
            bad.endMediaMs = -1
            batch[100] = StoreWrite(tenant: "acme", change: .turn(bad))
            await #expect(throws: StoreError.self) { try await store.write(batch) }
            #expect(try await store.scoped(to: "acme").turns(callSID: "CA1").isEmpty)

            batch[100] = StoreWrite(tenant: "acme", change: .turn(Fixtures.turn("CA1", index: 100)))
            for _ in 0..<3 { try await store.write(batch) }  // every pooled connection still works
            #expect(try await store.scoped(to: "acme").turns(callSID: "CA1").count == 150)
        }
    }
}
