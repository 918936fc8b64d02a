/// Events from the model: audio deltas into the egress stage (the hot path), and everything else that
/// steers the call: responses, barge-in by the model's VAD, transcripts, tools and errors.
extension CallSession {
    /// Handles one inbound model message from connection `generation` (the general path, for a
    /// transport off the call's executor): `receiveModel`, then, when the egress queue is full, suspends
    /// (backpressure) until there is room, so the model's socket is not read meanwhile.
    func handleModel(_ bytes: [UInt8], generation: Int) async {
        let roomLeft = bytes.withUnsafeBytes { receiveModel($0, generation: generation) }
        if !roomLeft { await waitForEgressRoom() }
    }

    /// Handles one inbound model message (`raw`: one whole text message, borrowed) from connection
    /// `generation`, synchronously. Audio deltas take an allocation-free fast path; anything else is
    /// decoded. Returns false when the egress queue is full after it: the caller must then not deliver
    /// more before `waitForEgressRoom()` returns (it stops reading the model's socket meanwhile).
    func receiveModel(_ raw: UnsafeRawBufferPointer, generation: Int) -> Bool {
        guard state != .ended else { return true }
        let receivedNs = probe == nil ? 0 : clock()
        if let accepted = fastDelta(raw, generation: generation, receivedNs: receivedNs) { return accepted }
        if UnreadEventFrame.matches(raw) { return true }  // per-token text and item lifecycle the call does not act on
        let event: RealtimeServerEvent
        do {
            event = try RealtimeServerEvent.decode(raw)
        } catch {
            report(protocolError: "model event rejected: \(error)")
            return true
        }
        if case .sessionCreated = event {
            sessionCreated(generation: generation)
            return true
        }
        guard generation == linkGeneration else { return true }  // a retired or not yet current connection
        if case .responseOutputAudioDelta(let delta) = event {
            return acceptDelta(itemId: delta.itemID, base64: Array(delta.delta.utf8), receivedNs: receivedNs)
        }
        handleControl(event)
        return true
    }

    /// The hot path: nil when `raw` is not an audio delta the scanner can read (then the slow path
    /// decodes it), else whether the audio was queued without backpressure.
    private func fastDelta(_ raw: UnsafeRawBufferPointer, generation: Int, receivedNs: UInt64) -> Bool? {
        guard let frame = OutputAudioDeltaFrame.scan(raw) else { return nil }
        guard generation == linkGeneration else { return true }
        let itemId: String
        if let current = currentAudioItem, frame.itemID(in: raw, equals: current) {
            itemId = current
        } else {
            itemId = String(decoding: UnsafeRawBufferPointer(rebasing: raw[frame.itemID]), as: UTF8.self)
        }
        return acceptDelta(itemId: itemId, base64: UnsafeRawBufferPointer(rebasing: raw[frame.delta]), receivedNs: receivedNs)
    }

    /// `receivedNs`: when the delta reached the call (for the `probe`; 0 without one).
    private func acceptDelta(itemId: String, base64: UnsafeRawBufferPointer, receivedNs: UInt64) -> Bool {
        if currentAudioItem != itemId {
            currentAudioItem = itemId
            if !egress.ledger.isMuted(itemId) { firstDeltaNs[itemId] = clock() }
        }
        let accepted: Bool
        do {
            accepted = try egress.accept(itemId: itemId, deltaBase64: base64)
        } catch {
            report(protocolError: "audio delta dropped: \(error)")
            return true
        }
        if let probe { probe.modelDelta(itemId: itemId, receivedNs: receivedNs, enqueuedNs: clock()) }
        pumpEgress()
        return accepted
    }

    private func acceptDelta(itemId: String, base64: [UInt8], receivedNs: UInt64) -> Bool {
        base64.withUnsafeBytes { acceptDelta(itemId: itemId, base64: $0, receivedNs: receivedNs) }
    }

    /// Returns once the egress queue has room (or the call ended).
    func waitForEgressRoom() async {
        while egress.isBackpressured, state != .ended {
            await withCheckedContinuation { backpressureWaiters.append($0) }
        }
    }

