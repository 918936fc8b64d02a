import Foundation

/// The synthetic caller's side of the Twilio Media Streams wire: the messages Twilio sends, and a cheap
/// reading of the ones the engine sends back (a load test reads tens of thousands a second, so the
/// engine's messages are scanned as bytes, not parsed as JSON or copied into strings).
enum TwilioCallerMessages {
    /// What the engine sent, as far as the caller cares.
    enum Inbound: Equatable {
        /// Bot audio: how many mu-law bytes the payload holds.
        case media(bytes: Int)
        case mark(name: String)
        case clear(streamSid: String)
        case other
    }

    /// Reads one engine message (UTF-8 JSON as `TwilioOutboundEncoder` writes it).
    static func read(_ bytes: UnsafeRawBufferPointer) -> Inbound {
        if bytes.starts(with: mediaPrefix) {
            guard let payload = value(of: payloadKey, in: bytes) else { return .other }
            return .media(bytes: decodedLength(base64: UnsafeRawBufferPointer(rebasing: bytes[payload])))
        }
        if bytes.starts(with: markPrefix) {
            guard let name = value(of: nameKey, in: bytes) else { return .other }
            return .mark(name: String(decoding: UnsafeRawBufferPointer(rebasing: bytes[name]), as: UTF8.self))
        }
        if bytes.starts(with: clearPrefix) {
            let sid = value(of: streamSidKey, in: bytes).map { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[$0]), as: UTF8.self) }
            return .clear(streamSid: sid ?? "")
        }
        return .other
    }

    private static let mediaPrefix = Array(#"{"event":"media""#.utf8)
    private static let markPrefix = Array(#"{"event":"mark""#.utf8)
    private static let clearPrefix = Array(#"{"event":"clear""#.utf8)
    private static let payloadKey = Array(#""payload":""#.utf8)
    private static let nameKey = Array(#""name":""#.utf8)
    private static let streamSidKey = Array(#""streamSid":""#.utf8)

    /// The byte range of the string value after `key` (no escapes expected in these fields).
    static func value(of key: [UInt8], in bytes: UnsafeRawBufferPointer) -> Range<Int>? {
        guard bytes.count >= key.count else { return nil }
        var i = 0
        while i + key.count <= bytes.count {
            if bytes[i] == key[0], bytes[i..<(i + key.count)].elementsEqual(key) {
                let start = i + key.count
                guard let end = bytes[start...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
                return start..<end
            }
            i += 1
        }
        return nil
    }

    /// Bytes a base64 text decodes to (padding counted), without decoding it.
    static func decodedLength(base64: UnsafeRawBufferPointer) -> Int {
        let n = base64.count
        guard n >= 4 else { return 0 }
        var padding = 0
        if base64[n - 1] == UInt8(ascii: "=") { padding += 1 }
        if base64[n - 2] == UInt8(ascii: "=") { padding += 1 }
        return n / 4 * 3 - padding
    }

    // MARK: Messages Twilio sends

    static let accountSid = "AC00000000000000000000000000000000"

    static func connected() -> String { #"{"event":"connected","protocol":"Call","version":"1.0.0"}"# }

    static func start(streamSid: String, callSid: String, parameters: [String: String]) -> String {
        let params = parameters.sorted { $0.key < $1.key }.map { "\"\(jsonEscape($0.key))\":\"\(jsonEscape($0.value))\"" }
            .joined(separator: ",")
        return #"{"event":"start","sequenceNumber":"1","streamSid":"\#(streamSid)","start":{"streamSid":"\#(streamSid)","accountSid":"\#(accountSid)","callSid":"\#(callSid)","tracks":["inbound"],"customParameters":{\#(params)},"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}}}"#
    }

    static func media(streamSid: String, sequence: Int, chunk: Int, timestampMs: Int, payload: String) -> String {
        #"{"event":"media","sequenceNumber":"\#(sequence)","streamSid":"\#(streamSid)","media":{"track":"inbound","chunk":"\#(chunk)","timestamp":"\#(timestampMs)","payload":"\#(payload)"}}"#
    }

    static func dtmf(streamSid: String, sequence: Int, digit: Character) -> String {
        #"{"event":"dtmf","sequenceNumber":"\#(sequence)","streamSid":"\#(streamSid)","dtmf":{"track":"inbound_track","digit":"\#(digit)"}}"#
    }

    static func stop(streamSid: String, callSid: String, sequence: Int) -> String {
        #"{"event":"stop","sequenceNumber":"\#(sequence)","streamSid":"\#(streamSid)","stop":{"accountSid":"\#(accountSid)","callSid":"\#(callSid)"}}"#
    }

    static func markEcho(_ name: String, streamSid: String, sequence: inout Int) -> String {
        defer { sequence += 1 }
        return #"{"event":"mark","sequenceNumber":"\#(sequence)","streamSid":"\#(streamSid)","mark":{"name":"\#(jsonEscape(name))"}}"#
    }

    // MARK: Text helpers

    static func formEscape(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    static func jsonEscape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }

    static func xmlUnescape(_ s: String) -> String {
        s.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
