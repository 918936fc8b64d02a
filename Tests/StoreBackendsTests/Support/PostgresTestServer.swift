import Foundation

/// A PostgreSQL server of a test's own, run through `scripts/postgres-test-server.sh` on a port and
/// data directory nobody else uses, so the test can stop and restart it without disturbing the shared
/// test server other tests use in parallel.
struct PostgresTestServer {
    let port: Int
    let dataDirectory: String

    /// A port derived from the process id (so two test runs on one machine do not collide).
    init() {
        port = 55_000 + Int(ProcessInfo.processInfo.processIdentifier % 2_000)
        dataDirectory = "/tmp/kol-postgres-test-\(port)"
    }

    /// Creates (initdb) and starts the server; returns its connection URL.
    func start() throws -> String {
        try run("start").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func stop() throws { _ = try run("stop") }

    /// Stops the server and deletes its data directory.
    func destroy() throws { _ = try run("destroy") }

    private static var script: URL {
        URL(fileURLWithPath: #filePath)  // Tests/StoreBackendsTests/Support/PostgresTestServer.swift
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/postgres-test-server.sh")
    }

    /// Runs the script and waits for it. `posix_spawn` and `waitpid` rather than Foundation's `Process`,
    /// whose `waitUntilExit()` was seen to hang here after the script had exited.
    private func run(_ command: String) throws -> String {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("kol-pg-script-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        var environment = ProcessInfo.processInfo.environment
        environment["KOL_PG_PORT"] = String(port)
        environment["KOL_PG_DATA"] = dataDirectory
        let arguments = ["/bin/bash", Self.script.path, command]
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/bash", &actions, nil, argv, envp)
        guard spawned == 0 else { throw TestSetupError(description: "cannot run the script: errno \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        let exitedNormally = status & 0x7F == 0
        let exitCode = (status >> 8) & 0xFF
        guard exitedNormally && exitCode == 0 else {
            throw TestSetupError(description: "postgres-test-server.sh \(command) failed (status \(status)): \(output)")
        }
        return output
    }
}
