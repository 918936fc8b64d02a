import ArgumentParser
import Foundation
import Logging
import MediaEngine
import RealtimeSim
import StoreBackends
import Synchronization

/// `engine-server demo`: the engine on its embedded defaults, one synthetic call through real sockets,
/// and a readable timeline of it.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start the engine on its embedded defaults and place one synthetic call through it.",
        discussion: """
            The call goes over real loopback sockets, as Twilio's would: a signed webhook, the media stream, \
            the caller's speech, a keypad press, a barge-in while the bot is talking, and a goodbye. Without \
            OPENAI_API_KEY the embedded Realtime simulator answers.
            """
    )

    @Option(help: "Tenants and their plugins (YAML).") var config = "plugins.yaml"
    @Option(help: "The tenant to call (default: the first in the file).") var tenant: String?
    @Option(help: "The simulator's think time before it answers (ms).") var thinkTimeMs = 300
    @Option(help: "Where the demo's store and recordings go (default: a fresh temporary directory).")
    var dataDir: String?
    @Flag(help: "Show the engine's log lines too.") var verbose = false

    func run() async throws {
        var logger = Logger(label: "kol")
        logger.logLevel = verbose ? .info : .error
        let directory: TenantDirectory
        do { directory = try TenantDirectory.load(path: config) } catch { throw CommandFailure.exit("\(error)") }
        guard let target = tenant.map({ directory.tenant(id: $0) }) ?? directory.tenants.first else {
            throw CommandFailure.exit("\(config): no tenant \(tenant.map { "'\($0)'" } ?? "at all")")
        }
        let clips = try SpeechClips.bundled()
        let language = target.language == .hebrew ? "he" : "en"
        func caller(_ name: String) throws -> [UInt8] {
            guard let clip = clips.clip(name, language: language, role: .caller) else { throw CommandFailure.exit("no caller clip \(name)") }
            return try clips.muLaw(of: clip)
        }
        let timeline = Timeline()
        var simulator = SimulatorConfiguration()
        simulator.thinkTimeMs = thinkTimeMs
        let local = try await LocalEngine.start(directory: directory, simulator: simulator,
                                                dataDirectory: dataDir.map { URL(fileURLWithPath: $0, isDirectory: true) },
                                                logger: logger) { _, event in timeline.record(event) }
        let callSid = "CA" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        print("Kol demo: calling \(target.displayName) (\(target.id)) at \(target.phoneNumbers.first?.e164 ?? "?")")
        print("  engine  \(local.baseURL)   model  \(local.runtime.description)\n")
        let script = CallScript(steps: [
            .pause(ms: 400),
            .say(name: "appointment", audio: try caller("appointment")),
            .waitForBot(timeoutMs: 10_000),
            .dtmf("1"),
            .say(name: "details", audio: try caller("details")),
            .bargeIn(name: "accept", audio: try caller("accept"), afterBotMs: 1_500, timeoutMs: 10_000),
            .waitForBot(timeoutMs: 10_000),
            .say(name: "goodbye", audio: try caller("goodbye")),
            .waitForBot(timeoutMs: 10_000),
            .pause(ms: 1_000),
            .hangUp,
        ])
        let outcome = await SyntheticCaller(
            engineURL: local.baseURL, publicURL: local.baseURL, authToken: LocalEngine.demoToken(for: target),
            from: "+972501234567", to: target.phoneNumbers.first?.e164 ?? "", callSid: callSid, logger: logger
        ).run(script)
        try? await Task.sleep(for: .milliseconds(300))
        await local.stop()
        print(timeline.render())
        print(Self.summary(outcome, timeline: timeline))
        print(await Self.stored(callSid: callSid, tenant: target, dataDirectory: local.dataDirectory))
        if outcome.failure != nil || outcome.rejected { throw ExitCode.failure }
    }

    /// What the call left in the store (reopened after the engine stopped).
    static func stored(callSid: String, tenant: TenantConfig, dataDirectory: URL) async -> String {
        let store: SQLStore
        do {
            store = try await SQLiteStore.open(directory: dataDirectory)
        } catch {
            return "\nStored: cannot open the store in \(dataDirectory.path): \(error)"
        }
        let text = await describe(callSid: callSid, in: store.scoped(to: TenantID(tenant.id)), dataDirectory: dataDirectory)
        await store.close()
        return text
    }

    private static func describe(callSid: String, in store: ScopedStore, dataDirectory: URL) async -> String {
        do {
            guard let call = try await store.call(sid: callSid) else { return "\nStored: no call record in \(dataDirectory.path)" }
            var lines = ["", "Stored in \(dataDirectory.path)",
                         "  call: \(call.status.rawValue), \"\(call.endReason ?? "-")\", config version \(call.configVersion)"]
            for turn in try await store.turns(callSID: callSid) {
                let latency = turn.latency.map { ", latency \($0.endOfSpeechToFirstAudioMs) ms (engine \($0.engineMs) ms)" } ?? ""
                let cut = turn.truncatedAtMs.map { ", interrupted at \($0) ms" } ?? ""
                lines.append("  turn \(turn.index) \(turn.speaker.rawValue) \(turn.startMediaMs)-\(turn.endMediaMs) ms"
                    + "\(latency)\(cut): \(turn.transcript)")
            }
            if let recording = try await store.recording(callSID: callSid) {
                lines.append("  recording: recordings/\(recording.relativePath), \(recording.durationMs) ms, \(recording.sizeBytes) bytes")
            }
            return lines.joined(separator: "\n")
        } catch {
            return "\nStored: cannot read the store in \(dataDirectory.path): \(error)"
        }
    }

    static func summary(_ outcome: SyntheticCaller.Outcome, timeline: Timeline) -> String {
        func ms(_ x: Double) -> String { String(format: "%.0f ms", x) }
        var lines = ["", "Summary"]
        if let failure = outcome.failure { lines.append("  call FAILED: \(failure)") }
        if outcome.rejected { lines.append("  call REJECTED by the engine") }
        lines.append("  caller: \(outcome.framesSent) frames sent, \(outcome.botFramesReceived) bot frames received, "
            + "\(outcome.marksEchoed) marks echoed, \(outcome.lateFrames) late frames, "
            + "schedule lateness max \(String(format: "%.1f", outcome.maxSendLatenessMs)) ms")
        lines.append("  turn latency (caller speech end -> first bot frame, includes VAD stop time and model think time): "
            + outcome.turnLatenciesMs.map(ms).joined(separator: ", "))
        lines.append("  engine-added latency (first model delta -> first frame to Twilio): "
            + timeline.engineLatencies.map { String(format: "%.2f ms", $0) }.joined(separator: ", "))
        for (k, barge) in outcome.bargeIns.enumerated() {
            var line = "  barge-in \(k + 1): caller onset -> clear \(ms(barge.onsetToClearMs))"
            if let engine = timeline.truncations.first(where: { $0.item == barge.heardItem }), let heard = barge.heardMs {
                line += "; truncated \(engine.item) at \(engine.audioEndMs) ms, caller had heard \(heard) ms "
                    + "(error \(engine.audioEndMs - heard) ms)"
            }
            lines.append(line)
        }
        lines.append("  call ended: \(timeline.endReason ?? "?")\(outcome.hungUpByEngine ? " (the engine hung up)" : "")")
        return lines.joined(separator: "\n")
    }
}

