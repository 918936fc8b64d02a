import MediaEngine
@testable import RealtimeSim
import Testing

@Suite("SimulatedSession: session.created and session.update")
struct SessionConfigurationTests {
    private func session(of event: RealtimeServerEvent?) -> JSONValue? {
        switch event {
        case .sessionCreated(let s)?, .sessionUpdated(let s)?: return s.session
        default: return nil
        }
    }

    @Test func connectSendsSessionCreatedWithTheAPIDefaults() async throws {
        let harness = try await SessionHarness.started()
        let created = try #require(session(of: harness.events.first))
        #expect(harness.types == ["session.created"])
        #expect(created["type"] == "realtime")
        #expect(created["object"] == "realtime.session")
        #expect(created["id"]?.stringValue?.hasPrefix("sess_") == true)
        #expect(created["model"] == "gpt-realtime")
        #expect(created["audio"]?["input"]?["format"] == ["type": "audio/pcm", "rate": 24000])
        #expect(created["audio"]?["output"]?["format"] == ["type": "audio/pcm", "rate": 24000])
        #expect(created["audio"]?["input"]?["turn_detection"]?["type"] == "server_vad")
        #expect(created["audio"]?["input"]?["transcription"] == .null)
    }

    @Test func partialUpdatesMergeAndNullClearsTurnDetection() async throws {
        let harness = try await SessionHarness.started()
        try await harness.send(Fixtures.phoneSession())
        try await harness.send(.sessionUpdate(RealtimeSessionConfig(instructions: "Only this changed.")))
        await harness.send(raw: #"{"type":"session.update","session":{"type":"realtime","audio":{"input":{"turn_detection":null}}}}"#)

        let updates = harness.events.compactMap { event -> JSONValue? in
            if case .sessionUpdated(let s) = event { return s.session }
            return nil
        }
        try #require(updates.count == 3)
        #expect(updates[0]["audio"]?["input"]?["format"] == ["type": "audio/pcmu"])
        #expect(updates[0]["audio"]?["output"]?["voice"] == "marin")
        #expect(updates[0]["audio"]?["input"]?["transcription"]?["language"] == "he")
        // The second update named only the instructions: formats, voice and VAD are kept.
        #expect(updates[1]["instructions"] == "Only this changed.")
        #expect(updates[1]["audio"]?["output"]?["format"] == ["type": "audio/pcmu"])
        #expect(updates[1]["audio"]?["input"]?["turn_detection"]?["interrupt_response"] == true)
        // null switches turn detection off and leaves the rest alone.
        #expect(updates[2]["audio"]?["input"]?["turn_detection"] == .null)
        #expect(updates[2]["instructions"] == "Only this changed.")
        #expect(harness.firstError == nil)
    }

    @Test func pcmAtAnotherRateIsRejectedNamingTheClientEvent() async throws {
        let harness = try await SessionHarness.started()
        await harness.send(raw: #"{"type":"session.update","event_id":"cli_7","session":{"type":"realtime","audio":{"input":{"format":{"type":"audio/pcm","rate":16000}}}}}"#)
        let error = try #require(harness.firstError)
        #expect(error.type == "invalid_request_error")
        #expect(error.code == "invalid_value")
        #expect(error.eventID == "cli_7")
        #expect(error.param == "session.audio.input.format.rate")
        #expect(error.message?.contains("24000") == true)
        #expect(!harness.types.contains("session.updated"))
    }

    @Test func sessionTypeIsRequired() async throws {
        let harness = try await SessionHarness.started()
        await harness.send(raw: #"{"type":"session.update","event_id":"cli_8","session":{"input_audio_format":"g711_ulaw"}}"#)
        let error = try #require(harness.firstError)
        #expect(error.code == "missing_required_parameter")
        #expect(error.param == "session.type")
        #expect(error.eventID == "cli_8")
    }

    @Test func bothOutputModalitiesAreRejectedAndNothingChanges() async throws {
        let harness = try await SessionHarness.started()
        try await harness.send(.sessionUpdate(RealtimeSessionConfig(instructions: "ignored", outputModalities: [.audio, .text]),
                                              eventID: "cli_9"))
        let error = try #require(harness.firstError)
        #expect(error.code == "invalid_value")
        #expect(error.param == "session.output_modalities")
        #expect(error.eventID == "cli_9")
        try await harness.send(.sessionUpdate(RealtimeSessionConfig()))
        let updated = try #require(session(of: harness.events.last))
        #expect(updated["instructions"] != "ignored")
    }

    @Test func voiceCannotChangeOnceTheModelHasSpoken() async throws {
        let harness = try await SessionHarness.started()
        try await harness.send(.responseCreate())
        try await harness.waitFor("response.done")
        try await harness.send(.sessionUpdate(RealtimeSessionConfig(audio: .init(output: .init(voice: .cedar))), eventID: "cli_v"))
        let error = try #require(harness.firstError)
        #expect(error.code == "cannot_update_voice")
        #expect(error.eventID == "cli_v")
    }

    @Test func malformedJSONGetsAnErrorAndTheSessionStaysUsable() async throws {
        let harness = try await SessionHarness.started()
        await harness.send(raw: "{not json")
        await harness.send(raw: #"{"type":"conversation.item.retrieve","event_id":"cli_r","item_id":"x"}"#)
        try await harness.send(.inputAudioBufferClear())
        let errors = harness.events.compactMap { if case .error(let e) = $0 { e.error } else { nil } }
        #expect(errors.map(\.code) == ["invalid_json", "invalid_value"])
        #expect(errors.last?.eventID == "cli_r")
        #expect(harness.types.last == "input_audio_buffer.cleared")
    }
}
