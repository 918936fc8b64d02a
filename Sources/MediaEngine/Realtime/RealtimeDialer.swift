/// Where and how the engine reaches a Realtime model: the OpenAI API, or any server speaking its GA
/// protocol (the bundled simulator, in tests and on a newcomer's first run).
public struct RealtimeEndpoint: Sendable, Equatable {
    /// Base WebSocket URL, e.g. `wss://api.openai.com/v1/realtime`; the model goes in `?model=`.
    public var url: String
    /// Sent as `Authorization: Bearer <apiKey>`; nil only for servers that need none.
    public var apiKey: String?
    /// Give up on one connection attempt after this long (ms).
    public var connectTimeoutMs: Int
    /// Give up on an open connection that sends no first event (`session.created`) in this long (ms).
    public var firstEventTimeoutMs: Int
    /// Connection attempts before the call falls back (the first included).
    public var maxAttempts: Int
    /// Wait before the second attempt (ms); doubled for each further one.
    public var backoffMs: Int

    public init(
        url: String, apiKey: String?, connectTimeoutMs: Int = 3_000, firstEventTimeoutMs: Int = 3_000,
        maxAttempts: Int = 3, backoffMs: Int = 200
    ) {
        self.url = url
        self.apiKey = apiKey
        self.connectTimeoutMs = connectTimeoutMs
        self.firstEventTimeoutMs = firstEventTimeoutMs
        self.maxAttempts = maxAttempts
        self.backoffMs = backoffMs
    }

    /// The URL for `model`, with the model as a query parameter (GA: no `OpenAI-Beta` header, ever).
    public func url(model: String) -> String {
        let separator = url.contains("?") ? "&" : "?"
        let escaped = model.addingQueryEscapes()
        return "\(url)\(separator)model=\(escaped)"
    }
}

/// One open connection to a model: the sending half. Text frames only.
public protocol RealtimeLink: Sendable {
    /// Enqueues one client event (UTF-8 JSON) to go out as a text frame, in order. Never suspends the
    /// caller: the transport writes on its own (the call must not wait on a socket). Dropped silently
    /// once the link is closed.
    func send(_ text: [UInt8])
    /// Closes the connection; the dialer's `dial` call then returns.
    func close() async
}

/// How a model connection hands its messages to the call.
///
/// Two ways in, one contract: messages reach the call whole, in order, one at a time, and while the
/// call's egress queue is full the transport stops reading the socket (TCP flow control then pushes back
/// on the model).
public struct RealtimeReceiver: Sendable {
    /// The call's executor. A transport whose socket runs on this same event loop delivers with
    /// `receiveOnExecutor` (no task hop); any other transport uses `receive`.
    public let executor: (any SerialExecutor)?
    /// The connection is up: called once with its link, before any message is delivered.
    public let opened: @Sendable (any RealtimeLink) async -> Void
    /// General path: in order, one at a time; returns after the call has taken the message (suspends
    /// while the egress queue is full).
    public let receive: @Sendable ([UInt8]) async -> Void
    /// Must only be called on `executor`. Takes one whole text message (UTF-8 JSON, borrowed for the
    /// call only); returns false when the call's egress queue is full: the transport must stop reading
    /// the socket and `await roomForAudio()` before delivering or reading on. (The message itself was
    /// taken either way.)
    public let receiveOnExecutor: @Sendable (UnsafeRawBufferPointer) -> Bool
    /// Returns once the call's egress queue has room again (or the call ended).
    public let roomForAudio: @Sendable () async -> Void

    public init(
        executor: (any SerialExecutor)?,
        opened: @escaping @Sendable (any RealtimeLink) async -> Void,
        receive: @escaping @Sendable ([UInt8]) async -> Void,
        receiveOnExecutor: @escaping @Sendable (UnsafeRawBufferPointer) -> Bool,
        roomForAudio: @escaping @Sendable () async -> Void
    ) {
        self.executor = executor
        self.opened = opened
        self.receive = receive
        self.receiveOnExecutor = receiveOnExecutor
        self.roomForAudio = roomForAudio
    }
}

/// Opens connections to a model. The receiving half is a `RealtimeReceiver`: while the call's egress
/// queue is full no further message is read, which is how a full queue pushes back on the model's
/// connection (TCP flow control does the rest).
public protocol RealtimeDialer: Sendable {
    /// Connects to `endpoint` for `model`, calls `receiver.opened` with the link once the connection is
    /// up, then delivers every inbound text message to `receiver`; returns when the connection has closed
    /// (throws if it could not be opened or failed).
    func dial(_ endpoint: RealtimeEndpoint, model: String, receiver: RealtimeReceiver) async throws
}

extension String {
    /// Percent-escapes everything outside the URL query's unreserved set.
    func addingQueryEscapes() -> String {
        var out = ""
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]], as: UTF8.self)
            }
        }
        return out
    }
}
