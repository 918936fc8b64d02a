import MediaEngine
import NIOCore

/// `response.create` / `response.cancel` and the choice of what a response says.
extension SimulatedSession {
    /// Starts a response: `response.created` and `rate_limits.updated` at once (plus a due caller
    /// transcription), then, after the think time, its items stream from a task. Only one response runs at
    /// a time: another `response.create` meanwhile gets `conversation_already_has_active_response`.
    /// Per-response `instructions` are ignored (the script decides); `output_modalities`, `tools`,
    /// `tool_choice`, `conversation` and `metadata` are honoured.
    func createResponse(_ parameters: RealtimeResponseParameters?, clientEventID: String?) {
        if let active = activeResponse {
            sendError(code: "conversation_already_has_active_response",
                      message: "Conversation already has an active response in progress: \(active.id). Wait until the response is finished before creating a new one.",
                      param: nil, clientEventID: clientEventID)
            return
        }
        let responseID = ids.next("resp")
        let parts = planResponse(parameters)
        let outputs = parts.map { part -> SimulatedResponse.Output in
            let pieces: [String]
            switch part {
            case .message(let transcript, let audio):
                pieces = SimulatedResponse.pieces(of: transcript, count: audio?.chunks.count ?? 3)
            case .functionCall:
                pieces = []
            }
            return SimulatedResponse.Output(itemID: ids.next("item"), part: part, pieces: pieces)
        }
        activeResponse = SimulatedResponse(id: responseID, inConversation: parameters?.conversation != .outOfBand,
                                           metadata: parameters?.metadata, outputs: outputs)
        send(.responseCreated(.init(eventID: nextEventID(), response: RealtimeResponse(
            id: responseID, status: .inProgress, output: [], conversationID: nil, metadata: parameters?.metadata))))
        send(.rateLimitsUpdated(.init(eventID: nextEventID(), rateLimits: [
            .init(name: "requests", limit: 5000, remaining: 4999, resetSeconds: 0.012),
            .init(name: "tokens", limit: 400_000, remaining: 395_000, resetSeconds: 0.75),
        ])))
        observe(.responseStarted(sessionID: sessionID, responseID: responseID))
        sendPendingTranscription()
        startResponseTask(responseID)
    }

    /// What the response says (see `SimulatorScript`): a rule's follow-up after a function result, a
    /// function call when a rule matches the latest utterance and the tool is declared, the greeting before
    /// the caller's first audio turn, else the current turn's reply.
    private func planResponse(_ parameters: RealtimeResponseParameters?) -> [SimulatedResponse.Part] {
        guard let (language, script) = configuration.script.conversation(for: settings.transcriptionLanguage) else { return [] }
        let textOnly = (parameters?.outputModalities ?? settings.outputModalities) == [.text]
        func message(_ reply: SimulatorScript.Reply) -> SimulatedResponse.Part {
            guard let clip = clips.clip(reply.clip, language: language, role: .bot) else {
                logger.error("script names a missing clip", metadata: ["clip": "\(reply.clip)", "language": "\(language)"])
                return .message(transcript: reply.text ?? "", audio: nil)
            }
            let audio = textOnly ? nil : try? clips.replyAudio(for: clip, format: settings.outputFormat,
                                                                deltaMs: configuration.deltaDurationMs)
            return .message(transcript: reply.text ?? clip.text, audio: audio)
        }

        if let last = conversation.entries.last?.item, last.type == .functionCallOutput, let callID = last.callID,
           let followUp = callFollowUps.removeValue(forKey: callID) {
            return followUp.map { [message($0)] } ?? []
        }
        let turnReply = audioTurnCount == 0 ? script.greeting : script.turns[(audioTurnCount - 1) % script.turns.count].reply
        let tools = parameters?.tools ?? settings.tools
        let toolChoice = parameters?.toolChoice ?? settings.toolChoice
        if let utterance = lastUtterance, utterance.serial != calledUtterance, toolChoice != .noTools,
           let rule = configuration.script.functionCalls.first(where: { rule in
               tools.contains { $0.name == rule.name } && rule.matches(utterance: utterance.text, audioTurn: utterance.audioTurn)
           }) {
            calledUtterance = utterance.serial
            let callID = ids.next("call")
            callFollowUps[callID] = .some(rule.followUp)
            var parts = rule.speakReplyFirst ? [message(turnReply)] : []
            parts.append(.functionCall(name: rule.name, arguments: rule.arguments, callID: callID))
            return parts
        }
        return [message(turnReply)]
    }

