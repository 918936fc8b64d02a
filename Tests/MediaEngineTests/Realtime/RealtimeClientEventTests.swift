import Testing
@testable import MediaEngine

/// Parses JSON text into a tree so that comparisons ignore key order and whitespace.
func jsonTree(_ text: String) throws -> JSONValue { try JSONValue(parsing: text) }

/// Encodes `event` and compares it, as a tree, to the hand-written `expected` JSON.
func expectEncoding(_ event: RealtimeClientEvent, _ expected: String,
                    sourceLocation: SourceLocation = #_sourceLocation) throws {
    let actual = try jsonTree(try event.jsonText())
    #expect(actual == (try jsonTree(expected)), sourceLocation: sourceLocation)
}

/// The typed error `body` throws, or nil if it does not throw.
func decodingError(_ body: () throws -> Void) -> RealtimeEventDecodingError? {
    do {
        try body()
        return nil
    } catch let error as RealtimeEventDecodingError {
        return error
    } catch {
        Issue.record("untyped error \(error)")
        return nil
    }
}

@Suite struct RealtimeClientEventTests {
    /// The protocols.md B.3 example, reproduced in content.
    @Test func twilioBridgeSessionUpdateMatchesTheProtocolsExample() throws {
        let session = RealtimeSessionConfig(
            model: "gpt-realtime",
            instructions: "You are a concise phone assistant.",
            outputModalities: [.audio],
            audio: RealtimeAudioConfig(
                input: .init(format: .pcmu,
                             turnDetection: .serverVAD(.init(threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 500,
                                                             createResponse: true, interruptResponse: true)),
                             transcription: .model("gpt-4o-mini-transcribe", language: "en")),
                output: .init(format: .pcmu, voice: .marin)),
            tools: [RealtimeFunctionTool(name: "end_call", description: "Hang up after saying goodbye.")],
            toolChoice: .auto)
        try expectEncoding(.sessionUpdate(session), """
            {
              "type": "session.update",
              "session": {
                "type": "realtime",
                "model": "gpt-realtime",
                "output_modalities": ["audio"],
                "instructions": "You are a concise phone assistant.",
                "audio": {
                  "input": {
                    "format": {"type": "audio/pcmu"},
                    "turn_detection": {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300,
                                       "silence_duration_ms": 500, "create_response": true, "interrupt_response": true},
                    "transcription": {"model": "gpt-4o-mini-transcribe", "language": "en"}
                  },
                  "output": {"format": {"type": "audio/pcmu"}, "voice": "marin"}
                },
                "tools": [{"type": "function", "name": "end_call", "description": "Hang up after saying goodbye.",
                           "parameters": {"type": "object", "properties": {}, "required": []}}],
                "tool_choice": "auto"
              }
            }
            """)
    }

    @Test func fullSessionUpdateEncodesEveryGAField() throws {
        let schema: JSONValue = ["type": "object",
                                 "properties": ["date": ["type": "string", "description": "ISO date"],
                                                "party": ["type": "integer", "minimum": 1]],
                                 "required": ["date"]]
        let session = RealtimeSessionConfig(
            model: "gpt-realtime-2", instructions: "", outputModalities: [.text],
            audio: RealtimeAudioConfig(
                input: .init(format: .pcm24kHz,
                             turnDetection: .semanticVAD(.init(eagerness: .high, createResponse: false, interruptResponse: true)),
                             transcription: .model("gpt-transcribe", language: "he", prompt: "שלום"),
                             noiseReduction: .nearField(strength: 0.75)),
                output: .init(format: .pcma, voice: .custom(id: "voice_1234"), speed: 1.25)),
            tools: [RealtimeFunctionTool(name: "book", description: "Books a table.", parameters: schema)],
            toolChoice: .function(name: "book"),
            maxOutputTokens: .unlimited)
        try expectEncoding(.sessionUpdate(session, eventID: "cli_1"), """
            {"type":"session.update","event_id":"cli_1","session":{
              "type":"realtime","model":"gpt-realtime-2","instructions":"","output_modalities":["text"],
              "audio":{
                "input":{"format":{"type":"audio/pcm","rate":24000},
                         "turn_detection":{"type":"semantic_vad","eagerness":"high","create_response":false,"interrupt_response":true},
                         "transcription":{"model":"gpt-transcribe","language":"he","prompt":"שלום"},
                         "noise_reduction":{"type":"near_field","strength":0.75}},
                "output":{"format":{"type":"audio/pcma"},"voice":{"id":"voice_1234"},"speed":1.25}},
              "tools":[{"type":"function","name":"book","description":"Books a table.","parameters":
                {"type":"object","properties":{"date":{"type":"string","description":"ISO date"},
                 "party":{"type":"integer","minimum":1}},"required":["date"]}}],
              "tool_choice":{"type":"function","name":"book"},
              "max_output_tokens":"inf"}}
            """)
    }

