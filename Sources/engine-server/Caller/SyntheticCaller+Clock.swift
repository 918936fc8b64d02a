import MediaEngine
import NIOCore

/// The caller's clock: one frame every 20 ms on an absolute schedule (silence when the script is not
/// speaking), playing the bot's audio at the same pace and echoing marks as their audio finishes.
extension SyntheticCaller {
    /// Runs `script` on the socket's event loop (`CallerScriptRun`); returns when the script has hung up
    /// or ended. Throws `DeadlineReached` at `hangUpAtNs`, `CancellationError` when the engine closed
    /// the stream or the task was cancelled.
    func send(_ script: CallScript, streamSid: String, link: CallerLink, state: LiveState) async throws {
        let run = CallerScriptRun(steps: script.steps, streamSid: streamSid, callSid: callSid, hangUpAtNs: hangUpAtNs,
                                  link: link, state: state)
        let loop = link.eventLoop
        let done = loop.makePromise(of: Void.self)
        try await withTaskCancellationHandler {
            loop.execute { run.start(done) }
            try await done.futureResult.get()
        } onCancel: {
            loop.execute { run.stop(CancellationError()) }
        }
    }
}

/// One call's script, run as a state machine on its socket's event loop: each 20 ms frame is a wake of
/// the loop's `CallerFrameClock` that sends the frame, plays 20 ms of the bot's audio and decides the
/// next frame.
///
/// A load generator runs hundreds of calls on one core; awaiting a sleep per frame cost a task
/// suspension and resumption 50 times a second per call (about a sixth of the generator's CPU at 300
/// calls), and a NIO timer per frame kept a heap of every caller's next frame (about a tenth of it at
/// 400 calls); the shared clock costs one timer per millisecond for all the loop's callers.
///
/// `@unchecked Sendable`: made off the loop, then touched on `link.eventLoop` only.
final class CallerScriptRun: @unchecked Sendable {
    private let steps: [CallScript.Step]
    private let streamSid: String
    private let callSid: String
    private let hangUpAtNs: UInt64?
    private let link: CallerLink
    private let state: SyntheticCaller.LiveState

    /// Where the current step is.
    private enum Phase {
        /// The step has not begun.
        case begin
        case speaking(Utterance, frame: Int, bargingIn: Bool)
        case pausing(framesLeft: Int)
        case waitingForBot(deadlineNs: UInt64, answered: Bool, done: Bool)
        /// Waiting for the bot to have spoken `afterBotMs`; then `interrupting` is said over it, if any.
        case waitingForBotSpeaking(deadlineNs: UInt64, afterBotMs: Int, interrupting: Utterance?)
    }

    private var stepIndex = 0
    private var phase = Phase.begin
    private var t0: UInt64 = 0
    /// Frames sent so far; frame `n` is due at `t0 + n * 20 ms`.
    private var tick: UInt64 = 0
    private var sequence = 2
    /// The next frame's payload (nil: silence) while one is due; `nil` when none is.
    private var pendingFrame: String??
    /// The frame time the clock was asked to wake the run at, while a wake is pending.
    private var wakeAtNs: UInt64?
    /// The loop's frame clock, looked up once.
    private lazy var clock = CallerFrameClock.clock(for: link.eventLoop)
    private var done: EventLoopPromise<Void>?
    /// A cancellation that came before `start` (both hop to the loop, the cancellation may hop first).
    private var stoppedEarly: (any Error)?

    init(steps: [CallScript.Step], streamSid: String, callSid: String, hangUpAtNs: UInt64?, link: CallerLink,
         state: SyntheticCaller.LiveState) {
        self.steps = steps
        self.streamSid = streamSid
        self.callSid = callSid
        self.hangUpAtNs = hangUpAtNs
        self.link = link
        self.state = state
    }

    func start(_ done: EventLoopPromise<Void>) {
        if let stoppedEarly {  // cancelled before it began
            done.fail(stoppedEarly)
            return
        }
        self.done = done
        // On the clock's grid, so every frame's due time is one of its wakes (none early, none late).
        let grid = CallerFrameClock.gridNs
        t0 = (MonotonicClock.nowNs() + grid - 1) / grid * grid
        run()
    }

