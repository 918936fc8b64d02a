import MediaEngine

/// The caller's clock: one frame every 20 ms on an absolute schedule (silence when the script is not
/// speaking), playing the bot's audio at the same pace and echoing marks as their audio finishes.
extension SyntheticCaller {
    func send(_ script: CallScript, streamSid: String, link: CallerLink, state: LiveState) async throws {
        var clock = CallerClock(streamSid: streamSid, hangUpAtNs: hangUpAtNs)
        for step in script.steps {
            switch step {
            case .speak(let utterance):
                try await clock.say(utterance, link: link, state: state)
            case .pause(let ms):
                for _ in 0..<(ms / 20) { try await clock.tick(nil, link: link, state: state) }
            case .waitForBot(let timeoutMs):
                let deadline = MonotonicClock.nowNs() + UInt64(timeoutMs) * 1_000_000
                var answered = false
                while MonotonicClock.nowNs() < deadline {
                    try await clock.tick(nil, link: link, state: state)
                    let (heard, done) = state.withLock { live in
                        (live.botAudioSinceNs != nil,
                         live.botAudioSinceNs != nil && !live.playout.isPlaying && MonotonicClock.nowNs() - live.lastBotAudioNs > 800_000_000)
                    }
                    answered = heard
                    if done { break }
                }
                if !answered { state.withLock { $0.outcome.unansweredTurns += 1 } }
            case .interrupt(let utterance, let afterBotMs, let timeoutMs):
                let speaking = try await clock.waitForBotSpeaking(afterBotMs: afterBotMs, timeoutMs: timeoutMs, link: link, state: state)
                state.withLock {
                    if speaking { $0.outcome.bargeInsAttempted += 1 } else { $0.outcome.bargeInsWithoutBotAudio += 1 }
                }
                try await clock.say(utterance, bargingIn: speaking, link: link, state: state)
            case .waitForBotSpeaking(let afterBotMs, let timeoutMs):
                _ = try await clock.waitForBotSpeaking(afterBotMs: afterBotMs, timeoutMs: timeoutMs, link: link, state: state)
            case .dtmf(let digit):
                link.send(TwilioCallerMessages.dtmf(streamSid: streamSid, sequence: clock.nextSequence(), digit: digit))
            case .sendRaw(let text):
                link.send(text)
            case .hangUp:
                state.withLock { $0.callerHungUp = true }
                link.send(TwilioCallerMessages.stop(streamSid: streamSid, callSid: callSid, sequence: clock.nextSequence()))
                return
            }
        }
    }
}

/// The 20 ms schedule of one call's outbound frames and the playout it drives.
struct CallerClock {
    let streamSid: String
    let hangUpAtNs: UInt64?
    let t0 = MonotonicClock.nowNs()
    var tick: UInt64 = 0
    var sequence = 2

    init(streamSid: String, hangUpAtNs: UInt64?) {
        self.streamSid = streamSid
        self.hangUpAtNs = hangUpAtNs
    }

    mutating func nextSequence() -> Int {
        defer { sequence += 1 }
        return sequence
    }

    /// Media time (ms since the stream started) of the next frame.
    var mediaMs: Int { Int(tick) * 20 }

    /// Waits for the next 20 ms tick, sends `payload` (silence when nil), plays 20 ms of the bot's audio
    /// and echoes the marks that played. Returns when the frame was handed to the socket.
    @discardableResult
    mutating func tick(_ payload: String?, link: CallerLink, state: SyntheticCaller.LiveState) async throws -> UInt64 {
        if state.withLock({ $0.outcome.hungUpByEngine }) { throw CancellationError() }
        let target = t0 + tick * 20_000_000
        var now = MonotonicClock.nowNs()
        if let hangUpAtNs, now >= hangUpAtNs { throw SyntheticCaller.DeadlineReached() }
        if target > now {
            try await link.sleep(untilNs: target)
            now = MonotonicClock.nowNs()
        }
        let latenessMs = Double(now - min(now, target)) / 1e6
        let json = TwilioCallerMessages.media(streamSid: streamSid, sequence: nextSequence(), chunk: Int(tick) + 1,
                                              timestampMs: mediaMs, payload: payload ?? Utterance.silencePayload)
        tick += 1
        let writeNs = MonotonicClock.nowNs()
        link.send(json)
        let sentNs = MonotonicClock.nowNs()
        let echoes = state.withLock { live -> [String] in
            live.outcome.framesSent += 1
            live.outcome.sendLateness.record(ms: latenessMs)
            live.outcome.sendWrite.record(ms: Double(sentNs - writeNs) / 1e6)
            live.lastTickNs = sentNs
            let echoes = live.playout.play(bytes: Utterance.frameBytes)
            live.outcome.marksEchoed += echoes.count
            return echoes
        }
        for name in echoes { link.send(TwilioCallerMessages.markEcho(name, streamSid: streamSid, sequence: &sequence)) }
        return sentNs
    }

    /// Speaks `utterance` frame by frame. The caller's turn ends at its last word (a `Turn` is opened
    /// then); a barge-in's onset is its first word.
    mutating func say(_ utterance: Utterance, bargingIn: Bool = false, link: CallerLink,
                      state: SyntheticCaller.LiveState) async throws {
        for (index, payload) in utterance.framePayloads.enumerated() {
            let mediaMs = self.mediaMs
            let sentNs = try await tick(payload, link: link, state: state)
            if index == utterance.firstSpeechFrame, bargingIn {
                state.withLock { live in
                    live.bargeInOnsetNs = sentNs
                    live.bargeInOnsetMediaMs = mediaMs
                }
            }
            if index == utterance.lastSpeechFrame {
                state.withLock { live in
                    live.outcome.turns.append(.init(speechEndNs: sentNs, speechEndMediaMs: mediaMs))
                    live.openTurn = live.outcome.turns.count - 1
                    live.botAudioSinceNs = nil
                }
            }
        }
    }

    /// Stays silent until the bot's audio has been playing for `afterBotMs`; false if it did not within
    /// `timeoutMs`.
    mutating func waitForBotSpeaking(afterBotMs: Int, timeoutMs: Int, link: CallerLink,
                                     state: SyntheticCaller.LiveState) async throws -> Bool {
        let deadline = MonotonicClock.nowNs() + UInt64(timeoutMs) * 1_000_000
        while MonotonicClock.nowNs() < deadline {
            let ready = state.withLock { live in
                live.playout.isPlaying
                    && (live.botAudioSinceNs.map { MonotonicClock.nowNs() - $0 >= UInt64(afterBotMs) * 1_000_000 } ?? false)
            }
            if ready { return true }
            try await tick(nil, link: link, state: state)
        }
        return false
    }
}
