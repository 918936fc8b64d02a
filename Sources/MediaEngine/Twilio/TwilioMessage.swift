/// One inbound Twilio Media Streams message (Twilio -> engine), decoded by `TwilioMessageDecoder`.
///
/// Wire shapes: protocols.md A.4. Numeric-looking fields (`sequenceNumber`, `media.chunk`,
/// `media.timestamp`) arrive as JSON strings and are parsed to `Int` here. Events this engine does not
/// know map to `.unknown(event:)` so a new Twilio event never tears down a call.
public enum TwilioMessage: Sendable, Equatable {
    /// First message after the WebSocket upgrade. There is no `streamSid` yet.
    case connected(Connected)
    /// Stream metadata; sent once, right after `connected`. The media format is already checked.
    case start(Start)
    /// 20 ms (typically) of caller audio. On the fast path its text fields are ranges into the message.
    case media(TwilioMediaFrame)
    /// The caller pressed a key.
    case dtmf(DTMF)
    /// Playback reached (or `clear` flushed) a mark the engine sent earlier.
    case mark(Mark)
    /// The stream stopped or the call ended.
    case stop(Stop)
    /// An event name this engine does not handle; log it and carry on.
    case unknown(event: String)

    /// `connected`: `{"event":"connected","protocol":"Call","version":"1.0.0"}`.
    public struct Connected: Sendable, Equatable {
        /// "Call" in practice; optional because nothing depends on it.
        public var `protocol`: String?
        /// "1.0.0" in practice; optional because nothing depends on it.
        public var version: String?

        public init(protocol: String? = nil, version: String? = nil) {
            self.protocol = `protocol`
            self.version = version
        }
    }

    /// `start`: who the stream belongs to and what the engine was asked to carry.
    public struct Start: Sendable, Equatable {
        public var sequenceNumber: Int
        public var streamSid: String
        public var accountSid: String
        public var callSid: String
        /// `["inbound"]` for `<Connect><Stream>`.
        public var tracks: [String]
        /// The `<Parameter name value/>` pairs from the TwiML (tenant id, call token...).
        public var customParameters: [String: String]
        public var mediaFormat: TwilioMediaFormat

        public init(
            sequenceNumber: Int, streamSid: String, accountSid: String, callSid: String,
            tracks: [String], customParameters: [String: String], mediaFormat: TwilioMediaFormat
        ) {
            self.sequenceNumber = sequenceNumber
            self.streamSid = streamSid
            self.accountSid = accountSid
            self.callSid = callSid
            self.tracks = tracks
            self.customParameters = customParameters
            self.mediaFormat = mediaFormat
        }
    }

    /// `dtmf`: one key press. Its `track` is spelled `inbound_track` (unlike `media.track`).
    public struct DTMF: Sendable, Equatable {
        public var sequenceNumber: Int
        public var streamSid: String
        public var track: String
        /// One of `0-9`, `*`, `#`, `A-D`.
        public var digit: Character

        public init(sequenceNumber: Int, streamSid: String, track: String, digit: Character) {
            self.sequenceNumber = sequenceNumber
            self.streamSid = streamSid
            self.track = track
            self.digit = digit
        }
    }

    /// `mark`: the echo of a mark the engine queued (A.7: reached by playback, or flushed by `clear`).
    public struct Mark: Sendable, Equatable {
        public var sequenceNumber: Int
        public var streamSid: String
        public var name: String

        public init(sequenceNumber: Int, streamSid: String, name: String) {
            self.sequenceNumber = sequenceNumber
            self.streamSid = streamSid
            self.name = name
        }
    }

    /// `stop`: the end of the stream.
    public struct Stop: Sendable, Equatable {
        public var sequenceNumber: Int
        public var streamSid: String
        public var accountSid: String
        public var callSid: String

        public init(sequenceNumber: Int, streamSid: String, accountSid: String, callSid: String) {
            self.sequenceNumber = sequenceNumber
            self.streamSid = streamSid
            self.accountSid = accountSid
            self.callSid = callSid
        }
    }
}

/// `start.mediaFormat`. The decoder accepts only `audio/x-mulaw`, 8000 Hz, mono (protocols.md A.4).
public struct TwilioMediaFormat: Sendable, Equatable {
    /// The only encoding the engine accepts.
    public static let muLaw8kMono = TwilioMediaFormat(encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1)

    public var encoding: String
    public var sampleRate: Int  // Hz
    public var channels: Int

    public init(encoding: String, sampleRate: Int, channels: Int) {
        self.encoding = encoding
        self.sampleRate = sampleRate
        self.channels = channels
    }
}
