import Foundation
import MediaEngine

/// How one engine process is set up: where it listens, how Twilio reaches it, where the model is,
/// and the secrets it signs with. Built by `serve` and `demo` from flags and the environment.
struct EngineConfiguration: Sendable {
    /// Interface and port to listen on (loopback by default).
    var host: String
    var port: Int
    /// The public base URL Twilio reaches (https), used in TwiML and in signature checks; the stream
    /// URL is its `wss://` twin.
    var publicURL: String
    /// The model: OpenAI's endpoint with an API key, or the embedded simulator's loopback URL.
    var realtime: RealtimeEndpoint
    /// Signs the per-call tokens carried from the webhook to the stream.
    var callTokenSecret: [UInt8]
    /// Where tenants' Twilio auth tokens are read from (by the variable names in plugins.yaml).
    var environment: [String: String]
    /// How long a call may drain on shutdown before it is ended (seconds).
    var drainTimeoutSeconds: Int = 30
    /// How long a warmed-up call waits for its media stream (seconds).
    var streamWaitSeconds: Int = 30
    /// Replace a call's model session after this long (ms), at a turn boundary: the provider caps a
    /// session at 60 minutes.
    var modelSessionMaxAgeMs: Int = 55 * 60_000
    /// Audio per outbound Twilio `media` message once a reply's lead is buffered (ms, multiple of 20).
    /// The lead is `CallSettings.egressFloorMs` plus this.
    var egressChunkMs: Int = CallSettings.defaultEgressChunkMs
    /// The egress lead of an engine on the default chunk (280 ms), for the load generator's judging.
    static var defaultEgressLeadMs: Int { CallSettings.egressLeadMs(chunkMs: CallSettings.defaultEgressChunkMs) }
    /// Caller audio per `input_audio_buffer.append` sent to the model (ms, multiple of 20).
    var modelAppendMs: Int = 20
    /// Caller audio one append may gather while nothing waits on it (ms; `AppendPacer`).
    var gatherAppendMs: Int = CallSettings.defaultGatherAppendMs
    /// The sample-rate converter of `pcm24k` tenants' calls (8 <-> 24 kHz); `--resampler`.
    var resampler: ResamplerKind = .polyphase

    /// `wss://HOST/twilio/media` for `publicURL` `https://HOST`.
    var mediaStreamURL: String {
        var base = publicURL
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasPrefix("https://") { base = "wss://" + base.dropFirst(8) } else if base.hasPrefix("http://") { base = "ws://" + base.dropFirst(7) }
        return base + "/twilio/media"
    }

    /// The public URL of `path` (e.g. "/twilio/voice"), as Twilio signs it.
    func publicURL(path: String) -> String {
        var base = publicURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + path
    }
}
