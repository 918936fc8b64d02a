import Testing
@testable import MediaEngine

@Suite struct JSONValueTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONValue(parsing: #"{"s":"a\"b/é","n":-1.5,"i":42,"t":true,"f":false,"z":null,"a":[1,[2]],"o":{"k":{}}}"#)
        #expect(value["s"]?.stringValue == "a\"b/é")
        #expect(value["n"]?.doubleValue == -1.5)
        #expect(value["n"]?.intValue == nil)
        #expect(value["i"]?.intValue == 42)
        #expect(value["t"]?.boolValue == true && value["f"]?.boolValue == false)
        #expect(value["z"]?.isNull == true)
        #expect(value["a"]?[1]?[0] == 2)
        #expect(value["a"]?[5] == nil)
        #expect(value["o"]?["k"]?.objectValue == [:])
        #expect(value["missing"] == nil)
    }

    @Test func wholeNumbersEncodeAsIntegersAndFractionsStay() throws {
        #expect(try JSONValue.number(1840).jsonText() == "1840")
        #expect(try JSONValue.number(0.5).jsonText() == "0.5")
        #expect(try (["b": 1, "a": [true, .null, "x/y"]] as JSONValue).jsonText() == #"{"a":[true,null,"x/y"],"b":1}"#)
        // JSON has one number type: 1 and 1.0 are the same value.
        #expect(try JSONValue(parsing: "1.0") == JSONValue(parsing: "1"))
    }

    @Test func reportsMalformedTextAndUnencodableNumbers() {
        guard case .malformedJSON? = decodingError({ _ = try JSONValue(parsing: #"{"a":"#) }) else {
            Issue.record("truncated JSON should be malformedJSON")
            return
        }
        #expect(throws: RealtimeEventEncodingError.self) { try JSONValue.number(.nan).jsonText() }
    }

    @Test func convertsEncodableValuesToTrees() throws {
        let tree = try JSONValue(encoding: RealtimeSessionConfig(model: "gpt-realtime", audio: .init(output: .init(format: .pcmu))))
        #expect(tree == ["type": "realtime", "model": "gpt-realtime", "audio": ["output": ["format": ["type": "audio/pcmu"]]]])
        #expect(RealtimeAudioFormat(json: tree["audio"]?["output"]?["format"]) == .pcmu)
        #expect(RealtimeAudioFormat(json: ["type": "audio/pcm", "rate": 16000]) == nil)
        #expect(RealtimeAudioFormat(json: ["type": "audio/pcm"]) == .pcm24kHz)
    }
}