    /// The events the call acts on. Those it ignores are dropped before decoding (`UnreadEventFrame`):
    /// acting on one more means taking its type out of that list.
    private func handleControl(_ event: RealtimeServerEvent) {
        switch event {
        case .inputAudioSpeechStarted(let started):
            callerTurnEndedNs = nil
            responseTimer?.cancel()
            if settings.tenant.model.bargeIn == .model {
                bargeIn(source: .model, onsetMs: modelSpeechOnsetMs(audioStartMs: started.audioStartMs), nowNs: clock())
            }
        case .inputAudioCommitted:
            appendPacer.modelEndedTurn(sentEndMs: nextAppendMediaMs)
            armResponseTimer()
        case .responseCreated(let created):
            activeResponseId = created.response.id
            responseTimer?.cancel()
        case .responseDone(let done):
            if activeResponseId == done.response.id { activeResponseId = nil }
            egress.audioComplete()
            if egress.hasAudioPending { pumpEgress() }  // the answer's last, partial frame may be due sooner
            if endCallRequested { hangUpAfterPlayback(reason: "the agent ended the call") }
            rollOverIfAtTurnBoundary()
        case .responseOutputAudioTranscriptDone(let done):
            conversation.append(.bot, done.text, itemId: done.itemID)
            observer(.botTranscript(itemId: done.itemID, text: done.text))
        case .inputTranscriptionCompleted(let done):
            conversation.append(.caller, done.transcript)
            observer(.callerTranscript(done.transcript))
        case .responseFunctionCallArgumentsDone(let call):
            handleTool(name: call.name, callID: call.callID, arguments: call.arguments)
        case .error(let failure):
            let code = failure.error.code
            if code == "response_cancel_not_active" {
                logger.debug("cancel raced the end of the response (benign)")
            } else {
                logger.warning("model error", metadata: [
                    "code": .string(code ?? "-"), "message": .string(failure.error.message ?? "-"),
                    "event_id": .string(failure.error.eventID ?? "-"),
                ])
            }
            observer(.modelError(code: code, message: failure.error.message ?? "", eventId: failure.error.eventID))
        case .sessionUpdated(let session):
            let expected: RealtimeAudioFormat = settings.tenant.model.audioPath == .pcmu ? .pcmu : .pcm24kHz
            if let format = session.outputAudioFormat, format != expected {
                report(protocolError: "model session uses \(format.wireType) output, expected \(expected.wireType)")
            }
        default:
            break
        }
    }

    /// The caller's speech onset (media ms) that a model `speech_started` reports. Its `audio_start_ms`
    /// counts from the session's first append (media time `appendMediaOffsetMs`) and is backdated by the
    /// server VAD's prefix padding, which is audio before the speech, not speech: it is added back, so
    /// that a model barge-in's onset, and the `decisionMs` measured from it, mean what the engine's
    /// own detector's do. (Speech within the padding of the session's first audio gets an
    /// `audio_start_ms` clamped at 0, the simulator's does; its onset then comes out up to the padding
    /// late, a case of the first fraction of a second of a session only.)
    func modelSpeechOnsetMs(audioStartMs: Int) -> Int {
        appendMediaOffsetMs + audioStartMs + settings.tenant.model.turnDetection.speechStartPaddingMs
    }

    /// Tools the engine carries out itself. `end_call`: hang up once the goodbye has played.
    private func handleTool(name: String, callID: String, arguments: String) {
        observer(.toolCall(name: name, arguments: arguments))
        switch name {
        case "end_call":
            endCallRequested = true
            sendEvent(.conversationItemCreate(.functionCallOutput(callID: callID, output: #"{"ok":true}"#)))
            if activeResponseId == nil { hangUpAfterPlayback(reason: "the agent ended the call") }
        default:
            logger.warning("model called an unknown tool", metadata: ["tool": .string(name)])
            sendEvent(.conversationItemCreate(.functionCallOutput(callID: callID, output: #"{"error":"unknown tool"}"#)))
            sendEvent(.responseCreate())
        }
    }

    /// After the caller's turn is committed, a response should start; if none has within the timeout,
    /// ask once more (a lost `response.create` or a stalled server).
    private func armResponseTimer() {
        responseTimer?.cancel()
        let timeout = UInt64(settings.responseTimeoutMs) * 1_000_000
        responseTimer = after(ns: timeout) { $0.responseTimedOut() }
    }

    private func responseTimedOut() {
        guard activeResponseId == nil, state == .live else { return }
        logger.warning("no response \(settings.responseTimeoutMs) ms after the caller's turn; asking again")
        sendEvent(.responseCreate())
    }
}
