/// The claims of a short-lived call token: which tenant a call belongs to, for which call, until when.
///
/// The voice webhook issues one (`CallTokenSigner.issue`) and passes it to Twilio in a `<Parameter>`;
/// the media stream's `start` message carries it back in `customParameters`, and the stream is accepted
/// only if `CallTokenSigner.verify` returns the claims. Use the verified `tenantID`, not a plain
/// `tenant` parameter, to pick the call's config. This survives proxies that break the upgrade signature.
public struct CallToken: Sendable, Equatable {
    /// Default lifetime: long enough for Twilio to open the stream after the webhook, short enough
    /// that a leaked token is useless soon.
    public static let defaultLifetimeSeconds = 300

    public var tenantID: String
    public var callSid: String
    /// Seconds since 1970-01-01 UTC after which the token is refused.
    public var expiresAt: Int

    public init(tenantID: String, callSid: String, expiresAt: Int) {
        self.tenantID = tenantID
        self.callSid = callSid
        self.expiresAt = expiresAt
    }
}

/// Why a call token was refused (or a signer could not be made).
public enum CallTokenError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not a token this server issues (wrong shape, version, encoding).
    case malformed(String)
    /// The token was not signed with this server's secret, or was altered.
    case badSignature
    /// The token was valid for another call.
    case wrongCall(tokenCallSid: String, streamCallSid: String)
    /// The token's lifetime ended at `expiresAt` (Unix seconds); `now` is when it was checked.
    case expired(expiresAt: Int, now: Int)
    /// The signing secret is too short to be safe; configure at least `CallTokenSigner.minimumSecretBytes`.
    case secretTooShort(byteCount: Int)

    public var description: String {
        switch self {
        case .malformed(let reason): "call token is malformed: \(reason)"
        case .badSignature: "call token signature does not match (altered, or signed with another secret)"
        case .wrongCall(let tokenCallSid, let streamCallSid):
            "call token was issued for call \(tokenCallSid), but the stream is for call \(streamCallSid)"
        case .expired(let expiresAt, let now): "call token expired \(now - expiresAt) s ago"
        case .secretTooShort(let byteCount):
            "call token secret has \(byteCount) bytes; use at least \(CallTokenSigner.minimumSecretBytes) random bytes"
        }
    }
}
