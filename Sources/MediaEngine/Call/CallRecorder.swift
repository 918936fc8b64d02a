public import Foundation
import Synchronization

/// Turns one call's ``CallEvent``s into the store's records and hands them to the node's writer
/// (``StoreWriter/submit(_:)``: non-blocking, batched, never awaited by the call).
///
/// - The ``CallRecord`` goes out at ``start()`` (in progress, with the tenant's config version) and again at
///   `ended`, with the end time, the status and the end reason.
/// - One ``TurnRecord`` per turn, rewritten as it fills in (records are upserts keyed by call SID and
///   index). A caller turn runs from the engine VAD's speech start to its stop; speech segments with no bot
///   turn between them are one turn. Transcripts from the model's transcription are given to caller turns
///   in order (a transcript with no turn waiting joins the last caller turn, or makes one if the bot spoke
///   since). A bot turn starts at its first audio sent to Twilio, with the latency figures of
///   `botAudioStarted`, and ends when Twilio confirms it played (`botAudioPlayed`) or, after a barge-in, at
///   its truncation point (the turn is then `interrupted`, `truncatedAtMs` = the `audio_end_ms` sent to the
///   model). Its transcript is the model's transcript of the whole item, even when only part was heard.
/// - Latency: `modelMs` is the turn latency minus the engine's time (so it includes the model's own
///   end-of-turn wait and the network). When the engine's VAD decides the end of the caller's speech only
///   after the answer has started (its hangover outlasted the model's turn detection), `botAudioStarted`
///   has no turn latency; the bot turn then gets it from media times once the (backdated) stop arrives:
///   the bot's first audio minus the end of the caller's speech.
/// - A ``RecordingRecord`` when the call's recording was finished (`recordingFinished`).
///
/// Every record carries the call's tenant. Events come from one call actor, in order; the lock only makes
/// the recorder `Sendable` for the observer closure and is never contended.
public final class CallRecorder: Sendable {
    private let tenant: TenantID
    private let recordingRelativePath: String?
    private let clock: @Sendable () -> Date
    private let submit: @Sendable (StoreWrite) -> Void
    private let state: Mutex<State>

    /// How many recent turns are kept in memory for updates (older turns are final).
    static let turnMemory = 32

    /// - Parameters:
    ///   - call: the call as it starts (status in progress, no end).
    ///   - recordingRelativePath: the recording's path relative to the recordings directory when the call
    ///     is recorded (``RecordingRecord/relativePath(tenant:callSID:startedAt:fileExtension:)``).
    ///   - clock: the wall clock for the end time and the recording's creation time.
    ///   - submit: where records go, typically `writer.submit`; must not block.
    public init(
        call: CallRecord, tenant: TenantID, recordingRelativePath: String? = nil,
        clock: @escaping @Sendable () -> Date = { Date() }, submit: @escaping @Sendable (StoreWrite) -> Void
    ) {
        self.tenant = tenant
        self.recordingRelativePath = recordingRelativePath
        self.clock = clock
        self.submit = submit
        state = Mutex(State(call: call))
    }

    /// Writes the call's start record (once the call is registered, so a refused call leaves no row).
    public func start() {
        let call = state.withLock { $0.call }
        submit(StoreWrite(tenant: tenant, change: .call(call)))
    }

    /// Maps one event of the call to the records it changes, and submits them.
    public func record(_ event: CallEvent) {
        let changes = state.withLock { state in
            state.apply(event, now: clock, recordingRelativePath: recordingRelativePath)
        }
        for change in changes { submit(StoreWrite(tenant: tenant, change: change)) }
    }

    /// The end reasons (prefixes) that mean the engine failed the call, besides a spoken fallback.
    static let failureReasonPrefixes = ["media stream failed", "TwiML could not be built", "no media stream"]

    /// `failed` when the caller heard the fallback (model unreachable) or the call ended for one of
    /// ``failureReasonPrefixes``; otherwise `completed`.
    static func status(endReason: String, fellBack: Bool) -> CallStatus {
        fellBack || failureReasonPrefixes.contains(where: endReason.hasPrefix) ? .failed : .completed
    }