    /// Ends the run with `error` (cancelled) unless it has ended already.
    func stop(_ error: any Error) {
        if done == nil, t0 == 0 { stoppedEarly = error }
        finish(.failure(error))
    }

    private func finish(_ result: Result<Void, any Error>) {
        guard let done else { return }
        self.done = nil
        wakeAtNs = nil  // the pending wake, if any, finds nothing to do
        pendingFrame = nil
        done.completeWith(result)
    }

    private func nextSequence() -> Int {
        defer { sequence += 1 }
        return sequence
    }

    /// Sends what is due, then decides what comes next, until a frame is due later (the loop's frame
    /// clock will wake the run for it) or the script ends.
    private func run() {
        while done != nil {
            if let payload = pendingFrame {
                let target = t0 + tick * 20_000_000
                let now = MonotonicClock.nowNs()
                if target > now {
                    wakeAtNs = target
                    clock.wake(self, atNs: target)
                    return
                }
                pendingFrame = nil
                let sentNs = sendFrame(payload, targetNs: target, now: now)
                framePlayed(sentNs: sentNs)
            }
            decideNext()
        }
    }

    /// The clock's wake for the frame due at `dueNs`; a wake the run no longer waits for does nothing.
    fileprivate func clockDue(atNs dueNs: UInt64) {
        guard wakeAtNs == dueNs else { return }
        wakeAtNs = nil
        run()
    }

