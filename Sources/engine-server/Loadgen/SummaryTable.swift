import Foundation

/// The load test's results as a plain-text table for the terminal.
enum SummaryTable {
    static func render(_ report: LoadReport) -> String {
        let plan = report.plan
        let target = report.target
        var lines: [String] = []
        var what = "\(plan.calls) calls, concurrency \(plan.concurrency), "
            + (plan.ratePerSecond > 0 ? String(format: "%.1f calls/s", plan.ratePerSecond) : "no rate limit")
            + String(format: ", hard stop %.0f s, mix %@, language %@", plan.durationSeconds, plan.mix.description, plan.language)
        if let path = target.audioPath { what += ", \(path)" + (target.resampler.map { " (\($0) resampler)" } ?? "") }
        if let bargeIn = target.bargeIn { what += ", \(bargeIn) barge-in" }
        lines.append("Kol load test: " + what)
        lines.append("  target: \(target.mode) engine at \(target.engineURL)"
            + (target.thinkTimeMs.map { ", simulator think time \($0) ms" } ?? "")
            + (target.enginePid.map { ", engine pid \($0)" } ?? "")
            + (target.egressLeadFrom.map { ", egress lead \(Int(plan.leadMs.rounded())) ms (\($0))" } ?? ""))
        let c = report.calls
        lines.append(String(format: "  calls: placed %d, finished %d, failed %d, rejected %d, cut short by the hard stop %d, peak concurrent %d, %.0f call-seconds in %.1f s",
                            c.placed, c.finished, c.failed, c.rejected, c.cutShort, c.peakConcurrent, c.callSeconds, report.wallSeconds))
        lines.append("")
        lines.append(row("latency (ms)", "n", "min", "p50", "p95", "p99", "max"))
        func add(_ name: String, _ s: LatencySummary?) {
            guard let s else { return }
            lines.append(row(name, "\(s.count)", f(s.min), f(s.p50), f(s.p95), f(s.p99), f(s.max)))
        }
        let l = report.latency
        add("turn: speech end -> first bot frame", l.turn)
        add("barge-in: speech onset -> clear", l.bargeIn)
        add("truncation |error| vs heard", report.truncation.matched > 0 ? report.truncation.absoluteErrorMs : nil)
        add("egress inter-frame jitter", l.jitter)
        add("playout margin at arrival", l.playoutMargin)
        add("engine: first delta -> first frame", l.engineFirstFrame)
        for (source, s) in l.engineBargeInDecision.sorted(by: { $0.key < $1.key }) { add("engine: barge-in decision (\(source))", s) }
        add("generator clock lateness", report.generator.lateness)
        add("generator socket write", report.generator.write)
        lines.append("")
        if report.truncation.matched > 0 || report.truncation.unmatched > 0 {
            lines.append(String(format: "  truncation: %d matched in the simulator's log (mean signed error %+.1f ms), %d not found",
                                report.truncation.matched, report.truncation.meanSignedErrorMs, report.truncation.unmatched))
        }
        let fr = report.frames
        lines.append(String(format: "  frames: %d bot frames, %d late (buffer ran dry mid-utterance, %.0f ms of gaps), %d missing",
                            fr.botFrames, fr.late, fr.underrunMs, fr.missing))
        if let cost = report.cost {
            var text = "  engine cost:"
            if let v = cost.cpuSecondsPerCallSecond { text += String(format: " %.5f CPU-s per call-second", v) }
            if let v = cost.cpuSecondsPerCallSecondAtPlateau, let n = cost.plateauCalls {
                text += String(format: " (%.5f on the plateau of %.0f calls)", v, n)
            }
            if let v = cost.memoryPerCallKB { text += String(format: ", %.0f KB RSS per call", v) }
            if let a = cost.baselineRSSMB, let b = cost.peakRSSMB { text += String(format: ", RSS %.0f -> %.0f MB", a, b) }
            if let cpu = cost.peakCPUPercent { text += String(format: ", peak CPU %.0f%%", cpu) }
            lines.append(text)
            if target.mode == "in-process" {
                lines.append("    (in-process: the engine shares its process with the generator and the simulator; use --url and --engine-pid for the engine alone)")
            }
        }
        if let jitter = report.engineSendJitter { lines.append("  engine send jitter (its /metrics): " + jitter.text) }
        lines.append("  generator: \(report.generator.verdict)"
            + (report.generator.peakCPUPercent.map { String(format: ", peak CPU %.0f%%", $0) } ?? ""))
        for (reason, n) in c.failures.sorted(by: { $0.value > $1.value }) { lines.append("  FAILED \(n) x \(reason)") }
        if let breakdown = report.breakdown { lines += [""] + render(breakdown) }
        lines.append("")
        lines.append(report.clean ? "RESULT: clean (no failed call, no late or missing frame)"
                                  : "RESULT: NOT CLEAN (\(c.failed) failed calls, \(fr.late) late and \(fr.missing) missing frames)")
        return lines.joined(separator: "\n")
    }

    static func render(_ breakdown: LatencyBreakdownReport) -> [String] {
        var lines = ["Latency breakdown (\(breakdown.turnsMatched) turns lined up, \(breakdown.turnsUnmatched) not)",
                     row("stage (ms)", "n", "min", "p50", "p95", "p99", "max", width: 52)]
        var group = ""
        for r in breakdown.rows {
            if r.group != group {
                group = r.group
                lines.append("  [\(group)]")
            }
            let s = r.latency
            lines.append(row(r.stage, "\(s.count)", f(s.min), f(s.p50), f(s.p95), f(s.p99), f(s.max), width: 52))
        }
        return lines
    }

    private static func f(_ x: Double) -> String {
        x >= 100 ? String(format: "%.0f", x) : x >= 1 ? String(format: "%.1f", x) : String(format: "%.3f", x)
    }

    private static func row(_ name: String, _ columns: String..., width: Int = 38) -> String {
        var text = "  " + name.padding(toLength: width, withPad: " ", startingAt: 0)
        for column in columns { text += String(repeating: " ", count: max(1, 9 - column.count)) + column }
        return text
    }
}
