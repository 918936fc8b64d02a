import Foundation
import TestSupport

/// A PostgreSQL server of a test's own, run through `scripts/postgres-test-server.sh` on a port and
/// data directory nobody else uses, so the test can stop and restart it without disturbing the shared
/// test server other tests use in parallel.
///
/// Ports are taken from 24000-24999, below Linux's ephemeral range (32768-60999), so a client socket
/// cannot be holding one. Each server records the test process that owns it; a later run removes the
/// servers whose owner died without cleaning up (a crash).
struct PostgresTestServer {
    let port: Int
    let dataDirectory: String

    private init(port: Int) {
        self.port = port
        dataDirectory = "/tmp/kol-postgres-test-\(port)"
    }

    private var ownerFile: String { "/tmp/kol-postgres-test-\(port).owner" }

    /// Removes abandoned servers, then creates and starts one on a free port; returns it and its URL.
    static func launch() throws -> (server: PostgresTestServer, url: String) {
        removeAbandoned()
        let first = Int(ProcessInfo.processInfo.processIdentifier % 1_000)
        var failure: (any Error)?
        for attempt in 0..<5 {
            let server = PostgresTestServer(port: 24_000 + (first + attempt * 211) % 1_000)
            guard !FileManager.default.fileExists(atPath: server.ownerFile) else { continue }
            do {
                try String(ProcessInfo.processInfo.processIdentifier).write(
                    toFile: server.ownerFile, atomically: true, encoding: .utf8)
                return (server, try server.start())
            } catch {
                failure = error
                try? server.destroy()
            }
        }
        throw failure ?? TestSetupError(description: "no free port for a test PostgreSQL server")
    }

    /// (Re)starts the server; returns its connection URL.
    ///
    /// The script prints the URL as its last line, but `ChildProcess` hands back stderr with stdout, so
    /// a warning from a PostgreSQL tool would otherwise become part of the "URL" (libpq then takes the
    /// whole text for a database name and tries the default socket on port 5432).
    @discardableResult
    func start() throws -> String {
        let output = try run("start")
        guard let url = output.split(whereSeparator: \.isNewline).last.map({ $0.trimmingCharacters(in: .whitespaces) }),
              url.hasPrefix("postgresql://") else {
            throw TestSetupError(description: "postgres-test-server.sh start printed no URL: \(output)")
        }
        return url
    }

    func stop() throws { _ = try run("stop") }

    /// Stops the server and deletes its data directory.
    func destroy() throws {
        _ = try run("destroy")
        try? FileManager.default.removeItem(atPath: ownerFile)
    }

    /// Destroys the servers whose owning test process is gone.
    private static func removeAbandoned() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        for name in names where name.hasPrefix("kol-postgres-test-") && name.hasSuffix(".owner") {
            let portText = name.dropFirst("kol-postgres-test-".count).dropLast(".owner".count)
            guard let port = Int(portText) else { continue }
            let server = PostgresTestServer(port: port)
            let owner = (try? String(contentsOfFile: server.ownerFile, encoding: .utf8)).flatMap { Int32($0) }
            if let owner, kill(owner, 0) == 0 || errno == EPERM { continue }  // still running
            try? server.destroy()
        }
    }

    private static var script: URL {
        URL(fileURLWithPath: #filePath)  // Tests/StoreBackendsTests/Support/PostgresTestServer.swift
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/postgres-test-server.sh")
    }

    /// Runs the script and waits for it (through `ChildProcess`, not Foundation's `Process`).
    private func run(_ command: String) throws -> String {
        var environment = ProcessInfo.processInfo.environment
        environment["KOL_PG_PORT"] = String(port)
        environment["KOL_PG_DATA"] = dataDirectory
        do {
            return try ChildProcess.run(["/bin/bash", Self.script.path, command], environment: environment)
        } catch {
            throw TestSetupError(description: "postgres-test-server.sh \(command): \(error)")
        }
    }
}
