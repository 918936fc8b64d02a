import Foundation

/// The CPUs this process may run on (`taskset`, `sched_setaffinity`), which NIO's `System.coreCount`
/// does not consider: pinned to one core, the engine should run one event loop, not one per core
/// contending for it (a context switch per hand-over).
enum CPUAffinity {
    /// How many CPUs the affinity mask allows (from `Cpus_allowed_list` in /proc/self/status), or nil if
    /// it cannot be read.
    static func allowedCPUCount(status path: String = "/proc/self/status") -> Int? {
        guard let status = try? String(contentsOfFile: path, encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }) else { return nil }
        return count(cpuList: line.dropFirst("Cpus_allowed_list:".count))
    }

    /// CPUs in a kernel CPU list such as `0-3,6,8-9`; nil if it is malformed.
    static func count(cpuList: Substring) -> Int? {
        var total = 0
        for part in cpuList.split(separator: ",") {
            let bounds = part.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            switch bounds.count {
            case 1: guard bounds[0] != nil else { return nil }; total += 1
            case 2: guard let low = bounds[0], let high = bounds[1], high >= low else { return nil }; total += high - low + 1
            default: return nil
            }
        }
        return total > 0 ? total : nil
    }
}
