import Crypto
import Foundation

/// Issues and verifies `CallToken`s with a server secret.
///
/// Token text: `v1.<base64url tenant id>.<base64url call SID>.<expiry, Unix seconds>.<base64url MAC>`,
/// where MAC = HMAC-SHA256(secret, every byte before the last dot). Base64url never contains a dot, so
/// the signed text is unambiguous. Tokens are about 140 characters, well under `<Parameter>`'s 500.
public struct CallTokenSigner: Sendable {
    /// 32 bytes: the HMAC-SHA256 block-level strength; shorter secrets are refused.
    public static let minimumSecretBytes = 32

    private let secret: [UInt8]

    public init(secret: [UInt8]) throws(CallTokenError) {
        guard secret.count >= Self.minimumSecretBytes else { throw .secretTooShort(byteCount: secret.count) }
        self.secret = secret
    }

    /// A fresh random secret, for a single node that has no configured one (tokens die with the process).
    public static func randomSecret() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<minimumSecretBytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// The current time in whole seconds since 1970-01-01 UTC (the tokens' clock).
    public static func currentUnixSeconds() -> Int {
        Int(Date().timeIntervalSince1970.rounded(.down))
    }

    /// A token for `callSid` of `tenantID`, valid for `lifetimeSeconds` from `nowUnixSeconds`.
    public func issue(
        tenantID: String, callSid: String, nowUnixSeconds: Int = CallTokenSigner.currentUnixSeconds(),
        lifetimeSeconds: Int = CallToken.defaultLifetimeSeconds
    ) -> String {
        let expiresAt = nowUnixSeconds + lifetimeSeconds
        let signed = "v1." + Self.base64URL(Array(tenantID.utf8)) + "." + Self.base64URL(Array(callSid.utf8))
            + "." + String(expiresAt)
        return signed + "." + Self.base64URL(mac(signed))
    }

    /// The token's claims if it is well-formed, signed by this secret, for `callSid` (from the stream's
    /// `start`), and not expired at `nowUnixSeconds`. Checks run in that order.
    public func verify(
        _ token: String, callSid: String, nowUnixSeconds: Int = CallTokenSigner.currentUnixSeconds()
    ) throws(CallTokenError) -> CallToken {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 5 else { throw .malformed("expected 5 dot-separated parts, found \(parts.count)") }
        guard parts[0] == "v1" else { throw .malformed("unknown version '\(parts[0].prefix(8))'") }
        guard let tenantBytes = Self.bytes(base64URL: parts[1]), let tenantID = String(validating: tenantBytes, as: UTF8.self),
              !tenantID.isEmpty
        else { throw .malformed("tenant id is not base64url UTF-8") }
        guard let callBytes = Self.bytes(base64URL: parts[2]), let tokenCallSid = String(validating: callBytes, as: UTF8.self),
              !tokenCallSid.isEmpty
        else { throw .malformed("call SID is not base64url UTF-8") }
        guard parts[3].count <= 12, let expiresAt = TwilioMessageScanner.decimal(parts[3].utf8) else {
            throw .malformed("expiry is not a Unix time")
        }
        guard let presentedMAC = Self.bytes(base64URL: parts[4]), presentedMAC.count == SHA256.byteCount else {
            throw .malformed("signature is not a base64url HMAC-SHA256")
        }
        let signedText = token[..<(parts[4].startIndex)].dropLast()
        guard ConstantTime.equals(mac(String(signedText)), presentedMAC) else { throw .badSignature }
        guard tokenCallSid == callSid else { throw .wrongCall(tokenCallSid: tokenCallSid, streamCallSid: callSid) }
        guard nowUnixSeconds < expiresAt else { throw .expired(expiresAt: expiresAt, now: nowUnixSeconds) }
        return CallToken(tenantID: tenantID, callSid: tokenCallSid, expiresAt: expiresAt)
    }

    private func mac(_ text: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: SymmetricKey(data: secret)))
    }

    // MARK: - base64url without padding (RFC 4648 section 5); not a hot path, so Foundation does the work.

    static func base64URL(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    static func bytes(base64URL text: Substring) -> [UInt8]? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.count % 4) % 4)
        return Data(base64Encoded: standard).map(Array.init)
    }
}
