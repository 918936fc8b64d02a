import Hummingbird
import HummingbirdWebSocket
import MediaEngine

/// One WebSocket connection: the handshake checks, then a `SimulatedSession` wired to the socket.
extension RealtimeSimulatorServer {
    /// The most a client frame may carry (an append may hold up to 15 MiB of base64).
    static let maxMessageBytes = 16 << 20

    /// Refuses the upgrade without `Authorization: Bearer <token>`, and under the refuse-connections fault.
    /// (A refused upgrade reaches the client as a failed handshake: hummingbird-websocket answers it with
    /// an HTTP redirect and closes, where the real API answers 401.)
    func shouldUpgrade(_ request: Request) -> RouterShouldUpgrade {
        let authorization = request.headers[.authorization] ?? ""
        guard authorization.hasPrefix("Bearer "), authorization.count > "Bearer ".count else {
            logger.notice("refused a connection without an Authorization: Bearer header")
            state.withLock { $0.connectionsRefused += 1 }
            return .dontUpgrade
        }
        let refused = state.withLock { state -> Bool in
            guard state.faults.refuseConnections else { return false }
            guard state.takeFaults().refuseConnections else { return false }
            state.connectionsRefused += 1
            return true
        }
        if refused {
            logger.notice("refused a connection (simulated fault)")
            return .dontUpgrade
        }
        return .upgrade([:])
    }

    /// Runs one connection: a session fed by the inbound frames, its output drained into the socket by a
    /// child task, until either side closes.
    func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, request: Request) async {
        if request.headers.contains(where: { $0.name.canonicalName == "openai-beta" }) {
            await rejectBetaShape(inbound: inbound, outbound: outbound)
            return
        }
        let model = request.uri.queryParameters.get("model")
        let faults = state.withLock { state -> SimulatorFaults in
            state.connectionsAccepted += 1
            return state.takeFaults()
        }
        let (stream, sink) = AsyncStreamEventSink.makeStream()
        let session = SimulatedSession(configuration: configuration, clips: clips, model: model, faults: faults, sink: sink)
        state.withLock { $0.sessions[session.sessionID] = session }
        defer { state.withLock { _ = $0.sessions.removeValue(forKey: session.sessionID) } }
        await session.start()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await output in stream {
                    switch output {
                    case .event(let text):
                        do { try await outbound.write(.text(text)) } catch { return }
                    case .close(let code, let reason):
                        try? await outbound.close(.init(codeNumber: Int(code)), reason: reason)
                        return
                    }
                }
            }
            do {
                for try await message in inbound.messages(maxSize: Self.maxMessageBytes) {
                    switch message {
                    case .text(let text): await session.receive(text)
                    case .binary: await session.receiveBinary()
                    }
                }
            } catch {
                logger.debug("connection ended with an error", metadata: ["error": "\(error)"])
            }
            await session.close()
            sink.continuation.finish()
        }
    }

    /// The retired beta handshake: one `error` event (`beta_api_shape_disabled`), then close code 4000.
    private func rejectBetaShape(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        logger.notice("rejected a connection with the OpenAI-Beta header")
        var ids = SimulatorIDs()
        let error = RealtimeServerEvent.error(.init(eventID: ids.next("event"), error: RealtimeErrorDetails(
            type: "invalid_request_error", code: "beta_api_shape_disabled",
            message: "The Realtime Beta API is no longer supported. Please use /v1/realtime for the GA API.")))
        if let text = try? error.jsonText() { try? await outbound.write(.text(text)) }
        try? await outbound.close(.init(codeNumber: 4000), reason: "beta_api_shape_disabled")
        do {
            for try await _ in inbound {}
        } catch {}
    }
}
