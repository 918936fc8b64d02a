import AsyncHTTPClient
import NIOCore
import NIOEmbedded
import NIOPosix
import Synchronization
import Testing
@testable import engine_server

/// A connection that has not sent its first request yet: closed when it stays silent, or when the
/// server shuts down meanwhile, so it can never hold a graceful shutdown up.
@Suite struct FirstRequestGuardTests {
    /// Records the user events that get past the guard (where the HTTP handlers sit).
    final class EventRecorder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        var quiesceEvents = 0
        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if event is ChannelShouldQuiesceEvent { quiesceEvents += 1 }
            context.fireUserInboundEventTriggered(event)
        }
    }

    private func connection(timeout: TimeAmount = .seconds(5)) throws -> (EmbeddedChannel, EventRecorder) {
        let recorder = EventRecorder()
        let channel = EmbeddedChannel(handlers: [FirstRequestGuard(timeout: timeout), recorder])
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, recorder)
    }

    private func bytes(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    @Test func aConnectionThatSendsNothingIsClosedWhenItsTimeIsUp() throws {
        let (channel, _) = try connection(timeout: .seconds(5))
        channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
    }

    @Test func aConnectionWhoseRequestBeganIsNotTimedOutAndItsBytesGoOn() throws {
        let (channel, _) = try connection(timeout: .seconds(5))
        try channel.writeInbound(bytes("GET /healthz HTTP/1.1\r\n"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(channel.isActive)
        #expect(try channel.readInbound(as: ByteBuffer.self) == bytes("GET /healthz HTTP/1.1\r\n"))
        _ = try channel.finish()
    }

    @Test func aSilentConnectionIsClosedWhenTheServerQuiesces() throws {
        let (channel, recorder) = try connection()
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(!channel.isActive)
        #expect(recorder.quiesceEvents == 0)
    }

    @Test func aQuiesceDuringTheFirstRequestReachesTheHTTPLayerAgainWithTheAnswer() throws {
        let (channel, recorder) = try connection()
        try channel.writeInbound(bytes("POST /twilio/voice HTTP/1.1\r\n"))
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(channel.isActive, "the request in progress is answered")
        #expect(recorder.quiesceEvents == 1)
        // The answer begins: by now the HTTP state handler is in place to close after it.
        try channel.writeOutbound(bytes("HTTP/1.1 200 OK\r\n"))
        #expect(recorder.quiesceEvents == 2)
        #expect(throws: (any Error).self) { try channel.pipeline.syncOperations.handler(type: FirstRequestGuard.self) }
        #expect(try channel.readOutbound(as: ByteBuffer.self) == bytes("HTTP/1.1 200 OK\r\n"))
        _ = try channel.finish()
    }

    @Test func aRequestBegunAndLeftUnfinishedIsClosedSoonAfterAQuiesce() throws {
        let (channel, recorder) = try connection(timeout: .seconds(5))
        try channel.writeInbound(bytes("GET /healthz HTT"))
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(recorder.quiesceEvents == 1)
        channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(channel.isActive, "the request gets its time to finish")
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
    }

    @Test func aQuiesceIsPassedOnOnlyOnceWhateverTheWritesBeforeTheFlush() throws {
        let (channel, recorder) = try connection()
        try channel.writeInbound(bytes("GET /healthz HTTP/1.1\r\n\r\n"))
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        channel.write(bytes("HTTP/1.1 200 OK\r\n"), promise: nil)
        channel.write(bytes("content-length: 0\r\n\r\n"), promise: nil)
        #expect(recorder.quiesceEvents == 1, "not before the answer is flushed")
        channel.flush()
        #expect(recorder.quiesceEvents == 2)
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(channel.isActive, "answered: the quiesce's timer went with the guard")
        _ = try channel.finish()
    }

    @Test func theGuardLeavesWithTheFirstAnswer() throws {
        let (channel, recorder) = try connection()
        try channel.writeInbound(bytes("GET /healthz HTTP/1.1\r\n\r\n"))
        try channel.writeOutbound(bytes("HTTP/1.1 200 OK\r\n"))
        #expect(throws: (any Error).self) { try channel.pipeline.syncOperations.handler(type: FirstRequestGuard.self) }
        // A quiesce now is the HTTP layer's business alone (a keep-alive connection closes when idle).
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(recorder.quiesceEvents == 1)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    /// The hang this guards against: an engine with one connection open that never sent a byte stops.
    @Test func anEngineWithASilentConnectionOpenStillShutsDown() async throws {
        let harness = try await EngineHarness.start()
        let silent = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: harness.local.port).get()
        // Connections are accepted in the order they arrived: once a later one is answered, the engine
        // holds the silent one.
        let health = try await HTTPClient.shared.execute(HTTPClientRequest(url: harness.local.baseURL + "/healthz"), timeout: .seconds(10))
        #expect(health.status == .ok)
        let stopped = Atomic<Bool>(false)
        let stopping = Task {
            await harness.stop()
            stopped.store(true, ordering: .sequentiallyConsistent)
        }
        let done = await EngineHarness.eventually(timeoutSeconds: 30) { stopped.load(ordering: .sequentiallyConsistent) }
        #expect(done, "the engine's shutdown waited for a connection that never sent a request")
        let closedByEngine = await EngineHarness.eventually(timeoutSeconds: 5) { !silent.isActive }
        #expect(closedByEngine)
        try? await silent.close()
        await stopping.value
    }
}