/// The engine's events of the demo call with their times, rendered as a readable timeline.
final class Timeline: Sendable {
    private let entries = Mutex<[(ns: UInt64, event: CallEvent)]>([])
    private let origin = MonotonicClock.nowNs()

    func record(_ event: CallEvent) { entries.withLock { $0.append((MonotonicClock.nowNs(), event)) } }

    var engineLatencies: [Double] {
        entries.withLock { $0.compactMap { if case .botAudioStarted(_, _, _, let engine) = $0.event { engine } else { nil } } }
    }

    var truncations: [(item: String, audioEndMs: Int)] {
        entries.withLock {
            $0.compactMap { if case .bargeIn(_, _, _, let item?, let end?, _) = $0.event { (item, end) } else { nil } }
        }
    }

    var endReason: String? {
        entries.withLock { $0.lazy.compactMap { if case .ended(let reason) = $0.event { reason } else { nil } }.first }
    }

    func render() -> String {
        entries.withLock { entries in
            entries.compactMap { entry -> String? in
                let t = String(format: "%7.2f s  ", Double(entry.ns - origin) / 1e9)
                switch entry.event {
                case .started(let call, _, let tenant): return t + "stream started: call \(call) for \(tenant)"
                case .modelConnected: return t + "model session ready"
                case .modelReconnected(let gap): return t + "model reconnected after \(gap) ms"
                case .modelSessionRolledOver: return t + "model session rolled over"
                case .callerSpeechStarted: return t + "caller starts speaking"
                case .callerSpeechStopped: return t + "caller stops speaking"
                case .callerTranscript(let text): return t + "caller said:  \(text)"
                case .botTranscript(_, let text): return t + "bot said:     \(text)"
                case .botAudioStarted(let item, _, let turn, let engine):
                    return t + "bot speaks (\(item))" + (turn.map { ", turn latency \($0) ms" } ?? "")
                        + String(format: ", engine %.2f ms", engine)
                case let .bargeIn(source, _, decision, item, end, unheard):
                    return t + "BARGE-IN (\(source.rawValue) detector): clear sent \(decision) ms after the caller's onset"
                        + (item.map { ", truncated \($0) at \(end ?? 0) ms" } ?? "")
                        + (unheard.isEmpty ? "" : ", dropped unheard \(unheard.joined(separator: ", "))")
                case .botAudioPlayed: return nil
                case .recordingFinished(let path, let durationMs, let size):
                    return t + "recording saved: \(path) (\(durationMs) ms, \(size) bytes)"
                case .dtmf(let digit, _, let inBand): return t + "caller pressed \(digit)" + (inBand ? " (in-band tone)" : "")
                case .toolCall(let name, let arguments): return t + "model called \(name)(\(arguments))"
                case .modelError(let code, let message, _): return t + "model error \(code ?? "-"): \(message)"
                case .fallback(let reason): return t + "FALLBACK: \(reason)"
                case .protocolError(let message): return t + "protocol error: \(message)"
                case .ended(let reason): return t + "call ended: \(reason)"
                }
            }.joined(separator: "\n")
        }
    }
}
