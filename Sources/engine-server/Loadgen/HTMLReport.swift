import Foundation

/// The load test's report as one self-contained HTML page: the summary, the latency tables, and SVG plots
/// (`SVGChart`) of the latency distributions, egress jitter, calls, CPU and memory over time. No
/// scripts, no network: it opens from a file anywhere.
enum HTMLReport {
    static func render(_ report: LoadReport) -> String {
        let e = SVGChart.escape
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Kol load test</title>
            <style>
            body { font-family: sans-serif; margin: 24px; color: #222; max-width: 1320px; }
            h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ddd; }
            .sub { color: #666; font-size: 13px; }
            table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
            th, td { border: 1px solid #ddd; padding: 4px 10px; text-align: right; } th:first-child, td:first-child { text-align: left; }
            th { background: #f4f4f4; }
            .verdict { font-weight: bold; padding: 8px 12px; display: inline-block; border-radius: 4px; margin: 8px 0; }
            .clean { background: #e3f5e1; color: #1b5e20; } .dirty { background: #fde4e1; color: #b71c1c; }
            .warn { background: #fff4d6; color: #7a5200; }
            .charts { display: flex; flex-wrap: wrap; gap: 12px; } .chart { border: 1px solid #eee; }
            </style></head><body>
            <h1>Kol load test</h1>
            <div class="sub">\(e(report.generatedAt)) · \(e(planLine(report)))</div>

            """
        html += report.clean
            ? #"<div class="verdict clean">Clean: no failed call, no late or missing frame</div>"#
            : #"<div class="verdict dirty">Not clean: \#(report.calls.failed) failed calls, \#(report.frames.late) late and \#(report.frames.missing) missing frames</div>"#
        html += #"<br><div class="verdict \#(report.generator.overloaded || report.generator.engineBackpressure ? "warn" : "clean")">\#(e(report.generator.verdict))</div>"#
        html += section("Summary") + summaryTable(report)
        if let breakdown = report.breakdown { html += section("Latency breakdown") + breakdownTable(breakdown) }
        html += section("Latency") + charts(latencyCharts(report))
        html += section("Egress pacing") + charts(pacingCharts(report))
        html += section("Calls, CPU and memory over time") + charts(timelineCharts(report))
        html += "</body></html>\n"
        return html
    }

    private static func planLine(_ r: LoadReport) -> String {
        var text = "\(r.plan.calls) calls, concurrency \(r.plan.concurrency), "
            + (r.plan.ratePerSecond > 0 ? String(format: "%.1f calls/s", r.plan.ratePerSecond) : "no rate limit")
            + String(format: ", hard stop %.0f s, mix %@, language %@; %@ engine at %@", r.plan.durationSeconds,
                     r.plan.mix.description, r.plan.language, r.target.mode, r.target.engineURL)
        if let path = r.target.audioPath { text += ", \(path)" + (r.target.resampler.map { " (\($0) resampler)" } ?? "") }
        if let bargeIn = r.target.bargeIn { text += ", \(bargeIn) barge-in" }
        if let think = r.target.thinkTimeMs { text += ", simulator think time \(think) ms" }
        return text
    }

    private static func section(_ title: String) -> String { "<h2>\(SVGChart.escape(title))</h2>\n" }

    private static func charts(_ svgs: [String]) -> String { #"<div class="charts">"# + svgs.joined() + "</div>\n" }

    private static func f(_ x: Double) -> String {
        x >= 100 ? String(format: "%.0f", x) : x >= 1 ? String(format: "%.1f", x) : String(format: "%.3f", x)
    }

    private static func latencyRow(_ name: String, _ s: LatencySummary) -> String {
        "<tr><td>\(SVGChart.escape(name))</td><td>\(s.count)</td><td>\(f(s.min))</td><td>\(f(s.p50))</td><td>\(f(s.p95))</td><td>\(f(s.p99))</td><td>\(f(s.max))</td></tr>"
    }

    private static let latencyHeader = "<tr><th>ms</th><th>n</th><th>min</th><th>p50</th><th>p95</th><th>p99</th><th>max</th></tr>"

    private static func summaryTable(_ r: LoadReport) -> String {
        let c = r.calls
        var html = "<table><tr><th>calls</th><th>placed</th><th>finished</th><th>failed</th><th>rejected</th><th>cut short</th><th>peak concurrent</th><th>call-seconds</th></tr>"
        html += String(format: "<tr><td></td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%.0f</td></tr></table>",
                       c.placed, c.finished, c.failed, c.rejected, c.cutShort, c.peakConcurrent, c.callSeconds)
        html += "<table>" + latencyHeader
        html += latencyRow("turn: caller speech end → first bot frame", r.latency.turn)
        html += latencyRow("barge-in: caller speech onset → clear", r.latency.bargeIn)
        if r.truncation.matched > 0 { html += latencyRow("truncation |error| vs what was heard", r.truncation.absoluteErrorMs) }
        html += latencyRow("egress inter-frame jitter", r.latency.jitter)
        html += latencyRow("playout margin at frame arrival", r.latency.playoutMargin)
        if let s = r.latency.engineFirstFrame { html += latencyRow("engine: first model delta → first frame", s) }
        for (source, s) in r.latency.engineBargeInDecision.sorted(by: { $0.key < $1.key }) {
            html += latencyRow("engine: \(source) barge-in decision after onset", s)
        }
        html += latencyRow("generator clock lateness", r.generator.lateness)
        html += latencyRow("generator socket write (long: engine backpressure)", r.generator.write) + "</table>"
        var facts = [String(format: "%d bot frames, %d late (%.0f ms of gaps), %d missing", r.frames.botFrames, r.frames.late,
                            r.frames.underrunMs, r.frames.missing)]
        if r.truncation.matched > 0 {
            facts.append(String(format: "truncation: mean signed error %+.1f ms over %d barge-ins", r.truncation.meanSignedErrorMs, r.truncation.matched))
        }
        if let cost = r.cost {
            var text = "engine cost:"
            if let v = cost.cpuSecondsPerCallSecond { text += String(format: " %.5f CPU-s per call-second", v) }
            if let v = cost.cpuSecondsPerCallSecondAtPlateau, let n = cost.plateauCalls { text += String(format: " (%.5f on the plateau of %.0f calls)", v, n) }
            if let v = cost.memoryPerCallKB { text += String(format: ", %.0f KB RSS per call", v) }
            if let a = cost.baselineRSSMB, let b = cost.peakRSSMB { text += String(format: ", RSS %.0f → %.0f MB", a, b) }
            facts.append(text)
        }
        if let jitter = r.engineSendJitter { facts.append("engine send jitter (its /metrics): " + jitter.text) }
        for (reason, n) in c.failures.sorted(by: { $0.value > $1.value }) { facts.append("FAILED \(n) × \(reason)") }
        html += "<ul>" + facts.map { "<li>\(SVGChart.escape($0))</li>" }.joined() + "</ul>\n"
        return html
    }

    private static func breakdownTable(_ b: LatencyBreakdownReport) -> String {
        var html = "<div class=\"sub\">\(b.turnsMatched) turns lined up with the engine's timestamps (\(b.turnsUnmatched) not)</div><table>" + latencyHeader
        for row in b.rows { html += latencyRow("[\(row.group)] \(row.stage)", row.latency) }
        return html + "</table>\n"
    }

    /// The CDF of `key` up to its 99.9th percentile (a far outlier would squash the rest of the curve; the
    /// tables give the maximum).
    private static func cdf(_ r: LoadReport, _ key: String) -> [(x: Double, y: Double)] {
        (r.distributions[key]?.cdf ?? []).filter { $0.percentile <= 99.9 }.map { ($0.ms, $0.percentile) }
    }

    private static func latencyCharts(_ r: LoadReport) -> [String] {
        let p = SVGChart.palette
        var svgs = [
            SVGChart(title: "Turn and barge-in latency (CDF, to p99.9)", xLabel: "ms", yLabel: "percentile").lines([
                .init(name: "turn: speech end → first bot frame", points: cdf(r, "turn"), color: p[0]),
                .init(name: "barge-in: speech onset → clear", points: cdf(r, "bargeIn"), color: p[1]),
            ], yRange: 0...100),
            SVGChart(title: "Turn latency", xLabel: "ms", yLabel: "turns").bars(r.distributions["turn"]?.histogram ?? [], color: p[0]),
            SVGChart(title: "Barge-in: onset → clear", xLabel: "ms", yLabel: "barge-ins").bars(r.distributions["bargeIn"]?.histogram ?? [], color: p[1]),
        ]
        if r.truncation.matched > 0 {
            svgs.append(SVGChart(title: "Truncation |error| vs what was heard", xLabel: "ms", yLabel: "barge-ins")
                .bars(r.distributions["truncationError"]?.histogram ?? [], color: p[4]))
        }
        if r.distributions["engineFirstFrame"] != nil {
            svgs.append(SVGChart(title: "Engine: first model delta → first frame (CDF, to p99.9)", xLabel: "ms", yLabel: "percentile")
                .lines([.init(name: "engine-added", points: cdf(r, "engineFirstFrame"), color: p[2])], yRange: 0...100))
        }
        return svgs
    }

    private static func pacingCharts(_ r: LoadReport) -> [String] {
        let p = SVGChart.palette
        return [
            SVGChart(title: "Egress inter-frame jitter (CDF, to p99.9)", xLabel: "ms", yLabel: "percentile")
                .lines([.init(name: "jitter", points: cdf(r, "jitter"), color: p[0])], yRange: 0...100),
            SVGChart(title: "Egress jitter", xLabel: "ms", yLabel: "frames").bars(r.distributions["jitter"]?.histogram ?? [], color: p[0]),
            SVGChart(title: "Playout margin at arrival (CDF, to p99.9)", xLabel: "ms buffered", yLabel: "percentile")
                .lines([.init(name: "margin", points: cdf(r, "playoutMargin"), color: p[2])], yRange: 0...100),
            SVGChart(title: "Generator clock lateness (CDF, to p99.9)", xLabel: "ms", yLabel: "percentile")
                .lines([.init(name: "lateness", points: cdf(r, "generatorLateness"), color: p[3])], yRange: 0...100),
        ]
    }

    private static func timelineCharts(_ r: LoadReport) -> [String] {
        let p = SVGChart.palette
        let t = r.timeline
        var svgs = [
            SVGChart(title: "Calls", xLabel: "s", yLabel: "calls").lines([
                .init(name: "in progress", points: t.map { ($0.t, Double($0.activeCalls)) }, color: p[0]),
                .init(name: "finished", points: t.map { ($0.t, Double($0.finishedCalls)) }, color: p[2]),
                .init(name: "failed", points: t.map { ($0.t, Double($0.failedCalls)) }, color: p[1]),
            ]),
            SVGChart(title: "CPU (100 % = one core)", xLabel: "s", yLabel: "%").lines([
                .init(name: "engine", points: t.compactMap { p in p.engineCPUPercent.map { (p.t, $0) } }, color: p[0]),
                .init(name: "generator", points: t.compactMap { p in p.generatorCPUPercent.map { (p.t, $0) } }, color: p[3]),
            ]),
            SVGChart(title: "Resident memory", xLabel: "s", yLabel: "MB").lines([
                .init(name: "engine", points: t.compactMap { p in p.engineRSSBytes.map { (p.t, Double($0) / 1_048_576) } }, color: p[0]),
                .init(name: "generator", points: t.compactMap { p in p.generatorRSSBytes.map { (p.t, Double($0) / 1_048_576) } }, color: p[3]),
            ]),
        ]
        svgs.append(SVGChart(title: "Late and missing frames (counted as calls end)", xLabel: "s", yLabel: "frames").lines([
            .init(name: "late", points: t.map { ($0.t, Double($0.lateFrames)) }, color: p[1]),
            .init(name: "missing", points: t.map { ($0.t, Double($0.missingFrames)) }, color: p[5]),
        ]))
        return svgs
    }
}
