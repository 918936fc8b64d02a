import Foundation

/// Builds the TwiML documents the voice webhook answers with (protocols.md A.2).
///
/// Every attribute value and text is XML-escaped, and inputs Twilio would choke on are refused up
/// front: a `<Stream url>` that is not `wss://` or carries a query string (handshake errors 31920/31922;
/// pass data in `<Parameter>`s instead) and a `<Parameter>` whose name plus value is 500 characters or more.
public enum TwiML {
    /// The XML declaration every document starts with.
    public static let declaration = #"<?xml version="1.0" encoding="UTF-8"?>"#

    /// One `<Parameter name value/>`; it arrives in `start.customParameters`.
    public struct Parameter: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// `<Stream>` inside `<Connect>`: a bidirectional Media Stream to `url`.
    public struct Stream: Sendable, Equatable {
        /// Absolute `wss://` URL without a query string.
        public var url: String
        /// Optional stream name, unique per call.
        public var name: String?
        /// Optional absolute http(s) URL for stream lifecycle callbacks (POST), A.2.5.
        public var statusCallback: String?
        public var parameters: [Parameter]

        public init(url: String, name: String? = nil, statusCallback: String? = nil, parameters: [Parameter] = []) {
            self.url = url
            self.name = name
            self.statusCallback = statusCallback
            self.parameters = parameters
        }
    }

    /// `<Say>`: text spoken by Twilio's TTS.
    public struct Say: Sendable, Equatable {
        public var text: String
        /// E.g. "Polly.Joanna"; nil for Twilio's default.
        public var voice: String?
        /// E.g. "en-US", "he-IL"; nil for Twilio's default.
        public var language: String?

        public init(_ text: String, voice: String? = nil, language: String? = nil) {
            self.text = text
            self.voice = voice
            self.language = language
        }
    }

    /// `<Reject reason>`: `rejected` (not-in-service message) or `busy` (busy tone).
    public enum RejectReason: String, Sendable {
        case rejected
        case busy
    }

    /// Why a document was not built; each case names the offending input.
    public enum BuildError: Error, Sendable, Equatable, CustomStringConvertible {
        case streamURLNotWSS(String)
        case streamURLHasQuery(String)
        case callbackURLNotHTTP(field: String, url: String)
        case emptyParameterName
        case parameterTooLong(name: String, length: Int)
        case invalidXMLCharacter(field: String)

        public var description: String {
            switch self {
            case .streamURLNotWSS(let url):
                "TwiML <Stream url> must be an absolute wss:// URL, got '\(url)'"
            case .streamURLHasQuery(let url):
                "TwiML <Stream url> must not have a query string or fragment (Twilio drops the handshake); "
                    + "pass the data as <Parameter>s: '\(url)'"
            case .callbackURLNotHTTP(let field, let url):
                "TwiML \(field) must be an absolute http(s) URL, got '\(url)'"
            case .emptyParameterName:
                "TwiML <Parameter> needs a non-empty name"
            case .parameterTooLong(let name, let length):
                "TwiML <Parameter name=\"\(name)\"> name plus value is \(length) characters; Twilio's limit is under 500"
            case .invalidXMLCharacter(let field):
                "TwiML \(field) contains a control character that XML cannot carry"
            }
        }
    }

