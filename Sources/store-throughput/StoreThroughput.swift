import ArgumentParser
import Foundation
import Logging
import MediaEngine
import StoreBackends

/// Measures write throughput through the batching ``StoreWriter``: submits the records of many calls
/// (one call record and N turns each) as fast as it can, then times until all are in the database.
///
///     swift run -c release store-throughput --backend sqlite --calls 5000
///     swift run -c release store-throughput --backend postgres --postgres-url postgresql://kol@127.0.0.1:54329/kol_test
@main
struct StoreThroughput: AsyncParsableCommand {
    enum Backend: String, ExpressibleByArgument, CaseIterable {
        case sqlite
        case postgres
    }

    static let configuration = CommandConfiguration(
        abstract: "Rows per second through the store's batching writer.")

    @Option(help: "sqlite or postgres.") var backend: Backend = .sqlite
    @Option(help: "PostgreSQL URL (a throwaway schema is created in it and dropped afterwards).")
    var postgresURL: String = ProcessInfo.processInfo.environment["KOL_TEST_POSTGRES_URL"] ?? ""
    @Option(help: "Calls to write.") var calls: Int = 5_000
    @Option(help: "Turns per call.") var turnsPerCall: Int = 9
    @Option(help: "Records per transaction.") var batchSize: Int = 200
    @Option(help: "PostgreSQL connections.") var poolSize: Int = 4

    func run() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("kol-throughput-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (store, cleanup) = try await openStore(scratch: scratch)
        let writer = StoreWriter(
            sink: store,
            configuration: StoreWriter.Configuration(
                spillDirectory: scratch.appendingPathComponent("spill"), batchSize: batchSize,
                flushInterval: .milliseconds(20), maxQueuedWrites: 1_000_000),
            logger: Logger(label: "kol.store-throughput"))
        let running = Task { try await writer.run() }

        let records = calls * (1 + turnsPerCall)
        let clock = ContinuousClock()
        let started = clock.now
        for index in 0..<calls {
            let sid = "CA\(index)"
            writer.submit(
                .call(
                    CallRecord(
                        callSID: sid, from: "+972501234567", to: "+97231234567", startedAt: Date(),
                        endedAt: Date(), status: .completed, endReason: "caller_hangup", configVersion: "bench")),
                tenant: "bench")
            for turn in 0..<turnsPerCall {
                writer.submit(
                    .turn(
                        TurnRecord(
                            callSID: sid, index: turn, speaker: turn % 2 == 0 ? .caller : .agent,
                            startMediaMs: Int64(turn) * 3_000, endMediaMs: Int64(turn) * 3_000 + 2_000,
                            transcript: "שלום, אני רוצה לקבוע תור למחר בבוקר", interrupted: false,
                            latency: TurnLatency(endOfSpeechToFirstAudioMs: 620, modelMs: 400, engineMs: 30))),
                    tenant: "bench")
            }
        }
        let submitted = clock.now
        await writer.waitUntilIdle()
        let finished = clock.now
        running.cancel()
        try await running.value
        await store.close()
        await cleanup()

        let submitSeconds = Self.seconds(submitted - started)
        let totalSeconds = Self.seconds(finished - started)
        let statistics = writer.statistics
        print("backend: \(backend.rawValue), records: \(records) (\(calls) calls x (1 call + \(turnsPerCall) turns)), batch: \(batchSize)")
        print(String(format: "submit: %.3f s total, %.2f µs per record (the caller's cost)", submitSeconds, submitSeconds / Double(records) * 1e6))
        print(String(format: "written: %d records in %.3f s = %.0f rows/s", statistics.written, totalSeconds, Double(records) / totalSeconds))
    }

    private func openStore(scratch: URL) async throws -> (SQLStore, () async -> Void) {
        switch backend {
        case .sqlite:
            return (try await SQLiteStore.open(directory: scratch), {})
        case .postgres:
            guard !postgresURL.isEmpty else {
                throw ValidationError("give --postgres-url or set KOL_TEST_POSTGRES_URL")
            }
            let configuration = PostgresConfiguration(
                connectionString: postgresURL, poolSize: poolSize,
                schema: "kol_bench_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())
            return (try await PostgresStore.connect(configuration), { try? await PostgresStore.dropSchema(configuration) })
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
