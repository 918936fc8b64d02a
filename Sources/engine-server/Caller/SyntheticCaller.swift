import AsyncHTTPClient
import Foundation
import HummingbirdWSClient
import Logging
import MediaEngine
import NIOCore
import NIOWebSocket
import Synchronization

/// A phone call placed against an engine the way Twilio places it: a signed webhook, the TwiML's
/// `<Stream>` opened with `connected` and `start`, caller audio on an absolute 20 ms schedule, and the
/// bot's audio played out of a `PlayoutBuffer` (marks echoed after playback, `clear` honoured).
/// It measures what a caller experiences: turn latency, barge-in latency, what was really heard.
struct SyntheticCaller: Sendable {
    /// Where the engine listens (http://host:port) and the public URL it validates signatures against.
    var engineURL: String
    var publicURL: String
    var authToken: String
    var from: String
    var to: String
    var callSid: String
    var logger: Logger

    /// What the call experienced.
    struct Outcome: Sendable {
        var callSid: String
        var rejected = false
        var failure: String?
        /// Caller speech end (last speech frame sent) to the first bot frame received after it (ms).
        var turnLatenciesMs: [Double] = []
        /// Barge-ins: caller speech onset to `clear` received (ms), and what had really been heard then.
        var bargeIns: [(onsetToClearMs: Double, heardItem: String?, heardMs: Int?)] = []
        var framesSent = 0
        var botFramesReceived = 0
        var marksEchoed = 0
        var clearsReceived = 0
        /// Bot frames that arrived after the playout buffer had run dry in the middle of an utterance
        /// (the previous frame came less than 200 ms before): the caller heard a gap.
        var lateFrames = 0
        /// Arrival time (monotonic ns) and size (bytes) of every bot frame, for pacing checks.
        var botArrivals: [(ns: UInt64, bytes: Int)] = []
        /// How late the caller's own 20 ms schedule ran at worst (ms): a loaded generator shows here.
        var maxSendLatenessMs = 0.0
        var durationMs = 0.0
        /// The engine closed the stream (it hung up) before the script's own hang-up.
        var hungUpByEngine = false
    }

    /// The call's shared state, touched by the sending clock and the receiving loop.
    private final class LiveState: Sendable {
        let mutex: Mutex<Live>
        init(_ live: Live) { mutex = Mutex(live) }
        func withLock<R>(_ body: (inout Live) -> R) -> R { mutex.withLock { body(&$0) } }
    }

    private struct Live {
        var playout = PlayoutBuffer()
        var botAudioSinceNs: UInt64?  // first bot frame since the caller last spoke
        var lastBotAudioNs: UInt64 = 0
        var lastTickNs: UInt64 = 0
        var speechEndedNs: UInt64?
        var bargeInOnsetNs: UInt64?
        var outcome: Outcome
    }

