public import Logging

/// One phone call: owns its stages and runs the conversation between the caller (Twilio Media Streams)
/// and the model (a Realtime session).
///
/// A frame's path, in order: `handleTwilio` decodes the message (`TwilioMessageDecoder`), `IngressStage`
/// turns the payload into PCM for the detectors and an append frame for the model, `DetectorStage` runs
/// VAD / barge-in / DTMF, the append frame goes to the model's link, and `pumpEgress` lets `EgressStage`
/// send whatever model audio is due (`tx_q` -> paced `media` + `mark`). Model events come back through
/// `handleModel` (CallSession+Model.swift); the connection itself is supervised in
/// CallSession+Connection.swift.
///
/// Everything a call owns lives in this actor; calls share nothing mutable. In the server it runs on its
/// media stream's event loop (`executor`), and that socket's handler enters it synchronously for each
/// message; the model socket's handler, on the same loop, does the same through `receiveModel`. Writes
/// never suspend the actor (sinks and links write to their socket and flush once per loop tick).
public actor CallSession {
    public enum State: Sendable, Equatable { case warming, live, ending, ended }

    public nonisolated let callSid: String
    public nonisolated let settings: CallSettings
    /// The call's tenant (fixed for the call's life, so readable without awaiting the actor).
    public nonisolated var tenantID: String { settings.tenant.id }
    public private(set) var state: State = .warming

    let dialer: any RealtimeDialer
    let endpoint: RealtimeEndpoint
    let clock: @Sendable () -> UInt64
    let observer: @Sendable (CallEvent) -> Void
    let logger: Logger
    let onEnded: @Sendable (String) -> Void
    /// Hot-path timestamps for the latency benchmark; nil (no timestamps taken) in production.
    public nonisolated let probe: (any CallProbe)?
    /// Where the call's code runs: the event loop of its sockets in the server, so a socket's handler can
    /// enter the call synchronously (`assumeIsolated`) instead of hopping tasks per message. Nil: the
    /// call runs like any actor (on a private default executor).
    public nonisolated let executor: (any SerialExecutor)?
    /// Timers that fire on `executor` (its event loop's); nil: tasks sleep.
    nonisolated let timers: (any CallTimerScheduler)?
    /// What wakes the call when its next frame to Twilio is due (its event loop's shared clock); nil: a
    /// timer per wake.
    nonisolated let egressClock: (any EgressClock)?
    private nonisolated let defaultExecutorHost: DefaultExecutorHost?

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor?.asUnownedSerialExecutor() ?? defaultExecutorHost!.unownedExecutor
    }

    // Twilio side
    var twilio: (any TwilioSink)?
    var encoder: TwilioOutboundEncoder?
    private let decoder = TwilioMessageDecoder()
    var ingress: IngressStage
    var detector: DetectorStage
    /// How much caller audio each append to the model gathers.
    var appendPacer: AppendPacer
    var egress: EgressStage
    /// The steadiness of this call's sends (`kol_egress_send_jitter_seconds`).
    var egressJitter = EgressJitterMeter()
    /// Media time (ms since stream start) of the latest inbound frame; the call's media clock.
    var mediaMs = 0
    /// The due time of the wake asked of the egress clock, while one is pending.
    var egressWakeNs: UInt64?
    /// Monotonic time at which the caller's last turn ended (for turn latency), if not yet answered.
    var callerTurnEndedNs: UInt64?
    var hangupReason: String?
    /// The bot item whose sent audio is not yet confirmed played (for `botAudioPlayed`).
    var unconfirmedItemId: String?
    /// The call's recording, while one is being made (CallSession+Recording.swift).
    var audioRecorder: CallAudioRecorder?

    // Model side (see CallSession+Connection.swift and CallSession+Model.swift)
    var link: (any RealtimeLink)?
    var linkGeneration = 0
    var modelReady = false
    /// Caller audio kept while the model session is not ready (append frames, their media start and
    /// length), the latest `preconnectBufferMs` of it.
    var preconnect: [(mediaMs: Int, audioMs: Int, frame: [UInt8])] = []
    var preconnectMs = 0
    var activeResponseId: String?
    var firstDeltaNs: [String: UInt64] = [:]
    var currentAudioItem: String?
    var conversation = ConversationLog()
    var sessionStartedNs: UInt64 = 0
    var connectionTask: Task<Void, Never>?
    var modelDroppedNs: UInt64?
    var connectAttempts = 0
    var rolloverInProgress = false
    var backpressureWaiters: [CheckedContinuation<Void, Never>] = []
    /// Media time (ms) of the first audio the current model session received: its `audio_start_ms`
    /// values count from here.
    var appendMediaOffsetMs = 0
    var responseTimer: CallTimer?
    var fallbackPlaying = false
    var generationCounter = 0
    var readyGenerations: Set<Int> = []
    var timedOutGenerations: Set<Int> = []
    var pendingLinks: [Int: any RealtimeLink] = [:]
    var rolloverTimer: Task<Void, Never>?
    var rolloverWanted = false
    var endCallRequested = false

    public init(
        callSid: String, settings: CallSettings, dialer: any RealtimeDialer, endpoint: RealtimeEndpoint,
        logger: Logger, clock: @escaping @Sendable () -> UInt64 = { MonotonicClock.nowNs() },
        observer: @escaping @Sendable (CallEvent) -> Void = { _ in }, onEnded: @escaping @Sendable (String) -> Void = { _ in },
        probe: (any CallProbe)? = nil, executor: (any SerialExecutor)? = nil, timers: (any CallTimerScheduler)? = nil,
        egressClock: (any EgressClock)? = nil
    ) throws {
        precondition(timers == nil || executor != nil, "a call's timers fire on its executor: give both or neither")
        precondition(egressClock == nil || executor != nil, "the egress clock wakes calls on their executor")
        self.executor = executor
        self.timers = timers
        self.egressClock = egressClock
        self.defaultExecutorHost = executor == nil ? DefaultExecutorHost() : nil
        self.callSid = callSid
        self.settings = settings
        self.dialer = dialer
        self.endpoint = endpoint
        self.clock = clock
        self.observer = observer
        self.onEnded = onEnded
        self.probe = probe
        var logger = logger
        logger[metadataKey: "call"] = .string(callSid)
        logger[metadataKey: "tenant"] = .string(settings.tenant.id)
        self.logger = logger
        let path = settings.tenant.model.audioPath
        ingress = try IngressStage(audioPath: path, appendEveryMs: settings.modelAppendMs, maxAppendMs: settings.gatherAppendMs,
                                   resampler: settings.resampler)
        appendPacer = AppendPacer(gatherAppendMs: settings.gatherAppendMs, turnDetection: settings.tenant.model.turnDetection)
        egress = try EgressStage(audioPath: path, queueCapacityMs: settings.egressQueueMs, leadMs: settings.egressLeadMs,
                                 markIntervalMs: settings.markIntervalMs, chunkMs: settings.egressChunkMs, resampler: settings.resampler)
        detector = try DetectorStage(settings: settings)
    }

    /// Starts the model session (called when the webhook answers, so it is warm when the stream opens).
    public func warmUp() {
        guard connectionTask == nil, state == .warming else { return }
        connectionTask = Task { await self.superviseModel() }
    }

    /// Attaches the Twilio stream once its `start` has been validated; the call is live from here.
    public func attachStream(_ start: TwilioMessage.Start, sink: any TwilioSink) {
        guard state == .warming, twilio == nil else { sink.close(reason: "call already \(state)"); return }
        twilio = sink
        encoder = TwilioOutboundEncoder(streamSid: start.streamSid)
        state = hangupReason == nil ? .live : .ending
        warmUp()
        startRecording()
        observer(.started(callSid: start.callSid, streamSid: start.streamSid, tenantID: tenantID))
        pumpEgress()  // whatever was queued before the stream (the fallback)
    }

    /// Handles one inbound Twilio message (UTF-8 JSON). Bad messages are reported and skipped.
    /// `receivedNs`: when it was read off the socket, for the `probe` (0: now).
    public func handleTwilio(_ bytes: [UInt8], receivedNs: UInt64 = 0) {
        bytes.withUnsafeBytes { handleTwilio($0, receivedNs: receivedNs) }
    }

    /// The same, over the socket's own buffer (the server's handler calls it synchronously on the call's
    /// event loop, so a message is never copied into an array).
    public func handleTwilio(_ raw: UnsafeRawBufferPointer, receivedNs: UInt64 = 0) {
        guard state == .live || state == .ending else { return }
        let message: TwilioMessage
        do {
            message = try decoder.decode(raw)
        } catch {
            report(protocolError: "Twilio message rejected: \(error)")
            return
        }
        switch message {
        case .media(let frame):
            guard frame.track == .inbound else { return }
            frame.payload.withUTF8(in: raw) { payload in
                handleMedia(payload: payload, timestampMs: frame.timestampMs, receivedNs: receivedNs)
            }
        case .mark(let mark):
            egress.didReceiveMark(named: mark.name, nowNs: clock())
            pumpEgress()
        case .dtmf(let dtmf):
            observer(.dtmf(digit: dtmf.digit, atMs: mediaMs, inBand: false))
        case .stop:
            end(reason: "stream stopped by Twilio")
        case .connected, .start:
            report(protocolError: "unexpected \(message) after start")
        case .unknown(let event):
            logger.debug("ignoring unknown Twilio event", metadata: ["event": .string(event)])
        }
    }

    private func handleMedia(payload: UnsafeRawBufferPointer, timestampMs: Int, receivedNs: UInt64) {
        do {
            try ingress.decode(payloadBase64: payload)
        } catch {
            report(protocolError: "media frame dropped: \(error)")
            return
        }
        mediaMs = max(mediaMs, timestampMs)
        let now = clock()
        let detection = ingress.withPCM8k { pcm in
            detector.process(pcm, timestampMs: timestampMs, playedLevelDbfs: egress.playedLevelDbfs(atNs: now))
        }
        recordCallerFrame(timestampMs: timestampMs, nowNs: now)
        let detectedNs = probe == nil ? 0 : clock()
        let modelHearsBargeIn = settings.tenant.model.bargeIn == .model && (activeResponseId != nil || egress.hasAudioPending)
        let waitMs = appendPacer.waitUpToMs(timestampMs: timestampMs, durationMs: ingress.pcmCount / 8, detection: detection,
                                            modelHearsBargeIn: modelHearsBargeIn)
        ingress.gather(payloadBase64: payload, waitUpToMs: waitMs)
        if ingress.appendReady {
            let audioMs = ingress.appendAudioMs
            sendToModel(ingress.appendFrame, audioMs: audioMs, mediaMs: timestampMs + ingress.pcmCount / 8 - audioMs)
        }
        if let probe {
            probe.inboundFrame(mediaMs: timestampMs, receivedNs: receivedNs == 0 ? now : receivedNs, detectedNs: detectedNs,
                               modelSendNs: ingress.appendReady ? clock() : 0)
        }
        switch detection.vad {
        case .speechStarted(let atMs)?:
            observer(.callerSpeechStarted(atMs: atMs))
            callerTurnEndedNs = nil
        case .speechEnded(let atMs)?:
            observer(.callerSpeechStopped(atMs: atMs))
            callerTurnEndedNs = now - UInt64(max(0, timestampMs + 20 - atMs)) * 1_000_000
        case nil: break
        }
        if let onset = detection.bargeInOnsetMs, settings.tenant.model.bargeIn == .engine {
            bargeIn(source: .engine, onsetMs: onset, nowNs: now)
        }
        if let tone = detection.dtmf {
            observer(.dtmf(digit: tone.digit.rawValue, atMs: tone.timestampMs, inBand: true))
        }
        if rolloverWanted { rollOverIfAtTurnBoundary() }  // waiting for the caller to stop talking
    }

    /// The egress clock's wake for the frame due at `dueNs` (see `EgressClock`); a wake that a later
    /// request superseded does nothing.
    public func egressDue(atNs dueNs: UInt64) {
        guard egressWakeNs == dueNs else { return }
        egressWakeNs = nil
        pumpEgress(toleranceMs: Double(egressClock?.gridNs ?? 0) / 2e6)
    }

    /// Asks to be woken when the next queued frame is due, unless an earlier wake is pending already.
    private func scheduleEgressWake(nowNs: UInt64) {
        guard state == .live || state == .ending, let due = egress.nextSendNs else { return }
        if let pending = egressWakeNs, pending <= due { return }
        egressWakeNs = due
        if let egressClock {
            egressClock.wake(self, atNs: due)
        } else {
            _ = after(ns: due - min(due, nowNs)) { $0.egressDue(atNs: due) }
        }
    }

    /// Sends what the egress pacer allows now and asks to be woken when the next frame is due; once
    /// nothing of ours is pending, finishes a hang-up or a model session rollover waiting for it.
    /// `toleranceMs`: how early a frame may go (on the egress clock's wake).
    func pumpEgress(toleranceMs: Double = 0) {
        guard let twilio, let encoder else { return }
        let now = clock()
        var sentBytes = 0, firstPlayoutNs: UInt64 = 0
        let started = egress.pump(nowNs: now, toleranceMs: toleranceMs, encoder: encoder,
                                  emit: { twilio.send($0) },
                                  sentAudio: { audio, playoutStartNs in
                                      recordBotFrame(audio, playoutStartNs: playoutStartNs)
                                      probe?.botFrameSent(bytes: audio.count, playoutStartNs: playoutStartNs, atNs: now)
                                      if sentBytes == 0 { firstPlayoutNs = playoutStartNs }
                                      sentBytes += audio.count
                                  })
        if sentBytes > 0, let jitterMs = egressJitter.message(  // Twilio's side is 8 kHz mu-law: 8 bytes per ms
            audioMs: Double(sentBytes) / 8, bufferedMs: Double(firstPlayoutNs - min(firstPlayoutNs, now)) / 1e6, atNs: now,
            leadMs: Double(settings.egressLeadMs))?.jitterMs {
            EngineMetrics.egressSendJitter.recordNanoseconds(Int64(jitterMs * 1e6))
        }
        if let probe, let item = started { probe.firstFrameSent(itemId: item, atNs: clock()) }
        if let item = started, let first = firstDeltaNs.removeValue(forKey: item) {
            let turn = callerTurnEndedNs.map { Int((now - min(now, $0)) / 1_000_000) }
            callerTurnEndedNs = nil
            observer(.botAudioStarted(itemId: item, atMs: mediaMs, turnLatencyMs: turn,
                                      engineMs: Double(now - min(now, first)) / 1_000_000))
        }
        if egress.hasUnconfirmedSentAudio {
            unconfirmedItemId = egress.lastSentItemId
        } else if let item = unconfirmedItemId {
            unconfirmedItemId = nil
            observer(.botAudioPlayed(itemId: item, atMs: mediaMs, sentMs: Int(egress.sentMs(of: item).rounded())))
        }
        if !egress.isBackpressured { resumeBackpressureWaiters() }
        scheduleEgressWake(nowNs: now)
        guard !egress.hasAudioPending else { return }  // the egress clock or a mark echo pumps again
        if let reason = hangupReason {
            finishHangup(reason: reason)
        } else if rolloverWanted {
            rollOverIfAtTurnBoundary()  // the bot has finished speaking: a turn boundary
        }
    }

    /// The caller started speaking over the bot (C.5 step 3): cancel the active response, truncate the
    /// item being heard at what was heard, delete items never heard, and clear Twilio's buffer.
    func bargeIn(source: BargeInSource, onsetMs: Int, nowNs: UInt64) {
        guard let cut = egress.interrupt(nowNs: nowNs) else { return }
        unconfirmedItemId = nil  // what was heard of it is the truncation point, reported below
        if cut.clearTwilio { recordClear(nowNs: nowNs) }
        probe?.bargeInDecided(source: source, atNs: nowNs)
        if let response = activeResponseId { sendEvent(.responseCancel(responseID: response)) }
        if let t = cut.truncate {
            sendEvent(.conversationItemTruncate(itemID: t.itemId, audioEndMs: t.audioEndMs))
            conversation.truncate(itemId: t.itemId, toFraction: Double(t.audioEndMs) / max(1, egress.sentMs(of: t.itemId)))
        }
        for item in cut.unheardItemIds {
            sendEvent(.conversationItemDelete(itemID: item))
            conversation.truncate(itemId: item, toFraction: 0)
            firstDeltaNs.removeValue(forKey: item)
        }
        if cut.clearTwilio, let encoder {
            var message: [UInt8] = []
            encoder.clear(into: &message)
            twilio?.send(message)
        }
        observer(.bargeIn(source: source, onsetMs: onsetMs, decisionMs: max(0, mediaMs + 20 - onsetMs),
                          truncatedItemId: cut.truncate?.itemId, audioEndMs: cut.truncate?.audioEndMs,
                          unheardItemIds: cut.unheardItemIds))
        resumeBackpressureWaiters()
        if let reason = hangupReason { finishHangup(reason: reason) }  // the goodbye was cut short: nothing left to play
    }

    /// Hangs up once everything the bot said has played (used by `end_call` and the fallback).
    func hangUpAfterPlayback(reason: String) {
        hangupReason = reason
        if state == .live { state = .ending }
        pumpEgress()
    }

    private func finishHangup(reason: String) {
        guard state != .ended, !egress.hasAudioPending else { return }
        end(reason: reason)
    }

    /// Ends the call at once: closes both connections and releases everything.
    public func end(reason: String) {
        guard state != .ended else { return }
        state = .ended
        logger.info("call ended", metadata: ["reason": .string(reason)])
        responseTimer?.cancel()
        rolloverTimer?.cancel()
        connectionTask?.cancel()
        let links = [self.link].compactMap { $0 } + pendingLinks.values
        self.link = nil
        pendingLinks.removeAll()
        for link in links { Task { await link.close() } }
        twilio?.close(reason: reason)
        twilio = nil
        resumeBackpressureWaiters()
        finishRecording()
        observer(.ended(reason: reason))
        onEnded(callSid)
    }

    func report(protocolError message: String) {
        logger.warning("\(message)")
        observer(.protocolError(message))
    }

    /// Depth of the egress queue (ms of audio waiting), for metrics.
    public var egressDepthMs: Double { egress.queue.depthMs }
}

/// An actor that never runs anything: a call without an executor of its own borrows this one's default
/// serial executor (an actor may share another actor's executor, SE-0392).
final actor DefaultExecutorHost {}
