import NIOCore

/// The first handler of every engine connection: it covers the time before the connection's first
/// request, which nothing else in the pipeline watches.
///
/// Hummingbird asks its connections to wind down on a graceful shutdown with a
/// `ChannelShouldQuiesceEvent`, and waits for all of them to close. The handler that acts on that event
/// (`HTTPConnectionStateHandler`) only joins the pipeline once the first request has been read and has
/// turned out not to be a WebSocket upgrade, so a connection that had sent nothing yet ignored it, and a
/// single silent socket (a client's pre-opened connection, a port scanner) kept the engine's shutdown
/// waiting forever. So this handler:
/// - closes a connection that has sent no byte within `timeout` (Twilio sends its request at once);
/// - closes one that has sent no byte yet when the server quiesces;
/// - when the server quiesces while the first request is being read, gives it `timeout` to be answered,
///   and passes the event on again once the answer is flushed, by which time a plain HTTP connection's
///   state handler is there to close the connection after it.
/// At the flush of the first answer its work is done and it leaves the pipeline (a media stream's
/// frames never pass through it).
final class FirstRequestGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = Any  // passed on untouched
    typealias OutboundOut = Any

    /// How long a connection may stay silent after it opens, by default.
    static let defaultTimeout: TimeAmount = .seconds(10)

    private let timeout: TimeAmount
    /// Closes the connection when it fires: set while no byte has come, and again after a quiesce that
    /// came while the first request was being read.
    private var timer: Scheduled<Void>?
    private var requestStarted = false
    /// The server quiesced while the first request was being read; the event is passed on again once
    /// the answer has been flushed.
    private var quiesceAfterRequest = false
    /// The first answer has begun: the guard leaves at its flush.
    private var answered = false

    init(timeout: TimeAmount = defaultTimeout) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startTimer(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        startTimer(context: context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    private func startTimer(context: ChannelHandlerContext) {
        guard timer == nil else { return }
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) { loopBound.value.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !requestStarted {
            requestStarted = true
            timer?.cancel()
            timer = nil
        }
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent, !answered else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        if !requestStarted {
            context.close(promise: nil)
        } else {
            // The request was begun: it gets `timeout` to be read and answered, so a client that sent part
            // of one and went quiet cannot hold the shutdown either.
            quiesceAfterRequest = true
            startTimer(context: context)
            context.fireUserInboundEventTriggered(event)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        answered = true
        context.write(data, promise: promise)
    }

    func flush(context: ChannelHandlerContext) {
        context.flush()
        // Not in `write`: NIO's `writeAndFlush` flushes through the same context right after the write.
        guard answered else { return }
        if quiesceAfterRequest {
            // After the flush, so an HTTP state handler that closes at once has sent the answer first;
            // from the next handler on, past this one. On a media stream the 101 is the answer and
            // nothing after it acts on the event: calls drain on their own (`DrainService`).
            quiesceAfterRequest = false
            context.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
