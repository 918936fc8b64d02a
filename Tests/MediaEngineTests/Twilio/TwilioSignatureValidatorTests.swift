import Testing
@testable import MediaEngine

/// `X-Twilio-Signature` against every vector of protocols.md A.9.2.
@Suite struct TwilioSignatureValidatorTests {
    static let token = "0123456789abcdef0123456789abcdef"
    static let incomingCall: [(name: String, value: String)] = [
        ("AccountSid", "AC00000000000000000000000000000000"),
        ("ApiVersion", "2010-04-01"),
        ("CallSid", "CA11111111111111111111111111111111"),
        ("CallStatus", "ringing"),
        ("Direction", "inbound"),
        ("From", "+15551230001"),
        ("To", "+15559870002"),
    ]

    @Test func vector1ClassicDocumentationExampleWithAndWithoutPort() {
        let validator = TwilioSignatureValidator(authToken: "12345")
        let parameters: [(name: String, value: String)] = [
            ("To", "+18005551212"), ("CallSid", "CA1234567890ABCDE"), ("Caller", "+12349013030"),
            ("Digits", "1234"), ("From", "+12349013030"),
        ]
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2"
        #expect(validator.signature(url: url, parameters: parameters) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
        #expect(validator.isValid(signature: "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", url: url, parameters: parameters))
        #expect(validator.isValid(
            signature: "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", url: "https://mycompany.com:443/myapp.php?foo=1&bar=2",
            parameters: parameters))
        #expect(!validator.isValid(signature: "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", url: url, parameters: Array(parameters.dropLast())))
    }

    @Test func vector2IncomingCallAndItsNegativeCases() {
        let validator = TwilioSignatureValidator(authToken: Self.token)
        let url = "https://voice.example.com/twilio/incoming"
        #expect(validator.signature(url: url, parameters: Self.incomingCall) == "TLloR86aoeidAqPDadFxfeUKtaY=")
        #expect(validator.isValid(signature: "TLloR86aoeidAqPDadFxfeUKtaY=", url: url, parameters: Self.incomingCall.reversed()))
        #expect(!validator.isValid(signature: "TLloR86aoeidAqPDadFxfeUKtaY=", url: url + "/", parameters: Self.incomingCall))
        #expect(!validator.isValid(
            signature: "TLloR86aoeidAqPDadFxfeUKtaY=", url: "http://voice.example.com/twilio/incoming",
            parameters: Self.incomingCall))
        #expect(!TwilioSignatureValidator(authToken: "wrong").isValid(
            signature: "TLloR86aoeidAqPDadFxfeUKtaY=", url: url, parameters: Self.incomingCall))
        #expect(!validator.isValid(signature: "", url: url, parameters: Self.incomingCall))
        #expect(!validator.isValid(signature: "TLloR86aoeidAqPDadFxfeUKtaY", url: url, parameters: Self.incomingCall))
    }

    @Test func vector3JSONBodyWithBodySHA256() {
        let validator = TwilioSignatureValidator(authToken: Self.token)
        let hash = "d5729c000e5de6b3a10698fec78d482db85d744f1be820d1382b6bda1cfb7795"
        let url = "https://voice.example.com/twilio/json?bodySHA256=\(hash)"
        let body = Array(#"{"property":"value","boolean":true}"#.utf8)
        #expect(validator.signature(url: url, parameters: []) == "AEyL6X2vudHevVmk2xtF9eRhFh8=")
        #expect(validator.isValid(signature: "AEyL6X2vudHevVmk2xtF9eRhFh8=", url: url, jsonBody: body))
        #expect(!validator.isValid(
            signature: "AEyL6X2vudHevVmk2xtF9eRhFh8=", url: url,
            jsonBody: Array(#"{"property":"value","boolean":false}"#.utf8)))
        #expect(!validator.isValid(
            signature: "AEyL6X2vudHevVmk2xtF9eRhFh8=", url: "https://voice.example.com/twilio/json", jsonBody: body))
    }

    @Test func vector4WebSocketUpgradeOverTheWSSURL() {
        let validator = TwilioSignatureValidator(authToken: Self.token)
        #expect(validator.signature(url: "wss://voice.example.com/media-stream", parameters: []) == "G86prWdDZmq3Wv1bDweiNi2fKh4=")
        #expect(validator.isValidWebSocketUpgrade(
            signature: "G86prWdDZmq3Wv1bDweiNi2fKh4=", url: "wss://voice.example.com/media-stream"))
        // Frameworks report the upgrade as https://; the scheme is rewritten before checking.
        #expect(validator.isValidWebSocketUpgrade(
            signature: "G86prWdDZmq3Wv1bDweiNi2fKh4=", url: "https://voice.example.com/media-stream"))
        #expect(validator.isValidWebSocketUpgrade(
            signature: "G86prWdDZmq3Wv1bDweiNi2fKh4=", url: "wss://voice.example.com:443/media-stream"))
        #expect(!validator.isValidWebSocketUpgrade(
            signature: "G86prWdDZmq3Wv1bDweiNi2fKh4=", url: "wss://voice.example.com/media-stream/"))
    }

    @Test func multiValuedParametersSignSortedDistinctValues() {
        let validator = TwilioSignatureValidator(authToken: Self.token)
        let parameters: [(name: String, value: String)] = [("A", "2"), ("A", "1"), ("A", "1")]
        #expect(validator.signature(url: "https://x.example/", parameters: parameters) == "R9kVgXAoJHxj6gCztt119LTl9uQ=")
        #expect(validator.isValid(signature: "R9kVgXAoJHxj6gCztt119LTl9uQ=", url: "https://x.example/", parameters: parameters))
        #expect(validator.signature(url: "https://x.example/", parameters: [("A", "1"), ("A", "2")]) == "R9kVgXAoJHxj6gCztt119LTl9uQ=")
    }

    @Test func portVariantsFollowTwiliosSDK() {
        #expect(TwilioSignatureValidator.portVariants(of: "https://a.example/x?y=1")
            == ["https://a.example/x?y=1", "https://a.example:443/x?y=1"])
        #expect(TwilioSignatureValidator.portVariants(of: "http://a.example:8080/x")
            == ["http://a.example:8080/x", "http://a.example/x"])
        #expect(TwilioSignatureValidator.portVariants(of: "wss://a.example") == ["wss://a.example", "wss://a.example:443"])
        #expect(TwilioSignatureValidator.portVariants(of: "https://[::1]/x") == ["https://[::1]/x", "https://[::1]:443/x"])
    }

    @Test func requestURLComesFromTheConfiguredBase() {
        #expect(TwilioSignatureValidator.requestURL(publicBaseURL: "https://voice.example.com/", pathAndQuery: "/twilio/voice")
            == "https://voice.example.com/twilio/voice")
        #expect(TwilioSignatureValidator.requestURL(publicBaseURL: "https://h.example/kol", pathAndQuery: "twilio/json?bodySHA256=ab")
            == "https://h.example/kol/twilio/json?bodySHA256=ab")
    }

    @Test func sortingIsByCodePoint() {
        // Code-point order puts uppercase before lowercase (Python's str order), unlike a locale sort.
        #expect(TwilioSignatureValidator.sortedUnique(["b", "B", "a", "a", "É", "Z"]) == ["B", "Z", "a", "b", "É"])
    }
}
