import Foundation
import Testing
@testable import MediaEngine

/// Inbound Twilio Media Streams decoding, on the examples of protocols.md A.4.
@Suite struct TwilioMessageDecoderTests {
    static let streamSid = "MZ00000000000000000000000000000001"
    static let silencePayload = Data(repeating: 0xFF, count: 160).base64EncodedString()

    let decoder = TwilioMessageDecoder()

    func decode(_ json: String) throws -> TwilioMessage { try decoder.decode(Array(json.utf8)) }

    func decodeGeneral(_ json: String) throws -> TwilioMessage {
        try Array(json.utf8).withUnsafeBytes { bytes in
            Result { () throws(TwilioMessageError) in try decoder.decodeWithJSONDecoder(bytes) }
        }.get()
    }

    @Test func connectedDecodes() throws {
        let message = try decode(#"{"event":"connected","protocol":"Call","version":"1.0.0"}"#)
        #expect(message == .connected(.init(protocol: "Call", version: "1.0.0")))
    }

    @Test func startDecodesEveryField() throws {
        let message = try decode("""
            {
              "event": "start",
              "sequenceNumber": "1",
              "streamSid": "MZ00000000000000000000000000000001",
              "start": {
                "streamSid": "MZ00000000000000000000000000000001",
                "accountSid": "AC00000000000000000000000000000000",
                "callSid": "CA00000000000000000000000000000002",
                "tracks": ["inbound"],
                "customParameters": {"tenant": "acme", "token": "b64url-random"},
                "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}
              }
            }
            """)
        #expect(message == .start(.init(
            sequenceNumber: 1, streamSid: Self.streamSid, accountSid: "AC00000000000000000000000000000000",
            callSid: "CA00000000000000000000000000000002", tracks: ["inbound"],
            customParameters: ["tenant": "acme", "token": "b64url-random"], mediaFormat: .muLaw8kMono)))
    }

    @Test func mediaTakesTheFastPathWithSlicesOfTheMessage() throws {
        let json = """
            {"event":"media","sequenceNumber":"2","streamSid":"\(Self.streamSid)",\
            "media":{"track":"inbound","chunk":"1","timestamp":"20","payload":"\(Self.silencePayload)"}}
            """
        let bytes = Array(json.utf8)
        guard case .media(let frame) = try decoder.decode(bytes) else {
            Issue.record("not a media message")
            return
        }
        guard case .slice(let payloadRange) = frame.payload, case .slice = frame.streamSid else {
            Issue.record("fast path not taken: \(frame)")
            return
        }
        #expect(payloadRange.count == 216)
        #expect(frame.payload.string(in: bytes) == Self.silencePayload)
        #expect(frame.streamSid.string(in: bytes) == Self.streamSid)
        #expect(bytes.withUnsafeBytes { frame.streamSid.equals(Self.streamSid, in: $0) })
        #expect(bytes.withUnsafeBytes { !frame.streamSid.equals("MZ0", in: $0) })
        #expect(frame.sequenceNumber == 2 && frame.chunk == 1 && frame.timestampMs == 20 && frame.track == .inbound)
        let audio = try #require(Data(base64Encoded: frame.payload.string(in: bytes)))
        #expect(audio == Data(repeating: 0xFF, count: 160))
    }

    @Test func escapedPayloadFallsBackToJSONDecoderAndIsUnescaped() throws {
        // `\/` is a legal JSON spelling of `/`; the scanner cannot slice it, JSONDecoder unescapes it.
        let json = #"{"event":"media","sequenceNumber":"3","streamSid":"MZ1","media":{"track":"outbound","chunk":"2","timestamp":"40","payload":"\/\/8="}}"#
        let message = try decode(json)
        #expect(message == .media(.init(
            sequenceNumber: 3, streamSid: .owned("MZ1"), track: .outbound, chunk: 2, timestampMs: 40,
            payload: .owned("//8="))))
    }

    @Test func dtmfMarkAndStopDecode() throws {
        #expect(try decode("""
            {"event":"dtmf","sequenceNumber":"57","streamSid":"\(Self.streamSid)",
             "dtmf":{"track":"inbound_track","digit":"5"}}
            """) == .dtmf(.init(sequenceNumber: 57, streamSid: Self.streamSid, track: "inbound_track", digit: "5")))
        #expect(try decode("""
            {"event":"mark","sequenceNumber":"58","streamSid":"\(Self.streamSid)",
             "mark":{"name":"item_abc:3"}}
            """) == .mark(.init(sequenceNumber: 58, streamSid: Self.streamSid, name: "item_abc:3")))
        #expect(try decode("""
            {"event":"stop","sequenceNumber":"1200","streamSid":"\(Self.streamSid)",
             "stop":{"accountSid":"AC00000000000000000000000000000000","callSid":"CA00000000000000000000000000000002"}}
            """) == .stop(.init(
                sequenceNumber: 1200, streamSid: Self.streamSid,
                accountSid: "AC00000000000000000000000000000000", callSid: "CA00000000000000000000000000000002")))
    }

    @Test func unknownEventsAreReportedNotFatal() throws {
        #expect(try decode(#"{"event":"transcription","sequenceNumber":"9","anything":{"x":[1,2]}}"#)
            == .unknown(event: "transcription"))
    }

    @Test func fastPathAgreesWithJSONDecoderOnShuffledKeysAndWhitespace() throws {
        var shuffled = ShuffledJSON(seed: 7)
        for round in 0..<200 {
            var mediaFields = [
                #""track":\#(shuffled.ws())"inbound""#,
                #""chunk":\#(shuffled.ws())"\#(round + 1)""#,
                #""timestamp":"\#(round * 20)""#,
                #""payload":\#(shuffled.ws())"\#(Self.silencePayload)""#,
            ]
            if round % 3 == 0 { mediaFields.append(#""extra":{"nested":[true,false,null,-1.5e3,"s\"q"]}"#) }
            var topFields = [
                #""event":"media""#,
                #""sequenceNumber":\#(shuffled.ws())"\#(round + 2)""#,
                #""streamSid":"\#(Self.streamSid)""#,
                #""media":\#(shuffled.ws())\#(shuffled.object(mediaFields))"#,
            ]
            if round % 4 == 1 { topFields.append(#""future":[{"a":1},[],"x\\y"]"#) }
            let json = shuffled.ws() + shuffled.object(topFields) + shuffled.ws()
            let bytes = Array(json.utf8)

            guard case .media(let fast) = try decoder.decode(bytes),
                  case .media(let general) = try decodeGeneral(json)
            else {
                Issue.record("not decoded as media: \(json)")
                return
            }
            #expect(fast.payload != general.payload, "fast path not taken for \(json)")
            #expect(fast.payload.string(in: bytes) == general.payload.string(in: bytes))
            #expect(fast.streamSid.string(in: bytes) == general.streamSid.string(in: bytes))
            #expect(fast.sequenceNumber == general.sequenceNumber && fast.sequenceNumber == round + 2)
            #expect(fast.chunk == general.chunk && fast.timestampMs == general.timestampMs)
            #expect(fast.track == general.track)
        }
    }

    @Test func markTakesTheFastPathAndAgreesWithJSONDecoder() throws {
        let scanned = #"{"event":"mark","sequenceNumber":"58","streamSid":"\#(Self.streamSid)","mark":{"name":"item_abc:3"}}"#
        #expect(Array(scanned.utf8).withUnsafeBytes { TwilioMessageScanner.scan($0) }
            == .mark(.init(sequenceNumber: 58, streamSid: Self.streamSid, name: "item_abc:3")))
        var shuffled = ShuffledJSON(seed: 11)
        for round in 0..<100 {
            var markFields = [#""name":\#(shuffled.ws())"r\#(round):\#(round * 100)""#]
            if round % 3 == 0 { markFields.append(#""extra":[1,{"k":"v"},null]"#) }
            var topFields = [
                #""event":\#(shuffled.ws())"mark""#,
                #""sequenceNumber":"\#(round + 2)""#,
                #""streamSid":\#(shuffled.ws())"\#(Self.streamSid)""#,
                #""mark":\#(shuffled.ws())\#(shuffled.object(markFields))"#,
            ]
            if round % 4 == 1 { topFields.append(#""future":"x\\y""#) }
            let json = shuffled.ws() + shuffled.object(topFields) + shuffled.ws()
            let fast = Array(json.utf8).withUnsafeBytes { TwilioMessageScanner.scan($0) }
            #expect(fast != nil, "fast path not taken for \(json)")
            #expect(try decode(json) == decodeGeneral(json))
            #expect(try decode(json) == .mark(.init(sequenceNumber: round + 2, streamSid: Self.streamSid, name: "r\(round):\(round * 100)")))
        }
        // Escapes, non-ASCII, a missing or repeated name: the scanner declines and the general path decides.
        for odd in [#"{"event":"mark","sequenceNumber":"1","streamSid":"MZ1","mark":{"name":"a\"b"}}"#,
                    #"{"event":"mark","sequenceNumber":"1","streamSid":"MZ1","mark":{"name":"שלום"}}"#,
                    #"{"event":"mark","sequenceNumber":"1","streamSid":"MZ1","mark":{"name":"a","name":"b"}}"#,
                    #"{"event":"mark","sequenceNumber":"1","streamSid":"MZ1","mark":{}}"#,
                    #"{"event":"mark","sequenceNumber":"1","streamSid":"MZ1"}"#] {
            #expect(Array(odd.utf8).withUnsafeBytes { TwilioMessageScanner.scan($0) } == nil, "\(odd)")
        }
        #expect(try decode(#"{"event":"mark","sequenceNumber":"1","streamSid":"MZ1","mark":{"name":"שלום"}}"#)
            == .mark(.init(sequenceNumber: 1, streamSid: "MZ1", name: "שלום")))
        #expect(throws: TwilioMessageError.missingField("mark.name")) {
            try decode(#"{"event":"mark","sequenceNumber":"1","streamSid":"MZ1","mark":{}}"#)
        }
    }

    @Test func rejectsMalformedJSON() {
        for text in ["{", "not json", #"{"event":"media""#, #"{"event":"media" "x":1}"#, "[1]"] {
            #expect(throws: TwilioMessageError.self) { try decode(text) }
            do {
                _ = try decode(text)
            } catch let error as TwilioMessageError {
                guard case .malformedJSON = error else {
                    Issue.record("\(text): \(error)")
                    continue
                }
            } catch {
                Issue.record("untyped error \(error)")
            }
        }
        #expect(throws: TwilioMessageError.missingField("event")) { try decode(#"{"sequenceNumber":"1"}"#) }
        #expect(throws: TwilioMessageError.wrongType(field: "event", expected: "a string")) {
            try decode(#"{"event":5}"#)
        }
    }

    @Test func rejectsNumericFieldsThatAreNotDecimalStrings() {
        func media(chunk: String) -> String {
            #"{"event":"media","sequenceNumber":"2","streamSid":"MZ1","media":{"track":"inbound","chunk":\#(chunk),"timestamp":"20","payload":"//8="}}"#
        }
        for garbage in [#""abc""#, #""-1""#, #""1.5""#, #"" 1""#, #""""#, #""99999999999999999999""#] {
            let value = String(garbage.dropFirst().dropLast())
            #expect(throws: TwilioMessageError.invalidNumber(field: "media.chunk", value: value)) {
                try decode(media(chunk: garbage))
            }
        }
        #expect(throws: TwilioMessageError.wrongType(field: "media.chunk", expected: "a string")) {
            try decode(media(chunk: "1"))
        }
        #expect(throws: TwilioMessageError.invalidNumber(field: "sequenceNumber", value: "x2")) {
            try decode(#"{"event":"mark","sequenceNumber":"x2","streamSid":"MZ1","mark":{"name":"a"}}"#)
        }
    }

    @Test func rejectsMissingFieldsAndBadValues() {
        #expect(throws: TwilioMessageError.missingField("media.payload")) {
            try decode(#"{"event":"media","sequenceNumber":"2","streamSid":"MZ1","media":{"track":"inbound","chunk":"1","timestamp":"20"}}"#)
        }
        #expect(throws: TwilioMessageError.invalidValue(
            field: "media.track", value: "sideways", expected: "'inbound' or 'outbound'")) {
            try decode(#"{"event":"media","sequenceNumber":"2","streamSid":"MZ1","media":{"track":"sideways","chunk":"1","timestamp":"20","payload":""}}"#)
        }
        #expect(throws: TwilioMessageError.missingField("start.callSid")) {
            try decode(#"{"event":"start","sequenceNumber":"1","start":{"streamSid":"MZ1","accountSid":"AC1","mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}}}"#)
        }
        #expect(throws: TwilioMessageError.invalidValue(field: "dtmf.digit", value: "55", expected: "one of 0-9, *, #, A-D")) {
            try decode(#"{"event":"dtmf","sequenceNumber":"5","streamSid":"MZ1","dtmf":{"track":"inbound_track","digit":"55"}}"#)
        }
        #expect(throws: TwilioMessageError.missingField("mark.name")) {
            try decode(#"{"event":"mark","sequenceNumber":"5","streamSid":"MZ1","mark":{}}"#)
        }
    }

    @Test func rejectsMediaFormatsOtherThanMuLaw8kMono() {
        func start(_ format: String) -> String {
            #"{"event":"start","sequenceNumber":"1","streamSid":"MZ1","start":{"streamSid":"MZ1","accountSid":"AC1","callSid":"CA1","tracks":["inbound"],"customParameters":{},"mediaFormat":\#(format)}}"#
        }
        #expect(throws: TwilioMessageError.unsupportedMediaFormat(.init(encoding: "audio/x-alaw", sampleRate: 8000, channels: 1))) {
            try decode(start(#"{"encoding":"audio/x-alaw","sampleRate":8000,"channels":1}"#))
        }
        #expect(throws: TwilioMessageError.unsupportedMediaFormat(.init(encoding: "audio/x-mulaw", sampleRate: 16000, channels: 1))) {
            try decode(start(#"{"encoding":"audio/x-mulaw","sampleRate":16000,"channels":1}"#))
        }
        #expect(throws: TwilioMessageError.unsupportedMediaFormat(.init(encoding: "audio/x-mulaw", sampleRate: 8000, channels: 2))) {
            try decode(start(#"{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":2}"#))
        }
        #expect(throws: TwilioMessageError.wrongType(field: "start.mediaFormat.sampleRate", expected: "an integer")) {
            try decode(start(#"{"encoding":"audio/x-mulaw","sampleRate":"8000","channels":1}"#))
        }
    }

    @Test func rejectsOversizedMessagesBeforeParsing() {
        let big = #"{"event":"media","pad":""# + String(repeating: "A", count: 70_000) + #""}"#
        #expect(throws: TwilioMessageError.tooLarge(byteCount: big.utf8.count, limit: 65_536)) { try decode(big) }
        let small = TwilioMessageDecoder(maxMessageBytes: 16)
        #expect(throws: TwilioMessageError.tooLarge(byteCount: 17, limit: 16)) {
            try small.decode(Array(#"{"event":"stop"}x"#.utf8))
        }
    }

    @Test func errorsDescribeTheFieldAtFault() {
        #expect(TwilioMessageError.invalidNumber(field: "media.chunk", value: "abc").description
            == "Twilio message field 'media.chunk' should be a decimal integer string, got 'abc'")
        #expect(TwilioMessageError.unsupportedMediaFormat(.init(encoding: "audio/x-alaw", sampleRate: 8000, channels: 1))
            .description.contains("audio/x-alaw 8000 Hz 1 ch"))
    }
    /// JSON objects with their members shuffled and pseudo-random whitespace around every token, for
    /// checking that the fast path reads what `JSONDecoder` reads.
    struct ShuffledJSON {
        var random: TestAudio.SeededGenerator
        let spaces = ["", " ", "\n  ", "\t", "\r\n"]

        init(seed: UInt64) { random = TestAudio.SeededGenerator(seed: seed) }

        mutating func ws() -> String { spaces[Int(random.next() % UInt64(spaces.count))] }

        /// `{...}` of `members` (each `"key":value`) in a shuffled order.
        mutating func object(_ members: [String]) -> String {
            var members = members
            members.shuffle(using: &random)
            var text = "{" + ws()
            for (index, member) in members.enumerated() {
                text += (index == 0 ? "" : ws() + "," + ws()) + member
            }
            return text + ws() + "}"
        }
    }
}