    /// Sends the frame due at `targetNs`, plays 20 ms of the bot's audio and echoes the marks that
    /// finished. Returns when the frame was handed to the socket.
    private func sendFrame(_ payload: String?, targetNs: UInt64, now: UInt64) -> UInt64 {
        let latenessMs = Double(now - min(now, targetNs)) / 1e6
        let json = TwilioCallerMessages.media(streamSid: streamSid, sequence: nextSequence(), chunk: Int(tick) + 1,
                                              timestampMs: Int(tick) * 20, payload: payload ?? Utterance.silencePayload)
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

    /// What the frame just sent means for the current step.
    private func framePlayed(sentNs: UInt64) {
        switch phase {
        case .speaking(let utterance, let frame, let bargingIn):
            let mediaMs = (Int(tick) - 1) * 20
            if frame == utterance.firstSpeechFrame, bargingIn {
                state.withLock { live in
                    live.bargeInOnsetNs = sentNs
                    live.bargeInOnsetMediaMs = mediaMs
                }
            }
            if frame == utterance.lastSpeechFrame {  // the caller's turn ends at its last word
                state.withLock { live in
                    live.outcome.turns.append(.init(speechEndNs: sentNs, speechEndMediaMs: mediaMs))
                    live.openTurn = live.outcome.turns.count - 1
                    live.botAudioSinceNs = nil
                }
            }
            phase = .speaking(utterance, frame: frame + 1, bargingIn: bargingIn)
        case .pausing(let left):
            phase = .pausing(framesLeft: left - 1)
        case .waitingForBot(let deadlineNs, _, _):
            let now = MonotonicClock.nowNs()
            let (heard, done) = state.withLock { live in
                (live.botAudioSinceNs != nil,
                 live.botAudioSinceNs != nil && !live.playout.isPlaying && now - live.lastBotAudioNs > 800_000_000)
            }
            phase = .waitingForBot(deadlineNs: deadlineNs, answered: heard, done: done)
        case .begin, .waitingForBotSpeaking:
            break
        }
    }

    /// Runs the script until the next frame is decided (`pendingFrame`) or the run ends. Steps that send
    /// no audio (DTMF, raw text, hang-up) happen at once, right after the frame before them.
    private func decideNext() {
        while done != nil {
            guard stepIndex < steps.count else {
                finish(.success(()))
                return
            }
            switch phase {
            case .begin:
                begin(steps[stepIndex])
            case .speaking(let utterance, let frame, _):
                guard frame < utterance.framePayloads.count else { nextStep(); continue }
                return frameDue(utterance.framePayloads[frame])
            case .pausing(let left):
                guard left > 0 else { nextStep(); continue }
                return frameDue(nil)
            case .waitingForBot(let deadlineNs, let answered, let done):
                if !done, MonotonicClock.nowNs() < deadlineNs { return frameDue(nil) }
                if !answered { state.withLock { $0.outcome.unansweredTurns += 1 } }
                nextStep()
            case .waitingForBotSpeaking(let deadlineNs, let afterBotMs, let interrupting):
                let now = MonotonicClock.nowNs()
                let speaking: Bool
                if now < deadlineNs {
                    let ready = state.withLock { live in
                        live.playout.isPlaying
                            && (live.botAudioSinceNs.map { now - min(now, $0) >= UInt64(afterBotMs) * 1_000_000 } ?? false)
                    }
                    guard ready else { return frameDue(nil) }
                    speaking = true
                } else {
                    speaking = false
                }
                guard let utterance = interrupting else { nextStep(); continue }
                state.withLock {
                    if speaking { $0.outcome.bargeInsAttempted += 1 } else { $0.outcome.bargeInsWithoutBotAudio += 1 }
                }
                phase = .speaking(utterance, frame: 0, bargingIn: speaking)
            }
        }
    }

    private func begin(_ step: CallScript.Step) {
        let now = MonotonicClock.nowNs()
        switch step {
        case .speak(let utterance):
            phase = .speaking(utterance, frame: 0, bargingIn: false)
        case .pause(let ms):
            phase = .pausing(framesLeft: ms / 20)
        case .waitForBot(let timeoutMs):
            phase = .waitingForBot(deadlineNs: now + UInt64(timeoutMs) * 1_000_000, answered: false, done: false)
        case .interrupt(let utterance, let afterBotMs, let timeoutMs):
            phase = .waitingForBotSpeaking(deadlineNs: now + UInt64(timeoutMs) * 1_000_000, afterBotMs: afterBotMs,
                                           interrupting: utterance)
        case .waitForBotSpeaking(let afterBotMs, let timeoutMs):
            phase = .waitingForBotSpeaking(deadlineNs: now + UInt64(timeoutMs) * 1_000_000, afterBotMs: afterBotMs,
                                           interrupting: nil)
        case .dtmf(let digit):
            link.send(TwilioCallerMessages.dtmf(streamSid: streamSid, sequence: nextSequence(), digit: digit))
            nextStep()
        case .sendRaw(let text):
            link.send(text)
            nextStep()
        case .hangUp:
            state.withLock { $0.callerHungUp = true }
            link.send(TwilioCallerMessages.stop(streamSid: streamSid, callSid: callSid, sequence: nextSequence()))
            finish(.success(()))
        }
    }

    private func nextStep() {
        stepIndex += 1
        phase = .begin
    }

    /// The next frame carries `payload` (nil: silence), unless the engine has hung up or the caller's
    /// hard stop has come.
    private func frameDue(_ payload: String?) {
        if state.withLock({ $0.outcome.hungUpByEngine }) { return finish(.failure(CancellationError())) }
        if let hangUpAtNs, MonotonicClock.nowNs() >= hangUpAtNs { return finish(.failure(SyntheticCaller.DeadlineReached())) }
        pendingFrame = .some(payload)
    }
}

/// The callers' frame clock: one `EventLoopWheelClock` per event loop on a 1 ms grid, shared by every
/// caller on the loop (their frames fall on its grid points, see `CallerScriptRun.start`). The loops
/// are the process's singleton group's, which live as long as the process.
enum CallerFrameClock {
    static let gridNs: UInt64 = 1_000_000
    private static let clocks = PerLoopWheelClocks<CallerScriptRun> { loop in
        EventLoopWheelClock(loop: loop, gridNs: gridNs, slotCount: 64) { run, dueNs in run.clockDue(atNs: dueNs) }
    }

    static func clock(for loop: any EventLoop) -> EventLoopWheelClock<CallerScriptRun> { clocks.clock(for: loop) }
}
