import ArgumentParser
import Foundation
import Logging
import MediaEngine
import NIOCore
import NIOPosix
import RealtimeSim
import Synchronization

/// `engine-server loadtest`: places synthetic calls against an engine, the way Twilio would, and reports
/// what callers experienced and what the engine spent. See `LoadGenerator`, `LoadReport`.
struct LoadtestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loadtest",
        abstract: "Load-test an engine with synthetic Twilio calls and report latency, pacing, CPU and memory.",
        discussion: """
            By default the engine runs in this process with the embedded Realtime simulator on loopback, on \
            built-in load-test tenants (--print-tenants shows them). To measure the engine alone, start it \
            separately (for example pinned to one core) and point --url at it:

              engine-server loadtest --print-tenants > /tmp/load.yaml
              KOL_LOADTEST_TWILIO_TOKEN=t OPENAI_API_KEY=sim taskset -c 0 engine-server serve --config /tmp/load.yaml \\
                  --port 8080 --realtime-url ws://127.0.0.1:8099/v1/realtime
              KOL_LOADTEST_TWILIO_TOKEN=t taskset -c 1 engine-server loadtest --url http://127.0.0.1:8080 \\
                  --simulator-port 8099 --engine-pid <pid> --calls 500 --concurrency 500 --rate 20 --duration-s 90

            The simulator then runs in the load test's process (its truncation log gives the truncation error) \
            and the engine's CPU and memory are sampled from /proc. Every run ends by its hard stop \
            (--duration-s): calls still in progress hang up then.
            """
    )

    @Option(help: "Calls to place in all.") var calls = 20
    @Option(help: "Most calls in progress at once.") var concurrency = 20
    @Option(help: "New calls per second (0: as fast as the concurrency allows).") var rate = 10.0
    @Option(name: .customLong("duration-s"), help: "Hard stop (s): no call starts later; calls in progress hang up then.")
    var durationSeconds = 60.0
    @Option(help: "Scenario weights: talk, barge-in, dtmf, silence, hang-up, goodbye (e.g. talk=4,barge-in=3).")
    var mix = CallMix.standard.description
    @Option(help: "Caller language: he, en or mixed.") var language = "he"
    @Option(help: "Seed of the scenario draws.") var seed: UInt64 = 1

    @Option(help: "The engine's base URL (http://host:port); default: an engine in this process.") var url: String?
    @Option(help: "The public URL the engine checks webhook signatures against (default: --url).") var publicURL: String?
    @Option(help: "The tenants' Twilio auth token for signing (default: $\(LoadtestTenants.authTokenEnv)).") var authToken: String?
    @Option(help: "The number to call (default: the built-in tenant for the language, audio path and barge-in).") var to: String?
    @Option(help: "Built-in tenants' model audio path: pcmu or pcm24k.") var audioPath = "pcmu"
    @Option(help: "Built-in tenants' barge-in detector: engine or model.") var bargeIn = "engine"
    @Option(help: "The in-process engine's sample-rate converter for pcm24k: \(ResamplerKind.spellings) (default: polyphase).")
    var resampler: String?
    @Option(help: "Tenants file for the in-process engine (default: the built-in load-test tenants).") var config: String?
    @Option(help: "The simulator's think time before it answers (ms); 0 for engine-latency runs.") var thinkTimeMs = 300
    @Option(help: "With --url: run the Realtime simulator in this process on this port, for the engine's --realtime-url.")
    var simulatorPort: Int?
    @Option(help: "Sample this engine process's CPU and memory (default: this process when the engine runs in it).")
    var enginePid: Int32?
    @Option(help: "The engine's egress lead (ms): the prefill left out of jitter figures (default: what the engine at --url publishes at /metrics, else \(EngineConfiguration.defaultEgressLeadMs), an engine's on the defaults).")
    var leadMs: Double?

    @Option(help: "Write the JSON report here.") var jsonOut: String?
    @Option(help: "Write the HTML report (SVG plots, no network) here.") var htmlOut: String?
    @Flag(help: "Stage-by-stage latency breakdown from engine timestamps (in-process engine only).") var latencyBreakdown = false
    @Flag(help: "Exit non-zero if any call failed or any frame was late or missing.") var failOnError = false
    @Flag(help: "Print the built-in load-test tenants (plugins.yaml format) and exit.") var printTenants = false
    @Flag(help: "With --url: keep Swift's own thread pool instead of running the generator's tasks on NIO's event loops.")
    var threadPoolExecutor = false
    @Flag(help: "No progress line.") var quiet = false
    @Flag(help: "Show the engine's and callers' log lines too.") var verbose = false

    func validate() throws {
        guard calls > 0, concurrency > 0 else { throw ValidationError("--calls and --concurrency must be at least 1") }
        guard rate >= 0, durationSeconds > 0 else { throw ValidationError("--rate must be >= 0 and --duration-s > 0") }
        guard ["he", "en", "mixed"].contains(language) else { throw ValidationError("--language must be he, en or mixed") }
        guard ModelAudioPath(rawValue: audioPath) != nil else { throw ValidationError("--audio-path must be pcmu or pcm24k") }
        guard BargeInSource(rawValue: bargeIn) != nil else { throw ValidationError("--barge-in must be engine or model") }
        if let resampler, ResamplerKind(rawValue: resampler) == nil {
            throw ValidationError("--resampler must be one of \(ResamplerKind.spellings)")
        }
        if resampler != nil, url != nil {
            throw ValidationError("--resampler sets the in-process engine's converter; with --url, give it to that engine's serve")
        }
        guard thinkTimeMs >= 0 else { throw ValidationError("--think-time-ms must be >= 0") }
        if latencyBreakdown, url != nil { throw ValidationError("--latency-breakdown needs the in-process engine (drop --url)") }
        if simulatorPort != nil, url == nil { throw ValidationError("--simulator-port goes with --url (the in-process engine runs its own)") }
        if config != nil, to == nil { throw ValidationError("--config needs --to (the number of the tenant to call)") }
    }

    func run() async throws {
        if printTenants {
            print(LoadtestTenants.yaml)
            return
        }
        if let allowed = CPUAffinity.allowedCPUCount(), allowed < System.coreCount {  // set before first use, never read first
            NIOSingletons.groupLoopCountSuggestion = allowed  // one event loop per CPU we may use, as `serve` does
        }
        if url != nil, !threadPoolExecutor {
            // The generator alone in its process: its tasks run on NIO's event loops, saving a thread switch
            // per message each way (its 20 ms clocks kept time twice as well at 100 calls, for the same
            // CPU). In process, tasks keep Swift's own pool; the engine's calls still run on the loops.
            _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        var logger = Logger(label: "kol-loadtest")
        logger.logLevel = verbose ? .info : .error
        let lead = await EngineEgressLead.resolve(option: leadMs, engineURL: url)
        if lead.source == .assumed, let url {
            FileHandle.standardError.write(Data("""
                loadtest: \(url) publishes no \(EngineMetrics.egressLeadLabel) at /metrics; judging its pacing against \
                \(Int(lead.ms)) ms, a default engine's lead (give --lead-ms if it runs another --egress-chunk-ms)\n
                """.utf8))
        }
        let plan: LoadPlan
        let clips: LoadClips
        do {
            plan = LoadPlan(calls: calls, concurrency: concurrency, ratePerSecond: rate, durationSeconds: durationSeconds,
                            mix: try CallMix(parsing: mix), language: language, seed: seed, leadMs: lead.ms)
            clips = try LoadClips(try SpeechClips.bundled())
        } catch {
            throw CommandFailure.exit("\(error)")
        }
        let breakdown = latencyBreakdown ? LatencyBreakdownRecorder(leadMs: plan.leadMs) : nil
        let collector = LoadCollector(leadMs: plan.leadMs, breakdown: breakdown)
        let run: LoadRun
        do {
            run = try await LoadRun.start(self, collector: collector, breakdown: breakdown, logger: logger)
        } catch {
            throw CommandFailure.exit("\(error)")
        }
        let enginePid = run.target.enginePid
        let monitor = LoadMonitor(collector: collector, engine: enginePid.map(ProcessSampler.init(pid:)),
                                  generator: enginePid == getpid() ? nil : .current, showProgress: !quiet)
        let generator = LoadGenerator(plan: plan, engineURL: run.target.engineURL, publicURL: run.publicURL, lines: run.lines,
                                      clips: clips, collector: collector, logger: logger)
        let remote = run.target.mode == "url"
        let jitterBefore = remote ? await EngineSendJitter.scrape(engineURL: run.target.engineURL) : [:]
        let startNs = MonotonicClock.nowNs()
        let monitoring = Task { await monitor.run(startNs: startNs) }
        await generator.run(startNs: startNs)
        let jitterAfter = remote ? await EngineSendJitter.scrape(engineURL: run.target.engineURL) : [:]
        let wallSeconds = Double(MonotonicClock.nowNs() - startNs) / 1e9
        monitoring.cancel()
        await monitoring.value
        let truncations = run.truncations
        await run.stop()
        var report = LoadReport(plan: plan, target: run.target, wallSeconds: wallSeconds, tally: collector.tally,
                                timeline: monitor.timeline, truncations: truncations, breakdown: breakdown?.report)
        report.engineSendJitter = EngineSendJitter(before: jitterBefore, after: jitterAfter)
        report.target.egressLeadFrom = lead.source
        print(SummaryTable.render(report))
        do {
            if let jsonOut { try report.json().write(to: URL(fileURLWithPath: jsonOut)) }
            if let htmlOut { try Data(HTMLReport.render(report).utf8).write(to: URL(fileURLWithPath: htmlOut)) }
        } catch {
            throw CommandFailure.exit("cannot write the report: \(error)")
        }
        if failOnError, !report.clean { throw ExitCode.failure }
    }
}
