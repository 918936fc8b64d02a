import MediaEngine

/// `conversation.item.create`, `.delete` and `.truncate`, with the real API's validation.
extension SimulatedSession {
    /// Adds a client item (user/system text, assistant text for re-seeding, function calls and their
    /// outputs) and answers `conversation.item.added` + `.done`. A user text message becomes the latest
    /// utterance (rules match it).
    func createItem(_ item: RealtimeItem, after previousItemID: String?, clientEventID: String?) {
        if let problem = Self.problem(creating: item) {
            sendError(code: "invalid_value", message: problem.message, param: problem.param, clientEventID: clientEventID)
            return
        }
        var item = item
        if let id = item.id {
            guard conversation.index(of: id) == nil else {
                sendError(code: "invalid_value", message: "Item with id '\(id)' already exists in the conversation.",
                          param: "item.id", clientEventID: clientEventID)
                return
            }
        } else {
            item.id = ids.next("item")
        }
        item.status = .completed
        let (inserted, previous) = conversation.insert(item, after: previousItemID)
        guard inserted else {
            sendError(code: "invalid_value",
                      message: "Error adding item: the previous item with id '\(previousItemID ?? "")' does not exist.",
                      param: "previous_item_id", clientEventID: clientEventID)
            return
        }
        send(.conversationItemAdded(.init(eventID: nextEventID(), item: item, previousItemID: previous)))
        send(.conversationItemDone(.init(eventID: nextEventID(), item: item, previousItemID: previous)))
        if item.type == .message, item.role == .user {
            let text = (item.content ?? []).compactMap { $0.type == "input_text" ? $0.text : $0.transcript }.joined(separator: " ")
            if !text.isEmpty {
                utteranceCount += 1
                lastUtterance = Utterance(text: text, audioTurn: nil, serial: utteranceCount)
            }
        }
    }

    /// What the API would refuse about a client-created item, if anything.
    private static func problem(creating item: RealtimeItem) -> (message: String, param: String)? {
        switch item.type {
        case .message:
            let allowed: Set<String>
            switch item.role {
            case .user?: allowed = ["input_text", "input_audio", "input_image"]
            case .system?: allowed = ["input_text"]
            case .assistant?: allowed = ["output_text"]
            default: return ("A message item needs a role of 'user', 'system' or 'assistant'.", "item.role")
            }
            for part in item.content ?? [] where !allowed.contains(part.type) {
                if item.role == .assistant, part.type == "output_audio" {
                    return ("Assistant audio messages cannot be created; use 'output_text'.", "item.content")
                }
                return ("Invalid content type '\(part.type)' for a \(item.role?.rawValue ?? "") message.", "item.content")
            }
            return nil
        case .functionCall:
            guard item.name != nil, item.callID != nil else {
                return ("A function_call item needs 'name' and 'call_id'.", "item")
            }
            return nil
        case .functionCallOutput:
            guard item.callID != nil, item.output != nil else {
                return ("A function_call_output item needs 'call_id' and 'output'.", "item")
            }
            return nil
        default:
            return ("Unsupported item type '\(item.type.rawValue)'.", "item.type")
        }
    }

    /// `conversation.item.delete` -> `conversation.item.deleted`, or `item_delete_invalid_item_id`.
    func deleteItem(_ itemID: String, clientEventID: String?) {
        guard conversation.remove(itemID) else {
            sendError(code: "item_delete_invalid_item_id",
                      message: "Error deleting item: the item with id '\(itemID)' does not exist.",
                      param: "item_id", clientEventID: clientEventID)
            return
        }
        send(.conversationItemDeleted(.init(eventID: nextEventID(), itemID: itemID)))
    }

    /// `conversation.item.truncate`. Valid only for an assistant message with audio, content index 0, and
    /// `audio_end_ms` within the audio actually sent for the item (or what an earlier truncation left);
    /// then the transcript is cut to the words heard, `conversation.item.truncated` goes out, and the
    /// truncation is observed and logged with the audio that had been sent.
    func truncateItem(_ itemID: String, contentIndex: Int, audioEndMs: Int, clientEventID: String?) {
        func reject(code: String?, message: String, param: String?) {
            observe(.truncationRejected(sessionID: sessionID, itemID: itemID, audioEndMs: audioEndMs, code: code, message: message))
            sendError(code: code, message: message, param: param, clientEventID: clientEventID)
        }
        guard let entry = conversation.entry(itemID) else {
            reject(code: "item_truncate_invalid_item_id",
                   message: "Error truncating item: the item with id '\(itemID)' does not exist.", param: "item_id")
            return
        }
        guard entry.item.type == .message, entry.item.role == .assistant, let audio = entry.audio else {
            reject(code: "unsupported_content_type", message: "Only model output audio messages can be truncated",
                   param: nil)
            return
        }
        guard contentIndex == 0 else {
            reject(code: "invalid_value", message: "Invalid 'content_index': the item has no content part \(contentIndex).",
                   param: "content_index")
            return
        }
        guard audioEndMs >= 0 else {
            reject(code: "invalid_value", message: "Invalid 'audio_end_ms': \(audioEndMs) is below the minimum of 0.",
                   param: "audio_end_ms")
            return
        }
        guard audioEndMs <= audio.availableMs else {
            reject(code: nil, message: "Audio content of \(audio.availableMs)ms is already shorter than \(audioEndMs)ms",
                   param: nil)
            return
        }
        let kept = SimulatedResponse.prefix(of: audio.transcript, audioEndMs: audioEndMs, fullMs: audio.fullMs)
        conversation.update(itemID) { entry in
            entry.audio?.truncatedAtMs = audioEndMs
            entry.item.content = [RealtimeContentPart(type: "output_audio", transcript: kept)]
        }
        send(.conversationItemTruncated(.init(eventID: nextEventID(), itemID: itemID, contentIndex: 0, audioEndMs: audioEndMs)))
        let record = TruncationRecord(sessionID: sessionID, itemID: itemID, audioEndMs: audioEndMs, sentMs: audio.sentMs,
                                      fullMs: audio.fullMs, keptTranscript: kept)
        logger.info("truncated assistant audio", metadata: [
            "item": "\(itemID)", "audio_end_ms": "\(audioEndMs)", "sent_ms": "\(audio.sentMs)", "full_ms": "\(audio.fullMs)",
        ])
        observe(.truncated(record))
    }
}
