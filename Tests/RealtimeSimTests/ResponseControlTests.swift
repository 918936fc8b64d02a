import MediaEngine
@testable import RealtimeSim
import Testing

@Suite("SimulatedSession: cancel, interrupt, truncate, delete")
struct ResponseControlTests {
    static let paced = SimulatorConfiguration(thinkTimeMs: 300, pacing: .realTimeMultiple(4), deltaDurationMs: 100)

    /// A manual-turn pcmu session with a response that has streamed exactly `deltas` deltas and is paused
    /// (the manual clock is not moved further).
    private func responseAfter(deltas: Int) async throws -> SessionHarness {
        let harness = try await SessionHarness.started(SimulatorConfiguration(thinkTimeMs: 0, pacing: .realTimeMultiple(4)))
        try await harness.send(Fixtures.phoneSession(turnDetection: .disabled))
        try await harness.send(.conversationItemCreate(.userText("Greet the caller.")))
        try await harness.send(.responseCreate())
        try await harness.waitUntil("\(deltas) deltas") { $0.count(of: "response.output_audio.delta") >= deltas }
        return harness
    }

    private func assistantItemID(_ harness: SessionHarness) throws -> String {
        let added = harness.events.compactMap { if case .responseOutputItemAdded(let e) = $0 { e.item.id } else { nil } }
        return try #require(added.first ?? nil)
    }