    /// The call's turns and everything needed to place the next event.
    struct State {
        var call: CallRecord
        var turns: [TurnState] = []
        var nextIndex = 0
        /// Caller turns waiting for their transcript, oldest first (turn indices).
        var awaitingTranscript: [Int] = []
        /// Bot transcripts that came before their item's first audio, by item id.
        var earlyBotTranscripts: [String: String] = [:]
        var latestMediaMs: Int64 = 0
        var fellBack = false
        var ended = false

        struct TurnState {
            var record: TurnRecord
            /// The bot item of an agent turn.
            var itemId: String?
            /// The engine's time to the turn's first audio (ms), for an agent turn.
            var engineMs: Int?
            /// True while the turn's end is not known yet.
            var open: Bool
        }

        mutating func apply(
            _ event: CallEvent, now: () -> Date, recordingRelativePath: String?
        ) -> [StoreWrite.Change] {
            // A recording is finished off the call's loop, so its report may follow the call's end.
            if case .recordingFinished(_, let durationMs, let sizeBytes) = event {
                guard let path = recordingRelativePath else { return [] }
                return [.recording(RecordingRecord(callSID: call.callSID, relativePath: path, durationMs: Int64(durationMs),
                                                   codec: "opus", channels: 1, sizeBytes: sizeBytes, createdAt: now()))]
            }
            guard !ended else { return [] }
            switch event {
            case .callerSpeechStarted(let atMs):
                see(atMs)
                if let last = turns.last, last.record.speaker == .caller {
                    turns[turns.count - 1].open = true  // a pause, not a new turn
                } else {
                    awaitingTranscript.append(nextIndex)
                    append(TurnRecord(callSID: call.callSID, index: nextIndex, speaker: .caller,
                                      startMediaMs: Int64(atMs), endMediaMs: Int64(atMs), transcript: ""))
                }
                return []
            case .callerSpeechStopped(let atMs):
                see(atMs)
                guard let i = turns.lastIndex(where: { $0.open && $0.record.speaker == .caller }) else { return [] }
                return close(i, atMs: Int64(atMs)) + latencyFromMediaTimes(answering: i)
            case .callerTranscript(let text):
                return callerTranscript(text)
            case .botAudioStarted(let itemId, let atMs, let turnLatencyMs, let engineMs):
                see(atMs)
                var changes = closeOpenTurns(atMs: Int64(atMs), speaker: .agent)  // the caller may still be speaking
                let engine = Int(engineMs.rounded())
                let latency = turnLatencyMs.map {
                    TurnLatency(endOfSpeechToFirstAudioMs: $0, modelMs: max(0, $0 - engine), engineMs: engine)
                }
                append(TurnRecord(callSID: call.callSID, index: nextIndex, speaker: .agent, startMediaMs: Int64(atMs),
                                  endMediaMs: Int64(atMs), transcript: earlyBotTranscripts.removeValue(forKey: itemId) ?? "",
                                  latency: latency), itemId: itemId, engineMs: engine)
                changes.append(.turn(turns[turns.count - 1].record))
                return changes
            case .botAudioPlayed(let itemId, let atMs, _):
                see(atMs)
                guard let i = agentTurn(itemId) else { return [] }
                return close(i, atMs: Int64(atMs))
            case .botTranscript(let itemId, let text):
                guard let i = agentTurn(itemId) else {
                    if earlyBotTranscripts.count >= 8 { earlyBotTranscripts.removeAll() }  // items that never played
                    earlyBotTranscripts[itemId] = text
                    return []
                }
                turns[i].record.transcript = text
                return [.turn(turns[i].record)]
            case .bargeIn(_, let onsetMs, _, let truncatedItemId, let audioEndMs, let unheardItemIds):
                see(onsetMs)
                var changes: [StoreWrite.Change] = []
                if let item = truncatedItemId, let i = agentTurn(item) {
                    changes += interrupt(i, heardMs: Int64(audioEndMs ?? 0))
                }
                for item in unheardItemIds { if let i = agentTurn(item) { changes += interrupt(i, heardMs: 0) } }
                return changes
            case .dtmf(_, let atMs, _):
                see(atMs)
                return []
            case .fallback:
                fellBack = true
                return []
            case .recordingFinished:
                return []  // handled above
            case .ended(let reason):
                ended = true
                var changes = closeOpenTurns(atMs: latestMediaMs)
                call.endedAt = max(call.startedAt, now())
                call.status = CallRecorder.status(endReason: reason, fellBack: fellBack)
                call.endReason = reason
                changes.append(.call(call))
                return changes
            case .started, .modelConnected, .modelReconnected, .modelSessionRolledOver, .toolCall, .modelError,
                 .protocolError:
                return []
            }
        }