    /// Streams a response: think time, then slices separated by pacing pauses, on the event loop's timers
    /// when the session runs on a loop in real time, else in a task sleeping on the session's clock.
    private func startResponseTask(_ responseID: String) {
        let thinkTimeMs = configuration.thinkTimeMs
        if let loop = timerLoop {
            scheduleResponseStep(responseID, after: .milliseconds(thinkTimeMs), on: loop)
            return
        }
        let clock = clock
        responseTimer = .task(Task { [weak self] in
            do {
                if thinkTimeMs > 0 { try await clock.sleep(for: .milliseconds(thinkTimeMs)) }
                while let pause = await self?.advanceResponse(responseID) {
                    try await clock.sleep(for: pause)
                }
            } catch {
                // Cancelled: the response was cancelled or the session closed; whoever cancelled finished it.
            }
        })
    }

    /// The next slice of `responseID` after `delay`, run on `loop` (the session's executor) by its timer.
    private func scheduleResponseStep(_ responseID: String, after delay: Duration, on loop: any EventLoop) {
        responseTimer = .scheduled(loop.scheduleTask(in: TimeAmount(delay)) { [self] in
            assumeIsolated { session in
                // A cancelled response's timer was cancelled on this loop; a stale one must not touch the next.
                guard session.activeResponse?.id == responseID else { return }
                if let pause = session.advanceResponse(responseID) {
                    session.scheduleResponseStep(responseID, after: pause, on: loop)
                } else {
                    session.responseTimer = nil
                }
            }
        })
    }

    /// `response.cancel`: ends the active response at once (`response.done`, status cancelled, reason
    /// client_cancelled). With none active, or another id named: `response_cancel_not_active` (benign).
    func cancelResponse(_ responseID: String?, clientEventID: String?) {
        guard let active = activeResponse, responseID == nil || responseID == active.id else {
            let message = responseID.map { "Cancellation failed: response '\($0)' is not active." }
                ?? "Cancellation failed: no active response found"
            sendError(code: "response_cancel_not_active", message: message, param: nil, clientEventID: clientEventID)
            return
        }
        cancelActiveResponse(reason: .clientCancelled)
    }

    /// Stops the active response where it stands: the item being produced is closed as incomplete (keeping
    /// the audio and transcript sent so far), then `response.done` with status cancelled and `reason`.
    func cancelActiveResponse(reason: RealtimeResponse.Reason) {
        guard var response = activeResponse else { return }
        responseTimer?.cancel()
        responseTimer = nil
        if response.itemStarted, response.outputIndex < response.outputs.count {
            let output = response.outputs[response.outputIndex]
            var item: RealtimeItem
            switch output.part {
            case .message(_, let audio):
                item = RealtimeItem(id: output.itemID, type: .message, role: .assistant, status: .incomplete,
                                    content: [audio == nil ? .outputText(response.transcriptSoFar)
                                              : RealtimeContentPart(type: "output_audio", transcript: response.transcriptSoFar)])
            case .functionCall(let name, _, let callID):
                item = RealtimeItem(id: output.itemID, type: .functionCall, status: .incomplete, name: name, callID: callID,
                                    arguments: "")
            }
            finishItem(item, in: &response)
        }
        finishResponse(&response, status: .cancelled, reason: reason)
    }
}
