import MediaEngine

/// Streaming a response's items: the GA event sequence for an assistant audio message (`output_item.added`,
/// `conversation.item.added`, `content_part.added`, audio and transcript deltas, the `.done` events) and for
/// a function call (`function_call_arguments.delta/.done`), then `response.done`.
extension SimulatedSession {
    /// Sends the next slice of response `responseID` and returns the pause before the following one; nil
    /// when the response is finished, cancelled or superseded.
    func advanceResponse(_ responseID: String) -> Duration? {
        guard !closed, var response = activeResponse, response.id == responseID else { return nil }
        while response.outputIndex < response.outputs.count {
            guard !closed else { return nil }
            let output = response.outputs[response.outputIndex]
            if !response.itemStarted {
                startItem(output, in: &response)
                response.itemStarted = true
            }
            switch output.part {
            case .functionCall(let name, let arguments, let callID):
                let ref = (responseID: response.id, itemID: output.itemID, outputIndex: response.outputIndex)
                send(.responseFunctionCallArgumentsDelta(.init(eventID: nextEventID(), responseID: ref.responseID, itemID: ref.itemID,
                                                               outputIndex: ref.outputIndex, callID: callID, delta: arguments)))
                send(.responseFunctionCallArgumentsDone(.init(eventID: nextEventID(), responseID: ref.responseID, itemID: ref.itemID,
                                                              outputIndex: ref.outputIndex, callID: callID, name: name,
                                                              arguments: arguments)))
                observe(.functionCalled(sessionID: sessionID, name: name, callID: callID, arguments: arguments))
                finishItem(RealtimeItem(id: output.itemID, type: .functionCall, status: .completed, name: name, callID: callID,
                                        arguments: arguments), in: &response)
            case .message(let transcript, let audio):
                if let audio, response.chunkIndex < audio.chunks.count {
                    let chunk = response.chunkIndex
                    sendAudioDelta(audio.chunks[chunk], responseID: response.id, itemID: output.itemID, outputIndex: response.outputIndex)
                    let samples = audio.chunkSamples[chunk]
                    conversation.update(output.itemID) { $0.audio?.sentSamples += samples }
                    response.audioSentMs += audio.milliseconds(samples: samples)
                    assistantAudioProduced = true
                    sendTextDelta(output.pieces[chunk], transcript: true, output: output, in: &response)
                    response.chunkIndex += 1
                    activeResponse = response
                    if response.chunkIndex < audio.chunks.count,
                       let pause = configuration.pacing.pause(afterAudioMs: audio.milliseconds(samples: samples)) {
                        return pause
                    }
                    continue
                }
                if audio == nil {
                    for piece in output.pieces { sendTextDelta(piece, transcript: false, output: output, in: &response) }
                }
                finishMessage(output, transcript: transcript, audio: audio, in: &response)
            }
        }
        guard !closed else { return nil }
        finishResponse(&response, status: .completed, reason: nil)
        return nil
    }

    /// `response.output_item.added`, `conversation.item.added` and, for a message, `content_part.added`.
    private func startItem(_ output: SimulatedResponse.Output, in response: inout SimulatedResponse) {
        let item: RealtimeItem
        var audio: SimulatedConversation.AssistantAudio?
        switch output.part {
        case .message(let transcript, let replyAudio):
            item = RealtimeItem(id: output.itemID, type: .message, role: .assistant, status: .inProgress, content: [])
            audio = replyAudio.map { .init(sampleRate: $0.sampleRate, fullSamples: $0.totalSamples, sentSamples: 0, transcript: transcript) }
        case .functionCall(let name, _, let callID):
            item = RealtimeItem(id: output.itemID, type: .functionCall, status: .inProgress, name: name, callID: callID, arguments: "")
        }
        response.transcriptSoFar = ""
        send(.responseOutputItemAdded(.init(eventID: nextEventID(), responseID: response.id, outputIndex: response.outputIndex, item: item)))
        if response.inConversation {
            let previous = conversation.append(item, audio: audio)
            send(.conversationItemAdded(.init(eventID: nextEventID(), item: item, previousItemID: previous)))
        }
        if case .message(_, let replyAudio) = output.part {
            let part = replyAudio == nil ? RealtimeContentPart(type: "text", text: "") : RealtimeContentPart(type: "audio", transcript: "")
            send(.responseContentPartAdded(.init(eventID: nextEventID(), responseID: response.id, itemID: output.itemID,
                                                 outputIndex: response.outputIndex, contentIndex: 0, part: part)))
        }
    }

    /// One transcript (audio) or text (text-only) delta; empty pieces are skipped.
    private func sendTextDelta(_ piece: String, transcript: Bool, output: SimulatedResponse.Output, in response: inout SimulatedResponse) {
        guard !piece.isEmpty else { return }
        response.transcriptSoFar += piece
        response.outputTextChars += piece.count
        let delta = RealtimeServerEvent.OutputTextDelta(eventID: nextEventID(), responseID: response.id, itemID: output.itemID,
                                                        outputIndex: response.outputIndex, contentIndex: 0, delta: piece)
        send(transcript ? .responseOutputAudioTranscriptDelta(delta) : .responseOutputTextDelta(delta))
    }

