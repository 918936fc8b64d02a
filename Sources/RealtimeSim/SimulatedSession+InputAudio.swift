import MediaEngine

/// `input_audio_buffer.append/commit/clear` and server VAD turns.
extension SimulatedSession {
    /// The shortest buffer a manual commit accepts, ms (the real API's minimum).
    static let minimumCommitMs = 100

    /// Decodes one append's base64 audio in the session's input format and runs turn detection over it.
    /// The hot path: no allocation in steady state. `clientEventID` is only evaluated for an error.
    func appendAudio(_ encoded: UnsafeBufferPointer<UInt8>, clientEventID: () -> String?) {
        let format = settings.inputFormat
        let vad = settings.vad
        do {
            try scratch.decode(encoded, format: format) { pcm in
                guard let vad else {
                    detector.skip(sampleCount: pcm.count, sampleRate: format.sampleRate)
                    return
                }
                // The handlers below must not touch `detector`: it is being mutated by this very call.
                detector.process(pcm, sampleRate: format.sampleRate) { event in
                    switch event {
                    case .speechStarted(let audioStartMs):
                        speechStarted(audioStartMs: audioStartMs, interruptResponse: vad.interruptResponse)
                    case .speechStopped(let audioEndMs):
                        speechStopped(audioEndMs: audioEndMs, createResponse: vad.createResponse)
                    }
                }
            }
        } catch {
            let reason: String
            switch error {
            case .base64(let decodeError): reason = decodeError.description
            }
            sendError(code: "invalid_value", message: "Invalid 'audio': expected base64-encoded audio in the session's input format (\(reason)).",
                      param: "audio", clientEventID: clientEventID())
        }
    }

    /// Server VAD heard speech: announce the user item it will become, and with `interrupt_response`
    /// cancel a response that is still generating (status cancelled, reason turn_detected).
    private func speechStarted(audioStartMs: Int, interruptResponse: Bool) {
        let itemID = ids.next("item")
        speechItemID = itemID
        speechStartMs = audioStartMs
        send(.inputAudioSpeechStarted(.init(eventID: nextEventID(), audioStartMs: audioStartMs, itemID: itemID)))
        observe(.speechStarted(sessionID: sessionID, itemID: itemID, audioStartMs: audioStartMs))
        if interruptResponse, activeResponse != nil {
            cancelActiveResponse(reason: .turnDetected)
        }
    }

    /// Server VAD heard the turn end: commit it, and with `create_response` answer it.
    private func speechStopped(audioEndMs: Int, createResponse: Bool) {
        let itemID = speechItemID ?? ids.next("item")
        speechItemID = nil
        send(.inputAudioSpeechStopped(.init(eventID: nextEventID(), audioEndMs: audioEndMs, itemID: itemID)))
        observe(.speechStopped(sessionID: sessionID, itemID: itemID, audioEndMs: audioEndMs))
        bufferStartMs = audioEndMs
        commitTurn(itemID: itemID, durationMs: max(0, audioEndMs - speechStartMs), respond: createResponse)
    }

    /// `input_audio_buffer.commit`: the buffered audio becomes a user item (no response); an `error` with
    /// code `input_audio_buffer_commit_empty` when less than 100 ms is buffered.
    func commitInputBuffer(clientEventID: String?) {
        let bufferedMs = detector.positionMs - bufferStartMs
        guard bufferedMs >= Self.minimumCommitMs else {
            sendError(code: "input_audio_buffer_commit_empty",
                      message: "Error committing input audio buffer: buffer too small. Expected at least \(Self.minimumCommitMs)ms of audio, but buffer only has \(bufferedMs).00ms of audio.",
                      param: nil, clientEventID: clientEventID)
            return
        }
        let itemID = speechItemID ?? ids.next("item")
        speechItemID = nil
        detector.resetTurn()
        bufferStartMs = detector.positionMs
        commitTurn(itemID: itemID, durationMs: bufferedMs, respond: false)
    }

    /// `input_audio_buffer.clear` -> `input_audio_buffer.cleared`; a turn in progress is dropped.
    func clearInputBuffer(clientEventID: String?) {
        detector.resetTurn()
        speechItemID = nil
        bufferStartMs = detector.positionMs
        send(.inputAudioCleared(eventID: nextEventID()))
    }

    /// Turns committed audio into the next scripted user turn: `committed`, the user item's `added` and
    /// `done`, the transcription (when configured), and a response when `respond` and none is running.
    private func commitTurn(itemID: String, durationMs: Int, respond: Bool) {
        audioTurnCount += 1
        committedInputMs += durationMs
        let heard = scriptedTranscript(turn: audioTurnCount)
        utteranceCount += 1
        lastUtterance = Utterance(text: heard, audioTurn: audioTurnCount, serial: utteranceCount)
        let item = RealtimeItem(id: itemID, type: .message, role: .user, status: .completed,
                                content: [RealtimeContentPart(type: "input_audio")])
        let previous = conversation.append(item)
        send(.inputAudioCommitted(.init(eventID: nextEventID(), itemID: itemID, previousItemID: previous)))
        send(.conversationItemAdded(.init(eventID: nextEventID(), item: item, previousItemID: previous)))
        send(.conversationItemDone(.init(eventID: nextEventID(), item: item, previousItemID: previous)))
        if settings.transcriptionEnabled {
            pendingTranscription = (itemID, heard, durationMs)
        }
        if respond, activeResponse == nil {
            createResponse(nil, clientEventID: nil)
        } else {
            sendPendingTranscription()
        }
    }

    /// What the script pretends the caller said in audio turn `turn` (1-based), in the session's language.
    func scriptedTranscript(turn: Int) -> String {
        guard let (_, conversation) = configuration.script.conversation(for: settings.transcriptionLanguage),
              !conversation.turns.isEmpty else { return "" }
        return conversation.turns[(turn - 1) % conversation.turns.count].heard
    }

    /// The asynchronous caller transcription of the last committed turn, if one is due.
    func sendPendingTranscription() {
        guard let pending = pendingTranscription else { return }
        pendingTranscription = nil
        send(.inputTranscriptionDelta(.init(eventID: nextEventID(), itemID: pending.itemID, contentIndex: 0,
                                            delta: pending.transcript)))
        send(.inputTranscriptionCompleted(.init(
            eventID: nextEventID(), itemID: pending.itemID, contentIndex: 0, transcript: pending.transcript,
            usage: ["type": "duration", "seconds": .number(Double(pending.durationMs) / 1000)])))
        conversation.update(pending.itemID) { entry in
            entry.item.content = [RealtimeContentPart(type: "input_audio", transcript: pending.transcript)]
        }
    }
}
