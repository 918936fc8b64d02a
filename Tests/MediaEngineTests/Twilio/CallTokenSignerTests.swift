import Testing
@testable import MediaEngine

/// Short-lived call tokens: issued by the webhook, checked on the stream's `start`.
@Suite struct CallTokenSignerTests {
    static let secret = Array("0123456789abcdef0123456789abcdef".utf8)
    static let callSid = "CA11111111111111111111111111111111"
    static let issuedAt = 1_800_000_000

    let signer: CallTokenSigner

    init() throws {
        signer = try CallTokenSigner(secret: Self.secret)
    }

    @Test func issuedTokenVerifiesForItsCallWithinItsLifetime() throws {
        let token = signer.issue(tenantID: "tlv-dental", callSid: Self.callSid, nowUnixSeconds: Self.issuedAt)
        #expect(token.hasPrefix("v1."))
        #expect(token.count < 200)
        #expect(token.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) })
        let claims = try signer.verify(token, callSid: Self.callSid, nowUnixSeconds: Self.issuedAt + 299)
        #expect(claims == CallToken(tenantID: "tlv-dental", callSid: Self.callSid, expiresAt: Self.issuedAt + 300))
    }

    @Test func expiresAfterItsLifetime() {
        let token = signer.issue(tenantID: "acme", callSid: Self.callSid, nowUnixSeconds: Self.issuedAt, lifetimeSeconds: 60)
        #expect(throws: CallTokenError.expired(expiresAt: Self.issuedAt + 60, now: Self.issuedAt + 60)) {
            try signer.verify(token, callSid: Self.callSid, nowUnixSeconds: Self.issuedAt + 60)
        }
    }

    @Test func refusesAnotherCallsToken() {
        let token = signer.issue(tenantID: "acme", callSid: Self.callSid, nowUnixSeconds: Self.issuedAt)
        #expect(throws: CallTokenError.wrongCall(tokenCallSid: Self.callSid, streamCallSid: "CA2")) {
            try signer.verify(token, callSid: "CA2", nowUnixSeconds: Self.issuedAt)
        }
    }

    @Test func refusesAlteredTokensAndOtherSecrets() throws {
        let token = signer.issue(tenantID: "acme", callSid: Self.callSid, nowUnixSeconds: Self.issuedAt)
        var parts = token.split(separator: ".").map(String.init)
        parts[1] = CallTokenSigner.base64URL(Array("evil-corp".utf8))
        #expect(throws: CallTokenError.badSignature) {
            try signer.verify(parts.joined(separator: "."), callSid: Self.callSid, nowUnixSeconds: Self.issuedAt)
        }
        parts = token.split(separator: ".").map(String.init)
        parts[3] = String(Self.issuedAt + 86_400)
        #expect(throws: CallTokenError.badSignature) {
            try signer.verify(parts.joined(separator: "."), callSid: Self.callSid, nowUnixSeconds: Self.issuedAt)
        }
        let other = try CallTokenSigner(secret: Array(repeating: 7, count: 32))
        #expect(throws: CallTokenError.badSignature) {
            try other.verify(token, callSid: Self.callSid, nowUnixSeconds: Self.issuedAt)
        }
    }

    @Test func refusesMalformedTokens() {
        let valid = signer.issue(tenantID: "acme", callSid: Self.callSid, nowUnixSeconds: Self.issuedAt)
        let parts = valid.split(separator: ".").map(String.init)
        func with(_ index: Int, _ replacement: String) -> String {
            var changed = parts
            changed[index] = replacement
            return changed.joined(separator: ".")
        }
        let cases: [(token: String, reason: String)] = [
            ("", "expected 5 dot-separated parts, found 1"),
            ("b64url-random", "expected 5 dot-separated parts, found 1"),
            (valid + ".x", "expected 5 dot-separated parts, found 6"),
            (with(0, "v2"), "unknown version 'v2'"),
            (with(1, "a+b"), "tenant id is not base64url UTF-8"),
            (with(2, ""), "call SID is not base64url UTF-8"),
            (with(3, "-5"), "expiry is not a Unix time"),
            (with(4, "AAAA"), "signature is not a base64url HMAC-SHA256"),
        ]
        for (token, reason) in cases {
            #expect(throws: CallTokenError.malformed(reason)) {
                try signer.verify(token, callSid: Self.callSid, nowUnixSeconds: Self.issuedAt)
            }
        }
    }

    @Test func refusesShortSecrets() {
        #expect(throws: CallTokenError.secretTooShort(byteCount: 5)) { try CallTokenSigner(secret: Array("short".utf8)) }
        #expect(CallTokenSigner.randomSecret().count == 32)
    }

    @Test func base64URLRoundTripsWithoutPadding() {
        for length in 0..<8 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: 250 &+ $0 &* 3) }
            let text = CallTokenSigner.base64URL(bytes)
            #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
            if length > 0 { #expect(CallTokenSigner.bytes(base64URL: Substring(text)) == bytes) }
        }
    }
}
