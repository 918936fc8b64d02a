import Foundation
import Testing
@testable import MediaEngine

/// Outbound Twilio messages (protocols.md A.5), hand-built.
@Suite struct TwilioOutboundEncoderTests {
    static let streamSid = "MZ00000000000000000000000000000001"

    func jsonObject(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func mediaMatchesTheDocumentedShapeByteForByte() {
        let encoder = TwilioOutboundEncoder(streamSid: Self.streamSid)
        var output: [UInt8] = []
        encoder.media(payloadBase64: "//////////8=", into: &output)
        #expect(String(decoding: output, as: UTF8.self)
            == #"{"event":"media","streamSid":"MZ00000000000000000000000000000001","media":{"payload":"//////////8="}}"#)
    }

    @Test func markAndClearMatchTheDocumentedShapes() {
        let encoder = TwilioOutboundEncoder(streamSid: Self.streamSid)
        var output: [UInt8] = []
        encoder.mark(name: "item_abc:3", into: &output)
        #expect(String(decoding: output, as: UTF8.self)
            == #"{"event":"mark","streamSid":"MZ00000000000000000000000000000001","mark":{"name":"item_abc:3"}}"#)
        encoder.clear(into: &output)
        #expect(String(decoding: output, as: UTF8.self)
            == #"{"event":"clear","streamSid":"MZ00000000000000000000000000000001"}"#)
    }

    @Test func mediaFromRawBytesRoundTripsThroughJSON() throws {
        let audio = (0..<160).map { UInt8(truncatingIfNeeded: $0 * 37) }
        let base64 = Array(Data(audio).base64EncodedString().utf8)
        let encoder = TwilioOutboundEncoder(streamSid: Self.streamSid)
        var output: [UInt8] = []
        output.reserveCapacity(512)
        base64.withUnsafeBytes { encoder.media(payloadBase64: $0, into: &output) }
        let object = try jsonObject(output)
        #expect(object["event"] as? String == "media")
        #expect(object["streamSid"] as? String == Self.streamSid)
        let payload = try #require((object["media"] as? [String: Any])?["payload"] as? String)
        #expect(Data(base64Encoded: payload) == Data(audio))
        #expect(!output.contains(UInt8(ascii: "\\")), "'/' must not be escaped")
    }

    @Test func reusesTheCallersBuffer() {
        let encoder = TwilioOutboundEncoder(streamSid: Self.streamSid)
        var output: [UInt8] = []
        output.reserveCapacity(1024)
        let capacity = output.capacity
        encoder.media(payloadBase64: String(repeating: "/", count: 216), into: &output)
        encoder.mark(name: "m1", into: &output)
        encoder.clear(into: &output)
        #expect(output.capacity == capacity)
        #expect(String(decoding: output, as: UTF8.self).hasPrefix(#"{"event":"clear""#))
    }

    @Test func escapesQuotesBackslashesAndControlCharactersInNamesAndSids() throws {
        let awkwardName = "say \"hi\"\\now\n\t\r\u{08}\u{0C}\u{01}\u{1F} שלום/ok"
        let awkwardSid = "MZ\"\\\u{00}"
        let encoder = TwilioOutboundEncoder(streamSid: awkwardSid)
        var output: [UInt8] = []
        encoder.mark(name: awkwardName, into: &output)
        #expect(String(decoding: output, as: UTF8.self).contains(
            #""name":"say \"hi\"\\now\n\t\r\b\f\u0001\u001f שלום/ok""#))
        let object = try jsonObject(output)
        #expect((object["mark"] as? [String: Any])?["name"] as? String == awkwardName)
        #expect(object["streamSid"] as? String == awkwardSid)

        encoder.clear(into: &output)
        #expect(try jsonObject(output)["streamSid"] as? String == awkwardSid)
        encoder.media(payloadBase64: "ab\"c", into: &output)
        #expect((try jsonObject(output)["media"] as? [String: Any])?["payload"] as? String == "ab\"c")
    }

    @Test func outboundMarkNamesSurviveTheInboundEchoDecoder() throws {
        // Twilio echoes the name we sent; a name with escapes must come back identical.
        let name = #"turn "7"\part/2"#
        let encoder = TwilioOutboundEncoder(streamSid: Self.streamSid)
        var output: [UInt8] = []
        encoder.mark(name: name, into: &output)
        let echo = Array(String(decoding: output, as: UTF8.self)
            .replacingOccurrences(of: #"{"event":"mark","#, with: #"{"event":"mark","sequenceNumber":"9","#).utf8)
        #expect(try TwilioMessageDecoder().decode(echo)
            == .mark(.init(sequenceNumber: 9, streamSid: Self.streamSid, name: name)))
    }
}
