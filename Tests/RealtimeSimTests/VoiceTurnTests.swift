import MediaEngine
@testable import RealtimeSim
import Testing

@Suite("SimulatedSession: server VAD turns and streamed responses")
struct VoiceTurnTests {
    /// Think time 300 ms, 4x real time, 100 ms deltas: the defaults the engine sees.
    static let paced = SimulatorConfiguration(thinkTimeMs: 300, pacing: .realTimeMultiple(4), deltaDurationMs: 100)

    @Test func vadTurnIsAnsweredWithTheWholeReplyFasterThanRealTime() async throws {
        let harness = try await SessionHarness.started(Self.paced)
        try await harness.send(Fixtures.phoneSession())
        await harness.appendMuLaw(Fixtures.silence(ms: 1000) + (try Fixtures.callerMuLaw("appointment")) + Fixtures.silence(ms: 800))
        try await harness.waitFor("response.done")
        let events = harness.events

        // The turn, on the input timeline: speech begins ~100 ms into the clip (its leading pad), and
        // audio_start_ms backs off the 300 ms prefix padding; audio_end_ms includes the 500 ms silence.
        guard case .inputAudioSpeechStarted(let started)? = events.first(where: { $0.type == "input_audio_buffer.speech_started" }),
              case .inputAudioSpeechStopped(let stopped)? = events.first(where: { $0.type == "input_audio_buffer.speech_stopped" }),
              case .inputAudioCommitted(let committed)? = events.first(where: { $0.type == "input_audio_buffer.committed" })
        else {
            Issue.record("no VAD turn in \(harness.types)")
            return
        }
        #expect((750...900).contains(started.audioStartMs), "audio_start_ms \(started.audioStartMs)")
        let clipMs = 2920
        #expect((1000 + clipMs - 300...1000 + clipMs + 600).contains(stopped.audioEndMs), "audio_end_ms \(stopped.audioEndMs)")
        #expect(stopped.itemID == started.itemID)
        #expect(committed.itemID == started.itemID)

        #expect(events.containsInOrder([
            "input_audio_buffer.speech_started", "input_audio_buffer.speech_stopped", "input_audio_buffer.committed",
            "conversation.item.added", "conversation.item.done", "response.created", "rate_limits.updated",
            "conversation.item.input_audio_transcription.completed",
            "response.output_item.added", "conversation.item.added", "response.content_part.added",
            "response.output_audio.delta", "response.output_audio_transcript.delta",
            "response.output_audio.done", "response.output_audio_transcript.done", "response.content_part.done",
            "response.output_item.done", "conversation.item.done", "response.done",
        ]))

        // The reply is the scripted clip, whole, in mu-law (pcmu output), 100 ms per delta.
        let reply = try Fixtures.botClip("ask-details")
        let deltas = events.compactMap(\.audioDeltaBytes)
        #expect(deltas.reduce(0) { $0 + $1.count } == reply.samples.count)
        #expect(deltas.count == (reply.samples.count + 799) / 800)
        #expect(deltas.dropLast().allSatisfy { $0.count == 800 })
        #expect(deltas.joined().elementsEqual(MuLaw.encode(reply.samples)))
        let transcript = events.compactMap { if case .responseOutputAudioTranscriptDelta(let d) = $0 { d.delta } else { nil } }.joined()
        #expect(transcript == reply.text)

        // Timing on the session clock: 300 ms of think time, then 25 ms between 100 ms deltas.
        let timed = harness.timedEvents
        let created = try #require(timed.first { $0.event.type == "response.created" }?.at)
        let deltaTimes = timed.filter { $0.event.type == "response.output_audio.delta" }.map(\.at)
        let done = try #require(timed.last { $0.event.type == "response.done" }?.at)
        #expect(created.duration(to: deltaTimes[0]) == .milliseconds(300))
        #expect(deltaTimes[0].duration(to: done) == .milliseconds(25 * (deltas.count - 1)))
        let replyMs = reply.samples.count / 8
        #expect(deltaTimes[0].duration(to: done) < .milliseconds(replyMs / 3))

        let response = try #require(events.doneResponses.first)
        #expect(response.status == .completed)
        #expect(response.output?.first?.content?.first?.transcript == reply.text)
        #expect((response.usage?.outputTokens ?? 0) > 0)
    }

    @Test func transcriptionCarriesTheScriptedTranscriptInTheSessionLanguage() async throws {
        let harness = try await SessionHarness.started()
        try await harness.send(Fixtures.phoneSession(language: "en"))
        await harness.appendMuLaw((try Fixtures.callerMuLaw("appointment", language: "en")) + Fixtures.silence(ms: 800))
        try await harness.waitFor("response.done")
        guard case .inputTranscriptionCompleted(let completed)? = harness.events.first(where: {
            $0.type == "conversation.item.input_audio_transcription.completed"
        }) else {
            Issue.record("no transcription in \(harness.types)")
            return
        }
        #expect(completed.transcript == "Hi, I would like to book a dental checkup.")
        let reply = try Fixtures.botClip("ask-details", language: "en")
        #expect(harness.events.doneResponses.first?.output?.first?.content?.first?.transcript == reply.text)
    }

    @Test func vadReportsExactTurnEdgesOnTheInputTimeline() async throws {
        let harness = try await SessionHarness.started()
        try await harness.send(Fixtures.phoneSession(turnDetection: .serverVAD(.init(
            threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 500, createResponse: false, interruptResponse: true))))
        // 500 ms silence, 1 s of tone, 1 s silence: speech from 500 ms, quiet from 1500 ms.
        await harness.appendMuLaw(Fixtures.silence(ms: 500) + Fixtures.tone(ms: 1000) + Fixtures.silence(ms: 1000))
        let events = harness.events
        let starts = events.compactMap { if case .inputAudioSpeechStarted(let e) = $0 { e.audioStartMs } else { nil } }
        let ends = events.compactMap { if case .inputAudioSpeechStopped(let e) = $0 { e.audioEndMs } else { nil } }
        #expect(starts == [200])
        #expect(ends == [2000])
        // create_response false: the turn is committed but nobody answers.
        #expect(events.count(of: "input_audio_buffer.committed") == 1)
        #expect(events.count(of: "response.created") == 0)
    }

    /// `audio_start_ms` is backdated by the prefix padding with server VAD, as the real API's is, and not
    /// with semantic VAD, which has no padding setting; the engine adds `TurnDetection.speechStartPaddingMs`
    /// back, so for every kind of turn detection it gets the true onset (500 ms into this audio).
    @Test(arguments: [
        (RealtimeTurnDetection.serverVAD(.init(prefixPaddingMs: 300, createResponse: false)), TurnDetection.serverVAD(.standard)),
        (.serverVAD(.init(prefixPaddingMs: 120, createResponse: false)),
         .serverVAD(.init(threshold: 0.5, prefixPaddingMs: 120, silenceDurationMs: 500, idleTimeoutMs: nil))),
        (.semanticVAD(.init(eagerness: .high, createResponse: false)), .semanticVAD(eagerness: .high)),
    ])
    func speechOnsetIsTheAudioStartPlusTheEnginesPadding(wire: RealtimeTurnDetection, tenant: TurnDetection) async throws {
        let harness = try await SessionHarness.started()
        try await harness.send(Fixtures.phoneSession(turnDetection: wire))
        await harness.appendMuLaw(Fixtures.silence(ms: 500) + Fixtures.tone(ms: 1000) + Fixtures.silence(ms: 1500))
        let starts = harness.events.compactMap { if case .inputAudioSpeechStarted(let e) = $0 { e.audioStartMs } else { nil } }
        #expect(starts.map { $0 + tenant.speechStartPaddingMs } == [500], "audio_start_ms \(starts)")
    }

    @Test func aHigherThresholdIgnoresQuietAudio() async throws {
        let harness = try await SessionHarness.started()
        try await harness.send(Fixtures.phoneSession(turnDetection: .serverVAD(.init(threshold: 0.9))))
        await harness.appendMuLaw(Fixtures.tone(ms: 1000, amplitude: 1000) + Fixtures.silence(ms: 1000))
        #expect(harness.events.count(of: "input_audio_buffer.speech_started") == 0)
    }

    @Test func pcmOutputStreams24kHzPCM16() async throws {
        let harness = try await SessionHarness.started()
        try await harness.send(.conversationItemCreate(.userText("Greet the caller.")))
        try await harness.send(.responseCreate())
        try await harness.waitFor("response.done")
        let greeting = try Fixtures.botClip("greeting", rate: 24000)
        let deltas = harness.events.compactMap(\.audioDeltaBytes)
        #expect(deltas.reduce(0) { $0 + $1.count } == greeting.samples.count * 2)
        #expect(deltas.dropLast().allSatisfy { $0.count == 4800 })
    }

    @Test func manualCommitNeedsAudioAndClearAnswersCleared() async throws {
        let harness = try await SessionHarness.started()
        try await harness.send(Fixtures.phoneSession(turnDetection: .disabled, language: nil))
        try await harness.send(.inputAudioBufferCommit(eventID: "cli_c"))
        let error = try #require(harness.firstError)
        #expect(error.code == "input_audio_buffer_commit_empty")
        #expect(error.eventID == "cli_c")

        await harness.appendMuLaw(Fixtures.tone(ms: 400))
        try await harness.send(.inputAudioBufferCommit())
        #expect(harness.types.suffix(3) == ["input_audio_buffer.committed", "conversation.item.added", "conversation.item.done"])
        #expect(harness.events.count(of: "response.created") == 0)

        await harness.appendMuLaw(Fixtures.tone(ms: 400))
        try await harness.send(.inputAudioBufferClear())
        try await harness.send(.inputAudioBufferCommit())
        #expect(harness.types.suffix(2) == ["input_audio_buffer.cleared", "error"])
    }

    @Test func badBase64IsAnErrorNamingTheAppend() async throws {
        let harness = try await SessionHarness.started()
        await harness.send(raw: #"{"type":"input_audio_buffer.append","event_id":"cli_a","audio":"@@@@"}"#)
        let error = try #require(harness.firstError)
        #expect(error.code == "invalid_value")
        #expect(error.param == "audio")
        #expect(error.eventID == "cli_a")
    }
}
