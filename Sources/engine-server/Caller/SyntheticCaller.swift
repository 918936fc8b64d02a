import AsyncHTTPClient
import Foundation
import Logging
import MediaEngine
import NIOCore
import Synchronization

/// A phone call placed against an engine the way Twilio places it: a signed webhook, the TwiML's
/// `<Stream>` opened with `connected` and `start`, caller audio on an absolute 20 ms schedule, and the
/// bot's audio played out of a `PlayoutBuffer` (marks echoed after playback, `clear` honoured).
/// It measures what a caller experiences: turn latency, barge-in latency, what was really heard, and
/// whether the bot's audio arrived in time (see `CallerOutcome`). The caller's clock is in
/// SyntheticCaller+Clock.swift.
struct SyntheticCaller: Sendable {
    typealias Outcome = CallerOutcome

    /// Where the engine listens (http://host:port) and the public URL it validates signatures against.
    var engineURL: String
    var publicURL: String
    var authToken: String
    var from: String
    var to: String
    var callSid: String
    var logger: Logger
    /// Hang up at this monotonic time (ns) whatever the script is doing: a load test's hard stop. The
    /// outcome is then marked `cutShort`.
    var hangUpAtNs: UInt64?

    init(engineURL: String, publicURL: String, authToken: String, from: String, to: String, callSid: String,
         logger: Logger, hangUpAtNs: UInt64? = nil) {
        self.engineURL = engineURL
        self.publicURL = publicURL
        self.authToken = authToken
        self.from = from
        self.to = to
        self.callSid = callSid
        self.logger = logger
        self.hangUpAtNs = hangUpAtNs
    }

    /// The call's shared state, touched by the sending clock and the receiving loop.
    final class LiveState: Sendable {
        let mutex: Mutex<Live>
        init(_ live: Live) { mutex = Mutex(live) }
        func withLock<R>(_ body: (inout Live) -> R) -> R { mutex.withLock { body(&$0) } }
    }

    struct Live {
        var playout = PlayoutBuffer()
        var botAudioSinceNs: UInt64?  // first bot frame since the caller last spoke
        var lastBotAudioNs: UInt64 = 0
        var lastTickNs: UInt64 = 0
        /// The turn (index into `outcome.turns`) waiting for its first bot frame.
        var openTurn: Int?
        var bargeInOnsetNs: UInt64?
        /// Media time (ms) of the interrupting speech's first word.
        var bargeInOnsetMediaMs: Int?
        /// The caller sent `stop`: the stream closing after it is not the engine hanging up.
        var callerHungUp = false
        /// Sequence numbers of the marks echoed on `clear` (the clock numbers its own messages).
        var echoSequence = 100_000
        var outcome: Outcome

