import Logging
import MediaEngine
import NIOCore
import NIOPosix
import RealtimeSim
import Synchronization
import Testing
@testable import engine_server

/// The NIO dialer against the local Realtime simulator over loopback.
@Suite("NIORealtimeDialer against the simulator")
struct NIORealtimeDialerTests {
    struct TimeoutError: Error {}

    @Test func aSessionOnTheCallsLoopGetsSessionCreatedAndAnAudioResponse() async throws {
        let server = try RealtimeSimulatorServer(configuration: Self.simulator(thinkTimeMs: 0))
        let port = try await server.start()
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let seen = SeenEvents()
        let receiver = RealtimeReceiver(
            executor: loop.executor,
            opened: { link in seen.setLink(link) },
            receive: { _ in seen.record("general path used") },
            receiveOnExecutor: { raw in
                loop.preconditionInEventLoop()
                guard let event = try? RealtimeServerEvent.decode(raw) else { seen.record("undecodable"); return true }
                seen.record(event.type)
                switch event {
                case .sessionCreated:
                    seen.link?.send((try? RealtimeClientEvent.responseCreate().jsonBytes()) ?? [])
                case .responseOutputAudioDelta(let delta):
                    seen.addAudio(delta.delta.utf8.count)
                case .responseDone:
                    if let link = seen.link { Task { await link.close() } }
                default:
                    break
                }
                return true
            },
            roomForAudio: {})
        let endpoint = RealtimeEndpoint(url: "ws://127.0.0.1:\(port)/v1/realtime", apiKey: "sk-simulator-test")
        do {
            try await Self.withTimeout { try await NIORealtimeDialer().dial(endpoint, model: "gpt-realtime", receiver: receiver) }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
        let types = seen.types
        #expect(types.first == "session.created")
        #expect(types.contains("response.created"))
        #expect(types.contains("response.output_audio.delta"))
        #expect(types.contains("response.done"))
        #expect(seen.audioBase64Bytes > 0)
        #expect(!types.contains("general path used"))
    }

    @Test func aRefusedUpgradeThrowsAnErrorNamingTheHTTPStatus() async throws {
        let server = try RealtimeSimulatorServer(configuration: Self.simulator(thinkTimeMs: 300))
        let port = try await server.start()
        let receiver = RealtimeReceiver(executor: nil, opened: { _ in }, receive: { _ in }, receiveOnExecutor: { _ in true }, roomForAudio: {})
        // No API key: the simulator refuses the upgrade, as the real API does.
        let endpoint = RealtimeEndpoint(url: "ws://127.0.0.1:\(port)/v1/realtime", apiKey: nil)
        let outcome = await Self.result { try await Self.withTimeout { try await NIORealtimeDialer().dial(endpoint, model: "gpt-realtime", receiver: receiver) } }
        await server.stop()
        let error = try #require(outcome as? RealtimeConnectionError)
        guard case .upgradeRefused(let status, _) = error else {
            Issue.record("expected a refused upgrade, got \(error)")
            return
        }
        #expect(status == 401)  // as the real API answers a missing API key
        #expect("\(error)".contains("HTTP 401 Unauthorized"))
    }

    @Test func anUnreachableModelThrows() async throws {
        let receiver = RealtimeReceiver(executor: nil, opened: { _ in }, receive: { _ in }, receiveOnExecutor: { _ in true }, roomForAudio: {})
        // Port 1 on loopback: nothing listens there.
        let endpoint = RealtimeEndpoint(url: "ws://127.0.0.1:1/v1/realtime", apiKey: "sk-test")
        let outcome = await Self.result { try await Self.withTimeout { try await NIORealtimeDialer().dial(endpoint, model: "gpt-realtime", receiver: receiver) } }
        #expect(outcome != nil)
        #expect(!(outcome is TimeoutError))
    }

    @Test func targetsAreParsedFromWsAndWssURLs() throws {
        let local = try #require(WebSocketTarget(url: "ws://127.0.0.1:8123/v1/realtime?model=gpt-realtime"))
        #expect(!local.secure && local.host == "127.0.0.1" && local.port == 8123)
        #expect(local.requestURI == "/v1/realtime?model=gpt-realtime")
        #expect(local.hostHeader == "127.0.0.1:8123")
        #expect(local.serverName == nil)
        let openAI = try #require(WebSocketTarget(url: "wss://api.openai.com/v1/realtime?model=gpt-realtime"))
        #expect(openAI.secure && openAI.host == "api.openai.com" && openAI.port == 443)
        #expect(openAI.requestURI == "/v1/realtime?model=gpt-realtime")
        #expect(openAI.hostHeader == "api.openai.com")
        #expect(openAI.serverName == "api.openai.com")
        #expect(WebSocketTarget(url: "https://api.openai.com/v1/realtime") == nil)
    }

    static func simulator(thinkTimeMs: Int) -> SimulatorConfiguration {
        var logger = Logger(label: "kol.realtime-sim.tests")
        logger.logLevel = .error
        return SimulatorConfiguration(thinkTimeMs: thinkTimeMs, pacing: .realTimeMultiple(8), logger: logger)
    }

    static func result(_ body: () async throws -> Void) async -> (any Error)? {
        do {
            try await body()
            return nil
        } catch {
            return error
        }
    }

    /// Runs `body` with a generous limit (a hang fails the test instead of the run).
    static func withTimeout(_ body: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: .seconds(60))
                throw TimeoutError()
            }
            try await group.next()
            group.cancelAll()
        }
    }
}

/// What the test's receiver saw (written on the socket's loop, read by the test).
final class SeenEvents: Sendable {
    private let state = Mutex<(types: [String], audio: Int, link: (any RealtimeLink)?)>(([], 0, nil))

    var types: [String] { state.withLock { $0.types } }
    var audioBase64Bytes: Int { state.withLock { $0.audio } }
    var link: (any RealtimeLink)? { state.withLock { $0.link } }

    func record(_ type: String) { state.withLock { $0.types.append(type) } }
    func addAudio(_ bytes: Int) { state.withLock { $0.audio += bytes } }
    func setLink(_ link: any RealtimeLink) { state.withLock { $0.link = link } }
}
