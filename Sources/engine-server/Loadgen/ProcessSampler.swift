import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads a process's CPU time and resident memory from /proc (Linux): `utime + stime` of
/// /proc/PID/stat and `VmRSS` of /proc/PID/status.
struct ProcessSampler: Sendable {
    let pid: Int32
    /// Clock ticks per second of /proc's CPU times.
    private let ticksPerSecond: Double

    /// One reading.
    struct Sample: Sendable, Equatable {
        /// User plus system CPU time consumed so far (s).
        var cpuSeconds: Double
        /// Resident set size (bytes).
        var rssBytes: Int
    }

    init(pid: Int32) {
        self.pid = pid
        let ticks = sysconf(Int32(_SC_CLK_TCK))
        ticksPerSecond = ticks > 0 ? Double(ticks) : 100
    }

    /// The sampler of this process.
    static var current: ProcessSampler { ProcessSampler(pid: getpid()) }

    /// Reads the process now; nil when it is gone or /proc is not there.
    func sample() -> Sample? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let cpuTicks = Self.cpuTicks(stat: stat), let rssKB = Self.rssKB(status: status) else { return nil }
        return Sample(cpuSeconds: Double(cpuTicks) / ticksPerSecond, rssBytes: rssKB * 1024)
    }

    /// `utime + stime` (clock ticks) from the text of /proc/PID/stat. The command name (field 2) may
    /// hold spaces and parentheses, so fields are counted after its closing parenthesis.
    static func cpuTicks(stat: String) -> Int? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
        guard fields.count > 12, let utime = Int(fields[11]), let stime = Int(fields[12]) else { return nil }
        return utime + stime
    }

    /// `VmRSS` (kB) from the text of /proc/PID/status.
    static func rssKB(status: String) -> Int? {
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int($0) }
        }
        return nil
    }
}