    @Test func cancelEndsTheResponseAtOnce() async throws {
        let harness = try await responseAfter(deltas: 2)
        try await harness.send(.responseCancel())
        let response = try #require(harness.events.doneResponses.first)
        #expect(response.status == .cancelled)
        #expect(response.statusDetails?.reason == .clientCancelled)
        #expect(response.output?.first?.status == .incomplete)
        // Moving time on produces nothing more.
        harness.clock.advance(by: .seconds(10))
        try await Task.sleep(for: .milliseconds(20))
        #expect(harness.events.count(of: "response.output_audio.delta") == 2)
        #expect(harness.types.last == "response.done")
        #expect(harness.log.observations.contains(.responseFinished(
            sessionID: harness.session.sessionID, responseID: response.id, status: .cancelled, reason: .clientCancelled, audioSentMs: 200)))
    }

    @Test func cancelWithNothingActiveIsABenignError() async throws {
        let harness = try await SessionHarness.started()
        try await harness.send(.responseCancel(eventID: "cli_x"))
        let error = try #require(harness.firstError)
        #expect(error.code == "response_cancel_not_active")
        #expect(error.eventID == "cli_x")
        try await harness.send(.inputAudioBufferClear())
        #expect(harness.types.last == "input_audio_buffer.cleared")
    }

    @Test func speechStartedInterruptsAResponseInProgress() async throws {
        let harness = try await SessionHarness.started(Self.paced)
        try await harness.send(Fixtures.phoneSession())
        try await harness.send(.conversationItemCreate(.userText("Greet the caller.")))
        try await harness.send(.responseCreate())
        // Still thinking (the clock does not move): the caller starts talking.
        await harness.appendMuLaw(try Fixtures.callerMuLaw("appointment"))
        let types = harness.types
        let started = try #require(types.firstIndex(of: "input_audio_buffer.speech_started"))
        let done = try #require(types.firstIndex(of: "response.done"))
        #expect(started < done)
        let response = try #require(harness.events.doneResponses.first)
        #expect(response.status == .cancelled)
        #expect(response.statusDetails?.reason == .turnDetected)
        #expect(harness.events.count(of: "response.output_audio.delta") == 0)
    }

    @Test func withoutInterruptResponseSpeechLetsTheResponseRun() async throws {
        let harness = try await SessionHarness.started(Self.paced)
        try await harness.send(Fixtures.phoneSession(turnDetection: .serverVAD(.init(createResponse: false, interruptResponse: false))))
        try await harness.send(.responseCreate())
        await harness.appendMuLaw(try Fixtures.callerMuLaw("appointment"))
        #expect(harness.types.contains("input_audio_buffer.speech_started"))
        #expect(harness.events.doneResponses.isEmpty)
        try await harness.waitFor("response.done")
        #expect(harness.events.doneResponses.first?.status == .completed)
    }

    @Test func truncateWithinTheSentAudioIsAcknowledgedAndRecorded() async throws {
        let harness = try await SessionHarness.started()
        try await harness.send(Fixtures.phoneSession(turnDetection: .disabled))
        try await harness.send(.responseCreate())
        try await harness.waitFor("response.done")
        let itemID = try assistantItemID(harness)
        let greeting = try Fixtures.botClip("greeting")
        let fullMs = greeting.samples.count / 8

        try await harness.send(.conversationItemTruncate(itemID: itemID, audioEndMs: 1000))
        guard case .conversationItemTruncated(let ack)? = harness.events.last else {
            Issue.record("expected conversation.item.truncated, got \(harness.types.last ?? "nothing")")
            return
        }
        #expect(ack.itemID == itemID)
        #expect(ack.audioEndMs == 1000)
        let record = try #require(harness.log.truncations.first)
        #expect(record.sentMs == fullMs)
        #expect(record.fullMs == fullMs)
        #expect(record.audioEndMs == 1000)
        #expect(!record.keptTranscript.isEmpty)
        #expect(greeting.text.hasPrefix(record.keptTranscript))
        #expect(record.keptTranscript.count < greeting.text.count / 2)

        // The item is now 1000 ms long: cutting later than that is refused.
        try await harness.send(.conversationItemTruncate(itemID: itemID, audioEndMs: 1500))
        #expect(harness.firstError?.message == "Audio content of 1000ms is already shorter than 1500ms")
    }

    @Test func truncateBeyondTheAudioSentIsRefused() async throws {
        let harness = try await responseAfter(deltas: 2)
        try await harness.send(.responseCancel())
        let itemID = try assistantItemID(harness)
        try await harness.send(.conversationItemTruncate(itemID: itemID, audioEndMs: 500, eventID: "cli_t"))
        let error = try #require(harness.firstError)
        #expect(error.type == "invalid_request_error")
        #expect(error.code == nil)
        #expect(error.message == "Audio content of 200ms is already shorter than 500ms")
        #expect(error.eventID == "cli_t")
        #expect(harness.log.observations.contains(.truncationRejected(
            sessionID: harness.session.sessionID, itemID: itemID, audioEndMs: 500, code: nil,
            message: "Audio content of 200ms is already shorter than 500ms")))

        try await harness.send(.conversationItemTruncate(itemID: itemID, audioEndMs: 150))
        #expect(harness.types.last == "conversation.item.truncated")
        let record = try #require(harness.log.truncations.first)
        #expect(record.sentMs == 200)
        #expect(record.audioEndMs == 150)
    }

    @Test func onlyAssistantAudioCanBeTruncated() async throws {
        let harness = try await SessionHarness.started()
        try await harness.send(.conversationItemCreate(.userText("Hello", id: "item_user1")))
        try await harness.send(.conversationItemTruncate(itemID: "item_user1", audioEndMs: 0))
        try await harness.send(.conversationItemTruncate(itemID: "item_nope", audioEndMs: 0))
        let errors = harness.events.compactMap { if case .error(let e) = $0 { e.error } else { nil } }
        #expect(errors.map(\.code) == ["unsupported_content_type", "item_truncate_invalid_item_id"])
        #expect(errors.first?.message == "Only model output audio messages can be truncated")
        #expect(harness.log.truncations.isEmpty)
    }

    @Test func deleteRemovesAnItemAndRefusesUnknownIDs() async throws {
        let harness = try await SessionHarness.started()
        try await harness.send(.conversationItemCreate(.userText("Hello", id: "item_u1")))
        try await harness.send(.conversationItemDelete(itemID: "item_u1"))
        try await harness.send(.conversationItemDelete(itemID: "item_u1", eventID: "cli_d"))
        #expect(harness.types.suffix(4) == ["conversation.item.added", "conversation.item.done", "conversation.item.deleted", "error"])
        #expect(harness.firstError?.code == "item_delete_invalid_item_id")
        #expect(harness.firstError?.eventID == "cli_d")
    }

    @Test func secondResponseWhileOneIsActiveIsRefused() async throws {
        let harness = try await SessionHarness.started(Self.paced)
        try await harness.send(.responseCreate())
        try await harness.send(.responseCreate(eventID: "cli_2"))
        #expect(harness.firstError?.code == "conversation_already_has_active_response")
        #expect(harness.firstError?.eventID == "cli_2")
        #expect(harness.events.count(of: "response.created") == 1)
    }
}
