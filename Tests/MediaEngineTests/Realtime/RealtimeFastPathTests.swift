import Foundation
import Testing
@testable import MediaEngine

@Suite struct RealtimeFastPathTests {
    /// The members of a realistic audio delta, as JSON text snippets.
    static let deltaMembers = [
        #""type":"response.output_audio.delta""#,
        #""event_id":"event_C9Gs8bSnK6vZ3NDqxwDdM""#,
        #""response_id":"resp_C9Gs8aQ2x1TtYw""#,
        #""item_id":"item_C9Gs8b0T2nWzq8""#,
        #""output_index":0"#,
        #""content_index":0"#,
        #""delta":"/v7+/n5+fn5//////39/f3+AgICAgIA=""#,
    ]

    /// Joins members in the given order with pseudo-random JSON whitespace around every token.
    static func frame(_ members: [String], rng: inout TestAudio.SeededGenerator) -> String {
        let spaces = ["", " ", "\n", "\t", "\r\n  ", "   "]
        func ws() -> String { spaces[Int(rng.next() % UInt64(spaces.count))] }
        let body = members.map { member -> String in
            // Put whitespace around the colon too (every member has one).
            guard let colon = member.firstIndex(of: ":") else { return member }
            return ws() + member[..<colon] + ws() + ":" + ws() + member[member.index(after: colon)...] + ws()
        }
        return ws() + "{" + body.joined(separator: ",") + "}" + ws()
    }

