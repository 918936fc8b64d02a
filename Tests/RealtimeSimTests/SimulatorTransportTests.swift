import MediaEngine
@testable import RealtimeSim
import Testing

/// The simulator's wire behaviour over a bare TCP socket: HTTP endpoints, the upgrade's answers, framing
/// (fragments, ping, the close handshake) and a response streamed end to end.
@Suite("RealtimeSimulatorServer transport (raw sockets)")
struct SimulatorTransportTests {
    static let session = "/v1/realtime?model=gpt-realtime"

    /// Runs `body` against a fresh server; stops it afterwards whatever happens.
    static func withServer(_ configuration: SimulatorConfiguration = .instant(),
                           _ body: (RealtimeSimulatorServer, Int) async throws -> Void) async throws {
        let server = try RealtimeSimulatorServer(configuration: configuration)
        let port = try await server.start()
        do {
            try await body(server, port)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// A client past the handshake, having read `session.created`.
    static func openSession(port: Int) async throws -> RawSocketClient {
        let client = try await RawSocketClient.connect(port: port)
        try await client.send(RawSocketClient.upgradeRequest(path: session))
        #expect(try await client.readResponseHead().status == 101)
        let created = try #require(await client.nextText())
        #expect(try RealtimeServerEvent.decode(created).type == "session.created")
        return client
    }

    @Test func healthAnswersOk() async throws {
        try await Self.withServer { _, port in
            let client = try await RawSocketClient.connect(port: port)
            try await client.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            let response = String(decoding: await client.readToEnd(), as: UTF8.self)
            #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(response.hasSuffix("\r\n\r\nok"))
        }
    }

    @Test func otherPathsAnswer404EvenAsAnUpgrade() async throws {
        try await Self.withServer { server, port in
            let plain = try await RawSocketClient.connect(port: port)
            try await plain.send("GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(try await plain.readResponseHead().status == 404)
            // Keep-alive: the same socket answers a second request.
            try await plain.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(try await plain.readResponseHead().status == 200)
            await plain.close()

            let upgrade = try await RawSocketClient.connect(port: port)
            try await upgrade.send(RawSocketClient.upgradeRequest(path: "/v1/elsewhere"))
            #expect(try await upgrade.readResponseHead().status == 404)
            await upgrade.close()
            #expect(server.connectionsAccepted == 0)
            #expect(server.connectionsRefused == 0)
        }
    }

    @Test func anUpgradeWithoutABearerTokenIsAnswered401() async throws {
        try await Self.withServer { server, port in
            let client = try await RawSocketClient.connect(port: port)
            try await client.send(RawSocketClient.upgradeRequest(path: Self.session, bearer: nil))
            let response = String(decoding: await client.readToEnd(), as: UTF8.self)
            #expect(response.hasPrefix("HTTP/1.1 401 Unauthorized\r\n"))
            #expect(response.contains(#""type":"invalid_request_error""#))
            #expect(server.connectionsRefused == 1)
            #expect(server.connectionsAccepted == 0)
        }
    }

    @Test func theRefuseConnectionsFaultIsAnswered503() async throws {
        try await Self.withServer { server, port in
            server.setFaults(SimulatorFaults(refuseConnections: true, affectedConnections: 1))
            let refused = try await RawSocketClient.connect(port: port)
            try await refused.send(RawSocketClient.upgradeRequest(path: Self.session))
            #expect(try await refused.readResponseHead().status == 503)
            await refused.close()
            let accepted = try await Self.openSession(port: port)
            await accepted.close()
            #expect(server.connectionsRefused == 1)
            #expect(server.connectionsAccepted == 1)
        }
    }

    @Test func aFragmentedClientMessageIsJoined() async throws {
        try await Self.withServer { _, port in
            let client = try await Self.openSession(port: port)
            let update = #"{"type":"session.update","event_id":"evt_fragments","session":{"type":"realtime","instructions":"Speak Hebrew."}}"#
            let utf8 = Array(update.utf8)
            let thirds = [utf8[..<30], utf8[30..<70], utf8[70...]].map { String(decoding: $0, as: UTF8.self) }
            try await client.send(RawSocketClient.textFrame(thirds[0], fin: false))
            // A ping between fragments is answered without disturbing the message.
            try await client.send(RawSocketClient.frame(opcode: 0x9, payload: Array("mid".utf8)))
            try await client.send(RawSocketClient.textFrame(thirds[1], fin: false, continuation: true))
            try await client.send(RawSocketClient.textFrame(thirds[2], fin: true, continuation: true))
            let pong = try #require(await client.nextFrame())
            #expect(pong == RawSocketClient.Frame(fin: true, opcode: 0xA, payload: Array("mid".utf8)))
            let answer = try RealtimeServerEvent.decode(try #require(await client.nextText()))
            guard case .sessionUpdated(let updated) = answer else {
                Issue.record("expected session.updated, got \(answer.type)")
                return
            }
            #expect(updated.session["instructions"]?.stringValue == "Speak Hebrew.")
            await client.close()
        }
    }

    @Test func aPingIsAnsweredWithAPongCarryingItsPayload() async throws {
        try await Self.withServer { _, port in
            let client = try await Self.openSession(port: port)
            try await client.send(RawSocketClient.frame(opcode: 0x9, payload: [1, 2, 3, 250]))
            #expect(await client.nextFrame() == RawSocketClient.Frame(fin: true, opcode: 0xA, payload: [1, 2, 3, 250]))
            await client.close()
        }
    }

    @Test func aClientCloseIsEchoedAndEndsTheSession() async throws {
        try await Self.withServer { server, port in
            let client = try await Self.openSession(port: port)
            #expect(server.activeSessionCount == 1)
            try await client.send(RawSocketClient.frame(opcode: 0x8, payload: [0x03, 0xE8] + Array("bye".utf8)))
            let close = try #require(await client.nextFrame())
            #expect(close.opcode == 0x8)
            #expect(close.closeCode == 1000)
            #expect(await client.nextFrame() == nil)  // then the server closes the socket
            // The session leaves the registry as the server's socket closes (its close callbacks may run
            // just after the client sees the end of the stream).
            for _ in 0..<500 where server.activeSessionCount > 0 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(server.activeSessionCount == 0)
        }
    }

    /// A protocol violation fails the connection (RFC 6455 §7.1.7): the close goes out and the socket
    /// closes once it is written, without waiting for an answer the server would no longer read (its
    /// close handshake timeout, 2 s, is the bound checked).
    @Test func aProtocolViolationClosesTheSocketAtOnce() async throws {
        try await Self.withServer { server, port in
            let violations: [([UInt8], UInt16)] = [
                (RawSocketClient.textFrame(#""type":"x"}"#, continuation: true), 1002),  // nothing to continue
                (RawSocketClient.frame(opcode: 0x8, payload: [0x03]), 1002),  // a one-byte close status
                (RawSocketClient.frame(opcode: 0x8, payload: [0x03, 0xED]), 1002),  // 1005 may not be sent
            ]
            for (bytes, code) in violations {
                let client = try await Self.openSession(port: port)
                let started = ContinuousClock.now
                try await client.send(bytes)
                let close = try #require(await client.nextFrame())
                #expect(close.opcode == 0x8)
                #expect(close.closeCode == code)
                #expect(await client.nextFrame() == nil, "the server closed the socket")
                #expect(ContinuousClock.now - started < .seconds(2), "before the close handshake's timeout")
            }
            for _ in 0..<500 where server.activeSessionCount > 0 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(server.activeSessionCount == 0)
        }
    }

    @Test func aClientCloseWithoutAStatusIsEchoedWithout() async throws {
        try await Self.withServer { _, port in
            let client = try await Self.openSession(port: port)
            try await client.send(RawSocketClient.frame(opcode: 0x8, payload: []))
            #expect(await client.nextFrame() == RawSocketClient.Frame(fin: true, opcode: 0x8, payload: []))
            #expect(await client.nextFrame() == nil)
        }
    }

    @Test func theCloseAfterMsFaultClosesFromTheSocketsEventLoop() async throws {
        try await Self.withServer { server, port in
            server.setFaults(SimulatorFaults(closeAfterMs: 30, closeCode: 1011, affectedConnections: 1))
            let client = try await Self.openSession(port: port)
            let close = try #require(await client.nextFrame())
            #expect(close.opcode == 0x8)
            #expect(close.closeCode == 1011)
            // The close handshake: the client answers, then the server closes the socket.
            try await client.send(RawSocketClient.frame(opcode: 0x8, payload: [0x03, 0xF3]))
            #expect(await client.nextFrame() == nil)
        }
    }

    @Test func aResponseStreamsItsAudioDeltasEndToEnd() async throws {
        try await Self.withServer(SimulatorConfiguration(thinkTimeMs: 20, pacing: .realTimeMultiple(16), deltaDurationMs: 100)) { _, port in
            let client = try await Self.openSession(port: port)
            try await client.send(RawSocketClient.textFrame(try RealtimeClientEvent.responseCreate(nil).jsonText()))
            var types: [String] = []
            var audioBytes = 0
            while let text = await client.nextText() {
                let event = try RealtimeServerEvent.decode(text)
                types.append(event.type)
                if case .responseOutputAudioDelta(let delta) = event { audioBytes += try Base64.decode(delta.delta).count }
                if case .responseDone(let done) = event {
                    #expect(done.response.status == .completed)
                    break
                }
            }
            #expect(types.first == "response.created")
            #expect(types.count(where: { $0 == "response.output_audio.delta" }) > 1)
            #expect(types.last == "response.done")
            // The greeting's audio, all of it (24 kHz PCM16 by default: 2 bytes a sample).
            #expect(audioBytes > 0 && audioBytes % 2 == 0)
            await client.close()
        }
    }
}