    @Test func disabledSettingsAreSentAsNullAndUnsetOnesAreOmitted() throws {
        let off = RealtimeSessionConfig(
            audio: .init(input: .init(turnDetection: .disabled, transcription: .disabled, noiseReduction: .disabled)),
            tools: [], toolChoice: .noTools, maxOutputTokens: .tokens(512))
        try expectEncoding(.sessionUpdate(off), """
            {"type":"session.update","session":{"type":"realtime",
             "audio":{"input":{"turn_detection":null,"transcription":null,"noise_reduction":null}},
             "tools":[],"tool_choice":"none","max_output_tokens":512}}
            """)
        try expectEncoding(.sessionUpdate(RealtimeSessionConfig()), #"{"type":"session.update","session":{"type":"realtime"}}"#)
    }

    @Test func serverVADCarriesIdleTimeoutAndFarFieldNoiseReduction() throws {
        let input = RealtimeAudioConfig.Input(
            turnDetection: .serverVAD(.init(threshold: 0.6, prefixPaddingMs: 200, silenceDurationMs: 650,
                                            createResponse: true, interruptResponse: false, idleTimeoutMs: 8000)),
            noiseReduction: .farField())
        try expectEncoding(.sessionUpdate(RealtimeSessionConfig(audio: .init(input: input))), """
            {"type":"session.update","session":{"type":"realtime","audio":{"input":{
              "turn_detection":{"type":"server_vad","threshold":0.6,"prefix_padding_ms":200,"silence_duration_ms":650,
                                "create_response":true,"interrupt_response":false,"idle_timeout_ms":8000},
              "noise_reduction":{"type":"far_field"}}}}}
            """)
    }

    @Test func sessionUpdateNeverUsesBetaShapes() throws {
        let session = RealtimeSessionConfig(
            model: "gpt-realtime", instructions: "x", outputModalities: [.audio],
            audio: .init(input: .init(format: .pcmu, turnDetection: .serverVAD(.init()), transcription: .model("whisper-1"),
                                      noiseReduction: .nearField()),
                         output: .init(format: .pcmu, voice: .marin, speed: 1)),
            tools: [], toolChoice: .auto, maxOutputTokens: .tokens(100))
        let tree = try jsonTree(try RealtimeClientEvent.sessionUpdate(session).jsonText())
        let keys = Set(try #require(tree["session"]?.objectValue).keys)
        #expect(keys == ["type", "model", "instructions", "output_modalities", "audio", "tools", "tool_choice", "max_output_tokens"])
        for beta in ["modalities", "voice", "input_audio_format", "output_audio_format", "turn_detection",
                     "input_audio_transcription", "input_audio_noise_reduction", "temperature", "max_response_output_tokens"] {
            #expect(!keys.contains(beta), "beta key \(beta)")
        }
    }

    @Test func inputAudioBufferEventsEncode() throws {
        try expectEncoding(.inputAudioBufferAppend(audioBase64: "//8A/w=="), #"{"type":"input_audio_buffer.append","audio":"//8A/w=="}"#)
        try expectEncoding(.inputAudioBufferAppend(audioBase64: "AA==", eventID: "a1"),
                           #"{"type":"input_audio_buffer.append","audio":"AA==","event_id":"a1"}"#)
        try expectEncoding(.inputAudioBufferCommit(), #"{"type":"input_audio_buffer.commit"}"#)
        try expectEncoding(.inputAudioBufferClear(eventID: "c9"), #"{"type":"input_audio_buffer.clear","event_id":"c9"}"#)
        // Slashes in base64 stay unescaped.
        #expect(try RealtimeClientEvent.inputAudioBufferAppend(audioBase64: "//8=").jsonText().contains(#""//8=""#))
    }

    @Test func conversationItemCreateEncodesUserTextAndFunctionOutput() throws {
        try expectEncoding(.conversationItemCreate(.userText("Greet the caller.")), """
            {"type":"conversation.item.create",
             "item":{"type":"message","role":"user","content":[{"type":"input_text","text":"Greet the caller."}]}}
            """)
        try expectEncoding(.conversationItemCreate(.functionCallOutput(callID: "call_abc123", output: #"{"ok":true}"#),
                                                   previousItemID: "item_7", eventID: "cli_3"), """
            {"type":"conversation.item.create","event_id":"cli_3","previous_item_id":"item_7",
             "item":{"type":"function_call_output","call_id":"call_abc123","output":"{\\"ok\\":true}"}}
            """)
        try expectEncoding(.conversationItemCreate(.assistantText("Hi!"), previousItemID: "root"), """
            {"type":"conversation.item.create","previous_item_id":"root",
             "item":{"type":"message","role":"assistant","content":[{"type":"output_text","text":"Hi!"}]}}
            """)
    }

    @Test func truncateSendsAudioEndMsAsAnInteger() throws {
        let event = RealtimeClientEvent.conversationItemTruncate(itemID: "item_abc", audioEndMs: 1840)
        try expectEncoding(event, #"{"type":"conversation.item.truncate","item_id":"item_abc","content_index":0,"audio_end_ms":1840}"#)
        let text = try event.jsonText()
        #expect(text.contains(#""audio_end_ms":1840}"#) || text.contains(#""audio_end_ms":1840,"#))
        #expect(!text.contains("1840.") && !text.contains("e+"))
    }

    @Test func deleteCreateAndCancelEncode() throws {
        try expectEncoding(.conversationItemDelete(itemID: "item_9"), #"{"type":"conversation.item.delete","item_id":"item_9"}"#)
        try expectEncoding(.responseCreate(), #"{"type":"response.create"}"#)
        try expectEncoding(.responseCreate(.init(instructions: "Say goodbye briefly.", toolChoice: .noTools)),
                           #"{"type":"response.create","response":{"instructions":"Say goodbye briefly.","tool_choice":"none"}}"#)
        try expectEncoding(.responseCreate(.init(conversation: .outOfBand, metadata: ["purpose": "summary"]), eventID: "r1"),
                           #"{"type":"response.create","event_id":"r1","response":{"conversation":"none","metadata":{"purpose":"summary"}}}"#)
        try expectEncoding(.responseCancel(), #"{"type":"response.cancel"}"#)
        try expectEncoding(.responseCancel(responseID: "resp_1", eventID: "x"), #"{"type":"response.cancel","response_id":"resp_1","event_id":"x"}"#)
    }

    @Test func everyClientEventRoundTripsForTheSimulator() throws {
        let events: [RealtimeClientEvent] = [
            .sessionUpdate(RealtimeSessionConfig(
                model: "m", audio: .init(input: .init(format: .pcm24kHz, turnDetection: .disabled, transcription: .disabled,
                                                       noiseReduction: .farField(strength: 0.5)),
                                         output: .init(format: .pcmu, voice: .custom(id: "v"), speed: 0.5)),
                tools: [RealtimeFunctionTool(name: "f")], toolChoice: .required, maxOutputTokens: .tokens(7)), eventID: "e"),
            .sessionUpdate(RealtimeSessionConfig(audio: .init(input: .init(turnDetection: .serverVAD(.init(idleTimeoutMs: 5000)))))),
            .sessionUpdate(RealtimeSessionConfig(audio: .init(input: .init(turnDetection: .semanticVAD(.init(eagerness: .low)))))),
            .inputAudioBufferAppend(audioBase64: "AAAA"), .inputAudioBufferCommit(eventID: "c"), .inputAudioBufferClear(),
            .conversationItemCreate(.systemText("be brief"), previousItemID: "root"),
            .conversationItemTruncate(itemID: "i", contentIndex: 0, audioEndMs: 0, eventID: "t"),
            .conversationItemDelete(itemID: "i"),
            .responseCreate(.init(instructions: "x", toolChoice: .function(name: "f"), tools: [], conversation: .auto,
                                  outputModalities: [.audio], maxOutputTokens: .unlimited)),
            .responseCancel(responseID: "r"),
        ]
        for event in events {
            #expect(try RealtimeClientEvent.decode(try event.jsonBytes()) == event)
        }
    }

    @Test func simulatorSideDecodingRejectsWhatTheRealAPIRejects() {
        let fractional = decodingError {
            _ = try RealtimeClientEvent.decode(#"{"type":"conversation.item.truncate","item_id":"i","content_index":0,"audio_end_ms":1840.5}"#)
        }
        guard case .invalidField("conversation.item.truncate", "audio_end_ms", _)? = fractional else {
            Issue.record("expected invalidField for a fractional audio_end_ms, got \(String(describing: fractional))")
            return
        }
        #expect(throws: RealtimeEventDecodingError.missingField(eventType: "conversation.item.truncate", field: "audio_end_ms")) {
            try RealtimeClientEvent.decode(#"{"type":"conversation.item.truncate","item_id":"item_1","content_index":0}"#)
        }
        #expect(throws: RealtimeEventDecodingError.unsupportedClientEvent(type: "response.audio.delta", eventID: "z")) {
            try RealtimeClientEvent.decode(#"{"type":"response.audio.delta","event_id":"z"}"#)
        }
        // Beta-shaped session.update: no session.type.
        #expect(throws: RealtimeEventDecodingError.missingField(eventType: "session.update", field: "session.type")) {
            try RealtimeClientEvent.decode(#"{"type":"session.update","session":{"input_audio_format":"g711_ulaw"}}"#)
        }
        // audio/pcm at any rate but 24000.
        let rate = decodingError {
            _ = try RealtimeClientEvent.decode(#"{"type":"session.update","session":{"type":"realtime","audio":{"input":{"format":{"type":"audio/pcm","rate":16000}}}}}"#)
        }
        guard case .invalidField("session.update", "session.audio.input.format.rate", let reason)? = rate else {
            Issue.record("expected invalidField for rate 16000, got \(String(describing: rate))")
            return
        }
        #expect(reason == "audio/pcm rate must be 24000, got 16000")
        // Unknown keys are accepted, as the SDK does.
        #expect((try? RealtimeClientEvent.decode(#"{"type":"response.cancel","foo":1}"#)) == .responseCancel())
    }
}
