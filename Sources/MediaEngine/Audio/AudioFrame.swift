/// A block of mono PCM16 audio with its sample rate and its place on the call's media timeline.
///
/// Frames are values: the samples live in a copy-on-write array, so handing a frame from one actor
/// to the next copies a pointer, not the audio. The hot path does not create frames per 20 ms; its
/// stages work on caller-owned buffers (see `MuLaw`, `Resampler`, `VoiceActivityDetector`), and frames
/// are what crosses stage boundaries.
public struct AudioFrame: Sendable, Equatable {
    /// Signed 16-bit linear samples, mono.
    public var samples: [Int16]
    /// Samples per second (Hz): 8000, 16000, 24000 or 48000 in this engine.
    public var sampleRate: Int
    /// Media time of the first sample, in milliseconds since the stream started (monotonic; the
    /// inbound side follows Twilio's `media.timestamp`).
    public var timestampMs: Int

    public init(samples: [Int16], sampleRate: Int, timestampMs: Int) {
        self.samples = samples
        self.sampleRate = sampleRate
        self.timestampMs = timestampMs
    }

    /// Duration in milliseconds (fractional for frame sizes that are not whole milliseconds).
    public var durationMs: Double {
        sampleRate > 0 ? Double(samples.count) * 1000 / Double(sampleRate) : 0
    }

    /// Media time just after the last sample, in milliseconds (rounded down).
    public var endTimestampMs: Int { timestampMs + Int(durationMs) }

    /// Number of samples in one 20 ms frame at `sampleRate` (160 at 8 kHz, 480 at 24 kHz).
    public static func samplesPer20ms(sampleRate: Int) -> Int { sampleRate / 50 }
}