    @Test func audioDeltaFastPathEqualsSlowPathForAnyKeyOrderAndWhitespace() throws {
        var rng = TestAudio.SeededGenerator(seed: 42)
        var members = Self.deltaMembers
        members.append(#""unknown_future_member":{"a":[1,-2.5e-3,true,null,{"b":"\u00e9\n"}],"c":[]}"#)
        for round in 0..<200 {
            members.shuffle(using: &rng)
            let text = Self.frame(members, rng: &rng)
            let bytes = Array(text.utf8)
            let frame = try #require(OutputAudioDeltaFrame.scan(bytes), "round \(round): \(text)")
            let slow = try RealtimeServerEvent.decode(bytes)
            let fast = bytes.withUnsafeBytes { frame.event(in: $0) }
            #expect(slow == .responseOutputAudioDelta(fast), "round \(round)")
            #expect(fast.delta == "/v7+/n5+fn5//////39/f3+AgICAgIA=")
            #expect(fast.itemID == "item_C9Gs8b0T2nWzq8")
            // The delta range points at the base64 in the caller's own buffer.
            #expect(String(decoding: bytes[frame.delta], as: UTF8.self) == fast.delta)
        }
    }

    @Test func audioDeltaFastPathReadsTheProtocolsExample() throws {
        let bytes = Array(#"{"type":"response.output_audio.delta","event_id":"event_2","response_id":"resp_1","item_id":"item_asst3","output_index":0,"content_index":0,"delta":"//////8="}"#.utf8)
        let frame = try #require(OutputAudioDeltaFrame.scan(bytes))
        bytes.withUnsafeBytes { raw in
            #expect(frame.itemID(in: raw, equals: "item_asst3"))
            #expect(!frame.itemID(in: raw, equals: "item_asst"))
            #expect(frame.responseID(in: raw, equals: "resp_1"))
            #expect(frame.event(in: raw) == .init(eventID: "event_2", responseID: "resp_1", itemID: "item_asst3", delta: "//////8="))
        }
        #expect(frame.outputIndex == 0 && frame.contentIndex == 0)
    }

    @Test func audioDeltaFastPathDeclinesWhatItCannotReadExactly() throws {
        let base = #"{"type":"response.output_audio.delta","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"AAAA"}"#
        let declined: [String] = [
            // Escaped slash: the bytes are not the value. The slow path still decodes it.
            #"{"type":"response.output_audio.delta","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"\/\/8="}"#,
            // Another event type.
            #"{"type":"response.output_audio.done","response_id":"r","item_id":"i","output_index":0,"content_index":0}"#,
            // A required member missing (the slow path reports which).
            #"{"type":"response.output_audio.delta","response_id":"r","item_id":"i","output_index":0,"delta":"AAAA"}"#,
            // Duplicate key.
            #"{"type":"response.output_audio.delta","item_id":"x","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"AAAA"}"#,
            // Non-ASCII in an id.
            #"{"type":"response.output_audio.delta","response_id":"r","item_id":"é","output_index":0,"content_index":0,"delta":"AAAA"}"#,
            // A non-integer index.
            #"{"type":"response.output_audio.delta","response_id":"r","item_id":"i","output_index":0.0,"content_index":0,"delta":"AAAA"}"#,
            // Malformed JSON: trailing garbage, trailing comma, unterminated string, bad literal.
            base + "x",
            #"{"type":"response.output_audio.delta","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"AAAA",}"#,
            #"{"type":"response.output_audio.delta","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"AAAA}"#,
            #"{"type":"response.output_audio.delta","x":nul,"response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"AAAA"}"#,
            #"{"type":"response.output_audio.delta","x":[1,},"response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"AAAA"}"#,
            #"{"type":"response.output_audio.delta","x":01,"response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"AAAA"}"#,
            "",
            "[]",
        ]
        #expect(OutputAudioDeltaFrame.scan(Array(base.utf8)) != nil)
        for text in declined {
            #expect(OutputAudioDeltaFrame.scan(Array(text.utf8)) == nil, "\(text)")
        }
        // What the fast path declines, the slow path still reads or names precisely.
        #expect(try RealtimeServerEvent.decode(declined[0]) == .responseOutputAudioDelta(.init(responseID: "r", itemID: "i", delta: "//8=")))
        #expect(decodingError { _ = try RealtimeServerEvent.decode(declined[2]) }
            == .missingField(eventType: "response.output_audio.delta", field: "content_index"))
    }

    @Test func textDeltasAreRecognizedWithoutDecodingInHebrewAndEnglish() throws {
        let events: [RealtimeServerEvent] = [
            .responseOutputAudioTranscriptDelta(.init(eventID: "event_1", responseID: "resp_1", itemID: "item_1", delta: "שלום, ")),
            .responseOutputAudioTranscriptDelta(.init(responseID: "resp_1", itemID: "item_1", delta: "how can I \"help\"?\n")),
            .responseOutputTextDelta(.init(responseID: "resp_1", itemID: "item_2", outputIndex: 1, delta: "תודה")),
            .responseFunctionCallArgumentsDelta(.init(responseID: "resp_1", itemID: "item_3", callID: "call_1", delta: #"{"name":"#)),
            .inputTranscriptionDelta(.init(itemID: "item_4", contentIndex: 0, delta: "אני רוצה לקבוע תור")),
        ]
        for event in events {
            let bytes = try event.jsonBytes()
            #expect(UnreadEventFrame.matches(bytes), "\(String(decoding: bytes, as: UTF8.self))")
            #expect(try RealtimeServerEvent.decode(bytes) == event)  // what the general path makes of the same frame
            #expect(OutputAudioDeltaFrame.scan(bytes) == nil)
        }
        let transcript = #"{"type":"response.output_audio_transcript.delta","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"שלום"}"#
        #expect(UnreadEventFrame.matches(Array(transcript.utf8)))
        let declined: [[UInt8]] = [
            // Events the call acts on, or the audio it plays.
            Array(#"{"type":"response.output_audio_transcript.done","response_id":"r","item_id":"i","output_index":0,"content_index":0,"transcript":"x"}"#.utf8),
            Array(#"{"type":"response.output_audio.delta","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"AAAA"}"#.utf8),
            Array(#"{"type":"response.done","response":{"id":"r"}}"#.utf8),
            // No string delta, or two; two types; an escaped key.
            Array(#"{"type":"response.output_text.delta","response_id":"r","item_id":"i"}"#.utf8),
            Array(#"{"type":"response.output_text.delta","delta":5}"#.utf8),
            Array(#"{"type":"response.output_text.delta","delta":"a","delta":"b"}"#.utf8),
            Array(#"{"type":"response.output_text.delta","delta":"a","type":"response.done"}"#.utf8),
            Array(#"{"typ\u0065":"response.done","type":"response.output_text.delta","delta":"a"}"#.utf8),
            // Malformed: trailing garbage, unterminated, and invalid UTF-8 (a lone continuation byte,
            // an overlong "/", a surrogate, a cut-off sequence).
            Array((transcript + "x").utf8),
            Array(transcript.utf8.dropLast()),
            Array(#"{"type":"response.output_text.delta","delta":""#.utf8) + [0x80] + Array(#""}"#.utf8),
            Array(#"{"type":"response.output_text.delta","delta":""#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8),
            Array(#"{"type":"response.output_text.delta","delta":""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8),
            Array(#"{"type":"response.output_text.delta","delta":""#.utf8) + [0xE2, 0x82],
        ]
        for bytes in declined {
            #expect(!UnreadEventFrame.matches(bytes), "\(String(decoding: bytes, as: UTF8.self))")
        }
    }

    /// The item lifecycle around an answer, as the simulator (and the API) sends it, is dropped unread; the
    /// events of the same answer that the call acts on are not.
    func typeOf(_ event: RealtimeServerEvent) throws -> String {
        let object = try JSONSerialization.jsonObject(with: Data(try event.jsonBytes())) as? [String: Any]
        return object?["type"] as? String ?? ""
    }

    @Test func lifecycleEventsTheCallIgnoresAreRecognizedWithoutDecoding() throws {
        let item = RealtimeItem(id: "item_1", type: .message, role: .assistant, status: .inProgress, content: [])
        let part = RealtimeContentPart(type: "audio", transcript: "שלום")
        let unread: [RealtimeServerEvent] = [
            .responseOutputItemAdded(.init(eventID: "event_1", responseID: "resp_1", outputIndex: 0, item: item)),
            .conversationItemAdded(.init(eventID: "event_2", item: item, previousItemID: nil)),
            .responseContentPartAdded(.init(eventID: "event_3", responseID: "resp_1", itemID: "item_1", outputIndex: 0, contentIndex: 0, part: part)),
            .responseOutputAudioDone(.init(eventID: "event_4", responseID: "resp_1", itemID: "item_1", outputIndex: 0)),
            .responseContentPartDone(.init(eventID: "event_5", responseID: "resp_1", itemID: "item_1", outputIndex: 0, contentIndex: 0, part: part)),
            .responseOutputItemDone(.init(eventID: "event_6", responseID: "resp_1", outputIndex: 0, item: item)),
            .conversationItemDone(.init(eventID: "event_7", item: item, previousItemID: "item_0")),
            .inputAudioSpeechStopped(.init(eventID: "event_10", audioEndMs: 1_480, itemID: "item_u")),
            .rateLimitsUpdated(.init(eventID: "event_11", rateLimits: [.init(name: "tokens", limit: 40_000, remaining: 39_000, resetSeconds: 1.5),
                                                                         .init(name: "requests", limit: 100, remaining: 99, resetSeconds: 0.6)])),
            .responseOutputTextDone(.init(eventID: "event_12", responseID: "resp_1", itemID: "item_1", outputIndex: 0, text: "תודה")),
            .conversationItemCreated(.init(eventID: "event_13", item: item, previousItemID: nil)),
            .conversationItemTruncated(.init(eventID: "event_14", itemID: "item_1", audioEndMs: 1_779)),
            .conversationItemDeleted(.init(eventID: "event_15", itemID: "item_1")),
            .inputAudioCleared(eventID: "event_16"),
        ]
        // Every lifecycle type the frame drops is one of these (a type added to the list needs a case here).
        #expect(Set(try unread.map { try typeOf($0) }) == Set(UnreadEventFrame.lifecycleTypes.map { "\($0)" }))
        for event in unread {
            let bytes = try event.jsonBytes()
            #expect(UnreadEventFrame.matches(bytes), "\(String(decoding: bytes, as: UTF8.self))")
            #expect(try RealtimeServerEvent.decode(bytes) == event)
        }
        // The events the call acts on (`CallSession.handleControl`, `receiveModel`) are never dropped.
        let read: [RealtimeServerEvent] = [
            .inputAudioSpeechStarted(.init(eventID: "event_17", audioStartMs: 1_000, itemID: "item_u")),
            .inputAudioCommitted(.init(eventID: "event_18", itemID: "item_u", previousItemID: nil)),
            .responseCreated(.init(eventID: "event_19", response: RealtimeResponse(id: "resp_2"))),
            .responseDone(.init(eventID: "event_20", response: RealtimeResponse(id: "resp_2"))),
            .inputTranscriptionCompleted(.init(eventID: "event_21", itemID: "item_u", contentIndex: 0, transcript: "שלום")),
            .error(.init(eventID: "event_22", error: .init(type: "invalid_request_error", code: "x", message: "m"))),
            .responseOutputAudioTranscriptDone(.init(eventID: "event_8", responseID: "resp_1", itemID: "item_1", outputIndex: 0, text: "שלום")),
            .responseFunctionCallArgumentsDone(.init(eventID: "event_9", responseID: "resp_1", itemID: "item_2", outputIndex: 1,
                                                     callID: "call_1", name: "end_call", arguments: "{}")),
        ]
        for event in read {
            #expect(!UnreadEventFrame.matches(try event.jsonBytes()))
        }
        let declined: [[UInt8]] = [
            Array(#"{"type":"response.output_item.done","item":{"id":"i""#.utf8),  // cut off: the slow path names it
            Array(#"{"type":"response.output_item.done","type":"response.done"}"#.utf8),
            Array(#"{"type":"session.updated","session":{}}"#.utf8),
            Array(#"{"type":"input_audio_buffer.speech_started","audio_start_ms":0,"item_id":"i"}"#.utf8),
        ]
        for bytes in declined {
            #expect(!UnreadEventFrame.matches(bytes), "\(String(decoding: bytes, as: UTF8.self))")
        }
    }

    @Test func audioDeltaWriterProducesTheGAEventAndScansBack() throws {
        let base64 = Array("//79/A==".utf8)
        let size = OutputAudioDeltaFrame.encodedCount(eventID: "event_9", responseID: "resp_1", itemID: "item_a1",
                                                      outputIndex: 12, contentIndex: -3, base64Count: base64.count)
        var out = [UInt8](repeating: 0, count: size)
        let written = base64.withUnsafeBytes { b64 in
            out.withUnsafeMutableBytes { OutputAudioDeltaFrame.write(eventID: "event_9", responseID: "resp_1", itemID: "item_a1",
                                                                     outputIndex: 12, contentIndex: -3, deltaBase64: b64, into: $0) }
        }
        #expect(written == size)
        let expected = RealtimeServerEvent.responseOutputAudioDelta(.init(
            eventID: "event_9", responseID: "resp_1", itemID: "item_a1", outputIndex: 12, contentIndex: -3, delta: "//79/A=="))
        #expect(try RealtimeServerEvent.decode(out) == expected)
        #expect(try jsonTree(String(decoding: out, as: UTF8.self)) == jsonTree(try expected.jsonText()))
        let frame = try #require(OutputAudioDeltaFrame.scan(out))
        #expect(out.withUnsafeBytes { frame.event(in: $0) } == .init(
            eventID: "event_9", responseID: "resp_1", itemID: "item_a1", outputIndex: 12, contentIndex: -3, delta: "//79/A=="))

        // Too small, an id needing escapes, or non-base64 audio: declined.
        var small = [UInt8](repeating: 0, count: size - 1)
        let tooSmall = base64.withUnsafeBytes { b64 in
            small.withUnsafeMutableBytes { OutputAudioDeltaFrame.write(eventID: "event_9", responseID: "resp_1", itemID: "item_a1",
                                                                       outputIndex: 12, contentIndex: -3, deltaBase64: b64, into: $0) }
        }
        #expect(tooSmall == nil)
        let quoted = base64.withUnsafeBytes { b64 in
            out.withUnsafeMutableBytes { OutputAudioDeltaFrame.write(eventID: nil, responseID: "r\"", itemID: "i",
                                                                     outputIndex: 0, contentIndex: 0, deltaBase64: b64, into: $0) }
        }
        #expect(quoted == nil)
    }

    @Test func appendWriterMatchesTheGeneralEncoderByteForByte() throws {
        let base64 = "/w8AAP///38AgA=="
        let frame = try #require(InputAudioAppendFrame.frame(audioBase64: Array(base64.utf8)))
        #expect(String(decoding: frame, as: UTF8.self) == #"{"type":"input_audio_buffer.append","audio":"/w8AAP///38AgA=="}"#)
        #expect(try jsonTree(String(decoding: frame, as: UTF8.self))
            == jsonTree(try RealtimeClientEvent.inputAudioBufferAppend(audioBase64: base64).jsonText()))
        #expect(frame.count == InputAudioAppendFrame.encodedCount(base64Count: base64.utf8.count))
        #expect(try RealtimeClientEvent.decode(frame) == .inputAudioBufferAppend(audioBase64: base64))
    }

    @Test func appendWriterReusesItsBufferAndRejectsNonBase64() {
        // A 20 ms mu-law frame is 160 bytes: 216 base64 characters.
        let frameA = [UInt8](repeating: UInt8(ascii: "A"), count: 216)
        let frameB = [UInt8](repeating: UInt8(ascii: "/"), count: 216)
        var buffer: [UInt8] = []
        #expect(frameA.withUnsafeBytes { InputAudioAppendFrame.write(audioBase64: $0, into: &buffer) })
        let capacity = buffer.capacity
        let storage = buffer.withUnsafeBytes { $0.baseAddress }
        #expect(frameB.withUnsafeBytes { InputAudioAppendFrame.write(audioBase64: $0, into: &buffer) })
        #expect(buffer.capacity == capacity)
        #expect(buffer.withUnsafeBytes { $0.baseAddress } == storage)
        #expect(buffer.count == InputAudioAppendFrame.encodedCount(base64Count: 216))
        #expect(buffer.suffix(3) == Array(#"/"}"#.utf8))

        let bad = Array(#"AA"A"#.utf8)
        #expect(!bad.withUnsafeBytes { InputAudioAppendFrame.write(audioBase64: $0, into: &buffer) })
        #expect(buffer.isEmpty)
        var tiny = [UInt8](repeating: 0, count: 10)
        #expect(frameA.withUnsafeBytes { b64 in tiny.withUnsafeMutableBytes { InputAudioAppendFrame.write(audioBase64: b64, into: $0) } } == nil)
    }

    @Test func appendWriterEncodesRawAudioStraightIntoTheFrame() throws {
        var buffer: [UInt8] = []
        for count in [0, 1, 2, 3, 160, 800, 4_800] {  // every padding case, 20 ms and 100 ms of each path
            let audio = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            audio.withUnsafeBufferPointer { InputAudioAppendFrame.write(audio: $0, into: &buffer) }
            #expect(buffer == InputAudioAppendFrame.frame(audioBase64: Array(Base64.encode(audio).utf8)), "\(count) bytes")
        }
        let capacity = buffer.capacity
        [UInt8](repeating: 7, count: 160).withUnsafeBufferPointer { InputAudioAppendFrame.write(audio: $0, into: &buffer) }
        #expect(buffer.capacity == capacity, "a smaller frame reuses the buffer")
    }

    @Test func appendScanFindsTheAudioInAnyOrder() throws {
        let bytes = Array(#" { "audio" : "AAAA//8=" , "event_id":"cli_7",  "type" : "input_audio_buffer.append" } "#.utf8)
        let frame = try #require(InputAudioAppendFrame.scan(bytes))
        #expect(String(decoding: bytes[frame.audio], as: UTF8.self) == "AAAA//8=")
        #expect(frame.eventID.map { String(decoding: bytes[$0], as: UTF8.self) } == "cli_7")
        #expect(InputAudioAppendFrame.scan(Array(#"{"type":"input_audio_buffer.commit"}"#.utf8)) == nil)
        #expect(InputAudioAppendFrame.scan(Array(#"{"type":"input_audio_buffer.append"}"#.utf8)) == nil)
        #expect(InputAudioAppendFrame.scan(Array(#"{"type":"input_audio_buffer.append","audio":"\/8="}"#.utf8)) == nil)
    }
}