    /// Places the call and runs `script`; gives up with a failure after `deadlineSeconds`, so a stuck
    /// engine shows as a failed call, never as a hung caller.
    func run(_ script: CallScript, deadlineSeconds: Double = 120) async -> Outcome {
        let start = MonotonicClock.nowNs()
        let callSid = self.callSid
        // Not a task group: a group would wait for a stuck call before returning.
        var outcome = await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
            let once = OnceFlag()
            let placing = Task {
                let outcome = await self.place(script)
                if once.claim() { continuation.resume(returning: outcome) }
            }
            Task {
                try? await Task.sleep(for: .seconds(deadlineSeconds))
                if once.claim() {
                    placing.cancel()
                    continuation.resume(returning: Outcome(callSid: callSid, failure: "no outcome within \(Int(deadlineSeconds)) s"))
                }
            }
        }
        outcome.durationMs = Double(MonotonicClock.nowNs() - start) / 1e6
        return outcome
    }

    /// True for the first caller of `claim()` only.
    private final class OnceFlag: Sendable {
        private let taken = Mutex(false)
        func claim() -> Bool { taken.withLock { taken in defer { taken = true }; return !taken } }
    }

    private func place(_ script: CallScript) async -> Outcome {
        var outcome = Outcome(callSid: callSid)
        do {
            guard let twiml = try await postWebhook() else {
                outcome.rejected = true
                return outcome
            }
            outcome = try await stream(twiml, script: script)
        } catch {
            outcome.failure = "\(error)"
        }
        return outcome
    }

    // MARK: Webhook

    struct StreamTarget { var url: String; var parameters: [String: String] }

    private func postWebhook() async throws -> StreamTarget? {
        let params: [(name: String, value: String)] = [
            ("AccountSid", "AC00000000000000000000000000000000"), ("ApiVersion", "2010-04-01"), ("CallSid", callSid),
            ("CallStatus", "ringing"), ("Direction", "inbound"), ("From", from), ("To", to),
        ]
        let signature = TwilioSignatureValidator(authToken: authToken).signature(url: publicURL + "/twilio/voice", parameters: params)
        var request = HTTPClientRequest(url: engineURL + "/twilio/voice")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "X-Twilio-Signature", value: signature)
        request.body = .bytes(ByteBuffer(string: params.map { "\(Self.formEscape($0.name))=\(Self.formEscape($0.value))" }.joined(separator: "&")))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = String(buffer: try await response.body.collect(upTo: 1 << 16))
        guard response.status == .ok else { throw CallerError.webhook(status: Int(response.status.code), body: body) }
        if body.contains("<Reject") { return nil }
        return try Self.parseStream(body)
    }

    /// Sends Twilio's status callback for this call (`POST /twilio/status`, signed like Twilio signs it):
    /// `status` is Twilio's `CallStatus`, `durationSeconds` its `CallDuration`. Returns the HTTP status code.
    func postStatus(_ status: String, durationSeconds: Int? = nil) async throws -> Int {
        var params: [(name: String, value: String)] = [
            ("AccountSid", "AC00000000000000000000000000000000"), ("ApiVersion", "2010-04-01"), ("CallSid", callSid),
            ("CallStatus", status), ("Direction", "inbound"), ("From", from), ("To", to),
        ]
        if let durationSeconds { params.append(("CallDuration", String(durationSeconds))) }
        let signature = TwilioSignatureValidator(authToken: authToken).signature(url: publicURL + "/twilio/status", parameters: params)
        var request = HTTPClientRequest(url: engineURL + "/twilio/status")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "X-Twilio-Signature", value: signature)
        request.body = .bytes(ByteBuffer(string: params.map { "\(Self.formEscape($0.name))=\(Self.formEscape($0.value))" }.joined(separator: "&")))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 16)
        return Int(response.status.code)
    }

    static func parseStream(_ twiml: String) throws -> StreamTarget {
        func attribute(_ name: String, in tag: Substring) -> String? {
            guard let range = tag.range(of: " \(name)=\"") else { return nil }
            let rest = tag[range.upperBound...]
            guard let end = rest.firstIndex(of: "\"") else { return nil }
            return xmlUnescape(String(rest[..<end]))
        }
        guard let streamStart = twiml.range(of: "<Stream ") else { throw CallerError.twiml(twiml) }
        let streamTag = twiml[streamStart.lowerBound...].prefix { $0 != ">" }
        guard let url = attribute("url", in: streamTag) else { throw CallerError.twiml(twiml) }
        var parameters: [String: String] = [:]
        var cursor = twiml[streamStart.upperBound...]
        while let p = cursor.range(of: "<Parameter ") {
            let tag = cursor[p.lowerBound...].prefix { $0 != ">" }
            if let name = attribute("name", in: tag), let value = attribute("value", in: tag) { parameters[name] = value }
            cursor = cursor[p.upperBound...]
        }
        return StreamTarget(url: url, parameters: parameters)
    }

    // MARK: Media stream

    private func stream(_ target: StreamTarget, script: CallScript) async throws -> Outcome {
        let state = LiveState(Live(outcome: Outcome(callSid: callSid)))
        let streamSid = "MZ" + callSid.dropFirst(2)
        let callSid = self.callSid
        try await WebSocketClient.connect(url: target.url, configuration: .init(maxFrameSize: 1 << 16), logger: logger) {
            inbound, outbound, _ in
            try await outbound.write(.text(#"{"event":"connected","protocol":"Call","version":"1.0.0"}"#))
            let params = target.parameters.map { "\"\(Self.jsonEscape($0.key))\":\"\(Self.jsonEscape($0.value))\"" }.joined(separator: ",")
            try await outbound.write(.text(#"{"event":"start","sequenceNumber":"1","streamSid":"\#(streamSid)","start":{"streamSid":"\#(streamSid)","accountSid":"AC00000000000000000000000000000000","callSid":"\#(callSid)","tracks":["inbound"],"customParameters":{\#(params)},"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}}}"#))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await receive(inbound, outbound: outbound, state: state)
                    state.withLock { $0.outcome.hungUpByEngine = true }
                }
                do {
                    try await send(script, streamSid: streamSid, outbound: outbound, state: state)
                } catch {
                    // A write fails once the engine has closed the stream, and the receiver may only notice
                    // the close a moment later (seen on a loaded machine): give it up to a second.
                    var waitedMs = 0
                    while !state.withLock({ $0.outcome.hungUpByEngine }), waitedMs < 1_000 {
                        try? await Task.sleep(for: .milliseconds(20))
                        waitedMs += 20
                    }
                    if !state.withLock({ $0.outcome.hungUpByEngine }) { throw error }
                }
                try? await outbound.close(.normalClosure, reason: "caller hung up")
                group.cancelAll()
            }
        }
        return state.withLock { $0.outcome }
    }

    /// The caller's clock: one frame every 20 ms on an absolute schedule, playing the bot's audio at the
    /// same pace and echoing marks as their audio finishes.
    private func send(_ script: CallScript, streamSid: String, outbound: WebSocketOutboundWriter, state: LiveState) async throws {
        let t0 = MonotonicClock.nowNs()
        var tick: UInt64 = 0
        var sequence = 2
        func nextTick(_ audio: ArraySlice<UInt8>?) async throws {
            if state.withLock({ $0.outcome.hungUpByEngine }) { throw CancellationError() }
            let target = t0 + tick * 20_000_000
            let now = MonotonicClock.nowNs()
            if target > now { try await Task.sleep(nanoseconds: target - now) }
            let lateness = Double(MonotonicClock.nowNs() - min(MonotonicClock.nowNs(), target)) / 1e6
            var frame = [UInt8](repeating: MuLaw.silence, count: 160)
            if let audio { for (i, b) in audio.prefix(160).enumerated() { frame[i] = b } }
            let payload = Base64.encode(frame)
            let json = #"{"event":"media","sequenceNumber":"\#(sequence)","streamSid":"\#(streamSid)","media":{"track":"inbound","chunk":"\#(tick + 1)","timestamp":"\#(tick * 20)","payload":"\#(payload)"}}"#
            sequence += 1
            tick += 1
            try await outbound.write(.text(json))
            let echoes = state.withLock { live -> [String] in
                live.outcome.framesSent += 1
                live.outcome.maxSendLatenessMs = max(live.outcome.maxSendLatenessMs, lateness)
                live.lastTickNs = MonotonicClock.nowNs()
                let echoes = live.playout.play(bytes: 160)
                live.outcome.marksEchoed += echoes.count
                return echoes
            }
            for name in echoes { try await outbound.write(.text(Self.markEcho(name, streamSid: streamSid, sequence: &sequence))) }
        }
        func say(_ audio: [UInt8]) async throws {
            var offset = 0
            while offset < audio.count {
                try await nextTick(audio[offset...])
                offset += 160
            }
            state.withLock { $0.speechEndedNs = MonotonicClock.nowNs(); $0.botAudioSinceNs = nil }
        }
        for step in script.steps {
            switch step {
            case .say(_, let audio):
                try await say(audio)
            case .pause(let ms):
                for _ in 0..<(ms / 20) { try await nextTick(nil) }
            case .waitForBot(let timeoutMs):
                let deadline = MonotonicClock.nowNs() + UInt64(timeoutMs) * 1_000_000
                while MonotonicClock.nowNs() < deadline {
                    try await nextTick(nil)
                    let done = state.withLock { live in
                        live.botAudioSinceNs != nil && !live.playout.isPlaying && MonotonicClock.nowNs() - live.lastBotAudioNs > 800_000_000
                    }
                    if done { break }
                }
            case .bargeIn(_, let audio, let afterBotMs, let timeoutMs):
                let deadline = MonotonicClock.nowNs() + UInt64(timeoutMs) * 1_000_000
                while MonotonicClock.nowNs() < deadline {
                    let ready = state.withLock { live in
                        live.playout.isPlaying && (live.botAudioSinceNs.map { MonotonicClock.nowNs() - $0 >= UInt64(afterBotMs) * 1_000_000 } ?? false)
                    }
                    if ready { break }
                    try await nextTick(nil)
                }
                state.withLock { $0.bargeInOnsetNs = MonotonicClock.nowNs() }
                try await say(audio)
            case .dtmf(let digit):
                try await outbound.write(.text(#"{"event":"dtmf","sequenceNumber":"\#(sequence)","streamSid":"\#(streamSid)","dtmf":{"track":"inbound_track","digit":"\#(digit)"}}"#))
                sequence += 1
            case .sendRaw(let text):
                try await outbound.write(.text(text))
            case .hangUp:
                try await outbound.write(.text(#"{"event":"stop","sequenceNumber":"\#(sequence)","streamSid":"\#(streamSid)","stop":{"accountSid":"AC00000000000000000000000000000000","callSid":"\#(callSid)"}}"#))
                return
            }
        }
    }

    /// The engine's messages: media into the playout buffer, marks queued behind it, clear flushing it.
    private func receive(_ inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, state: LiveState) async throws {
        var sequence = 100_000
        for try await message in inbound.messages(maxSize: 1 << 16) {
            guard case .text(let text) = message else { continue }
            let now = MonotonicClock.nowNs()
            if let payload = Self.mediaPayload(text) {
                let bytes = (try? Base64.decode(payload))?.count ?? 0
                state.withLock { live in
                    if !live.playout.isPlaying, live.outcome.botFramesReceived > 0, now - live.lastBotAudioNs < 200_000_000 {
                        live.outcome.lateFrames += 1
                    }
                    live.playout.receiveAudio(bytes: bytes)
                    live.outcome.botFramesReceived += 1
                    live.outcome.botArrivals.append((now, bytes))
                    live.lastBotAudioNs = now
                    if live.botAudioSinceNs == nil {
                        live.botAudioSinceNs = now
                        if let ended = live.speechEndedNs {
                            live.outcome.turnLatenciesMs.append(Double(now - ended) / 1e6)
                            live.speechEndedNs = nil
                        }
                    }
                }
            } else if text.contains(#""event":"mark""#), let name = Self.markName(text) {
                state.withLock { $0.playout.receiveMark(name) }
            } else if text.contains(#""event":"clear""#) {
                let echoes = state.withLock { live -> [String] in
                    let heard = live.playout.heard(sinceTickMs: Double(now - min(now, live.lastTickNs)) / 1e6)
                    let onset = live.bargeInOnsetNs.map { Double(now - min(now, $0)) / 1e6 }
                    live.outcome.bargeIns.append((onset ?? -1, heard?.item, heard?.ms))
                    live.outcome.clearsReceived += 1
                    live.bargeInOnsetNs = nil
                    let echoes = live.playout.clear()
                    live.outcome.marksEchoed += echoes.count
                    return echoes
                }
                let sid = Self.field("streamSid", in: text) ?? ""
                for name in echoes { try await outbound.write(.text(Self.markEcho(name, streamSid: sid, sequence: &sequence))) }
            }
        }
    }

    // MARK: Small text helpers (the caller's side is not a hot path)

    static func markEcho(_ name: String, streamSid: String, sequence: inout Int) -> String {
        defer { sequence += 1 }
        return #"{"event":"mark","sequenceNumber":"\#(sequence)","streamSid":"\#(streamSid)","mark":{"name":"\#(jsonEscape(name))"}}"#
    }

    static func mediaPayload(_ text: String) -> String? {
        guard text.hasPrefix(#"{"event":"media""#) else { return nil }
        return field("payload", in: text)
    }

    static func markName(_ text: String) -> String? { field("name", in: text) }

    /// The string value of the first `"key":"..."` in `text` (no escapes expected in these fields).
    static func field(_ key: String, in text: String) -> String? {
        guard let start = text.range(of: "\"\(key)\":\"") else { return nil }
        let rest = text[start.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }

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

    enum CallerError: Error, CustomStringConvertible {
        case webhook(status: Int, body: String)
        case twiml(String)
        var description: String {
            switch self {
            case let .webhook(status, body): return "webhook answered \(status): \(body.prefix(200))"
            case let .twiml(body): return "TwiML has no <Stream url>: \(body.prefix(200))"
            }
        }
    }
}
