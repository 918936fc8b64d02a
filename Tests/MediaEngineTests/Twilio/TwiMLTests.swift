import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import MediaEngine

/// TwiML documents for the voice webhook (protocols.md A.2).
@Suite struct TwiMLTests {
    /// Collects (element, attributes) and text from an XML document, to check escaping round-trips.
    final class Collector: NSObject, XMLParserDelegate {
        var elements: [(name: String, attributes: [String: String])] = []
        var text = ""
        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            elements.append((elementName, attributeDict))
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
    }

    func parse(_ xml: String) throws -> Collector {
        let collector = Collector()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = collector
        #expect(parser.parse(), "not well-formed: \(xml)")
        return collector
    }

    @Test func connectStreamWithParametersActionAndFallback() throws {
        let xml = try TwiML.connect(
            stream: .init(
                url: "wss://voice.example.com/media", name: "agent",
                statusCallback: "https://voice.example.com/twilio/stream-status",
                parameters: [.init(name: "tenant", value: "acme"), .init(name: "token", value: "b64url-random")]),
            action: "https://voice.example.com/twilio/after-stream",
            fallback: .init("Sorry, the assistant is unavailable. Goodbye."))
        #expect(xml == """
            <?xml version="1.0" encoding="UTF-8"?><Response>\
            <Connect action="https://voice.example.com/twilio/after-stream">\
            <Stream url="wss://voice.example.com/media" name="agent" \
            statusCallback="https://voice.example.com/twilio/stream-status" statusCallbackMethod="POST">\
            <Parameter name="tenant" value="acme"/><Parameter name="token" value="b64url-random"/>\
            </Stream></Connect><Say>Sorry, the assistant is unavailable. Goodbye.</Say><Hangup/></Response>
            """)
        let parsed = try parse(xml)
        #expect(parsed.elements.map(\.name) == ["Response", "Connect", "Stream", "Parameter", "Parameter", "Say", "Hangup"])
    }

    @Test func minimalConnectHasNothingAfterTheStream() throws {
        let xml = try TwiML.connect(stream: .init(url: "wss://voice.example.com/twilio/media"))
        #expect(xml == #"<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="wss://voice.example.com/twilio/media"></Stream></Connect></Response>"#)
    }

    @Test func rejectDocuments() {
        #expect(TwiML.reject() == #"<?xml version="1.0" encoding="UTF-8"?><Response><Reject reason="rejected"/></Response>"#)
        #expect(TwiML.reject(.busy) == #"<?xml version="1.0" encoding="UTF-8"?><Response><Reject reason="busy"/></Response>"#)
    }

    @Test func attributeAndTextValuesAreEscapedAndRoundTrip() throws {
        let nasty = #"a&b<c>d"e'f"# + "\n\tשלום"
        let xml = try TwiML.connect(
            stream: .init(url: "wss://h.example/m", parameters: [.init(name: "n&\"", value: nasty)]),
            fallback: .init("Tom & Jerry <3 \"quotes\"", voice: "Polly.Joanna", language: "en-US"))
        #expect(xml.contains(#"value="a&amp;b&lt;c&gt;d&quot;e&apos;f&#10;&#9;שלום""#))
        #expect(xml.contains(#"<Say voice="Polly.Joanna" language="en-US">Tom &amp; Jerry &lt;3 "quotes"</Say>"#))
        let parsed = try parse(xml)
        let parameter = try #require(parsed.elements.first { $0.name == "Parameter" })
        #expect(parameter.attributes["name"] == "n&\"")
        #expect(parameter.attributes["value"] == nasty)
        #expect(parsed.text == "Tom & Jerry <3 \"quotes\"")
    }

    @Test func refusesStreamURLsTwilioCannotUse() {
        #expect(throws: TwiML.BuildError.streamURLNotWSS("https://voice.example.com/media")) {
            try TwiML.connect(stream: .init(url: "https://voice.example.com/media"))
        }
        #expect(throws: TwiML.BuildError.streamURLNotWSS("/media")) { try TwiML.connect(stream: .init(url: "/media")) }
        #expect(throws: TwiML.BuildError.streamURLHasQuery("wss://voice.example.com/media?tenant=acme")) {
            try TwiML.connect(stream: .init(url: "wss://voice.example.com/media?tenant=acme"))
        }
        #expect(throws: TwiML.BuildError.streamURLHasQuery("wss://voice.example.com/media?")) {
            try TwiML.connect(stream: .init(url: "wss://voice.example.com/media?"))
        }
        #expect(throws: TwiML.BuildError.callbackURLNotHTTP(field: "<Connect action>", url: "ftp://x/y")) {
            try TwiML.connect(stream: .init(url: "wss://voice.example.com/media"), action: "ftp://x/y")
        }
    }

    @Test func parameterNamePlusValueMustStayUnder500Characters() throws {
        let fits = try TwiML.connect(stream: .init(
            url: "wss://h.example/m", parameters: [.init(name: "token", value: String(repeating: "x", count: 494))]))
        #expect(fits.contains("<Parameter name=\"token\""))
        #expect(throws: TwiML.BuildError.parameterTooLong(name: "token", length: 500)) {
            try TwiML.connect(stream: .init(
                url: "wss://h.example/m", parameters: [.init(name: "token", value: String(repeating: "x", count: 495))]))
        }
        #expect(throws: TwiML.BuildError.emptyParameterName) {
            try TwiML.connect(stream: .init(url: "wss://h.example/m", parameters: [.init(name: "", value: "v")]))
        }
    }

    @Test func refusesCharactersXMLCannotCarry() {
        #expect(throws: TwiML.BuildError.invalidXMLCharacter(field: "<Parameter tenant>")) {
            try TwiML.connect(stream: .init(url: "wss://h.example/m", parameters: [.init(name: "tenant", value: "a\u{07}")]))
        }
    }

    @Test func sayAndHangUpSpeaksThenEnds() throws {
        #expect(try TwiML.sayAndHangUp(.init("שלום", language: "he-IL"))
            == #"<?xml version="1.0" encoding="UTF-8"?><Response><Say language="he-IL">שלום</Say><Hangup/></Response>"#)
    }
}