    /// `<Response><Connect [action]><Stream …><Parameter …/>…</Stream></Connect>[<Say>…</Say><Hangup/>]</Response>`.
    ///
    /// With `action`, Twilio requests it when the stream ends; otherwise it runs the `fallback` (spoken,
    /// then hang up), or hangs up if there is none (A.8).
    public static func connect(stream: Stream, action: String? = nil, fallback: Say? = nil) throws(BuildError) -> String {
        try checkStreamURL(stream.url)
        var xml = declaration + "<Response><Connect"
        if let action {
            try checkCallbackURL(action, field: "<Connect action>")
            try appendAttribute("action", action, field: "<Connect action>", to: &xml)
        }
        xml += "><Stream"
        try appendAttribute("url", stream.url, field: "<Stream url>", to: &xml)
        if let name = stream.name { try appendAttribute("name", name, field: "<Stream name>", to: &xml) }
        if let callback = stream.statusCallback {
            try checkCallbackURL(callback, field: "<Stream statusCallback>")
            try appendAttribute("statusCallback", callback, field: "<Stream statusCallback>", to: &xml)
            xml += #" statusCallbackMethod="POST""#
        }
        xml += ">"
        for parameter in stream.parameters {
            guard !parameter.name.isEmpty else { throw .emptyParameterName }
            let length = parameter.name.count + parameter.value.count
            guard length < 500 else { throw .parameterTooLong(name: parameter.name, length: length) }
            xml += "<Parameter"
            try appendAttribute("name", parameter.name, field: "<Parameter name>", to: &xml)
            try appendAttribute("value", parameter.value, field: "<Parameter \(parameter.name)>", to: &xml)
            xml += "/>"
        }
        xml += "</Stream></Connect>"
        if let fallback {
            try appendSay(fallback, to: &xml)
            xml += "<Hangup/>"
        }
        return xml + "</Response>"
    }

    /// `<Response><Reject reason="…"/></Response>`: refuses the call unanswered and unbilled (A.2.2).
    public static func reject(_ reason: RejectReason = .rejected) -> String {
        declaration + #"<Response><Reject reason="\#(reason.rawValue)"/></Response>"#
    }

    /// `<Response><Say>…</Say><Hangup/></Response>`: a spoken refusal (answers the call, so it is billed).
    public static func sayAndHangUp(_ say: Say) throws(BuildError) -> String {
        var xml = declaration + "<Response>"
        try appendSay(say, to: &xml)
        return xml + "<Hangup/></Response>"
    }

    // MARK: - Checks and escaping

    private static func checkStreamURL(_ url: String) throws(BuildError) {
        guard let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(),
              let host = parsed.host, !host.isEmpty,
              scheme == "wss" || (scheme == "ws" && isLoopback(host))
        else { throw .streamURLNotWSS(url) }
        guard parsed.query == nil, parsed.fragment == nil, !url.contains("?") else { throw .streamURLHasQuery(url) }
    }

    /// Plain `ws://` is allowed only to a loopback host: Twilio can never reach one, so such TwiML only
    /// exists in local runs (the demo, tests, load tests against a synthetic caller).
    private static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
    }

    private static func checkCallbackURL(_ url: String, field: String) throws(BuildError) {
        guard let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(),
              scheme == "https" || scheme == "http", let host = parsed.host, !host.isEmpty
        else { throw .callbackURLNotHTTP(field: field, url: url) }
    }

    private static func appendSay(_ say: Say, to xml: inout String) throws(BuildError) {
        xml += "<Say"
        if let voice = say.voice { try appendAttribute("voice", voice, field: "<Say voice>", to: &xml) }
        if let language = say.language { try appendAttribute("language", language, field: "<Say language>", to: &xml) }
        xml += ">"
        try appendEscaped(say.text, attribute: false, field: "<Say>", to: &xml)
        xml += "</Say>"
    }

    private static func appendAttribute(_ name: String, _ value: String, field: String, to xml: inout String) throws(BuildError) {
        xml += " \(name)=\""
        try appendEscaped(value, attribute: true, field: field, to: &xml)
        xml += "\""
    }

    /// XML 1.0 escaping. In attributes, quotes and whitespace controls are escaped too, so parsers keep
    /// the value exactly (attribute-value normalization would turn a raw newline into a space).
    static func appendEscaped(_ text: String, attribute: Bool, field: String, to xml: inout String) throws(BuildError) {
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": xml += "&amp;"
            case "<": xml += "&lt;"
            case ">": xml += "&gt;"
            case "\"" where attribute: xml += "&quot;"
            case "'" where attribute: xml += "&apos;"
            case "\n" where attribute: xml += "&#10;"
            case "\r": xml += "&#13;"
            case "\t" where attribute: xml += "&#9;"
            case "\n", "\t": xml.unicodeScalars.append(scalar)
            case "\u{0}"..."\u{1F}", "\u{FFFE}", "\u{FFFF}": throw .invalidXMLCharacter(field: field)
            default: xml.unicodeScalars.append(scalar)
            }
        }
    }
}
