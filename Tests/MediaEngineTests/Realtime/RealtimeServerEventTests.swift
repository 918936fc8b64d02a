import Testing
@testable import MediaEngine

@Suite struct RealtimeServerEventTests {
    // MARK: protocols.md B.4 examples

    @Test func speechStartedExampleDecodes() throws {
        let event = try RealtimeServerEvent.decode(
            #"{"type":"input_audio_buffer.speech_started","event_id":"event_1","audio_start_ms":15320,"item_id":"item_user7"}"#)
        #expect(event == .inputAudioSpeechStarted(.init(eventID: "event_1", audioStartMs: 15320, itemID: "item_user7")))
        #expect(event.type == "input_audio_buffer.speech_started")
        #expect(event.eventID == "event_1")
    }

    @Test func outputAudioDeltaExampleDecodes() throws {
        let event = try RealtimeServerEvent.decode("""
            {"type":"response.output_audio.delta","event_id":"event_2","response_id":"resp_1","item_id":"item_asst3",
             "output_index":0,"content_index":0,"delta":"//////8="}
            """)
        guard case .responseOutputAudioDelta(let delta) = event else {
            Issue.record("decoded \(event)")
            return
        }
        #expect(delta.eventID == "event_2")
        #expect(delta.responseID == "resp_1")
        #expect(delta.itemID == "item_asst3")
        #expect(delta.outputIndex == 0)
        #expect(delta.contentIndex == 0)
        #expect(delta.delta == "//////8=")
    }

    @Test func functionCallArgumentsDoneExampleDecodes() throws {
        let event = try RealtimeServerEvent.decode("""
            {"type":"response.function_call_arguments.done","event_id":"event_3","response_id":"resp_2","item_id":"item_fc1",
             "output_index":0,"call_id":"call_abc123","name":"end_call","arguments":"{}"}
            """)
        #expect(event == .responseFunctionCallArgumentsDone(.init(
            eventID: "event_3", responseID: "resp_2", itemID: "item_fc1", outputIndex: 0, callID: "call_abc123",
            name: "end_call", arguments: "{}")))
        if case .responseFunctionCallArgumentsDone(let call) = event {
            #expect(try JSONValue(parsing: call.arguments) == [:])
        }
    }

    @Test func cancelledResponseDoneExampleDecodes() throws {
        let event = try RealtimeServerEvent.decode("""
            {"type":"response.done","event_id":"event_4",
             "response":{"id":"resp_1","object":"realtime.response","status":"cancelled",
                         "status_details":{"type":"cancelled","reason":"turn_detected"},
                         "output":[],"usage":{"total_tokens":310,"input_tokens":220,"output_tokens":90}}}
            """)
        guard case .responseDone(let done) = event else {
            Issue.record("decoded \(event)")
            return
        }
        #expect(done.eventID == "event_4")
        #expect(done.response.id == "resp_1")
        #expect(done.response.status == .cancelled)
        #expect(done.response.statusDetails?.type == .cancelled)
        #expect(done.response.statusDetails?.reason == .turnDetected)
        #expect(done.response.output == [])
        #expect(done.response.usage == .init(totalTokens: 310, inputTokens: 220, outputTokens: 90))
    }

    @Test func errorExampleDecodes() throws {
        let event = try RealtimeServerEvent.decode("""
            {"type":"error","event_id":"event_5",
             "error":{"type":"invalid_request_error","code":"response_cancel_not_active","message":"…","param":null,"event_id":"cli_42"}}
            """)
        #expect(event == .error(.init(eventID: "event_5", error: .init(
            type: "invalid_request_error", code: "response_cancel_not_active", message: "…", param: nil, eventID: "cli_42"))))
    }

    @Test func transcriptionCompletedExampleDecodes() throws {
        let event = try RealtimeServerEvent.decode("""
            {"type":"conversation.item.input_audio_transcription.completed","event_id":"event_6","item_id":"item_user7",
             "content_index":0,"transcript":"Can I move my appointment?","usage":{"type":"duration","seconds":2.1}}
            """)
        #expect(event == .inputTranscriptionCompleted(.init(
            eventID: "event_6", itemID: "item_user7", contentIndex: 0, transcript: "Can I move my appointment?",
            usage: ["type": "duration", "seconds": 2.1])))
    }

    // MARK: Other events

    @Test func sessionCreatedKeepsTheWholeSessionAndTypesItsFormats() throws {
        let event = try RealtimeServerEvent.decode("""
            {"type":"session.created","event_id":"e0","session":{"type":"realtime","id":"sess_1","model":"gpt-realtime",
             "audio":{"input":{"format":{"type":"audio/pcm","rate":24000},"turn_detection":null},
                      "output":{"format":{"type":"audio/pcmu"},"voice":"marin","speed":1.0}},
             "tracing":null,"include":null,"future_setting":{"a":[1,2,3]}}}
            """)
        guard case .sessionCreated(let created) = event else {
            Issue.record("decoded \(event)")
            return
        }
        #expect(created.inputAudioFormat == .pcm24kHz)
        #expect(created.outputAudioFormat == .pcmu)
        #expect(created.session["id"] == "sess_1")
        #expect(created.session["future_setting"]?["a"]?[2]?.intValue == 3)
        #expect(created.session["audio"]?["input"]?["turn_detection"] == .null)
    }

    @Test func itemEventsCarryFunctionCallDetails() throws {
        let item = #"{"id":"item_fc1","object":"realtime.item","type":"function_call","status":"completed","name":"end_call","call_id":"call_1","arguments":"{\"reason\":\"bye\"}"}"#
        for type in ["conversation.item.added", "conversation.item.created", "conversation.item.done"] {
            let event = try RealtimeServerEvent.decode(#"{"type":"\#(type)","event_id":"e","previous_item_id":"item_0","item":\#(item)}"#)
            let payload: RealtimeServerEvent.ConversationItemEvent
            switch event {
            case .conversationItemAdded(let p), .conversationItemCreated(let p), .conversationItemDone(let p): payload = p
            default:
                Issue.record("\(type) decoded as \(event)")
                continue
            }
            #expect(event.type == type)
            #expect(payload.previousItemID == "item_0")
            #expect(payload.item == RealtimeItem(id: "item_fc1", type: .functionCall, status: .completed, name: "end_call",
                                                 callID: "call_1", arguments: #"{"reason":"bye"}"#))
        }
        let message = try RealtimeServerEvent.decode("""
            {"type":"response.output_item.done","event_id":"e","response_id":"r","output_index":1,
             "item":{"id":"i","type":"message","role":"assistant","status":"incomplete",
                     "content":[{"type":"output_audio","transcript":"Hello the"}]}}
            """)
        #expect(message == .responseOutputItemDone(.init(eventID: "e", responseID: "r", outputIndex: 1, item: RealtimeItem(
            id: "i", type: .message, role: .assistant, status: .incomplete,
            content: [RealtimeContentPart(type: "output_audio", transcript: "Hello the")]))))
    }

    @Test func unknownTypesAndUnknownKeysAreTolerated() throws {
        #expect(try RealtimeServerEvent.decode(#"{"type":"mcp_list_tools.in_progress","event_id":"e","item_id":"x"}"#)
            == .unknown(type: "mcp_list_tools.in_progress"))
        // A beta name is just another unknown type.
        #expect(try RealtimeServerEvent.decode(#"{"type":"response.audio.delta","delta":"AA=="}"#) == .unknown(type: "response.audio.delta"))
        let withExtras = try RealtimeServerEvent.decode("""
            {"brand_new":{"nested":[true,null,{"x":1.5e3}]},"type":"input_audio_buffer.speech_stopped",
             "audio_end_ms":900,"item_id":"item_u","event_id":"e9","also_new":"yes"}
            """)
        #expect(withExtras == .inputAudioSpeechStopped(.init(eventID: "e9", audioEndMs: 900, itemID: "item_u")))
        // event_id is kept when present but not required.
        #expect(try RealtimeServerEvent.decode(#"{"type":"input_audio_buffer.cleared"}"#) == .inputAudioCleared(eventID: nil))
    }

    @Test func brokenFramesThrowTypedErrors() {
        guard case .malformedJSON? = decodingError({ _ = try RealtimeServerEvent.decode(#"{"type":"error","#) }) else {
            Issue.record("truncated JSON should be malformedJSON")
            return
        }
        guard case .malformedJSON? = decodingError({ _ = try RealtimeServerEvent.decode(#"["type"]"#) }) else {
            Issue.record("a JSON array should be malformedJSON")
            return
        }
        #expect(decodingError { _ = try RealtimeServerEvent.decode(#"{"event_id":"e"}"#) }
            == .missingField(eventType: nil, field: "type"))
        #expect(decodingError { _ = try RealtimeServerEvent.decode(#"{"type":"input_audio_buffer.speech_started","audio_start_ms":5}"#) }
            == .missingField(eventType: "input_audio_buffer.speech_started", field: "item_id"))
        #expect(decodingError { _ = try RealtimeServerEvent.decode(#"{"type":"response.done","response":{"status":"completed"}}"#) }
            == .missingField(eventType: "response.done", field: "response.id"))
        #expect(decodingError { _ = try RealtimeServerEvent.decode(#"{"type":"response.output_audio.delta","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":null}"#) }
            == .missingField(eventType: "response.output_audio.delta", field: "delta"))
        guard case .invalidField("input_audio_buffer.speech_started", "audio_start_ms", _)? =
            decodingError({ _ = try RealtimeServerEvent.decode(#"{"type":"input_audio_buffer.speech_started","audio_start_ms":"5","item_id":"i"}"#) })
        else {
            Issue.record("a string audio_start_ms should be invalidField")
            return
        }
        guard case .invalidField("conversation.item.truncated", "audio_end_ms", _)? =
            decodingError({ _ = try RealtimeServerEvent.decode(#"{"type":"conversation.item.truncated","item_id":"i","content_index":0,"audio_end_ms":12.5}"#) })
        else {
            Issue.record("a fractional audio_end_ms should be invalidField")
            return
        }
    }

    // MARK: Encoding (simulator side)

    static let everyEvent: [RealtimeServerEvent] = [
        .sessionCreated(.init(eventID: "e1", session: ["type": "realtime", "audio": ["input": ["format": ["type": "audio/pcmu"]]]])),
        .sessionUpdated(.init(eventID: "e2", session: ["type": "realtime", "instructions": "hi"])),
        .inputAudioSpeechStarted(.init(eventID: "e3", audioStartMs: 1200, itemID: "item_u1")),
        .inputAudioSpeechStopped(.init(eventID: "e4", audioEndMs: 2400, itemID: "item_u1")),
        .inputAudioCommitted(.init(eventID: "e5", itemID: "item_u1", previousItemID: "item_a0")),
        .inputAudioCleared(eventID: "e6"),
        .inputAudioTimeoutTriggered(.init(eventID: "e7", audioStartMs: 9000, audioEndMs: 15000, itemID: "item_u2")),
        .conversationItemAdded(.init(eventID: "e8", item: .userText("hello", id: "item_u1"), previousItemID: nil)),
        .conversationItemCreated(.init(eventID: "e9", item: .functionCallOutput(callID: "c1", output: "{}", id: "item_o"))),
        .conversationItemDone(.init(eventID: "e10", item: RealtimeItem(id: "item_a1", type: .message, role: .assistant, status: .completed,
                                                                       content: [RealtimeContentPart(type: "output_audio", transcript: "Hi")]))),
        .conversationItemTruncated(.init(eventID: "e11", itemID: "item_a1", contentIndex: 0, audioEndMs: 840)),
        .conversationItemDeleted(.init(eventID: "e12", itemID: "item_a2")),
        .inputTranscriptionDelta(.init(eventID: "e13", itemID: "item_u1", contentIndex: 0, delta: "שלו")),
        .inputTranscriptionCompleted(.init(eventID: "e14", itemID: "item_u1", transcript: "שלום", usage: ["type": "duration", "seconds": 1.5])),
        .inputTranscriptionFailed(.init(eventID: "e15", itemID: "item_u3", error: .init(type: "transcription_error", message: "no audio"))),
        .responseCreated(.init(eventID: "e16", response: RealtimeResponse(id: "resp_1", status: .inProgress, output: []))),
        .responseDone(.init(eventID: "e17", response: RealtimeResponse(
            id: "resp_1", status: .failed,
            statusDetails: .init(type: .failed, error: .init(type: "server_error", code: "x", message: "boom")),
            output: [RealtimeItem(id: "item_a1", type: .message, role: .assistant, status: .incomplete, content: [])],
            usage: .init(totalTokens: 3, inputTokens: 1, outputTokens: 2,
                         inputTokenDetails: .init(textTokens: 1, audioTokens: 0, cachedTokens: 0),
                         outputTokenDetails: .init(textTokens: 1, audioTokens: 1)),
            conversationID: "conv_1", metadata: ["k": "v"]))),
        .responseOutputItemAdded(.init(eventID: "e18", responseID: "resp_1", outputIndex: 0,
                                       item: RealtimeItem(id: "item_a1", type: .message, role: .assistant, status: .inProgress, content: []))),
        .responseOutputItemDone(.init(eventID: "e19", responseID: "resp_1", outputIndex: 0,
                                      item: RealtimeItem(id: "item_f", type: .functionCall, status: .completed, name: "end_call",
                                                         callID: "call_1", arguments: "{}"))),
        .responseContentPartAdded(.init(eventID: "e20", responseID: "resp_1", itemID: "item_a1", part: RealtimeContentPart(type: "audio"))),
        .responseContentPartDone(.init(eventID: "e21", responseID: "resp_1", itemID: "item_a1", part: RealtimeContentPart(type: "audio", transcript: "Hi"))),
        .responseOutputAudioDelta(.init(eventID: "e22", responseID: "resp_1", itemID: "item_a1", delta: "//79/A==")),
        .responseOutputAudioDone(.init(eventID: "e23", responseID: "resp_1", itemID: "item_a1")),
        .responseOutputAudioTranscriptDelta(.init(eventID: "e24", responseID: "resp_1", itemID: "item_a1", delta: "Hi")),
        .responseOutputAudioTranscriptDone(.init(eventID: "e25", responseID: "resp_1", itemID: "item_a1", text: "Hi there")),
        .responseOutputTextDelta(.init(eventID: "e26", responseID: "resp_2", itemID: "item_t", delta: "Hel")),
        .responseOutputTextDone(.init(eventID: "e27", responseID: "resp_2", itemID: "item_t", text: "Hello")),
        .responseFunctionCallArgumentsDelta(.init(eventID: "e28", responseID: "resp_3", itemID: "item_f", callID: "call_1", delta: "{\"a")),
        .responseFunctionCallArgumentsDone(.init(eventID: "e29", responseID: "resp_3", itemID: "item_f", outputIndex: 1,
                                                 callID: "call_1", name: "book", arguments: #"{"a":1}"#)),
        .rateLimitsUpdated(.init(eventID: "e30", rateLimits: [.init(name: "requests", limit: 100, remaining: 99, resetSeconds: 0.5)])),
        .error(.init(eventID: "e31", error: .init(type: "invalid_request_error", code: "session_expired", message: "60 minutes", eventID: "cli_1"))),
    ]

    @Test func everyServerEventRoundTripsThroughEncodeAndDecode() throws {
        for event in Self.everyEvent {
            let decoded = try RealtimeServerEvent.decode(try event.jsonBytes())
            #expect(decoded == event, "\(event.type)")
            #expect(decoded.eventID == event.eventID)
        }
        #expect(Set(Self.everyEvent.map(\.type)).count == Self.everyEvent.count)
    }

    @Test func encodedServerEventsUseGANamesAndShapes() throws {
        let transcriptDone = try jsonTree(try RealtimeServerEvent.responseOutputAudioTranscriptDone(
            .init(eventID: "e", responseID: "r", itemID: "i", text: "Hi there")).jsonText())
        #expect(transcriptDone == (try jsonTree("""
            {"type":"response.output_audio_transcript.done","event_id":"e","response_id":"r","item_id":"i",
             "output_index":0,"content_index":0,"transcript":"Hi there"}
            """)))
        let done = try jsonTree(try RealtimeServerEvent.responseDone(.init(eventID: "e4", response: RealtimeResponse(
            id: "resp_1", status: .cancelled, statusDetails: .init(type: .cancelled, reason: .turnDetected), output: [],
            usage: .init(totalTokens: 310, inputTokens: 220, outputTokens: 90)))).jsonText())
        #expect(done == (try jsonTree("""
            {"type":"response.done","event_id":"e4",
             "response":{"id":"resp_1","object":"realtime.response","status":"cancelled",
                         "status_details":{"type":"cancelled","reason":"turn_detected"},
                         "output":[],"usage":{"total_tokens":310,"input_tokens":220,"output_tokens":90}}}
            """)))
        // Message items always carry content (the API requires it), even when none was set.
        let bare = try jsonTree(try RealtimeServerEvent.conversationItemAdded(.init(
            item: RealtimeItem(id: "item_a2", type: .message, role: .assistant, status: .inProgress))).jsonText())
        #expect(bare["item"]?["content"] == [])
        let truncated = try RealtimeServerEvent.conversationItemTruncated(.init(eventID: "e", itemID: "i", audioEndMs: 840)).jsonText()
        #expect(truncated.contains(#""audio_end_ms":840"#))
    }
}
