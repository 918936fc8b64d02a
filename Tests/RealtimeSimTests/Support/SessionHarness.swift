import MediaEngine
@testable import RealtimeSim

/// Drives one `SimulatedSession` without sockets: sends client events, records every output with the
/// manual clock's time at emission, and waits (with a generous real-time limit) for conditions, moving the
/// manual clock forward only when asked to.
final class SessionHarness: Sendable {
    struct Record: Sendable {
        var at: ManualClock.Instant
        var output: SimulatorOutput
    }

    final class RecordingSink: SimulatorEventSink {
        let clock: ManualClock
        let records = Locked<[Record]>([])

        init(clock: ManualClock) { self.clock = clock }

        func emit(_ output: SimulatorOutput) {
            let at = clock.now
            records.withLock { $0.append(Record(at: at, output: output)) }
        }
    }

    struct TimeoutError: Error, CustomStringConvertible {
        var description: String
    }

    let clock = ManualClock()
    let sink: RecordingSink
    let session: SimulatedSession
    let log = SimulatorObservationLog()

    init(configuration: SimulatorConfiguration = .instant()) throws {
        var configuration = configuration
        configuration.observer = log.record
        sink = RecordingSink(clock: clock)
        session = SimulatedSession(configuration: configuration, clips: try SpeechClips.bundled(), sink: sink, clock: clock)
    }

    static func started(_ configuration: SimulatorConfiguration = .instant()) async throws -> SessionHarness {
        let harness = try SessionHarness(configuration: configuration)
        await harness.session.start()
        return harness
    }

    var records: [Record] { sink.records.withLock { $0 } }

    /// Every server event so far, decoded.
    var events: [RealtimeServerEvent] {
        records.compactMap { record in
            guard case .event(let text) = record.output else { return nil }
            return try? RealtimeServerEvent.decode(text)
        }
    }

    /// Events with their emission times.
    var timedEvents: [(at: ManualClock.Instant, event: RealtimeServerEvent)] {
        records.compactMap { record in
            guard case .event(let text) = record.output, let event = try? RealtimeServerEvent.decode(text) else { return nil }
            return (record.at, event)
        }
    }

    var types: [String] { events.map(\.type) }

    func send(_ event: RealtimeClientEvent) async throws {
        await session.receive(try event.jsonText())
    }

    func send(raw text: String) async {
        await session.receive(text)
    }

    /// Sends `codes` (8 kHz mu-law) as 20 ms `input_audio_buffer.append` frames, built like the engine does.
    func appendMuLaw(_ codes: [UInt8]) async {
        var start = 0
        while start < codes.count {
            let end = min(codes.count, start + 160)
            let base64 = Array(Base64.encode(Array(codes[start..<end])).utf8)
            if let frame = InputAudioAppendFrame.frame(audioBase64: base64) {
                await session.receive(String(decoding: frame, as: UTF8.self))
            }
            start = end
        }
    }

    /// Waits until `condition` holds for the events so far. With `advancingClock`, wakes the earliest
    /// manual-clock sleeper whenever nothing else is happening.
    func waitUntil(advancingClock: Bool = true, _ what: String = "condition",
                   _ condition: ([RealtimeServerEvent]) -> Bool) async throws {
        let limit = ContinuousClock.now + .seconds(30)
        while !condition(events) {
            guard ContinuousClock.now < limit else { throw TimeoutError(description: "timed out waiting for \(what); got \(types)") }
            // Give woken tasks a moment to run (and to register their next sleep) before moving time again.
            try await Task.sleep(for: .milliseconds(1))
            if advancingClock, !condition(events) { clock.advanceToNextDeadline() }
        }
    }

    /// Waits for an event of `type` and returns the first one.
    @discardableResult
    func waitFor(_ type: String, advancingClock: Bool = true) async throws -> RealtimeServerEvent {
        try await waitUntil(advancingClock: advancingClock, type) { $0.contains { $0.type == type } }
        guard let event = events.first(where: { $0.type == type }) else { throw TimeoutError(description: type) }
        return event
    }

    /// The first `error` event's details, if any.
    var firstError: RealtimeErrorDetails? {
        for event in events { if case .error(let e) = event { return e.error } }
        return nil
    }
}

extension RealtimeServerEvent {
    /// Decoded audio bytes of an output audio delta; nil for other events.
    var audioDeltaBytes: [UInt8]? {
        guard case .responseOutputAudioDelta(let delta) = self else { return nil }
        return try? Base64.decode(delta.delta)
    }
}
