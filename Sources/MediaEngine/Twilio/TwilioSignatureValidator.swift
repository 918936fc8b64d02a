import Crypto
import Foundation

/// Checks Twilio's `X-Twilio-Signature` header (protocols.md A.9), with one tenant's auth token.
///
/// Signature = base64(HMAC-SHA1(key: auth token, message: URL + each parameter name and value, names
/// sorted by code point, each name's distinct values sorted)). The URL must be the public URL Twilio
/// requested, rebuilt from configuration (`requestURL(publicBaseURL:pathAndQuery:)`), never from
/// `Host`/`X-Forwarded-*` headers. As in Twilio's SDK, a signature computed over the URL with or
/// without its port (`:443`/`:80` by default) is accepted. Comparisons are constant-time.
/// The opt-in HMAC-SHA256 "shared key" variant is not supported.
public struct TwilioSignatureValidator: Sendable {
    /// Header name as Twilio spells it; look it up case-insensitively (it can arrive lowercase).
    public static let headerName = "X-Twilio-Signature"

    /// The auth token's UTF-8 bytes (`SymmetricKey` is not `Sendable`, so it is made per check).
    private let keyBytes: [UInt8]

    /// `authToken` is the tenant's Twilio auth token (from the environment variable its config names).
    public init(authToken: String) {
        keyBytes = Array(authToken.utf8)
    }

    /// A form-encoded webhook (voice, status callbacks): `parameters` are all decoded form fields, in
    /// any order, repeated names allowed.
    public func isValid(signature: String, url: String, parameters: [(name: String, value: String)]) -> Bool {
        Self.portVariants(of: url).contains { candidate in
            ConstantTime.equals(self.signature(url: candidate, parameters: parameters), signature)
        }
    }

    /// A JSON-bodied webhook: `url` carries `bodySHA256=<hex SHA-256 of the raw body>` in its query. Both
    /// the body hash and the signature over the URL (with no parameters) must match.
    public func isValid(signature: String, url: String, jsonBody: [UInt8]) -> Bool {
        guard let expectedHash = URLComponents(string: url)?.queryItems?.first(where: { $0.name == "bodySHA256" })?.value
        else { return false }
        let bodyHash = SHA256.hash(data: jsonBody).map { String(format: "%02x", $0) }.joined()
        let hashMatches = ConstantTime.equals(bodyHash, expectedHash)
        let signatureMatches = isValid(signature: signature, url: url, parameters: [])
        return hashMatches && signatureMatches
    }

    /// The Media Streams WebSocket upgrade: signed over the `wss://` URL Twilio connected to, with no
    /// parameters. An `https://` (or `http://`) URL, as frameworks report the upgrade, is rewritten first.
    public func isValidWebSocketUpgrade(signature: String, url: String) -> Bool {
        isValid(signature: signature, url: Self.webSocketURL(url), parameters: [])
    }

    /// The signature Twilio would send for this exact URL and parameters (also used to sign synthetic calls).
    public func signature(url: String, parameters: [(name: String, value: String)]) -> String {
        var message = url
        var valuesByName: [String: [String]] = [:]
        for parameter in parameters { valuesByName[parameter.name, default: []].append(parameter.value) }
        for name in Self.sortedUnique(Array(valuesByName.keys)) {
            for value in Self.sortedUnique(valuesByName[name] ?? []) {
                message += name
                message += value
            }
        }
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: keyBytes))
        return Data(mac).base64EncodedString()
    }

    /// Convenience for single-valued parameters.
    public func signature(url: String, parameters: [String: String]) -> String {
        signature(url: url, parameters: parameters.map { (name: $0.key, value: $0.value) })
    }

    /// The public URL of a request: the configured base (e.g. `https://voice.example.com`, maybe with a
    /// path prefix) joined to the request's path and query exactly as received.
    public static func requestURL(publicBaseURL: String, pathAndQuery: String) -> String {
        var base = Substring(publicBaseURL)
        while base.hasSuffix("/") { base = base.dropLast() }
        return pathAndQuery.hasPrefix("/") ? base + pathAndQuery : base + "/" + pathAndQuery
    }

    // MARK: - URL handling

    /// `https://` -> `wss://`, `http://` -> `ws://`; other URLs unchanged.
    static func webSocketURL(_ url: String) -> String {
        if url.lowercased().hasPrefix("https://") { return "wss://" + url.dropFirst("https://".count) }
        if url.lowercased().hasPrefix("http://") { return "ws://" + url.dropFirst("http://".count) }
        return url
    }

    /// The URL itself plus, like Twilio's SDK, its other spelling: without its port if it has one, or
    /// with the scheme's default port (443 for https/wss, 80 otherwise) if it has none.
    static func portVariants(of url: String) -> [String] {
        guard let schemeEnd = url.range(of: "://") else { return [url] }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        let authorityEnd = url[schemeEnd.upperBound...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? url.endIndex
        let authority = url[schemeEnd.upperBound..<authorityEnd]
        let hostStart = authority.lastIndex(of: "@").map { authority.index(after: $0) } ?? authority.startIndex
        let hostAndPort = authority[hostStart...]
        if let colon = hostAndPort.lastIndex(of: ":"), !hostAndPort[colon...].contains("]") {
            let port = hostAndPort[hostAndPort.index(after: colon)...]
            guard !port.isEmpty, port.allSatisfy({ $0.isASCII && $0.isNumber }) else { return [url] }
            return [url, String(url[..<colon] + url[authorityEnd...])]
        }
        let defaultPort = scheme == "https" || scheme == "wss" ? "443" : "80"
        return [url, String(url[..<authorityEnd]) + ":" + defaultPort + url[authorityEnd...]]
    }

    /// Sorted by Unicode code point (as Python sorts `str`), exact duplicates dropped.
    static func sortedUnique(_ strings: [String]) -> [String] {
        let sorted = strings.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
        var result: [String] = []
        for string in sorted where !(result.last.map { $0.unicodeScalars.elementsEqual(string.unicodeScalars) } ?? false) {
            result.append(string)
        }
        return result
    }
}
