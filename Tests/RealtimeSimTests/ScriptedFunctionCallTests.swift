import Foundation
import MediaEngine
@testable import RealtimeSim
import Testing

@Suite("SimulatedSession: scripted turns and function calls")
struct ScriptedFunctionCallTests {
    /// One manual turn: some caller audio, commit, response.create; returns that response's events.
    private func turn(_ harness: SessionHarness) async throws -> [RealtimeServerEvent] {
        let before = harness.events.count
        let responsesBefore = harness.events.doneResponses.count
        await harness.appendMuLaw(Fixtures.tone(ms: 300))
        try await harness.send(.inputAudioBufferCommit())
        try await harness.send(.responseCreate())
        try await harness.waitUntil("response \(responsesBefore + 1)") { $0.doneResponses.count > responsesBefore }
        return Array(harness.events[before...])
    }

    private func spokenText(_ events: [RealtimeServerEvent]) -> [String] {
        events.compactMap { if case .responseOutputAudioTranscriptDone(let e) = $0 { e.text } else { nil } }
    }

    private func calls(_ events: [RealtimeServerEvent]) -> [RealtimeServerEvent.FunctionCallArgumentsDone] {
        events.compactMap { if case .responseFunctionCallArgumentsDone(let e) = $0 { e } else { nil } }
    }

    private func englishText(_ clip: String) throws -> String { try Fixtures.botClip(clip, language: "en").text }

    @Test func turnsFollowTheScriptAndRulesCallDeclaredFunctions() async throws {
        let harness = try await SessionHarness.started()
        try await harness.send(Fixtures.phoneSession(turnDetection: .disabled, language: "en",
                                                     tools: [Fixtures.endCall, Fixtures.bookAppointment]))
        #expect(spokenText(try await turn(harness)) == [try englishText("ask-details")])
        #expect(spokenText(try await turn(harness)) == [try englishText("offer")])

        // Turn 3: book_appointment (an onTurn rule), and nothing spoken.
        let third = try await turn(harness)
        let booking = try #require(calls(third).first)
        #expect(booking.name == "book_appointment")
        #expect(booking.arguments == #"{"day":"tuesday","time":"10:00"}"#)
        #expect(spokenText(third).isEmpty)
        #expect(third.containsInOrder(["response.output_item.added", "conversation.item.added",
                                       "response.function_call_arguments.delta", "response.function_call_arguments.done",
                                       "response.output_item.done", "conversation.item.done", "response.done"]))
        let callItem = try #require(third.compactMap { if case .responseOutputItemDone(let e) = $0 { e.item } else { nil } }.first)
        #expect(callItem.type == .functionCall)
        #expect(callItem.status == .completed)
        #expect(callItem.callID == booking.callID)

        // The client answers the call: the rule's follow-up is spoken.
        let before = harness.events.count
        try await harness.send(.conversationItemCreate(.functionCallOutput(callID: booking.callID, output: #"{"ok":true}"#)))
        try await harness.send(.responseCreate())
        try await harness.waitUntil("follow-up") { $0.doneResponses.count == 4 }
        #expect(spokenText(Array(harness.events[before...])) == [try englishText("booked")])

        // Turn 4 is "Thanks, goodbye.": say goodbye, then call end_call, in one response.
        let fourth = try await turn(harness)
        #expect(spokenText(fourth) == [try englishText("goodbye")])
        #expect(calls(fourth).map(\.name) == ["end_call"])
        #expect(calls(fourth).first?.arguments == "{}")
        let output = try #require(fourth.doneResponses.first?.output)
        #expect(output.map(\.type) == [.message, .functionCall])
        #expect(harness.log.observations.filter { if case .functionCalled = $0 { true } else { false } }.count == 2)
    }

    @Test func rulesNeedTheToolDeclared() async throws {
        let harness = try await SessionHarness.started()
        try await harness.send(Fixtures.phoneSession(turnDetection: .disabled, language: "en"))
        for _ in 0..<3 { _ = try await turn(harness) }
        let fourth = try await turn(harness)
        #expect(calls(fourth).isEmpty)
        #expect(spokenText(fourth) == [try englishText("goodbye")])
    }

    @Test func typedGoodbyeTriggersEndCallAndGreetingComesFirst() async throws {
        let harness = try await SessionHarness.started()
        try await harness.send(Fixtures.phoneSession(turnDetection: .disabled, tools: [Fixtures.endCall]))
        try await harness.send(.conversationItemCreate(.userText("Greet the caller.")))
        try await harness.send(.responseCreate())
        try await harness.waitFor("response.done")
        #expect(spokenText(harness.events) == [try Fixtures.botClip("greeting").text])

        try await harness.send(.conversationItemCreate(.userText("תודה, להתראות")))
        try await harness.send(.responseCreate())
        try await harness.waitUntil("second response") { $0.doneResponses.count == 2 }
        #expect(calls(harness.events).map(\.name) == ["end_call"])
    }

    @Test func textOnlySessionsAnswerWithText() async throws {
        let harness = try await SessionHarness.started()
        try await harness.send(.sessionUpdate(RealtimeSessionConfig(outputModalities: [.text])))
        try await harness.send(.responseCreate())
        try await harness.waitFor("response.done")
        let events = harness.events
        #expect(events.count(of: "response.output_audio.delta") == 0)
        let text = events.compactMap { if case .responseOutputTextDelta(let d) = $0 { d.delta } else { nil } }.joined()
        #expect(text == (try Fixtures.botClip("greeting").text))
        #expect(events.doneResponses.first?.output?.first?.content?.first?.type == "output_text")
    }

    @Test func scriptsRoundTripThroughJSONAndAreValidatedAgainstTheClips() throws {
        let data = try JSONEncoder().encode(SimulatorScript.default)
        let decoded = try JSONDecoder().decode(SimulatorScript.self, from: data)
        #expect(decoded == .default)
        try SimulatorScript.default.validate(against: try Fixtures.clips)

        let rule = try JSONDecoder().decode(SimulatorScript.FunctionCallRule.self, from: Data(#"{"name":"transfer","onTurn":2}"#.utf8))
        #expect(rule.arguments == "{}")
        #expect(rule.keywords.isEmpty)

        var broken = SimulatorScript.default
        broken.languages["en"]?.turns[0].reply = .init(clip: "no-such-clip")
        #expect(throws: SimulatorScriptError.unknownClip(name: "no-such-clip", language: "en")) {
            try broken.validate(against: try Fixtures.clips)
        }
    }
}
