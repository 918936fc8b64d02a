import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion for a test's setup (espeak-ng, sox, opusinfo, the PostgreSQL script).
///
/// `posix_spawn` and `waitpid` rather than Foundation's `Process`, whose `waitUntilExit()` was seen to
/// hang here after the child had exited; on a 2-core machine a hung wait also holds one of only two
/// cooperative threads, stalling every other test in the process.
public enum ChildProcess {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs `arguments[0]` (looked up on PATH) with the rest as its arguments; returns standard output
    /// and error combined. Throws when it cannot start or exits non-zero.
    @discardableResult
    public static func run(_ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        precondition(!arguments.isEmpty, "ChildProcess.run needs a program")
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("kol-child-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
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
        let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, argv, envp)
        guard spawned == 0 else { throw Failure(description: "cannot run \(arguments[0]): errno \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        let exitedNormally = status & 0x7F == 0
        let exitCode = (status >> 8) & 0xFF
        guard exitedNormally && exitCode == 0 else {
            throw Failure(description: "\(arguments.joined(separator: " ")) failed (status \(status)): \(output.prefix(2_000))")
        }
        return output
    }
}
