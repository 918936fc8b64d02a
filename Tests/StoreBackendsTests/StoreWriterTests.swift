import Foundation
import Logging
@testable import MediaEngine
import Testing

@testable import StoreBackends

/// The batching writer: writes in batches, queues and spills while the database is down, replays
/// after, loses nothing, duplicates nothing.
@Suite struct StoreWriterTests {
    private let logger = Logger(label: "kol.test.writer")

    private func configuration(_ spill: URL, maxQueued: Int = 10_000) -> StoreWriter.Configuration {
        StoreWriter.Configuration(
            spillDirectory: spill, batchSize: 25, flushInterval: .milliseconds(5), maxQueuedWrites: maxQueued,
            retryInitialDelay: .milliseconds(5), retryMaxDelay: .milliseconds(40))
    }

    /// Calls CA0..CA(n-1) of `tenant`, each with one turn: 2n records.
    private func submitCalls(_ writer: StoreWriter, count: Int, tenant: TenantID = "acme", from start: Int = 0) {
        for index in start..<(start + count) {
            writer.submit(.call(Fixtures.call("CA\(index)", endedAt: Fixtures.time(60))), tenant: tenant)
            writer.submit(.turn(Fixtures.turn("CA\(index)", index: 0)), tenant: tenant)
        }
    }

    private func storedCalls(_ store: SQLStore, tenant: TenantID = "acme") async throws -> Int {
        try await store.scoped(to: tenant).recentCalls(limit: 100_000).count
    }

    @Test func submittedRecordsReachTheDatabaseInBatches() async throws {
        try await TestBackends.withStore(.sqlite) { store in
            let spill = try TestBackends.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: spill) }
            let writer = StoreWriter(sink: store, configuration: configuration(spill), logger: logger)
            let running = Task { try await writer.run() }
            submitCalls(writer, count: 300)
            await writer.waitUntilIdle()
            running.cancel()
            try await running.value
            #expect(try await storedCalls(store) == 300)
            #expect(try await store.scoped(to: "acme").turns(callSID: "CA299").count == 1)
            let statistics = writer.statistics
            #expect(statistics.submitted == 600)
            #expect(statistics.written == 600)
            #expect(statistics.spilled == 0)
        }
    }

    @Test func recordsQueueThenSpillPastTheBoundWhileDownAndAllArriveAfter() async throws {
        try await TestBackends.withStore(.sqlite) { store in
            let spill = try TestBackends.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: spill) }
            let sink = SwitchableSink(store: store, isDown: true)
            let writer = StoreWriter(sink: sink, configuration: configuration(spill, maxQueued: 40), logger: logger)
            let running = Task { try await writer.run() }
            submitCalls(writer, count: 200)

            // All but the memory bound's worth went to disk.
            #expect(await eventually { writer.statistics.spilled == 360 && writer.statistics.queued == 40 })
            let lines = try String(contentsOf: spill.appendingPathComponent("pending.jsonl"), encoding: .utf8)
                .split(separator: "\n")
            #expect(lines.count == 360)
            #expect(try await storedCalls(store) == 0)
            #expect(await sink.failedWrites > 0)

            await sink.setDown(false)
            await writer.waitUntilIdle()
            running.cancel()
            try await running.value
            #expect(try await storedCalls(store) == 200)
            let statistics = writer.statistics
            #expect(statistics.replayed == 360)
            #expect(statistics.written == 40)
            #expect(statistics.spillPending == 0)
        }
    }

    @Test func recordsSpilledAtShutdownAreReplayedByTheNextRun() async throws {
        try await TestBackends.withStore(.sqlite) { store in
            let spill = try TestBackends.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: spill) }
            let sink = SwitchableSink(store: store, isDown: true)
            let first = StoreWriter(sink: sink, configuration: configuration(spill), logger: logger)
            let firstRun = Task { try await first.run() }
            submitCalls(first, count: 50)
            #expect(await eventually { await sink.failedWrites > 0 })
            firstRun.cancel()
            try await firstRun.value
            #expect(first.statistics.spilled == 100)
            #expect(first.statistics.spillPending == 100)

            let second = StoreWriter(sink: store, configuration: configuration(spill), logger: logger)
            let secondRun = Task { try await second.run() }
            submitCalls(second, count: 10, from: 50)
            await second.waitUntilIdle()
            secondRun.cancel()
            try await secondRun.value
            #expect(try await storedCalls(store) == 60)
            #expect(second.statistics.replayed == 100)
            #expect(try Data(contentsOf: spill.appendingPathComponent("pending.jsonl")).isEmpty)
        }
    }

    @Test func cancellingWithTheDatabaseUpFlushesEverything() async throws {
        try await TestBackends.withStore(.sqlite) { store in
            let spill = try TestBackends.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: spill) }
            var slow = configuration(spill)
            slow.flushInterval = .seconds(60)  // nothing would be written before the cancellation but the final flush
            let writer = StoreWriter(sink: store, configuration: slow, logger: logger)
            let running = Task { try await writer.run() }
            submitCalls(writer, count: 7)
            running.cancel()
            try await running.value
            #expect(try await storedCalls(store) == 7)
            #expect(writer.statistics.spilled == 0)
        }
    }

    @Test func replayingRecordsAlreadyWrittenDuplicatesNothing() async throws {
        try await TestBackends.withStore(.sqlite) { store in
            let spill = try TestBackends.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: spill) }
            // As after a crash between a replayed batch's commit and the file's truncation.
            let records = (0..<20).map { StoreWrite(tenant: "acme", change: .turn(Fixtures.turn("CA1", index: $0))) }
            try await store.write(records)
            try SpillFile(directory: spill).append(records + records)
            let writer = StoreWriter(sink: store, configuration: configuration(spill), logger: logger)
            let running = Task { try await writer.run() }
            await writer.waitUntilIdle()
            running.cancel()
            try await running.value
            #expect(writer.statistics.replayed == 40)
            #expect(try await store.scoped(to: "acme").turns(callSID: "CA1").count == 20)
        }
    }

    @Test func tornLastLineOfTheSpillFileIsDropped() async throws {
        let spill = try TestBackends.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: spill) }
        let good = (0..<3).map { StoreWrite(tenant: "acme", change: .call(Fixtures.call("CA\($0)"))) }
        try SpillFile(directory: spill).append(good)
        let handle = try FileHandle(forWritingTo: spill.appendingPathComponent("pending.jsonl"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"tenant":"acme","change":{"call"#.utf8))
        try handle.close()

        let reopened = try SpillFile(directory: spill)
        #expect(reopened.pendingCount == 3)
        let page = try reopened.peek(limit: 10)
        #expect(page.writes == good)
        #expect(page.undecodable.isEmpty)
    }

    @Test func refusedRecordIsSetAsideAndTheRestIsWritten() async throws {
        try await TestBackends.withStore(.sqlite) { store in
            let spill = try TestBackends.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: spill) }
            let sink = SwitchableSink(store: store, refusing: "CA3")
            let writer = StoreWriter(sink: sink, configuration: configuration(spill), logger: logger)
            let running = Task { try await writer.run() }
            submitCalls(writer, count: 10)
            await writer.waitUntilIdle()
            running.cancel()
            try await running.value
            #expect(try await storedCalls(store) == 9)
            #expect(writer.statistics.rejected == 2)  // the call and its turn
            let rejected = try String(contentsOf: spill.appendingPathComponent("rejected.jsonl"), encoding: .utf8)
            #expect(rejected.split(separator: "\n").count == 2)
            #expect(rejected.contains("CA3"))
        }
    }
}
