import Foundation
import Logging
import MediaEngine
import Testing

@testable import StoreBackends

/// The retention service deletes recordings (files and rows) older than their tenant's retention,
/// logs each removal, and runs on an interval until cancelled. Time is a fake clock.
@Suite struct RecordingRetentionTests {
    private let day: TimeInterval = 86_400

    /// Writes a recording's file under `directory` and its row, created `ageDays` before `now`.
    private func record(
        _ sid: String, tenant: TenantID, ageDays: Double, now: Date, store: SQLStore, directory: URL
    ) async throws -> URL {
        let relative = "\(tenant)/\(sid).opus"
        let file = directory.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(repeating: 0x4F, count: 1_000).write(to: file)
        try await store.scoped(to: tenant).upsertRecording(
            Fixtures.recording(sid, createdAt: now.addingTimeInterval(-ageDays * day), path: relative))
        return file
    }

    @Test(arguments: TestBackends.enabled)
    func sweepRemovesExpiredFilesAndRowsPerTenantRetention(backend: StoreBackendKind) async throws {
        try await TestBackends.withStore(backend) { store in
            let directory = try TestBackends.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let now = Fixtures.time(40 * day)
            let acmeOld = try await record("CA1", tenant: "acme", ageDays: 7.01, now: now, store: store, directory: directory)
            let acmeYoung = try await record("CA2", tenant: "acme", ageDays: 6.9, now: now, store: store, directory: directory)
            let globexKept = try await record("CB1", tenant: "globex", ageDays: 8, now: now, store: store, directory: directory)
            let globexOld = try await record("CB2", tenant: "globex", ageDays: 31, now: now, store: store, directory: directory)
            let log = CapturedLog()
            let service = RecordingRetentionService(
                store: store, recordingsDirectory: directory,
                policy: { RecordingRetentionPolicy(retentionDaysByTenant: ["globex": 30]) },
                clock: FakeClock(now: now), logger: log.logger())

            let sweep = await service.sweep()

            #expect(sweep.removed.map(\.callSID) == ["CA1", "CB2"])
            #expect(sweep.failures == 0)
            #expect(!FileManager.default.fileExists(atPath: acmeOld.path))
            #expect(!FileManager.default.fileExists(atPath: globexOld.path))
            #expect(FileManager.default.fileExists(atPath: acmeYoung.path))
            #expect(FileManager.default.fileExists(atPath: globexKept.path))
            #expect(try await store.scoped(to: "acme").recording(callSID: "CA1") == nil)
            #expect(try await store.scoped(to: "acme").recording(callSID: "CA2") != nil)
            #expect(try await store.scoped(to: "globex").recording(callSID: "CB1") != nil)
            #expect(try await store.scoped(to: "globex").recording(callSID: "CB2") == nil)
            let removals = log.all.filter { $0.message == "removed expired recording" }
            #expect(removals.map { $0.metadata["callSID"] } == ["CA1", "CB2"])
            #expect(removals.map { $0.metadata["retentionDays"] } == ["7", "30"])
            #expect(removals.first?.metadata["path"] == "acme/CA1.opus")
        }
    }

    @Test func rowOfAFileAlreadyGoneIsRemoved() async throws {
        try await TestBackends.withStore(.sqlite) { store in
            let directory = try TestBackends.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let now = Fixtures.time(30 * day)
            let file = try await record("CA1", tenant: "acme", ageDays: 10, now: now, store: store, directory: directory)
            try FileManager.default.removeItem(at: file)
            let service = RecordingRetentionService(
                store: store, recordingsDirectory: directory, clock: FakeClock(now: now), logger: CapturedLog().logger())
            #expect(await service.sweep().removed.map(\.callSID) == ["CA1"])
            #expect(try await store.scoped(to: "acme").recording(callSID: "CA1") == nil)
        }
    }

    @Test func pathLeadingOutsideTheRecordingsDirectoryDeletesNothingThere() async throws {
        try await TestBackends.withStore(.sqlite) { store in
            let root = try TestBackends.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: root) }
            let directory = root.appendingPathComponent("recordings")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let outside = root.appendingPathComponent("precious.txt")
            try Data("keep me".utf8).write(to: outside)
            let now = Fixtures.time(30 * day)
            try await store.scoped(to: "acme").upsertRecording(
                Fixtures.recording("CA1", createdAt: Fixtures.time(0), path: "../precious.txt"))
            let log = CapturedLog()
            let service = RecordingRetentionService(
                store: store, recordingsDirectory: directory, clock: FakeClock(now: now), logger: log.logger())
            _ = await service.sweep()
            #expect(FileManager.default.fileExists(atPath: outside.path))
            #expect(try await store.scoped(to: "acme").recording(callSID: "CA1") == nil)
            #expect(log.all.contains { $0.level == .error && $0.message.contains("outside the recordings directory") })
        }
    }

    @Test func runSweepsOnEveryIntervalAndStopsWhenCancelled() async throws {
        try await TestBackends.withStore(.sqlite) { store in
            let directory = try TestBackends.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let start = Fixtures.time(100 * day)
            let clock = FakeClock(now: start)
            let early = try await record("CA1", tenant: "acme", ageDays: 3, now: start, store: store, directory: directory)
            let late = try await record("CA2", tenant: "acme", ageDays: 1, now: start, store: store, directory: directory)
            let service = RecordingRetentionService(
                store: store, recordingsDirectory: directory, clock: clock, interval: .seconds(86_400),
                logger: CapturedLog().logger())
            let running = Task { try await service.run() }

            #expect(await eventually { clock.sleeping == 1 })  // first sweep done: both are young
            #expect(FileManager.default.fileExists(atPath: early.path))
            clock.advance(by: 4.5 * day)  // CA1 is 7.5 days old, CA2 5.5
            #expect(await eventually { !FileManager.default.fileExists(atPath: early.path) })
            #expect(await eventually { clock.sleeping == 1 })
            #expect(FileManager.default.fileExists(atPath: late.path))
            clock.advance(by: 2 * day)  // CA2 is 7.5 days old
            #expect(await eventually { !FileManager.default.fileExists(atPath: late.path) })
            #expect(await eventually { clock.sleeping == 1 })

            running.cancel()
            try await running.value
            #expect(try await store.scoped(to: "acme").recordings(createdBefore: Fixtures.time(1_000 * day)).isEmpty)
        }
    }

    @Test func policyGivesEveryUnconfiguredTenantTheDefault() {
        let policy = RecordingRetentionPolicy(retentionDaysByTenant: ["acme": 30, "short": -3])
        #expect(policy.retentionDays(for: "acme") == 30)
        #expect(policy.retentionDays(for: "removed-from-config") == 7)
        #expect(policy.retentionDays(for: "short") == 0)
    }
}
