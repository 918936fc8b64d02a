import HummingbirdWSClient
import Logging
import MediaEngine
@testable import RealtimeSim
import Testing

@Suite("RealtimeSimulatorServer over loopback sockets")
struct RealtimeSimulatorServerTests {
    struct TimeoutError: Error {}

    /// Collects what a client handler saw (the handler runs in the client's task).
    actor Seen {
        var events: [RealtimeServerEvent] = []
        var sentAudioBytes = 0
        func append(_ event: RealtimeServerEvent) { events.append(event) }
        func addAudio(_ bytes: Int) { sentAudioBytes += bytes }
        var types: [String] { events.map(\.type) }
    }

    static let logger = Logger(label: "kol.realtime-sim.tests")

    static func clientConfiguration(beta: Bool = false, authorized: Bool = true) -> WebSocketClientConfiguration {
        var configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 20)
        if authorized { configuration.additionalHeaders[.authorization] = "Bearer sk-simulator-test" }
        if beta { configuration.additionalHeaders[.init("OpenAI-Beta")!] = "realtime=v1" }
        return configuration
    }

    /// Runs `body` against a fresh server on 127.0.0.1 and an ephemeral port, with a generous time limit.
    static func withServer(_ configuration: SimulatorConfiguration,
                           _ body: @escaping @Sendable (RealtimeSimulatorServer, Int) async throws -> Void) async throws {
        let server = try RealtimeSimulatorServer(configuration: configuration)
        let port = try await server.start()
        #expect(port > 0)
        #expect(server.url == "ws://127.0.0.1:\(port)/v1/realtime")
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await body(server, port) }
                group.addTask {
                    try await Task.sleep(for: .seconds(60))
                    throw TimeoutError()
                }
                try await group.next()
                group.cancelAll()
            }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
        #expect(server.port == nil)
    }

    @Test func aVoiceTurnOverTheSocketGetsSpeechEventsAReplyAndATruncation() async throws {
        let log = SimulatorObservationLog()
        var configuration = SimulatorConfiguration(thinkTimeMs: 0, pacing: .realTimeMultiple(8), deltaDurationMs: 100)
        configuration.observer = log.record
        let audio = Fixtures.silence(ms: 500) + (try Fixtures.callerMuLaw("appointment")) + Fixtures.silence(ms: 800)
        let seen = Seen()
        try await Self.withServer(configuration) { server, port in
            let close = try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(port)/v1/realtime?model=gpt-realtime", configuration: Self.clientConfiguration(),
                logger: Self.logger
            ) { inbound, outbound, _ in
                try await outbound.write(.text(try Fixtures.phoneSession().jsonText()))
                for start in stride(from: 0, to: audio.count, by: 160) {
                    let base64 = Array(Base64.encode(Array(audio[start..<min(audio.count, start + 160)])).utf8)
                    guard let frame = InputAudioAppendFrame.frame(audioBase64: base64) else { continue }
                    try await outbound.write(.text(String(decoding: frame, as: UTF8.self)))
                }
                var assistantItem: String?
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    guard case .text(let text) = message else { continue }
                    let event = try RealtimeServerEvent.decode(text)
                    await seen.append(event)
                    switch event {
                    case .responseOutputAudioDelta(let delta):
                        assistantItem = delta.itemID
                        await seen.addAudio(try Base64.decode(delta.delta).count)
                    case .responseDone:
                        // The caller "heard" half of the reply.
                        let heardMs = await seen.sentAudioBytes / 8 / 2
                        if let assistantItem {
                            try await outbound.write(.text(try RealtimeClientEvent.conversationItemTruncate(
                                itemID: assistantItem, audioEndMs: heardMs).jsonText()))
                        }
                    case .conversationItemTruncated, .error:
                        return
                    default:
                        break
                    }
                }
            }
            #expect(close?.closeCode == .normalClosure)
            #expect(server.connectionsAccepted == 1)
        }
        let types = await seen.types
        #expect(types.first == "session.created")
        #expect((await seen.events).containsInOrder([
            "session.updated", "input_audio_buffer.speech_started", "input_audio_buffer.speech_stopped",
            "input_audio_buffer.committed", "response.created", "response.output_audio.delta", "response.done",
            "conversation.item.truncated",
        ]))
        #expect(!types.contains("error"))
        let reply = try Fixtures.botClip("ask-details")
        #expect(await seen.sentAudioBytes == reply.samples.count)
        let record = try #require(log.truncations.first)
        #expect(record.sentMs == reply.samples.count / 8)
        #expect(record.audioEndMs == reply.samples.count / 8 / 2)
        #expect(log.observations.contains { if case .sessionEnded = $0 { true } else { false } })
    }

    @Test func theBetaHeaderIsRefusedWithCode4000() async throws {
        let seen = Seen()
        try await Self.withServer(.instant()) { _, port in
            let close = try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(port)/v1/realtime?model=gpt-realtime", configuration: Self.clientConfiguration(beta: true),
                logger: Self.logger
            ) { inbound, _, _ in
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    if case .text(let text) = message { await seen.append(try RealtimeServerEvent.decode(text)) }
                }
            }
            #expect(close?.closeCode == .unknown(4000))
        }
        let events = await seen.events
        guard case .error(let error)? = events.first else {
            Issue.record("expected an error event, got \(events.map(\.type))")
            return
        }
        #expect(events.count == 1)
        #expect(error.error.code == "beta_api_shape_disabled")
        #expect(error.error.type == "invalid_request_error")
    }

    @Test func connectionsWithoutABearerTokenAreRefused() async throws {
        try await Self.withServer(.instant()) { server, port in
            await #expect(throws: (any Error).self) {
                try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/v1/realtime",
                                                  configuration: Self.clientConfiguration(authorized: false),
                                                  logger: Self.logger) { _, _, _ in }
            }
            #expect(server.connectionsRefused == 1)
            #expect(server.connectionsAccepted == 0)
        }
    }

    @Test func faultsDropAndRefuseOnlyTheAffectedConnections() async throws {
        try await Self.withServer(.instant()) { server, port in
            let url = "ws://127.0.0.1:\(port)/v1/realtime?model=gpt-realtime"
            /// Connects, waits for session.created, then hangs up; returns the close frame's code.
            @Sendable func connectOnce() async throws -> WebSocketCloseFrame? {
                let close = try await WebSocketClient.connect(url: url, configuration: Self.clientConfiguration(),
                                                              logger: Self.logger) { inbound, _, _ in
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        if case .text(let text) = message, text.contains("session.created") { return }
                    }
                }
                return close
            }

            server.setFaults(SimulatorFaults(refuseConnections: true, affectedConnections: 1))
            await #expect(throws: (any Error).self) { _ = try await connectOnce() }
            #expect(try await connectOnce()?.closeCode == .normalClosure)

            // The next connection is dropped right after session.created; the one after it is fine.
            server.setFaults(SimulatorFaults(closeAfterEvents: 1, closeCode: 1011, affectedConnections: 1))
            let dropped = try await WebSocketClient.connect(url: url, configuration: Self.clientConfiguration(),
                                                            logger: Self.logger) { inbound, _, _ in
                for try await _ in inbound.messages(maxSize: 1 << 20) {}
            }
            #expect(dropped?.closeCode == .unexpectedServerError)
            #expect(try await connectOnce()?.closeCode == .normalClosure)
            #expect(server.connectionsAccepted == 3)
            #expect(server.connectionsRefused == 1)
        }
    }

    @Test func startFailsWhenThePortIsTaken() async throws {
        try await Self.withServer(.instant()) { _, port in
            let second = try RealtimeSimulatorServer(configuration: .instant(), port: port)
            await #expect(throws: (any Error).self) { _ = try await second.start() }
            #expect(second.port == nil)
        }
    }

    @Test func closeAllConnectionsDropsAnOpenCall() async throws {
        try await Self.withServer(.instant()) { server, port in
            let close = try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/v1/realtime",
                                                          configuration: Self.clientConfiguration(),
                                                          logger: Self.logger) { inbound, _, _ in
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    if case .text(let text) = message, text.contains("session.created") {
                        #expect(server.activeSessionCount == 1)
                        await server.closeAllConnections(code: 1001, reason: "going away")
                    }
                }
            }
            #expect(close?.closeCode == .goingAway)
        }
    }
}