        /// The outcome with the playout buffer's verdicts filled in.
        var finalOutcome: Outcome {
            var outcome = self.outcome
            outcome.lateFrames = playout.lateFrames
            outcome.underrunMs = playout.underrunMs
            outcome.missingFrames = playout.missingFrames
            return outcome
        }
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
            ("AccountSid", TwilioCallerMessages.accountSid), ("ApiVersion", "2010-04-01"), ("CallSid", callSid),
            ("CallStatus", "ringing"), ("Direction", "inbound"), ("From", from), ("To", to),
        ]
        let signature = TwilioSignatureValidator(authToken: authToken).signature(url: publicURL + "/twilio/voice", parameters: params)
        var request = HTTPClientRequest(url: engineURL + "/twilio/voice")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "X-Twilio-Signature", value: signature)
        let form = params.map { "\(TwilioCallerMessages.formEscape($0.name))=\(TwilioCallerMessages.formEscape($0.value))" }
        request.body = .bytes(ByteBuffer(string: form.joined(separator: "&")))
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
        request.body = .bytes(ByteBuffer(string: params.map { "\(TwilioCallerMessages.formEscape($0.name))=\(TwilioCallerMessages.formEscape($0.value))" }.joined(separator: "&")))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 16)
        return Int(response.status.code)
    }

    static func parseStream(_ twiml: String) throws -> StreamTarget {
        func attribute(_ name: String, in tag: Substring) -> String? {
            guard let range = tag.range(of: " \(name)=\"") else { return nil }
            let rest = tag[range.upperBound...]
            guard let end = rest.firstIndex(of: "\"") else { return nil }
            return TwilioCallerMessages.xmlUnescape(String(rest[..<end]))
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
        let link = try await CallerSocket.connect(url: target.url, onMessage: { message, now, socket in
            Self.receive(message, at: now, state: state, socket: socket)
        }, onClosed: {
            state.withLock { if !$0.callerHungUp { $0.outcome.hungUpByEngine = true } }
        })
        defer { link.close() }
        link.send(TwilioCallerMessages.connected())
        link.send(TwilioCallerMessages.start(streamSid: streamSid, callSid: callSid, parameters: target.parameters))
        do {
            try await send(script, streamSid: streamSid, link: link, state: state)
        } catch is DeadlineReached {
            state.withLock {
                $0.outcome.cutShort = true
                $0.callerHungUp = true
            }
            link.send(TwilioCallerMessages.stop(streamSid: streamSid, callSid: callSid, sequence: 0))
        } catch {
            // The clock stops when the engine has closed the stream (its close reaches `onClosed` first);
            // anything else (the run's deadline cancelling the call) is the call's failure.
            if !state.withLock({ $0.outcome.hungUpByEngine }) { throw error }
        }
        return state.withLock { live in
            live.callerHungUp = true
            return live.finalOutcome
        }
    }

    /// One message from the engine, on the socket's loop: media into the playout buffer, marks queued
    /// behind it, clear flushing it (and echoing the marks it dropped).
    private static func receive(_ message: UnsafeRawBufferPointer, at now: UInt64, state: LiveState, socket: CallerSocketHandler) {
        switch TwilioCallerMessages.read(message) {
        case .media(let bytes):
            state.withLock { live in
                let buffered = live.playout.receiveAudio(bytes: bytes, nowNs: now)
                live.outcome.botAudioBytesReceived += bytes
                live.outcome.botArrivals.append(.init(ns: now, bytes: bytes, bufferedMs: buffered))
                live.lastBotAudioNs = now
                if live.botAudioSinceNs == nil {
                    live.botAudioSinceNs = now
                    if let turn = live.openTurn {
                        live.outcome.turns[turn].firstBotFrameNs = now
                        live.openTurn = nil
                    }
                }
            }
        case .mark(let name):
            state.withLock { $0.playout.receiveMark(name) }
        case .clear(let sid):
            let echoes = state.withLock { live -> [String] in
                let heard = live.playout.heard(sinceTickMs: Double(now - min(now, live.lastTickNs)) / 1e6)
                let onset = live.bargeInOnsetNs.map { Double(now - min(now, $0)) / 1e6 }
                live.outcome.bargeIns.append(.init(onsetToClearMs: onset ?? -1, heardItem: heard?.item, heardMs: heard?.ms,
                                                   onsetNs: live.bargeInOnsetNs, onsetMediaMs: live.bargeInOnsetMediaMs, clearNs: now))
                live.outcome.clearsReceived += 1
                live.bargeInOnsetNs = nil
                live.bargeInOnsetMediaMs = nil
                let echoes = live.playout.clear(nowNs: now)
                live.outcome.marksEchoed += echoes.count
                return echoes.map { TwilioCallerMessages.markEcho($0, streamSid: sid, sequence: &live.echoSequence) }
            }
            for echo in echoes { socket.send(echo) }
        case .other:
            break
        }
    }

    /// Thrown by the caller's clock when `hangUpAtNs` has passed.
    struct DeadlineReached: Error {}

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
