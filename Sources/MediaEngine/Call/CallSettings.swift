/// Engine-side settings of one call, fixed when it starts: the tenant's choices plus the engine's
/// tuning. A call keeps the settings it started with even if `plugins.yaml` is reloaded meanwhile.
public struct CallSettings: Sendable {
    public var tenant: TenantConfig
    /// How far ahead of real-time playout audio is sent to Twilio (ms): once a reply flows, Twilio's
    /// buffer swings between this less `egressChunkMs` and this. By default `egressFloorMs` plus
    /// `egressChunkMs`.
    public var egressLeadMs: Int
    /// The least audio kept buffered at Twilio while a reply flows, by default (ms): the next chunk goes
    /// when the buffer has drained to it. What covers the network's jitter on the way to Twilio; `clear`
    /// empties the buffer whatever its size.
    public static let egressFloorMs = 160
    /// Audio per outbound `media` message, by default (ms): six frames, a sixth of the socket writes of
    /// one message per frame; the buffer at Twilio then swings between 160 and 280 ms.
    public static let defaultEgressChunkMs = 120
    /// The lead of egress chunks of `chunkMs`, unless set otherwise: `egressFloorMs` plus one chunk (ms).
    public static func egressLeadMs(chunkMs: Int) -> Int { egressFloorMs + chunkMs }
    /// Bound of the egress queue (ms of audio); past it the model's connection is pushed back.
    public var egressQueueMs: Int
    /// Audio per outbound `media` message once the lead is reached (ms, a multiple of 20; see
    /// `EgressStage.chunkMs`).
    public var egressChunkMs: Int
    /// Caller audio per `input_audio_buffer.append` (ms, a multiple of 20; see
    /// `IngressStage.appendEveryMs`).
    public var modelAppendMs: Int
    /// Caller audio one append may gather while nothing waits on it (ms; 20 sends every frame as it
    /// comes; the caller's speech gathers at most `AppendPacer.speechGatherMs`; see `AppendPacer`).
    public var gatherAppendMs: Int
    /// The default of `gatherAppendMs` (ms): ten frames of silence per append.
    public static let defaultGatherAppendMs = 200
    /// Minimum audio between two marks (ms).
    public var markIntervalMs: Double
    /// The engine's voice activity detector.
    public var vad: VADConfig
    /// The engine's echo-aware barge-in detector (used when the tenant's `barge_in` is `engine`).
    public var bargeIn: BargeInConfig
    /// Caller audio kept while the model connection is not up yet (ms), sent once it is.
    public var preconnectBufferMs: Int
    /// Open a fresh model session this long after the current one started (ms); the provider caps a
    /// session at 60 minutes, so the default switches at 55, at a turn boundary.
    public var modelSessionMaxAgeMs: Int
    /// How long after the caller's turn ends a response may take to start before it is retried (ms).
    public var responseTimeoutMs: Int
    /// Where to record the call (both sides mixed, 8 kHz Ogg Opus), created when the media stream starts;
    /// nil when the tenant does not record calls. The directory must exist.
    public var recordingPath: String?
    /// The sample-rate converter of the `pcm24k` model audio path (8 <-> 24 kHz), both directions.
    public var resampler: ResamplerKind

    public init(tenant: TenantConfig, egressLeadMs: Int? = nil, egressQueueMs: Int = 4_000, egressChunkMs: Int = defaultEgressChunkMs, modelAppendMs: Int = 20, gatherAppendMs: Int = defaultGatherAppendMs,
                markIntervalMs: Double = 100,
                vad: VADConfig = VADConfig(), bargeIn: BargeInConfig = BargeInConfig(), preconnectBufferMs: Int = 2_000, modelSessionMaxAgeMs: Int = 55 * 60_000,
                responseTimeoutMs: Int = 8_000, recordingPath: String? = nil, resampler: ResamplerKind = .polyphase) {
        self.tenant = tenant
        self.egressLeadMs = egressLeadMs ?? Self.egressLeadMs(chunkMs: egressChunkMs)
        self.egressQueueMs = egressQueueMs
        self.egressChunkMs = egressChunkMs
        self.modelAppendMs = modelAppendMs
        self.gatherAppendMs = gatherAppendMs
        self.markIntervalMs = markIntervalMs
        self.vad = vad
        self.bargeIn = bargeIn
        self.preconnectBufferMs = preconnectBufferMs
        self.modelSessionMaxAgeMs = modelSessionMaxAgeMs
        self.responseTimeoutMs = responseTimeoutMs
        self.recordingPath = recordingPath
        self.resampler = resampler
    }
}
