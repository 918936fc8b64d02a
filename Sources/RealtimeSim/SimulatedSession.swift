import Foundation
import Logging
import MediaEngine
import NIOCore

/// The protocol logic of ONE simulated OpenAI Realtime (GA) connection, without any transport: client
/// event text goes in through `receive(_:)`, server events come out through the `SimulatorEventSink`, in
/// order. `RealtimeSimulatorServer` runs one per WebSocket; tests drive one directly with a test clock.
///
/// Cheap per session, for load tests with hundreds of sessions per core: appends take the allocation-free
/// path (`InputAudioAppendFrame.scan`, in-place base64 and G.711 decoding into reusable buffers, an energy
/// VAD over 10 ms windows), reply audio is pre-encoded and shared (`SpeechClips`), and the only timers are
/// one timer per streaming response (think time, then one wake-up per delta) and an optional fault timer.
/// Nothing fires while a session is idle.
///
/// In the server a session runs on its socket's event loop (`executor`): the socket's handler enters it
/// synchronously (`assumeIsolated`) for each frame, its output is written to the channel from the same
/// loop, and its timers are the loop's scheduled tasks, so a connection costs no task switch per frame.
///
/// Behaviour is described on the handlers (`SimulatedSession+*.swift`) and in `SimulatorScript`.
public actor SimulatedSession {
    /// `sess_…`, as reported in `session.created`.
    public nonisolated let sessionID: String
    public nonisolated let model: String

    let configuration: SimulatorConfiguration
    let clips: SpeechClips
    let sink: any SimulatorEventSink
    /// Drives the timers when they run as Swift tasks (no event loop, or a clock passed in).
    let clock: any Clock<Duration>
    /// The event loop whose scheduled tasks drive the timers instead: the session runs on it in real time.
    nonisolated let timerLoop: (any EventLoop)?
    /// Where the session's code runs: its socket's event loop in the server, so the socket's handler can
    /// enter the session synchronously (`assumeIsolated`). Nil: the session runs like any actor.
    public nonisolated let executor: (any SerialExecutor)?
    private nonisolated let defaultExecutorHost: SessionExecutorHost?

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        if let executor { return executor.asUnownedSerialExecutor() }
        if let defaultExecutorHost { return defaultExecutorHost.unownedExecutor }
        preconditionFailure("a session has either an executor or a host for the default one (see init)")
    }
    let faults: SimulatorFaults
    let logger: Logger
    /// Unix time (s) the session would expire at, as reported.
    let expiresAt: Int

    var ids: SimulatorIDs
    var settings: SimulatedSessionSettings
    var conversation = SimulatedConversation()
    var detector: SimulatedTurnDetector
    let scratch = InputAudioScratch()

    /// Input timeline ms where the uncommitted input buffer begins.
    var bufferStartMs = 0
    /// The user item announced by `speech_started`, until its turn is committed.
    var speechItemID: String?
    var speechStartMs = 0
    /// Committed user audio turns so far (the script's turn counter).
    var audioTurnCount = 0
    /// Committed user audio, ms (for usage figures).
    var committedInputMs = 0
    /// The caller's latest utterance, audio (scripted transcript) or typed; rules match it.
    var lastUtterance: Utterance?
    var utteranceCount = 0
    /// The utterance a rule already answered with a function call (rules fire once per utterance).
    var calledUtterance: Int?
    /// Function calls awaiting their output: call id -> the rule's follow-up reply.
    var callFollowUps: [String: SimulatorScript.Reply?] = [:]
    /// A finished user turn whose transcription event is due (sent after the next `response.created`, or
    /// at once when no response follows).
    var pendingTranscription: (itemID: String, transcript: String, durationMs: Int)?

    var activeResponse: SimulatedResponse?
    var responseTimer: SessionTimer?
    var faultTimer: SessionTimer?
    var assistantAudioProduced = false
    var eventsSent = 0
    /// No more output (the transport closed, or a fault closed it).
    var closed = false
    var ended = false
    var started = false

    struct Utterance {
        var text: String
        /// 1-based audio turn number; nil for typed text.
        var audioTurn: Int?
        var serial: Int
    }

    /// - Parameters:
    ///   - model: from the client's `?model=`; nil uses `configuration.defaultModel`.
    ///   - faults: the faults for this connection (the server decides which connections get them); nil
    ///     uses `configuration.faults`.
    ///   - clock: drives think time, pacing and the close-after-ms fault (tests pass a manual clock). Nil:
    ///     real time, kept by the event loop's timers when `executor` is an event loop, else by a
    ///     `ContinuousClock`.
    ///   - executor: where the session runs (the socket's `EventLoop.executor` in the server). Nil: a
    ///     default serial executor of its own.
    public init(configuration: SimulatorConfiguration, clips: SpeechClips, model: String? = nil,
                faults: SimulatorFaults? = nil, sink: any SimulatorEventSink,
                clock: (any Clock<Duration>)? = nil, executor: (any SerialExecutor)? = nil) {
        self.executor = executor
        defaultExecutorHost = executor == nil ? SessionExecutorHost() : nil
        timerLoop = clock == nil ? executor as? any EventLoop : nil
        var ids = SimulatorIDs()
        let sessionID = ids.next("sess")
        self.ids = ids
        self.sessionID = sessionID
        self.model = model ?? configuration.defaultModel
        self.configuration = configuration
        self.clips = clips
        self.sink = sink
        self.clock = clock ?? ContinuousClock()
        self.faults = faults ?? configuration.faults
        var logger = configuration.logger
        logger[metadataKey: "realtime.session"] = .string(sessionID)
        self.logger = logger
        expiresAt = Int(Date().timeIntervalSince1970) + 3600
        let settings = SimulatedSessionSettings(model: model ?? configuration.defaultModel)
        self.settings = settings
        detector = SimulatedTurnDetector(settings: settings.vad?.settings ?? .init(threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 500))
    }

    /// Sends `session.created` and arms the close-after-ms fault. Call once, before `receive`.
    public func start() {
        guard !started, !closed else { return }
        started = true
        observe(.sessionStarted(sessionID: sessionID, model: model))
        sendSession(created: true)
        if let ms = faults.closeAfterMs {
            let code = faults.closeCode
            let reason = "simulated fault: closed after \(ms) ms"
            if let loop = timerLoop {
                faultTimer = .scheduled(loop.scheduleTask(in: .milliseconds(Int64(ms))) { [self] in
                    assumeIsolated { $0.terminate(code: code, reason: reason) }
                })
            } else {
                let clock = clock
                faultTimer = .task(Task { [weak self] in
                    try? await clock.sleep(for: .milliseconds(ms))
                    guard !Task.isCancelled else { return }
                    await self?.terminate(code: code, reason: reason)
                })
            }
        }
    }

    /// Handles one client event (one WebSocket text frame). Malformed or invalid events are answered with
    /// an `error` event; the session stays usable.
    public func receive(_ text: String) {
        guard !closed else { return }
        var text = text
        text.withUTF8 { receive(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// Handles one client event given as the UTF-8 bytes of a text frame (read in place; the transport's
    /// path, so an append, the usual frame, makes no `String`).
    public func receive(utf8: UnsafeRawBufferPointer) {
        guard !closed else { return }
        if let frame = InputAudioAppendFrame.scan(utf8) {
            let bytes = utf8.assumingMemoryBound(to: UInt8.self)
            appendAudio(UnsafeBufferPointer(rebasing: bytes[frame.audio])) {
                frame.eventID.map { String(decoding: UnsafeBufferPointer(rebasing: bytes[$0]), as: UTF8.self) }
            }
            return
        }
        let text = String(decoding: utf8, as: UTF8.self)
        let event: RealtimeClientEvent
        do {
            event = try RealtimeClientEvent.decode(text)
        } catch {
            rejectUndecodable(text, error)
            return
        }
        handle(event)
    }

    /// A binary frame: the API speaks JSON text only.
    public func receiveBinary() {
        guard !closed else { return }
        sendError(code: "invalid_value", message: "Binary WebSocket frames are not supported; send JSON text frames.",
                  param: nil, clientEventID: nil)
    }

    /// The transport is gone: stops all work. Idempotent.
    public func close() {
        closed = true
        stopTasks()
        if !ended {
            ended = true
            observe(.sessionEnded(sessionID: sessionID))
        }
    }

    /// Closes the connection from the server side with `code` (faults, server shutdown).
    public func terminate(code: UInt16, reason: String) {
        guard !closed else { return }
        closed = true
        stopTasks()
        logger.info("closing connection", metadata: ["code": "\(code)", "reason": "\(reason)"])
        if reason.hasPrefix("simulated fault") { observe(.closedByFault(sessionID: sessionID, reason: reason)) }
        sink.emit(.close(code: code, reason: reason))
    }

    private func stopTasks() {
        responseTimer?.cancel()
        responseTimer = nil
        faultTimer?.cancel()
        faultTimer = nil
    }

    private func handle(_ event: RealtimeClientEvent) {
        switch event {
        case .sessionUpdate(let update, let eventID):
            updateSession(update, clientEventID: eventID)
        case .inputAudioBufferAppend(let audio, let eventID):
            var audio = audio
            audio.withUTF8 { appendAudio($0) { eventID } }
        case .inputAudioBufferCommit(let eventID):
            commitInputBuffer(clientEventID: eventID)
        case .inputAudioBufferClear(let eventID):
            clearInputBuffer(clientEventID: eventID)
        case .conversationItemCreate(let item, let previousItemID, let eventID):
            createItem(item, after: previousItemID, clientEventID: eventID)
        case .conversationItemTruncate(let itemID, let contentIndex, let audioEndMs, let eventID):
            truncateItem(itemID, contentIndex: contentIndex, audioEndMs: audioEndMs, clientEventID: eventID)
        case .conversationItemDelete(let itemID, let eventID):
            deleteItem(itemID, clientEventID: eventID)
        case .responseCreate(let parameters, let eventID):
            createResponse(parameters, clientEventID: eventID)
        case .responseCancel(let responseID, let eventID):
            cancelResponse(responseID, clientEventID: eventID)
        }
    }

    // MARK: Output

    func nextEventID() -> String { ids.next("event") }

    /// Encodes and sends one event (the general path; audio deltas have their own).
    func send(_ event: RealtimeServerEvent) {
        guard !closed else { return }
        do {
            emit(try event.jsonText())
        } catch {
            logger.error("cannot encode server event", metadata: ["type": "\(event.type)", "error": "\(error)"])
        }
    }

    /// Hands one frame to the transport and applies the close-after-events fault.
    func emit(_ text: String) {
        guard !closed else { return }
        sink.emit(.event(text))
        eventsSent += 1
        if let limit = faults.closeAfterEvents, eventsSent >= limit {
            terminate(code: faults.closeCode, reason: "simulated fault: closed after \(limit) events")
        }
    }

    /// Sends an `error` event (type invalid_request_error) naming the client's event.
    func sendError(code: String?, message: String, param: String?, clientEventID: String?) {
        logger.notice("rejected client event", metadata: ["code": "\(code ?? "null")", "message": "\(message)"])
        observe(.errorSent(sessionID: sessionID, code: code, message: message))
        send(.error(.init(eventID: nextEventID(), error: RealtimeErrorDetails(
            type: "invalid_request_error", code: code, message: message, param: param, eventID: clientEventID))))
    }

    func observe(_ observation: SimulatorObservation) {
        configuration.observer?(observation)
    }

    /// Answers a frame that did not decode, with the codes the real API uses for the same mistakes.
    private func rejectUndecodable(_ text: String, _ error: RealtimeEventDecodingError) {
        let clientEventID = (try? JSONValue(parsing: text))?["event_id"]?.stringValue
        switch error {
        case .malformedJSON(let reason):
            sendError(code: "invalid_json", message: "The server could not parse the JSON of your event: \(reason)",
                      param: nil, clientEventID: clientEventID)
        case .missingField(_, let field):
            sendError(code: "missing_required_parameter", message: "Missing required parameter: '\(field)'.",
                      param: field, clientEventID: clientEventID)
        case .invalidField(_, let field, let reason):
            sendError(code: "invalid_value", message: "Invalid value for '\(field)': \(reason)",
                      param: field, clientEventID: clientEventID)
        case .unsupportedClientEvent(let type, let eventID):
            sendError(code: "invalid_value", message: "Invalid value: '\(type)'. This simulator supports session.update, "
                        + "input_audio_buffer.*, conversation.item.create/truncate/delete and response.create/cancel.",
                      param: "type", clientEventID: eventID ?? clientEventID)
        }
    }
}

/// An actor that never runs anything: a session without an executor of its own borrows this one's default
/// serial executor (an actor may share another actor's executor, SE-0392).
final actor SessionExecutorHost {}
