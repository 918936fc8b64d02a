import Foundation
import MediaEngine
import Testing
import TestSupport
@testable import engine_server

/// What a whole call over real sockets leaves in the engine's SQLite store: the call with its config
/// version, end reason and Twilio's status callback; its turns with transcripts, latencies and the
/// barge-in's truncation point; and, for a tenant that records calls, a valid Ogg Opus recording.
@Suite(.timeLimit(.minutes(3))) struct CallPersistenceEndToEndTests {
    @Test func recordedCallLeavesItsCallTurnsStatusAndRecordingInTheStore() async throws {
        let harness = try await EngineHarness.start()
        let clinic = try #require(harness.local.engine.directory.tenant(id: "clinic"))
        let caller = harness.caller(to: EngineHarness.hebrewNumber)
        let outcome = await caller.run(CallScript(steps: [
            .pause(ms: 200),
            .say(name: "appointment", audio: try harness.callerClip("appointment", language: "he")),
            .waitForBot(timeoutMs: 8_000),
            .say(name: "details", audio: try harness.callerClip("details", language: "he")),
            .bargeIn(name: "accept", audio: try harness.callerClip("accept", language: "he"), afterBotMs: 1_200, timeoutMs: 8_000),
            .waitForBot(timeoutMs: 8_000),
            .hangUp,
        ]))
        #expect(outcome.failure == nil)
        // The writer batches off the call path: poll (generously) for its records. Twilio's status
        // callback comes after the stream's `stop` has ended the call; posted at once, it could reach the
        // engine first on a loaded machine and end the call itself, with its own reason.
        let store = harness.store(of: "clinic")
        let ended = await EngineHarness.eventually(timeoutSeconds: 30) {
            (try? await store.call(sid: caller.callSid))?.endedAt != nil
        }
        try #require(ended, "the stream's stop ended the call")
        #expect(try await caller.postStatus("completed", durationSeconds: 17) == 204)

        let stored = await EngineHarness.eventually(timeoutSeconds: 30) {
            guard let call = try? await store.call(sid: caller.callSid), call.endedAt != nil, call.twilioStatus != nil
            else { return false }
            return (try? await store.recording(callSID: caller.callSid)) != nil
        }
        try #require(stored, "the call's end, its status and its recording were stored")

        let call = try #require(try await store.call(sid: caller.callSid))
        #expect(call.configVersion == clinic.version)
        #expect(call.from == "+972501234567" && call.to == EngineHarness.hebrewNumber)
        #expect(call.status == .completed)
        #expect(call.endReason == "stream stopped by Twilio")
        #expect(call.twilioStatus == "completed" && call.twilioDurationSeconds == 17)
        #expect(try #require(call.endedAt) >= call.startedAt)

        let turns = try await store.turns(callSID: caller.callSid)
        #expect(turns.map(\.index) == Array(0..<turns.count))
        let botTurns = turns.filter { $0.speaker == .agent }
        let callerTurns = turns.filter { $0.speaker == .caller }
        #expect(botTurns.count >= 3, "two answers and the one interrupted: \(turns)")
        #expect(callerTurns.count >= 3)
        #expect(callerTurns.contains { !$0.transcript.isEmpty }, "the model's transcription of the caller was stored")
        #expect(botTurns.filter { !$0.interrupted }.allSatisfy { !$0.transcript.isEmpty })
        #expect(turns.allSatisfy { $0.endMediaMs >= $0.startMediaMs })
        let answered = botTurns.compactMap(\.latency)
        #expect(answered.count >= 2)
        #expect(answered.allSatisfy { $0.endOfSpeechToFirstAudioMs > 0 && $0.engineMs >= 0 && $0.modelMs >= 0 })
        // The barge-in: the interrupted turn is cut exactly where the model's item was truncated.
        let truncation = try #require(harness.simulatorLog.truncations.first)
        let interrupted = try #require(botTurns.first { $0.interrupted })
        #expect(interrupted.truncatedAtMs == Int64(truncation.audioEndMs))
        #expect(interrupted.endMediaMs - interrupted.startMediaMs == Int64(truncation.audioEndMs))

        // The recording: both sides of the whole stream, a file opusinfo accepts.
        let recording = try #require(try await store.recording(callSID: caller.callSid))
        #expect(recording.relativePath == RecordingRecord.relativePath(tenant: "clinic", callSID: caller.callSid,
                                                                       startedAt: call.startedAt))
        #expect(recording.codec == "opus" && recording.channels == 1)
        let file = harness.local.storage.recordingsDirectory.appendingPathComponent(recording.relativePath)
        let size = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int
        #expect(Int64(size ?? -1) == recording.sizeBytes)
        #expect(recording.durationMs > 5_000, "the call lasted \(recording.durationMs) ms")
        let info = try ChildProcess.run(["opusinfo", file.path])
        #expect(!info.lowercased().contains("warning") && !info.lowercased().contains("error"), "\(info)")
        #expect(info.contains("Channels: 1") && info.contains("KOL_CALL=\(caller.callSid)"), "\(info)")
        await harness.stop()
    }

    @Test func callOfATenantThatDoesNotRecordIsStoredWithoutARecording() async throws {
        let harness = try await EngineHarness.start()
        let caller = harness.caller(to: EngineHarness.englishNumber)
        let outcome = await caller.run(CallScript(steps: [
            .say(name: "appointment", audio: try harness.callerClip("appointment", language: "en")),
            .waitForBot(timeoutMs: 8_000),
            .hangUp,
        ]))
        #expect(outcome.failure == nil)
        let store = harness.store(of: "plumbing")
        let ended = await EngineHarness.eventually(timeoutSeconds: 30) {
            (try? await store.call(sid: caller.callSid))?.endedAt != nil
        }
        #expect(ended)
        let turns = try await store.turns(callSID: caller.callSid)
        #expect(turns.contains { $0.speaker == .agent && $0.latency != nil }, "\(turns)")
        #expect(try await store.recording(callSID: caller.callSid) == nil)
        let folder = harness.local.storage.recordingsDirectory.appendingPathComponent("plumbing")
        #expect(!FileManager.default.fileExists(atPath: folder.path))
        // Another tenant's scope sees none of it.
        #expect(try await harness.store(of: "clinic").call(sid: caller.callSid) == nil)
        await harness.stop()
    }

    @Test func statusCallbackForACallTheEngineNeverSawIsRecorded() async throws {
        let harness = try await EngineHarness.start()
        let caller = harness.caller(to: EngineHarness.hebrewNumber)
        #expect(try await caller.postStatus("no-answer", durationSeconds: 0) == 204)
        let store = harness.store(of: "clinic")
        let recorded = await EngineHarness.eventually(timeoutSeconds: 30) {
            (try? await store.call(sid: caller.callSid))?.twilioStatus == "no-answer"
        }
        #expect(recorded)
        #expect(await harness.local.engine.registry.totalCalls == 0)
        await harness.stop()
    }
}
