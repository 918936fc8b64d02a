import Foundation
import MediaEngine
import Testing

@testable import StoreBackends

/// The backends a behavioural test runs against. The same test body runs on each.
enum StoreBackendKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }
}

/// Why a test could not set up its store.
struct TestSetupError: Error, CustomStringConvertible {
    let description: String
}

/// Chooses and builds the stores tests use: SQLite always (a file in a fresh temporary directory);
/// PostgreSQL when `KOL_TEST_POSTGRES_URL` is set (a fresh schema per test, dropped afterwards, so
/// tests run in parallel safely). With `KOL_REQUIRE_POSTGRES=1` and no URL, PostgreSQL cases fail.
enum TestBackends {
    static var postgresURL: String? {
        guard let url = ProcessInfo.processInfo.environment["KOL_TEST_POSTGRES_URL"], !url.isEmpty else { return nil }
        return url
    }

    static var requirePostgres: Bool { ProcessInfo.processInfo.environment["KOL_REQUIRE_POSTGRES"] == "1" }

    static var postgresEnabled: Bool { postgresURL != nil || requirePostgres }

    /// Every backend the behavioural suites run against in this run.
    static var enabled: [StoreBackendKind] { postgresEnabled ? [.sqlite, .postgres] : [.sqlite] }

    static let skipMessage: Comment = """
        KOL_TEST_POSTGRES_URL is unset: the PostgreSQL half of the store suite is skipped. \
        Start a server with scripts/postgres-test-server.sh start and export the URL it prints \
        (KOL_REQUIRE_POSTGRES=1 makes this a failure instead).
        """

    /// A fresh, migrated store of `kind`, removed after `body`.
    @discardableResult
    static func withStore<T>(_ kind: StoreBackendKind, _ body: (SQLStore) async throws -> T) async throws -> T {
        switch kind {
        case .sqlite:
            let directory = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let store = try await SQLiteStore.open(directory: directory)
            return try await run(body, on: store) {}
        case .postgres:
            let configuration = try postgresConfiguration()
            let store = try await PostgresStore.connect(configuration)
            return try await run(body, on: store) { try? await PostgresStore.dropSchema(configuration) }
        }
    }

    /// A fresh location (SQLite directory, PostgreSQL schema) that `body` can open stores on several
    /// times (to test what survives a restart); removed afterwards. Stores `body` opens it must close.
    @discardableResult
    static func withLocation<T>(
        _ kind: StoreBackendKind, _ body: (_ open: @Sendable () async throws -> SQLStore) async throws -> T
    ) async throws -> T {
        switch kind {
        case .sqlite:
            let directory = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            return try await body { try await SQLiteStore.open(directory: directory) }
        case .postgres:
            let configuration = try postgresConfiguration()
            do {
                let value = try await body { try await PostgresStore.connect(configuration) }
                try? await PostgresStore.dropSchema(configuration)
                return value
            } catch {
                try? await PostgresStore.dropSchema(configuration)
                throw error
            }
        }
    }

    /// A PostgreSQL configuration with a schema of its own.
    static func postgresConfiguration(poolSize: Int = 2) throws -> PostgresConfiguration {
        guard let url = postgresURL else {
            throw TestSetupError(description: "KOL_REQUIRE_POSTGRES=1 but KOL_TEST_POSTGRES_URL is unset")
        }
        let schema = "kol_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        return PostgresConfiguration(connectionString: url, poolSize: poolSize, schema: schema)
    }

    /// A new empty directory under the system's temporary directory.
    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("kol-store-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    private static func run<T>(
        _ body: (SQLStore) async throws -> T, on store: SQLStore, cleanup: () async -> Void
    ) async throws -> T {
        do {
            let value = try await body(store)
            await store.close()
            await cleanup()
            return value
        } catch {
            await store.close()
            await cleanup()
            throw error
        }
    }
}