    /// The `.done` events of a message: audio/transcript (or text), content part, then the item.
    private func finishMessage(_ output: SimulatedResponse.Output, transcript: String, audio: ReplyAudio?,
                               in response: inout SimulatedResponse) {
        let (id, itemID, index) = (response.id, output.itemID, response.outputIndex)
        let part: RealtimeContentPart
        if audio != nil {
            send(.responseOutputAudioDone(.init(eventID: nextEventID(), responseID: id, itemID: itemID, outputIndex: index)))
            send(.responseOutputAudioTranscriptDone(.init(eventID: nextEventID(), responseID: id, itemID: itemID, outputIndex: index,
                                                          text: transcript)))
            part = RealtimeContentPart(type: "audio", transcript: transcript)
        } else {
            send(.responseOutputTextDone(.init(eventID: nextEventID(), responseID: id, itemID: itemID, outputIndex: index, text: transcript)))
            part = RealtimeContentPart(type: "text", text: transcript)
        }
        send(.responseContentPartDone(.init(eventID: nextEventID(), responseID: id, itemID: itemID, outputIndex: index,
                                            contentIndex: 0, part: part)))
        let content = audio == nil ? RealtimeContentPart.outputText(transcript) : RealtimeContentPart(type: "output_audio", transcript: transcript)
        finishItem(RealtimeItem(id: itemID, type: .message, role: .assistant, status: .completed, content: [content]), in: &response)
    }

    /// `response.output_item.done` and `conversation.item.done` for the current item; moves to the next.
    func finishItem(_ item: RealtimeItem, in response: inout SimulatedResponse) {
        send(.responseOutputItemDone(.init(eventID: nextEventID(), responseID: response.id, outputIndex: response.outputIndex, item: item)))
        if response.inConversation, let itemID = item.id {
            let truncatedContent = conversation.entry(itemID)?.audio?.truncatedAtMs != nil
            conversation.update(itemID) { entry in
                let content = entry.item.content
                entry.item = item
                if truncatedContent { entry.item.content = content }
            }
            send(.conversationItemDone(.init(eventID: nextEventID(), item: item, previousItemID: conversation.previousItemID(of: itemID))))
        }
        response.finished.append(item)
        response.outputIndex += 1
        response.itemStarted = false
        response.chunkIndex = 0
        activeResponse = response
    }

    /// `response.done` with plausible usage; the response is no longer active.
    func finishResponse(_ response: inout SimulatedResponse, status: RealtimeResponse.Status, reason: RealtimeResponse.Reason?) {
        activeResponse = nil
        let inputText = max(1, (settings.instructions.count + conversation.entries.count * 12) / 4)
        let inputAudio = committedInputMs / 100
        let outputAudio = response.audioSentMs / 50
        let outputText = max(1, response.outputTextChars / 4)
        let usage = RealtimeResponse.Usage(
            totalTokens: inputText + inputAudio + outputAudio + outputText, inputTokens: inputText + inputAudio,
            outputTokens: outputAudio + outputText,
            inputTokenDetails: .init(textTokens: inputText, audioTokens: inputAudio, cachedTokens: 0),
            outputTokenDetails: .init(textTokens: outputText, audioTokens: outputAudio))
        let details = status == .completed ? nil : RealtimeResponse.StatusDetails(type: status, reason: reason)
        send(.responseDone(.init(eventID: nextEventID(), response: RealtimeResponse(
            id: response.id, status: status, statusDetails: details, output: response.finished, usage: usage,
            metadata: response.metadata))))
        observe(.responseFinished(sessionID: sessionID, responseID: response.id, status: status, reason: reason,
                                  audioSentMs: response.audioSentMs))
    }

    /// One `response.output_audio.delta`, written straight into the frame's string storage by the
    /// allocation-free writer (the general encoder only if the writer declines).
    private func sendAudioDelta(_ base64: [UInt8], responseID: String, itemID: String, outputIndex: Int) {
        let eventID = nextEventID()
        let count = OutputAudioDeltaFrame.encodedCount(eventID: eventID, responseID: responseID, itemID: itemID,
                                                       outputIndex: outputIndex, contentIndex: 0, base64Count: base64.count)
        let frame = base64.withUnsafeBytes { delta in
            String(unsafeUninitializedCapacity: count) { buffer in
                OutputAudioDeltaFrame.write(eventID: eventID, responseID: responseID, itemID: itemID, outputIndex: outputIndex,
                                            contentIndex: 0, deltaBase64: delta, into: UnsafeMutableRawBufferPointer(buffer)) ?? 0
            }
        }
        if frame.isEmpty {
            send(.responseOutputAudioDelta(.init(eventID: eventID, responseID: responseID, itemID: itemID, outputIndex: outputIndex,
                                                 delta: String(decoding: base64, as: UTF8.self))))
        } else {
            emit(frame)
        }
    }
}