        private mutating func callerTranscript(_ text: String) -> [StoreWrite.Change] {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { return [] }
            var target: Int?
            while !awaitingTranscript.isEmpty, target == nil {
                target = position(ofIndex: awaitingTranscript.removeFirst())
            }
            if target == nil, let last = turns.indices.last, turns[last].record.speaker == .caller { target = last }
            guard let i = target else {
                append(TurnRecord(callSID: call.callSID, index: nextIndex, speaker: .caller, startMediaMs: latestMediaMs,
                                  endMediaMs: latestMediaMs, transcript: trimmed))
                turns[turns.count - 1].open = false
                return [.turn(turns[turns.count - 1].record)]
            }
            let existing = turns[i].record.transcript
            turns[i].record.transcript = existing.isEmpty ? trimmed : existing + " " + trimmed
            return [.turn(turns[i].record)]
        }

        private mutating func see(_ mediaMs: Int) { latestMediaMs = max(latestMediaMs, Int64(mediaMs)) }

        private mutating func append(_ record: TurnRecord, itemId: String? = nil, engineMs: Int? = nil) {
            if turns.count >= CallRecorder.turnMemory { turns.removeFirst() }
            turns.append(TurnState(record: record, itemId: itemId, engineMs: engineMs, open: true))
            nextIndex += 1
        }

        /// The latency of the bot turn answering caller turn `i` when `botAudioStarted` could not give it
        /// (see the type's notes): the bot turn right after it, started after the caller's speech ended.
        private mutating func latencyFromMediaTimes(answering i: Int) -> [StoreWrite.Change] {
            let next = i + 1
            guard next < turns.count, turns[next].record.speaker == .agent, turns[next].record.latency == nil,
                  let engine = turns[next].engineMs, turns[next].record.startMediaMs >= turns[i].record.endMediaMs
            else { return [] }
            let total = Int(turns[next].record.startMediaMs - turns[i].record.endMediaMs)
            turns[next].record.latency = TurnLatency(endOfSpeechToFirstAudioMs: total, modelMs: max(0, total - engine),
                                                     engineMs: engine)
            return [.turn(turns[next].record)]
        }

        private func position(ofIndex index: Int) -> Int? { turns.firstIndex { $0.record.index == index } }

        private func agentTurn(_ itemId: String) -> Int? { turns.lastIndex { $0.itemId == itemId } }

        /// Ends turn `i` at `atMs` (never before its start) and returns its record to write.
        private mutating func close(_ i: Int, atMs: Int64) -> [StoreWrite.Change] {
            turns[i].open = false
            turns[i].record.endMediaMs = max(turns[i].record.startMediaMs, atMs)
            return [.turn(turns[i].record)]
        }

        /// Closes the open turns (of `speaker` only, when given) at `atMs`.
        private mutating func closeOpenTurns(atMs: Int64, speaker: TurnRecord.Speaker? = nil) -> [StoreWrite.Change] {
            turns.indices.filter { turns[$0].open && (speaker == nil || turns[$0].record.speaker == speaker) }
                .flatMap { close($0, atMs: atMs) }
        }

        private mutating func interrupt(_ i: Int, heardMs: Int64) -> [StoreWrite.Change] {
            turns[i].record.interrupted = true
            turns[i].record.truncatedAtMs = max(0, heardMs)
            return close(i, atMs: turns[i].record.startMediaMs + max(0, heardMs))
        }
    }
}
